"""Items and warnings as plain dictionaries: what the audit log records before and after."""

from __future__ import annotations

from typing import Any

from warning.review.models import MaterialWarning, ReviewItem


def item_snapshot(item: ReviewItem) -> dict[str, Any]:
    """The decision-relevant fields of a review item."""
    snapshot: dict[str, Any] = {
        "state": str(item.state),
        "kind": str(item.kind),
        "level": str(item.level),
        "direction": str(item.direction),
    }
    if item.snoozed_until is not None:
        snapshot["snoozed_until"] = item.snoozed_until.isoformat()
    if item.overdue:
        snapshot["overdue"] = True
    if item.final_level is not None:
        snapshot["final_level"] = str(item.final_level)
        snapshot["final_direction"] = str(item.final_direction)
    return snapshot


def warning_snapshot(warning: MaterialWarning | None) -> dict[str, Any] | None:
    """A warning's state, level and direction (None: the material had none)."""
    if warning is None:
        return None
    return {
        "warning_id": warning.id,
        "state": str(warning.state),
        "level": str(warning.level),
        "direction": str(warning.direction),
    }
