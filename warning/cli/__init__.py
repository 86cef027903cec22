"""The ``warning`` command line: commands and their output only.

Commands parse options, open the service context, call jobs (``warning.jobs``) or read
through the domains' services in a session of their own, and print. :func:`main` is the
entry point (``warning = "warning.cli:main"``); ``warning.cli.app`` holds every command.
Importing one command module does not load the others.
"""

from __future__ import annotations

import sys

__all__ = ["main"]


def main() -> None:
    """The ``warning`` command. ``warning backtest`` needs no store, so it loads only its own
    module (``warning.cli.backtest``: about 0.9 s less start-up than the whole command line,
    which counts in ``rules_vs_adtk_ratio``); every other command goes through the full app.
    Either way the arguments are checked first (:mod:`warning.cli.edge`)."""
    from warning.cli.edge import run

    if sys.argv[1:2] == ["backtest"]:
        from warning.cli.backtest import backtest_app

        run(backtest_app, sys.argv[2:], prog_name="warning backtest")
    from warning.cli.app import app

    run(app, sys.argv[1:], prog_name="warning")
