"""``akshare``: a function of the AKShare library, its frame mapped like any wide table.

The location is the function's name; ``akshare`` in the definition gives its arguments, the
upstream host it reaches, a renaming of its columns and fallbacks (see
:class:`feeds.definitions.LibraryOptions`)::

    - id: iron_ore_dce_futures
      source: akshare
      location: futures_zh_daily_sina
      akshare: {args: {symbol: I0}, host: sina}
      mapping: {period: date, period_format: "%Y-%m-%d"}
      series:
        - {id: iron_ore_dce_futures, material: iron_ore, indicator: price, frequency: D,
           unit: CNY/t, value: close}

Arguments may hold ``{date}`` (the trading day a ``per_day`` call asks for), ``{today}`` and
``{since}`` (the last stored period, else 2011-01-04), written in ``akshare.date_format``.

- Each call is polite and bounded (:mod:`feeds.sources._calls`): one at a time per host, an
  interval between calls, a hard deadline of ``timeout_s``, retried ``http.attempts`` times.
- When a call fails for good, the next of ``fallbacks`` is tried (the exchange first, a portal
  next); the rows say which call gave them.
- **Empty frames.** AKShare answers an empty frame for a day outside its bundled trading
  calendar, including every day after the calendar ends. A ``per_day`` feed asks only for
  trading days: with none since the last stored day (a holiday) the run is "unchanged", no
  news, and nothing is called. An empty frame for a trading day is a failure (so is one from
  a call without ``{date}``: a history is never empty). Trading days are the library's
  calendar where it covers the day, else :func:`feeds.calendar.is_trading_day`; an empty
  frame for a day after the library's calendar ends fails saying so.
- **Shape.** A column the mapping reads that the frame lacks is refused naming the feed, the
  column and the columns found; cells are read as text and validated like any file's.
- **Raw frames** are handed to the context's keeper (compressed per day by the service), and a
  ``per_day`` call whose frame was kept today is not made again (several feeds read one
  day's table of all varieties).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

import numpy as np
import pandas as pd

from feeds.definitions import ArgValue, FeedDefinition, LibraryCall, LibraryOptions
from feeds.library import FunctionTable, ImportedAkshare, LibraryMissing, call_text, is_open
from feeds.mapping import resolve_columns, wide_rows
from feeds.sources._calls import CallFailed, call_politely
from feeds.sources.base import ReadContext, SourceError, SourceRows, unchanged_rows

#: where a per-day feed starts with nothing stored (100ppi's basis pages begin here)
FIRST_DAY: Final = date(2011, 1, 4)
PERIOD_COLUMN: Final = "period"  # the period column of a table read with orient: rows


@dataclass(frozen=True)
class _Answer:
    what: str  # the call as made: function(arguments filled in)
    frame: pd.DataFrame


class AkshareSource:
    kind = "akshare"
    locations = frozenset({"function"})

    def read(self, feed: FeedDefinition, context: ReadContext) -> SourceRows:
        options = feed.akshare or LibraryOptions()
        table = context.functions or ImportedAkshare()
        calls = (
            LibraryCall(
                function=feed.location,
                args=options.args,
                host=options.host,
                rename=options.rename,
                rows=options.rows,
            ),
            *options.fallbacks,
        )
        reader = _Reader(feed, options, table, context, list(calls))
        location = f"akshare {call_text(feed.location, options.args)}"
        days: list[date | None] = [None]
        if options.per_day:
            days = list(_days(context, options, reader.trading))
            if not days:
                return unchanged_rows(location, None)  # no trading day since the last: no news
        answers = [answer for day in days if (answer := reader.answer(day)) is not None]
        return _rows(feed, options, answers)


class _Reader:
    """Answers calls for one run, moving past a source once it has failed for good."""

    def __init__(
        self,
        feed: FeedDefinition,
        options: LibraryOptions,
        table: FunctionTable,
        context: ReadContext,
        calls: list[LibraryCall],
    ) -> None:
        self.feed, self.options, self.table, self.context = feed, options, table, context
        self.calls = calls
        self.trading = _TradingDays(table)
        self.answered: set[str] = set()

    def answer(self, day: date | None) -> _Answer | None:
        """The first call that answers rows for ``day``; None when a call without ``{date}``
        (a history, e.g. a fallback's) already answered this run."""
        problems: list[str] = []
        for call in list(self.calls):
            args = _filled(call.args, options=self.options, context=self.context, day=day)
            what = call_text(call.function, args)
            if what in self.answered:
                return None
            try:
                frame = self._frame(call, args, what=what)
            except CallFailed as failed:
                problems.append(f"{what}: {failed}")
                if len(self.calls) > 1:
                    self.calls.remove(call)  # failed for good: the next day tries the fallback
                continue
            frame = _selected(frame.rename(columns=call.rename), call.rows, what=what)
            if not frame.empty:
                if args == _filled(call.args, options=self.options, context=self.context, day=None):
                    self.answered.add(what)  # the same call for every day: answered once
                return _Answer(what, _reformatted(frame, call, self.feed, what=what))
            problems.append(f"{what}: {self.trading.empty_problem(day)}")
        raise SourceError(f"akshare {self.feed.location}", "; then ".join(problems))

    def _frame(self, call: LibraryCall, args: Mapping[str, object], *, what: str) -> pd.DataFrame:
        keeper = self.context.keeper
        reusable = self.options.per_day and keeper is not None
        if reusable and keeper is not None:
            kept = keeper.kept(call.function, args)
            if kept is not None and not kept.empty:
                return kept
        try:
            function = self.table.function(call.function)
        except LibraryMissing as missing:  # nothing to call: no host slot taken, no retry
            raise CallFailed(str(missing)) from missing
        frame = call_politely(
            lambda: function(**args),
            what=what,
            host=call.host,
            interval_s=self.options.interval_s,
            deadline_s=self.feed.timeout_s,
            attempts=self.feed.http.attempts,
            policy=self.context.policy,
        )
        if keeper is not None:
            keeper.keep(self.feed.id, call.function, args, frame)
        return frame


class _TradingDays:
    """The library's trading calendar where it has one, else the approximate exchange one."""

    def __init__(self, table: FunctionTable) -> None:
        self.days = table.calendar()
        self.end = max(self.days) if self.days else None

    def is_open(self, day: date) -> bool:
        return is_open(day, self.days)

    def empty_problem(self, day: date | None) -> str:
        if day is not None and self.end is not None and day > self.end:
            return (
                f"empty frame for {day}: the library's trading calendar ends on {self.end} "
                "and it answers nothing after it (update AKShare)"
            )
        if day is not None:
            return f"empty frame for trading day {day} (expected rows)"
        return "empty frame (expected rows)"


def _days(context: ReadContext, options: LibraryOptions, trading: _TradingDays) -> list[date]:
    """The trading days to ask for: those after the last stored one, the first ``max_days`` of
    them (a backfill resumes from where it stopped); with nothing stored, the last
    ``max_days`` up to today. A holiday is never asked for (AKShare answers it empty)."""
    if context.since is not None:
        start = context.since + timedelta(days=1)
    else:
        start = max(FIRST_DAY, context.today - timedelta(days=2 * options.max_days + 14))
    days: list[date] = []
    day = start
    while day <= context.today:
        if trading.is_open(day):
            days.append(day)
        day += timedelta(days=1)
    return days[: options.max_days] if context.since is not None else days[-options.max_days :]


def _filled(
    args: Mapping[str, ArgValue],
    *,
    options: LibraryOptions,
    context: ReadContext,
    day: date | None,
) -> dict[str, object]:
    fmt = options.date_format
    words = {
        "{today}": context.today.strftime(fmt),
        "{since}": (context.since or FIRST_DAY).strftime(fmt),
    }
    if day is not None:
        words["{date}"] = day.strftime(fmt)

    def fill(value: object) -> object:
        if isinstance(value, str):
            for word, text in words.items():
                value = value.replace(word, text)
            return value
        if isinstance(value, list):
            return [fill(item) for item in value]
        return value

    return {key: fill(value) for key, value in args.items()}


def _selected(frame: pd.DataFrame, rows: Mapping[str, str], *, what: str) -> pd.DataFrame:
    """The rows a call's ``rows`` asks for; a selecting column the frame lacks is a shape change."""
    if not rows or frame.empty:
        return frame
    keep = pd.Series(True, index=frame.index)
    for column, wanted in rows.items():
        if column not in frame.columns:
            found = ", ".join(str(c) for c in frame.columns[:20])
            raise SourceError(
                f"akshare {what}", f"no column {column!r} to select rows by (columns: {found})"
            )
        keep &= frame[column].map(_text) == wanted
    return frame[keep]


def _reformatted(
    frame: pd.DataFrame, call: LibraryCall, feed: FeedDefinition, *, what: str
) -> pd.DataFrame:
    """A fallback's period column written in the feed's period format."""
    column = feed.mapping.period
    if call.period_format is None or call.period_format == feed.mapping.period_format:
        return frame
    if column not in frame.columns:
        return frame  # resolve_columns refuses it, naming the column
    text = frame[column].map(_text)
    parsed = pd.to_datetime(text, format=call.period_format, errors="coerce")
    out = frame.copy()
    out[column] = parsed.dt.strftime(feed.mapping.period_format).where(parsed.notna(), text)
    return out


def _rows(feed: FeedDefinition, options: LibraryOptions, answers: list[_Answer]) -> SourceRows:
    used = list(dict.fromkeys(answer.what for answer in answers))
    location = "akshare " + used[0]  # which call gave the rows (a fallback, say)
    if len(used) > 1:
        location += f" and {len(used) - 1} more"
    records: list[dict[str, str]] = []
    header: list[str] = []
    for answer in answers:
        frame = answer.frame
        if options.orient == "rows":
            frame = frame.T.rename_axis(PERIOD_COLUMN).reset_index()
        names = [str(c) for c in frame.columns]
        header.extend(name for name in names if name not in header)
        for row in frame.itertuples(index=False, name=None):
            records.append({name: _text(cell) for name, cell in zip(names, row, strict=True)})
    cells = [[record.get(name, "") for name in header] for record in records]
    table = pd.DataFrame(cells, columns=[str(i) for i in range(len(header))], dtype=object)
    table["source_line"] = np.arange(1, len(records) + 1, dtype=np.int64)
    table["raw"] = [json.dumps(record, ensure_ascii=False) for record in records]
    extra = [feed.mapping.period]
    if feed.mapping.unit_field:
        extra.append(feed.mapping.unit_field)
    columns = resolve_columns(header, feed, location=location, extra=extra)
    return wide_rows(table, feed=feed, location=location, columns=columns, row_label="row")


def _text(cell: object) -> str:
    """A cell as text: dates as ISO days, whole floats without ``.0``, missing as empty."""
    if cell is None or (isinstance(cell, float) and np.isnan(cell)):
        return ""
    if cell is pd.NaT:
        return ""
    if isinstance(cell, (datetime, pd.Timestamp)):
        return cell.date().isoformat() if cell.time() == datetime.min.time() else cell.isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, (float, np.floating)) and float(cell).is_integer():
        return str(int(cell))
    return str(cell)


SOURCE = AkshareSource()
