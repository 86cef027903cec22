"""``http_csv``: an HTTP endpoint returning CSV, in the long format or mapped (wide).

The location is a URL; ``http.params`` and ``http.headers`` may hold ``{since}`` (the last
stored period, for incremental pulls) and ``{today}``. An HTML page where CSV was expected, an
empty body, or a header without the mapped columns fail the run with a clear error; rows cut
short (a truncated body) are rejected with their field counts.
"""

from __future__ import annotations

from dataclasses import replace

from feeds.definitions import FeedDefinition
from feeds.longformat import FileFormatError, csv_text_records, long_frame_from_records
from feeds.mapping import long_rows, resolve_columns, table_from_records, wide_rows
from feeds.sources._request import decode, fetch_body, html_title, looks_like_html
from feeds.sources.base import ReadContext, SourceError, SourceRows, unchanged_rows
from feeds.urls import shown_url


class HttpCsvSource:
    kind = "http_csv"
    locations = frozenset({"url"})

    def read(self, feed: FeedDefinition, context: ReadContext) -> SourceRows:
        body = fetch_body(feed, context)
        location = shown_url(body.url)  # how rows, runs and errors name it: no secrets
        if body.unchanged:
            return unchanged_rows(location, body.validators)
        if looks_like_html(body):
            title = html_title(body.content)
            raise SourceError(
                location,
                f"expected CSV but got an HTML page (HTTP {body.status}"
                + (f", title {title!r})" if title else ")"),
            )
        text = decode(body, location)
        if not text.strip():
            raise SourceError(location, f"empty body (HTTP {body.status}); expected CSV")
        try:
            records = list(csv_text_records(text, source=location))
            if feed.mapping.format == "long":
                frame = long_frame_from_records(records, source=location)
                rows = long_rows(frame, location=location)
                return replace(rows, validators=body.validators)
        except FileFormatError as error:
            raise SourceError(location, error.problem) from error
        header, table = table_from_records(records, location=location)
        extra = [feed.mapping.period]
        if feed.mapping.unit_field:
            extra.append(feed.mapping.unit_field)
        columns = resolve_columns(header, feed, location=location, extra=extra)
        rows = wide_rows(table, feed=feed, location=location, columns=columns)
        return replace(rows, validators=body.validators)


SOURCE = HttpCsvSource()
