"""The registry of channels: adding a channel is adding a module to this package.

Every module here (other than ``base`` and private ``_`` modules) defines ``CHANNEL``, an
object with a ``kind`` and ``async send(message, context) -> DeliveryResult`` (see
:mod:`alerts.channels.base`). :data:`CHANNELS` maps each kind to its channel.
"""

from __future__ import annotations

import importlib
import pkgutil

from alerts.channels.base import Channel, DeliveryContext


def _discover() -> dict[str, Channel]:
    found: dict[str, Channel] = {}
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module_info.name == "base" or module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        channel: Channel = module.CHANNEL
        if channel.kind in found:
            raise RuntimeError(f"two channels claim the kind {channel.kind!r}")
        found[channel.kind] = channel
    return found


CHANNELS: dict[str, Channel] = _discover()

__all__ = ["CHANNELS", "Channel", "DeliveryContext"]
