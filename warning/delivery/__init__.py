"""Delivery: approved warnings to the whitelist enterprises' contacts, through an outbox.

- :mod:`~warning.delivery.models`: notices, deliveries, attempts, digest runs;
- :mod:`~warning.delivery.routing`: events into notices, notices into deliveries (grouping,
  silences, subscriptions), repeats of active reds;
- :mod:`~warning.delivery.outbox`: claiming, recording, replaying;
- :mod:`~warning.delivery.messages`: deliveries as the alerts engine's messages;
- :mod:`~warning.delivery.digests`: the data of digests and bulletins.

Sending itself is the alerts engine's (``alerts``); ``warning.jobs.delivery`` runs workers.
"""
