"""An audit entry as a sentence in the page's language: who did what to which, from what
to what, and why (「分析员 otto 批准了提议：红色↑。意见：同意」), not the stored dicts.

Who: the service (evaluations), the review policy (auto-approval, deadlines, silences) or a
user by name. What: a sentence per action; an action no sentence knows reads as its label.
Why: a comment the service wrote is translated (:mod:`warning.web.reasons`); what a person
wrote is quoted as written."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any, Final

from markupsafe import Markup, escape

from warning.audit import AuditView
from warning.review.states import POLICY_ACTOR, SYSTEM_ACTOR
from warning.web.i18n import ACTION_NAMES, DIGEST_NAMES, N_, ROLE_NAMES
from warning.web.reasons import translate_reason
from warning.web.words import Words, code, verbatim

Badge = Callable[..., Markup]

SENTENCES: Final[dict[str, str]] = {
    "created": N_("%(who)s proposed %(after)s"),
    "updated": N_("%(who)s changed the proposal from %(before)s to %(after)s"),
    "superseded": N_("%(who)s withdrew the proposal %(before)s"),
    "approved": N_("%(who)s approved %(after)s"),
    "adjusted": N_("%(who)s adjusted the proposal %(before)s to %(after)s and approved it"),
    "rejected": N_("%(who)s rejected the proposal %(before)s"),
    "approved_by_policy": N_("%(who)s approved %(after)s"),
    "snoozed": N_("%(who)s snoozed the item until %(until)s"),
    "woken": N_("%(who)s ended the item's snooze"),
    "escalated": N_("%(who)s marked the item overdue and raised it in the queue"),
    "silence_created": N_("%(who)s silenced %(material)s until %(until)s"),
    "silence_deleted": N_("%(who)s ended the silence of %(material)s"),
    "user_added": N_("%(who)s added the user %(subject)s as %(role)s"),
    "user_disabled": N_("%(who)s disabled the user %(subject)s"),
    "user_enabled": N_("%(who)s enabled the user %(subject)s"),
    "password_set": N_("%(who)s set the password of %(subject)s"),
    "token_created": N_("%(who)s created an API token for %(subject)s"),
    "token_revoked": N_("%(who)s revoked the API token %(subject)s"),
    "suspect_cleared": N_("%(who)s cleared the suspect flag of %(subject)s"),
    "delivery_replayed": N_("%(who)s replayed the dead delivery %(subject)s"),
    "endpoint_disabled": N_("%(who)s disabled the endpoint %(subject)s"),
    "directory_imported": N_("%(who)s imported the directory: %(rows)s rows, %(changed)s changed"),
    "unsubscribed": N_("%(who)s unsubscribed %(subject)s"),
    "public_links_revoked": N_("%(who)s revoked the public links %(subject)s"),
    "series_derived": N_("%(who)s derived %(series)s again from their sources"),
    "digest_sent": N_(
        "%(who)s sent %(digest)s: queued for %(queued)s, already sent to %(already)s"
    ),
    "policy_changed": N_("%(who)s changed the review policy"),
    "policy_reset": N_("%(who)s put the settings' review policy back in force"),
    "test_sent": N_("%(who)s sent a test of the item's notice to %(subject)s"),
}
# a silence made with matchers and a start (migration 0013 on): what it matches, from when
SILENCE_WITH_START: Final = N_("%(who)s silenced %(material)s from %(starts)s until %(until)s")
ACTORS: Final[dict[str, str]] = {
    SYSTEM_ACTOR: N_("The service"),
    POLICY_ACTOR: N_("The review policy"),
}


def _item(snapshot: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """The item's part of a snapshot (a decision stores the item and the warning)."""
    if snapshot is None:
        return None
    inner = snapshot.get("item")
    return inner if isinstance(inner, Mapping) else snapshot


class AuditSentences:
    """Audit entries as sentences in one language."""

    def __init__(self, words: Words, level: Badge) -> None:
        self.words, self.level = words, level

    def _(self, message: str) -> str:
        return self.words.formats.gettext(message)

    def who(self, actor: str) -> Markup:
        known = ACTORS.get(actor)
        if known:
            return Markup(escape(self._(known)))
        return Markup("{} {}").format(self._("user"), verbatim(actor))

    def proposal(self, snapshot: Mapping[str, Any] | None) -> Markup:
        item = _item(snapshot)
        if not item or not item.get("level"):
            return Markup("–")
        level = item.get("final_level") or item.get("level")
        direction = item.get("final_direction") or item.get("direction") or ""
        return self.level(level, direction)

    def _time(self, text: object) -> str:
        if not isinstance(text, str):
            return "–"
        try:
            return self.words.formats.datetime(datetime.fromisoformat(text))
        except ValueError:
            return text

    def _subject(self, subject: str | None) -> Markup:
        if not subject:
            return Markup("")
        _kind, _sep, value = subject.partition(":")
        return verbatim(value or subject) if _kind == "user" else code(subject)

    def _derived(self, series_id: str | None) -> Markup:
        """The series a derivation was asked for: one by its name, or every derived one."""
        if series_id:
            return self.words.series_by_id(series_id)
        return Markup(escape(self._("every derived series")))

    def _digest(self, after: Mapping[str, Any]) -> Markup:
        """A digest sent: its kind and the first day of its period."""
        kind = self.words.formats.label(DIGEST_NAMES, after.get("kind"))
        start = after.get("period_start")
        day = self.words.formats.date(date.fromisoformat(start)) if start else "–"
        return Markup(escape(self._(N_("the %(kind)s of %(day)s")) % {"kind": kind, "day": day}))

    def sentence(self, entry: AuditView) -> Markup:
        after = entry.after or {}
        parts = {
            "who": self.who(entry.actor),
            "before": self.proposal(entry.before),
            "after": self.proposal(entry.after),
            "until": self._time((_item(after) or {}).get("snoozed_until") or after.get("ends_at")),
            "material": self._material(entry),
            "starts": self._time(after.get("starts_at")),
            "subject": self._subject(entry.subject),
            "role": self.words.formats.label(ROLE_NAMES, after.get("role")),
            "rows": after.get("rows", "–"),
            "changed": after.get("changed", "–"),
            "series": self._derived(entry.subject),
            "digest": self._digest(after),
            "queued": after.get("queued", "–"),
            "already": after.get("already", "–"),
        }
        message = SENTENCES.get(entry.action)
        if entry.action == "silence_created" and "starts_at" in after:
            message = SILENCE_WITH_START
        if message is None:
            label = self.words.formats.label(ACTION_NAMES, entry.action)
            text = Markup("{}：{}" if self.words.zh else "{}: {}").format(parts["who"], label)
        else:
            text = Markup(escape(self._(message))) % parts
        return text + self.comment(entry)

    def _material(self, entry: AuditView) -> Markup:
        """The material an entry is about; a silence's matchers when it keeps them."""
        after, before = entry.after or {}, entry.before or {}
        if entry.action.startswith("silence_") and "sector" in after:
            return self.words.silence(after)
        return self.words.material(
            after.get("material_id") or entry.material_id or before.get("material_id")
        )

    def comment(self, entry: AuditView) -> Markup:
        if not entry.comment:
            return Markup("")
        lead = Markup("。" if self.words.zh else ". ")
        if entry.actor in ACTORS:
            return lead + translate_reason(entry.comment, self._)
        return lead + Markup('{}<q translate="no">{}</q>').format(
            self._("Comment: "), entry.comment
        )
