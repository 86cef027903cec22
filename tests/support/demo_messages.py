"""A reader's check of every message the demo delivered into its local sinks.

For each email (``var/mail/*.eml``) and webhook or robot request (``var/webhooks/*.json``):
- the level the title names (its 【黄色预警】 / [Yellow warning] tag), the level the body
  states for the event, and the first reason must agree (an end of warning: no level tag in
  the title, and its first reason names the warning that ended);
- the basis is never empty;
- no contact gets both a "new" and an "ended" message for one material.

Reads the files as a contact would receive them; uses none of the service's code, so it can
judge the output of any version (``python -m tests.support.demo_messages VAR_DIR``).
"""

from __future__ import annotations

import email
import json
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from email import policy
from pathlib import Path
from typing import Any

LEVELS_ZH = {"红色": "red", "黄色": "yellow", "蓝色": "blue", "正常": "normal"}
LEVELS_EN = {"red": "red", "yellow": "yellow", "blue": "blue", "normal": "normal"}
NEW_WORDS = ("新发预警", "new warning")
ENDED_WORDS = ("预警解除", "warning ended", "resolved")


def first_level(text: str) -> str | None:
    """The first level word in ``text`` (Chinese or English), as a level code."""
    pattern = "|".join([*LEVELS_ZH, *(rf"\b{word}\b" for word in LEVELS_EN)])
    found = re.search(pattern, text, flags=re.IGNORECASE)
    if found is None:
        return None
    word = found.group(0)
    return LEVELS_ZH.get(word) or LEVELS_EN[word.lower()]


@dataclass
class Report:
    """What the check found."""

    messages: int = 0
    contradictory: list[str] = field(default_factory=list)
    empty_basis: list[str] = field(default_factory=list)
    new_and_ended: list[str] = field(default_factory=list)
    kinds: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))

    def figures(self) -> dict[str, int]:
        return {
            "messages": self.messages,
            "contradictory": len(self.contradictory),
            "empty_basis": len(self.empty_basis),
            "new_and_ended_pairs": len(self.new_and_ended),
        }


def check(var_dir: Path) -> Report:
    report = Report()
    for path in sorted((var_dir / "mail").glob("*.eml")):
        _check_email(path, report)
    for path in sorted((var_dir / "webhooks").glob("*.json")):
        _check_request(path, report)
    for (recipient, material), kinds in sorted(report.kinds.items()):
        if "new" in kinds and "ended" in kinds:
            report.new_and_ended.append(f"{recipient}: {material}")
    return report


def _kind(text: str) -> str | None:
    if any(word in text for word in NEW_WORDS):
        return "new"
    if any(word in text for word in ENDED_WORDS):
        return "ended"
    return None


def _check_email(path: Path, report: Report) -> None:
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    report.messages += 1
    subject = str(message["subject"])
    body = message.get_body(("plain",))
    text = body.get_content() if body is not None else ""
    title_tag = re.match(r"^(?:【(..)预警】|\[(\w+) warning\] )", subject)
    title_level = first_level(title_tag.group(0)) if title_tag else None
    blocks = re.split(r"\n(?=\d+\. )", text)[1:]
    for block in blocks:
        head = block.splitlines()[0]
        level_line = re.search(r"(?:级别|Level)[：:] ?(\S+)", block)
        body_level = first_level(level_line.group(1)) if level_line else None
        after = block.split("原因", 1)[-1].split("Reasons", 1)[-1]
        reasons = re.findall(r"^\s+- (.+)$", after, re.M)
        reason_level = first_level(reasons[0]) if reasons else None
        ended = _kind(head) == "ended"
        where = f"{path.name}: {subject}"
        if ended:
            if title_level is not None and len(blocks) == 1:
                where += " (an end of warning tagged with a level)"
                report.contradictory.append(where)
            elif body_level is not None and reason_level not in (None, body_level):
                report.contradictory.append(where)
        elif len({title_level if len(blocks) == 1 else body_level, body_level, reason_level}) != 1:
            report.contradictory.append(f"{where}: {title_level}/{body_level}/{reason_level}")
        basis = re.search(r"(?:依据|Basis)[：:] ?(.*)$", block, re.M)
        if basis is None or not basis.group(1).strip():
            report.empty_basis.append(where)
        material = head.split(". ", 1)[1].split(" — ")[0].strip()
        kind = _kind(head)
        if kind:
            report.kinds[(str(message["to"]), material)].add(kind)


def _check_request(path: Path, report: Report) -> None:
    record = json.loads(path.read_text(encoding="utf-8"))
    body: Any = record["body"]
    report.messages += 1
    where = f"{path.name}: {record['path']}"
    if isinstance(body, dict) and body.get("type") == "warning.notification":
        for event in body["data"]["events"]:
            first = event["reasons"]["zh"][0] if event["reasons"]["zh"] else ""
            if first_level(first) != event["level"]:
                report.contradictory.append(f"{where}: {event['level']} / {first}")
            if not event.get("basis"):
                report.empty_basis.append(where)
            kind = {"new": "new", "resolved": "ended"}.get(event["change"])
            if kind:
                report.kinds[(record["path"], event["material"]["id"])].add(kind)
        return
    text = json.dumps(body, ensure_ascii=False)
    title = _robot_title(body)
    if title and _kind(title) != "ended":
        title_level = first_level(title)
        body_level = first_level(text.split(title, 1)[-1]) if title in text else None
        if title_level != body_level:
            report.contradictory.append(f"{where}: {title_level}/{body_level}")


def _robot_title(body: Any) -> str:
    if not isinstance(body, dict):
        return ""
    if "markdown" in body:
        markdown = body["markdown"]
        return str(markdown.get("title") or markdown.get("content", "").splitlines()[0])
    card = body.get("card") or {}
    return str(card.get("header", {}).get("title", {}).get("content", ""))


if __name__ == "__main__":
    result = check(Path(sys.argv[1]))
    print(json.dumps(result.figures()))
    for line in result.contradictory[:10] + result.empty_basis[:5] + result.new_and_ended[:5]:
        print(line)
