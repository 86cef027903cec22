"""Reasons other parts of the service write in English (why a series is stale, why a row was
refused, why a delivery failed, what an audit entry's system comment says), shown in the
page's language.

Each known form is a pattern with named parts and a message (English, marked with
:func:`N_`, translated from the catalogs); the parts that are ids or data (a series id, a
date, a raw value) are shown in ``<code>``. A reason no pattern knows (an answer from another
system, a new check) is shown as it was written, in ``<code>`` after a lead in the page's
language, never silently dropped."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from markupsafe import Markup, escape

from warning.web.i18n import N_

# (pattern, message); the message's %(name)s are the pattern's groups, shown in <code>
# unless the group's name starts with "n" (a count, shown as a number).
PATTERNS: Final[tuple[tuple[re.Pattern[str], str], ...]] = tuple(
    (re.compile(pattern), message)
    for pattern, message in (
        # stale series (feeds.staleness, warning.feeding.staleness)
        (r"^no data at all$", N_("no data at all")),
        (
            r"^(?P<n>\d+) trading day\(s\) without data since (?P<since>[\d-]+) "
            r"\(grace (?P<ngrace>\d+)\)$",
            N_("%(n)s trading days without data since %(since)s (%(ngrace)s allowed)"),
        ),
        (
            r"^period (?P<period>[\d-]+) was due by (?P<due>[\d-]+) "
            r"\(grace (?P<ngrace>\d+) days\)$",
            N_("the period %(period)s was due by %(due)s (%(ngrace)s days allowed)"),
        ),
        (
            r"^its source (?P<source>\w+) is stale: (?P<why>.+)$",
            N_("its source %(source)s is stale: %(why)s"),
        ),
        (
            r"^behind its source (?P<source>\w+): period (?P<period>[\d-]+) not derived$",
            N_("behind its source %(source)s: the period %(period)s is not derived"),
        ),
        (
            r"^derivation from (?P<source>\w+) failed at (?P<at>[\d-]+ [\d:]+) UTC: .*$",
            N_("deriving from %(source)s failed at %(at)s UTC; retried on its next ingest"),
        ),
        # rejected rows (feeds.longformat.validation, feeds.quality, feeds.mapping)
        (
            r"^bad date '(?P<value>.*)'; expected YYYY-MM-DD$",
            N_("%(value)s is not a date; expected YYYY-MM-DD"),
        ),
        (
            r"^bad period '(?P<value>.*)'; expected the format (?P<format>.+)$",
            N_("%(value)s is not a period; expected the format %(format)s"),
        ),
        (
            r"^expected (?P<nwant>\d+) fields, found (?P<ngot>\d+)$",
            N_("%(ngot)s fields where %(nwant)s were expected"),
        ),
        (
            r"^unknown (?P<column>\w+) '(?P<value>.*)'; expected one of (?P<allowed>.+)$",
            N_("unknown %(column)s %(value)s; expected one of %(allowed)s"),
        ),
        (
            r"^period (?P<period>[\d-]+) is in the future.*$",
            N_("the period %(period)s is in the future"),
        ),
        (
            r"^(?P<kind>\w+) (?P<value>\S+) is not a finite number$",
            N_("%(value)s is not a finite number"),
        ),
        (r"^negative (?P<kind>\w+) (?P<value>\S+)$", N_("%(value)s is negative")),
        (r"^non-positive (?P<kind>\w+) (?P<value>\S+)$", N_("%(value)s is not above zero")),
        (
            r"^(?P<kind>\w+) (?P<value>\S+) is implausibly large \(beyond (?P<limit>\S+)\)$",
            N_("%(value)s is implausibly large (beyond %(limit)s)"),
        ),
        (
            r"^(?P<kind>\w+) (?P<value>\S+) is implausibly close to zero.*$",
            N_("%(value)s is implausibly close to zero"),
        ),
        (
            r"^series '(?P<series>\w+)' is not produced by feed '(?P<feed>\w+)'$",
            N_("the series %(series)s is not one of feed %(feed)s"),
        ),
        (
            r"^period (?P<period>[\d-]+) is a \w+, not a trading day of daily series "
            r"'(?P<series>\w+)'$",
            N_("%(period)s is not a trading day of the daily series %(series)s"),
        ),
        # deliveries and feeds (alerts, feeds.http)
        (r"^HTTP (?P<status>\d+)(?P<rest>.*)$", N_("the server answered HTTP %(status)s")),
        (r"^cannot resolve the host.*$", N_("the host name cannot be resolved")),
        (r"^the robot's answer is not JSON$", N_("the robot's answer is not JSON")),
        (r"^(?P<what>[\w ]+) is not configured$", N_("%(what)s is not configured")),
        # silences refused (warning.review.silences, the /admin form)
        (
            r"^a silence must end in the future, not (?P<end>\S+)$",
            N_("a silence must end in the future, not at %(end)s"),
        ),
        (
            r"^a silence must end after it starts: it starts (?P<start>\S+) and ends (?P<end>\S+)$",
            N_("a silence must end after it starts: it starts at %(start)s and ends at %(end)s"),
        ),
        (r"^a silence needs a comment saying why$", N_("a silence needs a comment saying why")),
        (r"^no material '(?P<material>.*)'$", N_("there is no material %(material)s")),
        (r"^no sector '(?P<sector>.*)'$", N_("there is no sector %(sector)s")),
        (
            r"^no enterprise with credit code '(?P<code>.*)' in the directory$",
            N_("the directory has no enterprise with the credit code %(code)s"),
        ),
        (
            r"^material '(?P<material>.*)' is in sector '(?P<sector>.*)', not '(?P<other>.*)': "
            r"the silence would match nothing$",
            N_("%(material)s is in the sector %(sector)s, not %(other)s: it would match nothing"),
        ),
        (
            r"^(?P<what>level|direction) '(?P<value>.*)': a silence matches .*$",
            N_("a silence cannot match %(value)s"),
        ),
        (r"^silence (?P<nid>\d+) was deleted already$", N_("silence %(nid)s was ended already")),
        (
            r"^silence (?P<nid>\d+) ended already at (?P<end>\S+)$",
            N_("silence %(nid)s was over already at %(end)s"),
        ),
        (
            r"^(?P<field>starts at|ends at) '(?P<value>.*)': expected a date and time$",
            N_("%(value)s is not a date and time"),
        ),
        (r"^ends at: choose a duration or give an end$", N_("choose a duration or give an end")),
        (
            r"^starts at (?P<start>\S+): too late for a duration$",
            N_("%(start)s is too late a start for a duration"),
        ),
        (
            r"^(?:starts_at|ends_at) (?P<value>\S+) is out of range$",
            N_("%(value)s is out of range"),
        ),
        (r"^duration '(?P<value>.*)': expected one of .*$", N_("%(value)s is not a duration")),
        # audit comments the service writes itself (review)
        (r"^evaluation as of (?P<day>[\d-]+)$", N_("from the evaluation as of %(day)s")),
        (
            r"^the indicators went back to the warning's level$",
            N_("the indicators went back to the warning's level"),
        ),
        (r"^the snooze ran out$", N_("the snooze ran out")),
        (r"^the review deadline passed$", N_("the review deadline passed")),
        (
            r"^silenced until (?P<until>[\d-]+ [\d:]+): (?P<qcomment>.*)$",
            N_("silenced until %(until)s: %(qcomment)s"),
        ),
        (
            r"^auto-approval policy \((?P<level>\w+), (?P<kind>\w+)\)$",
            N_("the auto-approval policy"),
        ),
        (
            r"^the review deadline passed: raised in the queue$",
            N_("the review deadline passed: raised in the queue"),
        ),
        # the desk's own operations from the web (derivations, test sends, digests, policy)
        (
            r"^(?P<level>red|yellow|blue): expected a number of hours above 0 and at most "
            r"(?P<nmost>\d+), got .*$",
            N_("%(level)s: expected a number of hours above 0 and at most %(nmost)s"),
        ),
        (
            r"^'(?P<level>[^']*)': expected a level \(blue, yellow or red\)$",
            N_("%(level)s is not a level (blue, yellow or red)"),
        ),
        (
            r"^series (?P<series>\S+) is not a derived series \(no derived_from in the catalog\)",
            N_("%(series)s is not a derived series"),
        ),
        (
            r"^'(?P<address>[^']*)' is not one of the desk's addresses$",
            N_("%(address)s is not one of the desk's addresses"),
        ),
        (
            r"^item (?P<nitem>\d+): approving it would announce nothing$",
            N_("approving item %(nitem)s would announce nothing"),
        ),
    )
)


def translate_reason(text: str | None, gettext: Callable[[str], str]) -> Markup:
    """``text`` in the page's language (see the module docstring)."""
    if not text:
        return Markup("")
    for pattern, message in PATTERNS:
        found = pattern.match(text)
        if found is None:
            continue
        parts = {
            name: (escape(value) if name.startswith("n") else _inner(name, value, gettext))
            for name, value in found.groupdict().items()
        }
        return Markup(escape(gettext(message))) % parts
    return Markup('{}<code class="raw-reason">{}</code>').format(gettext("as given: "), text)


def _inner(name: str, value: str, gettext: Callable[[str], str]) -> Markup:
    if name == "why":  # a reason inside a reason
        return translate_reason(value, gettext)
    if name.startswith("q"):  # what a person wrote
        return Markup('<q translate="no">{}</q>').format(value)
    return Markup("<code>{}</code>").format(value)
