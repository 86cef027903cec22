"""Where a delivery goes after an attempt: sent; retrying after the policy's delay for that
retry, jittered within ±20 % and never sooner than the receiver's Retry-After; dead when the
error is permanent or the last retry failed. Expected values are written out, not computed
with the code under test."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from alerts import DeliveryResult, Outcome
from warning.delivery.models import DeliveryStatus
from warning.delivery.outbox import _move
from warning.delivery.policy import DeliveryPolicy

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
POLICY = DeliveryPolicy(retry_delays=(30.0, 120.0, 600.0))


class Jitter:
    """A random source whose ``uniform`` returns the low end, the high end or the middle."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.asked: list[tuple[float, float]] = []

    def uniform(self, low: float, high: float) -> float:
        self.asked.append((low, high))
        return {"low": low, "high": high, "middle": (low + high) / 2}[self.where]


def result(outcome: Outcome, retry_after_s: float | None = None) -> DeliveryResult:
    return DeliveryResult(outcome, "msg_1", 0.1, error="boom", retry_after_s=retry_after_s)


@pytest.mark.parametrize(
    ("tries", "outcome", "retry_after", "jitter", "status", "wait_s"),
    [
        (1, Outcome.OK, None, "middle", DeliveryStatus.SENT, None),
        (4, Outcome.OK, None, "middle", DeliveryStatus.SENT, None),  # even after retries
        (1, Outcome.PERMANENT, None, "middle", DeliveryStatus.DEAD, None),
        (1, Outcome.RETRYABLE, None, "middle", DeliveryStatus.RETRYING, 30.0),
        (1, Outcome.RETRYABLE, None, "low", DeliveryStatus.RETRYING, 24.0),  # 30 x 0.8
        (1, Outcome.RETRYABLE, None, "high", DeliveryStatus.RETRYING, 36.0),  # 30 x 1.2
        (2, Outcome.RETRYABLE, None, "middle", DeliveryStatus.RETRYING, 120.0),
        (3, Outcome.RETRYABLE, None, "middle", DeliveryStatus.RETRYING, 600.0),  # the last
        (4, Outcome.RETRYABLE, None, "middle", DeliveryStatus.DEAD, None),  # retries spent
        (1, Outcome.RETRYABLE, 90.0, "middle", DeliveryStatus.RETRYING, 90.0),  # Retry-After
        (2, Outcome.RETRYABLE, 90.0, "middle", DeliveryStatus.RETRYING, 120.0),  # ours later
        (1, Outcome.RETRYABLE, 36.0, "high", DeliveryStatus.RETRYING, 36.0),
    ],
)
def test_where_a_delivery_goes_after_an_attempt(
    tries: int,
    outcome: Outcome,
    retry_after: float | None,
    jitter: str,
    status: DeliveryStatus,
    wait_s: float | None,
) -> None:
    source = Jitter(jitter)
    move = _move(tries, result(outcome, retry_after), policy=POLICY, now=NOW, jitter=source)  # type: ignore[arg-type]
    assert move.status is status
    assert move.error == (None if status is DeliveryStatus.SENT else "boom")
    if wait_s is None:
        assert move.next_attempt_at is None
    else:
        assert move.next_attempt_at == NOW + timedelta(seconds=wait_s)
        assert source.asked == [(0.8, 1.2)]
