"""What the three group robots share: a JSON POST through the guarded sender, then the body.

The robots answer HTTP 200 even when they refuse a message; the refusal is a non-zero code
in the body (``errcode`` for DingTalk and WeCom, ``code`` for Feishu). A code in the channel's
rate-limit table is retryable after the wait the table gives; any other non-zero code is
permanent (a bad key, a failed signature, a missing keyword: they will not heal by
themselves); a 200 whose body is not the expected JSON is retryable.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from alerts.channels.base import DeliveryContext, not_configured
from alerts.model import DeliveryResult, Message, Outcome
from alerts.payload import encode


async def post_to_robot(
    message: Message,
    context: DeliveryContext,
    *,
    url: str,
    body: dict[str, Any],
    code_fields: tuple[str, ...],
    transient_codes: Mapping[int, float],
) -> DeliveryResult:
    """POST ``body`` to ``url`` and read the robot's answer; see the module docstring."""
    if context.http is None:
        return not_configured(message, "the HTTP sender")
    posted = await context.http.post(
        url, content=encode(body), headers={}, delivery_id=message.delivery_id
    )
    if not posted.result.ok:
        return posted.result
    return read_robot_answer(posted.result, posted.body, code_fields, transient_codes)


def read_robot_answer(
    result: DeliveryResult,
    body: bytes,
    code_fields: tuple[str, ...],
    transient_codes: Mapping[int, float],
) -> DeliveryResult:
    """Turn an HTTP-ok result into a failure when the body carries a non-zero code."""
    try:
        answer = json.loads(body)
    except ValueError:
        return replace(result, outcome=Outcome.RETRYABLE, error="the robot's answer is not JSON")
    if not isinstance(answer, dict):
        return replace(result, outcome=Outcome.RETRYABLE, error="the robot's answer is not JSON")
    field = next((f for f in code_fields if f in answer), None)
    if field is None:
        return replace(result, outcome=Outcome.RETRYABLE, error="the robot's answer has no code")
    try:
        code = int(answer[field])
    except (TypeError, ValueError):
        return replace(result, outcome=Outcome.RETRYABLE, error=f"{field} is not a number")
    if code == 0:
        return result
    text = str(answer.get("errmsg") or answer.get("msg") or answer.get("StatusMessage") or "")
    error = f"{field} {code}: {text}".rstrip(": ")
    if code in transient_codes:
        return replace(
            result, outcome=Outcome.RETRYABLE, error=error, retry_after_s=transient_codes[code]
        )
    return replace(result, outcome=Outcome.PERMANENT, error=error)
