"""The audit log: who did what, when, to what, with the state before and after.

Append-only: :func:`record` is the only writer, nothing updates or deletes a row, and the
database refuses both (triggers, migration 0006). Readable per material and per item.
"""

from warning.audit.log import AuditView, entries, record
from warning.audit.models import AuditEntry

__all__ = ["AuditEntry", "AuditView", "entries", "record"]
