"""Pages of a long list: which rows a page shows and the links to the others."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Query

PageNumber = Annotated[int, Query(ge=1, le=10_000)]
T = TypeVar("T")


@dataclass(frozen=True)
class Pager:
    """Page ``number`` (from 1) of ``total`` rows, ``size`` a page; ``param`` is the query
    parameter that names the page (a page with several lists has one per list)."""

    number: int
    size: int
    total: int
    param: str = "page"

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    def window(self, rows: list[T]) -> list[T]:
        """This page's rows of a list held whole."""
        return rows[self.offset : self.offset + self.size]
