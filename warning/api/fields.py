"""The bounded types every route parameter and body field is declared with, in one place.

An id, a limit or an offset comes in as an integer the store can hold (the ids are INTEGER
columns, 32 bits on PostgreSQL, and the store binds an offset as one): anything larger is a
422 naming the parameter, never an overflow in the driver (a 500). A text field holds no
control character, and a one-line text no line break (:mod:`warning.plain_text`): 422 naming
the field.

The API's routes and the web's pages and forms both use these; a test walks the route table
and checks that every integer and text parameter is one of them.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Final

from fastapi import Path, Query
from pydantic import AfterValidator

from warning.plain_text import check_text

MAX_ID: Final = 2**31 - 1  # the largest integer a store column holds (INTEGER on PostgreSQL)

RowId = Annotated[int, Path(ge=1, le=MAX_ID, description="a row's id")]
OptionalRowId = Annotated[int | None, Query(ge=1, le=MAX_ID)]  # a filter by id, e.g. ?item=
Limit = Annotated[int, Query(ge=1, le=500)]  # a list's page size
Offset = Annotated[int, Query(ge=0, le=MAX_ID)]  # how many items of the list come before the page

# text: on one line (a name, a label, a filter), or on several (a comment, a reason); used in
# bodies, forms, query strings and paths alike, e.g. ``Annotated[Line, Form(max_length=64)]``
Line = Annotated[str, AfterValidator(check_text)]
Lines = Annotated[str, AfterValidator(partial(check_text, multiline=True))]
MaterialFilter = Annotated[Line | None, Query(max_length=64)]  # ?material=copper

SectorFilter = Annotated[Line | None, Query(max_length=64)]  # ?sector=metals
TextQuery = Annotated[Line | None, Query(max_length=200)]  # any other one-line query parameter
PathName = Annotated[Line, Path(max_length=64)]  # a name or text id in a path (material, user)
LongQuery = Annotated[Line | None, Query(max_length=2000)]  # a path to go back to (?next=)
