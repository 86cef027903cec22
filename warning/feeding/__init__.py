"""Feeding: data in. Feed runs, storing batches, derived series, staleness, status.

- :mod:`~warning.feeding.models`: the ``feed_run``, ``feed_state`` and ``rejected_row`` tables;
- :mod:`~warning.feeding.ingest`: a validated batch stored with its run (:func:`store_batch`);
- :mod:`~warning.feeding.feed_runs`: choosing feeds, a fetch as a batch, each feed's state;
- :mod:`~warning.feeding.derivation` and :mod:`~warning.feeding.derived_history`: the series
  the service derives, and the history files may still give for them;
- :mod:`~warning.feeding.staleness`: which series are stale and why;
- :mod:`~warning.feeding.status`: what operators see (``warning feeds status|rejects``).

Services here take a session and never commit; ``warning.jobs`` runs them in transactions.
"""
