"""The board's content: every material by sector with its level, since when, latest value,
change and last year's sparkline; how many are at each level and what changed since the day
before.

The board changes only when an evaluation runs, data arrive or a review moves, so it is built
once per change and kept (:class:`BoardCache`): its key is the newest evaluation run, feed run
and audit entry (every review move is audited), three index lookups per page view.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import text
from sqlalchemy.orm import Session

from vocabulary import Level
from warning.catalog import Catalog
from warning.catalog.observations import recent_values
from warning.evaluation.board import MaterialLine, material_lines, standing_since
from warning.evaluation.models import Assessment
from warning.evaluation.runs import latest_assessments
from warning.review.models import MaterialWarning, ReviewItem
from warning.review.queries import active_warnings, open_items
from warning.store import aware
from warning.web.charts import Sparkline, sparkline
from warning.web.i18n import DIRECTION_NAMES, LEVEL_NAMES, SECTOR_NAMES
from warning.web.words import BASIS_NAMES, Words

SPARKLINE_DAYS = 365
LEVEL_ORDER = (Level.RED, Level.YELLOW, Level.BLUE, Level.NORMAL, Level.NO_DATA)
LEVEL_RANK = {str(level): 4 - rank for rank, level in enumerate(LEVEL_ORDER)}  # red 4 .. 0


@dataclass(frozen=True)
class Tile:
    """One material on the board."""

    line: MaterialLine
    basis: str | None
    since: date | None
    warning_level: str | None
    warning_direction: str | None
    warning_since: datetime | None
    open_item_id: int | None
    open_item_state: str | None
    sparkline: Sparkline | None
    unsourced: tuple[str, ...] = ()  # the material's series no feed of the set can give

    @property
    def level(self) -> str:
        return self.line.level or Level.NO_DATA


@dataclass(frozen=True)
class Change:
    """A material whose level or direction differs from the day before."""

    material: str
    name_zh: str
    name_en: str
    before: tuple[str, str]
    after: tuple[str, str]


@dataclass(frozen=True)
class Board:
    """The whole board as of its newest assessment."""

    as_of: date | None
    compared_with: date | None
    sectors: tuple[tuple[str, tuple[Tile, ...]], ...]
    counts: tuple[tuple[str, int], ...]
    changes: tuple[Change, ...]
    open_items: int


def build_board(session: Session, *, catalog: Catalog, unsourced: Collection[str] = ()) -> Board:
    """Read the board from the store; ``unsourced``: the series that the feed set says no
    public source gives (a tile with no price names them rather than saying "no data" alone)."""
    current = latest_assessments(session)
    lines = material_lines(session, catalog=catalog, assessments=current)
    as_of = max((a.as_of for a in current.values()), default=None)
    previous = latest_assessments(session, as_of=as_of - timedelta(days=1)) if as_of else {}
    since = standing_since(session, current=current)
    warnings = active_warnings(session)
    items = open_items(session)
    newest = {
        line.headline_series: line.latest_period
        for line in lines
        if line.headline_series and line.latest_period
    }
    values = recent_values(session, newest=newest, span_days=SPARKLINE_DAYS)
    missing = {
        material.id: tuple(series.id for series in material.series if series.id in unsourced)
        for material in catalog.materials
    }
    tiles = [
        replace(
            _tile(line, current.get(line.material), since, warnings, items, values),
            unsourced=missing.get(line.material, ()),
        )
        for line in lines
    ]
    sectors: dict[str, list[Tile]] = {}
    for tile in tiles:
        sectors.setdefault(tile.line.sector, []).append(tile)
    counts = {level: 0 for level in LEVEL_ORDER}
    for tile in tiles:
        counts[Level(tile.level)] += 1
    return Board(
        as_of=as_of,
        compared_with=max((a.as_of for a in previous.values()), default=None),
        sectors=tuple((sector, tuple(group)) for sector, group in sectors.items()),
        counts=tuple((str(level), n) for level, n in counts.items()),
        changes=_changes(catalog, current, previous),
        open_items=len(items),
    )


def _tile(
    line: MaterialLine,
    assessment: Assessment | None,
    since: Mapping[str, date],
    warnings: Mapping[str, MaterialWarning],
    items: Mapping[str, ReviewItem],
    values: Mapping[str, list[tuple[date, float]]],
) -> Tile:
    warning = warnings.get(line.material)
    item = items.get(line.material)
    # ``basis`` (held, pending...) arrives with a later change to assessments; shown when there
    basis: Any = getattr(assessment, "basis", None)
    return Tile(
        line=line,
        basis=str(basis) if basis else None,
        since=since.get(line.material),
        warning_level=str(warning.level) if warning else None,
        warning_direction=str(warning.direction) if warning else None,
        warning_since=aware(warning.started_at) if warning else None,
        open_item_id=item.id if item else None,
        open_item_state=str(item.state) if item else None,
        sparkline=sparkline(values.get(line.headline_series or "", [])),
    )


def _changes(
    catalog: Catalog, current: Mapping[str, Assessment], previous: Mapping[str, Assessment]
) -> tuple[Change, ...]:
    if not previous:
        return ()
    changes = []
    for material in catalog.materials:
        now, before = current.get(material.id), previous.get(material.id)
        if now is None or before is None:
            continue
        after_standing = (str(now.level), str(now.direction))
        before_standing = (str(before.level), str(before.direction))
        if after_standing != before_standing:
            changes.append(
                Change(
                    material.id, material.name_zh, material.name_en, before_standing, after_standing
                )
            )
    return tuple(changes)


# read on every page view: plain SQL (three primary-key maxima), no statement to build
_FINGERPRINT = text(
    "SELECT (SELECT max(id) FROM evaluation_run), (SELECT max(id) FROM feed_run), "
    "(SELECT max(id) FROM audit_entry)"
)


def fingerprint(session: Session) -> tuple[Any, ...]:
    """What the pages show depends on: the newest evaluation run, feed run and audit entry
    (every review move, account change and suspect value cleared is audited)."""
    return tuple(session.execute(_FINGERPRINT).one())


class BoardCache:
    """The board, rebuilt when its :func:`fingerprint` moves (one per process)."""

    def __init__(self, catalog: Catalog, *, unsourced: Collection[str] = ()) -> None:
        self.catalog = catalog
        self.unsourced = frozenset(unsourced)
        self._lock = threading.Lock()
        self._key: tuple[Any, ...] | None = None
        self._board: Board | None = None

    def get(self, session: Session) -> Board:
        key = fingerprint(session)
        with self._lock:
            if key == self._key and self._board is not None:
                return self._board
        board = build_board(session, catalog=self.catalog, unsourced=self.unsourced)
        with self._lock:
            self._key, self._board = key, board
        return board


def board_frame(board: Board, words: Words) -> pd.DataFrame:
    """The board's table as the downloads hold it: one row per material, headers and names
    in the visitor's language, ids beside them for scripts."""
    formats = words.formats
    _ = formats.gettext
    rows = [
        {
            "material_id": tile.line.material,
            _("Material"): tile.line.name_zh if words.zh else tile.line.name_en,
            _("Sector"): formats.label(SECTOR_NAMES, sector),
            _("Level"): formats.label(LEVEL_NAMES, tile.level),
            _("Direction"): formats.label(DIRECTION_NAMES, tile.line.direction or ""),
            _("Since"): tile.since,
            _("Basis"): formats.label(BASIS_NAMES, tile.basis) if tile.basis else "",
            _("Latest value"): tile.line.latest_value,
            _("Unit"): words.unit(tile.line.unit),
            _("Change (%)"): tile.line.change_pct,
            _("Data date"): tile.line.latest_period,
            _("To review"): tile.open_item_id,
        }
        for sector, tiles in board.sectors
        for tile in tiles
    ]
    frame = pd.DataFrame(rows)
    items = _("To review")
    frame[items] = frame[items].astype("Int64")  # an item id, or empty (not 12.0 and NaN)
    return frame
