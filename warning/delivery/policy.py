"""How alerts go out: grouping window, repeats, resolution notices, retries (from settings)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from warning.settings import Settings

# seconds before each retry: 30 s, 2 min, 10 min, 1 h, 6 h; then the delivery is dead
RETRY_DELAYS: Final = (30.0, 120.0, 600.0, 3600.0, 21600.0)


@dataclass(frozen=True)
class DeliveryPolicy:
    """What the settings say about sending alerts."""

    group_wait_s: float = 300.0
    repeat_days: float = 7.0
    notify_resolved: bool = True
    retry_delays: tuple[float, ...] = RETRY_DELAYS
    lease_s: float = 300.0  # a claimed delivery not recorded by then is claimed again

    @classmethod
    def from_settings(cls, settings: Settings) -> DeliveryPolicy:
        return cls(
            group_wait_s=settings.group_wait,
            repeat_days=settings.repeat_days,
            notify_resolved=settings.notify_resolved,
            lease_s=settings.delivery_lease_s,
        )
