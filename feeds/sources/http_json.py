"""``http_json``: an HTTP endpoint returning JSON records, mapped by configuration.

``mapping.records`` is a dotted path to the list of records (``"data.items"``; numbers index
lists; ``""`` = the body is the list). Each record is an object; ``mapping.period`` names the
period field, each series' ``value`` its value field, ``mapping.unit_field`` an optional unit
field. A missing path, a non-list, non-object records, or a mapped field that no record has
is a shape change: the run fails and says what was found instead.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace

import numpy as np
import pandas as pd

from feeds.definitions import FeedDefinition
from feeds.mapping import resolve_columns, wide_rows
from feeds.sources._request import decode, fetch_body, html_title, looks_like_html
from feeds.sources.base import ReadContext, SourceError, SourceRows, unchanged_rows
from feeds.urls import shown_url


class HttpJsonSource:
    kind = "http_json"
    locations = frozenset({"url"})

    def read(self, feed: FeedDefinition, context: ReadContext) -> SourceRows:
        body = fetch_body(feed, context)
        location = shown_url(body.url)  # how rows, runs and errors name it: no secrets
        if body.unchanged:
            return unchanged_rows(location, body.validators)
        if looks_like_html(body) and not body.content.lstrip().startswith((b"{", b"[")):
            title = html_title(body.content)
            raise SourceError(
                location,
                f"expected JSON but got an HTML page (HTTP {body.status}"
                + (f", title {title!r})" if title else ")"),
            )
        try:
            document = json.loads(decode(body, location))
        except json.JSONDecodeError as error:
            raise SourceError(
                location, f"malformed JSON (line {error.lineno}, column {error.colno}: {error.msg})"
            ) from error
        records = find_records(document, feed.mapping.records, location=location)
        header, table = records_table(records, location=location)
        extra = [feed.mapping.period]
        if feed.mapping.unit_field:
            extra.append(feed.mapping.unit_field)
        columns = resolve_columns(header, feed, location=location, extra=extra)
        rows = wide_rows(table, feed=feed, location=location, columns=columns, row_label="record")
        return replace(rows, validators=body.validators)


def find_records(document: object, path: str, *, location: str) -> list[Mapping[str, object]]:
    """Follow the dotted ``path`` into ``document`` to a list of objects."""
    node = document
    walked: list[str] = []
    for step in [part for part in path.split(".") if part]:
        where = ".".join(walked) or "the top level"
        if isinstance(node, Mapping):
            if step not in node:
                keys = ", ".join(sorted(str(k) for k in node)[:12])
                raise SourceError(
                    location, f"records path {path!r}: no key {step!r} at {where} (keys: {keys})"
                )
            node = node[step]
        elif isinstance(node, list) and step.isdigit() and int(step) < len(node):
            node = node[int(step)]
        else:
            raise SourceError(
                location, f"records path {path!r}: cannot take {step!r} of a {_kind(node)}"
            )
        walked.append(step)
    if not isinstance(node, list):
        raise SourceError(
            location, f"records path {path!r}: expected a list of records, found a {_kind(node)}"
        )
    bad = [i for i, record in enumerate(node) if not isinstance(record, Mapping)]
    if bad:
        raise SourceError(
            location,
            f"record {bad[0] + 1} is a {_kind(node[bad[0]])}, expected an object",
        )
    return node


def records_table(
    records: list[Mapping[str, object]], *, location: str
) -> tuple[list[str], pd.DataFrame]:
    """A header (all field names, in first-seen order) and a table of text cells."""
    if not records:
        raise SourceError(location, "no records (an empty list)")
    header: list[str] = []
    for record in records:
        header.extend(str(k) for k in record if str(k) not in header)
    cells = [[_text(record.get(name)) for name in header] for record in records]
    table = pd.DataFrame(cells, columns=[str(i) for i in range(len(header))], dtype=object)
    table["source_line"] = np.arange(1, len(records) + 1, dtype=np.int64)
    table["raw"] = [json.dumps(record, ensure_ascii=False, default=str) for record in records]
    return header, table


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _kind(node: object) -> str:
    if isinstance(node, Mapping):
        return "object"
    names: dict[type, str] = {list: "list", str: "string"}
    return names.get(type(node), type(node).__name__)


SOURCE = HttpJsonSource()
