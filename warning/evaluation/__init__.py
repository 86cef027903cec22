"""Evaluation: the rule engine applied to the store, the board, and the backtest.

- :mod:`~warning.evaluation.models`: the ``evaluation_run``, ``assessment`` and
  ``indicator_assessment`` tables;
- :mod:`~warning.evaluation.runs`: an evaluation run stored in the caller's session, and the
  current assessment per material;
- :mod:`~warning.evaluation.board`: one line per material for the board;
- :mod:`~warning.evaluation.backtest`: the rule set replayed over a file, without a store.
"""
