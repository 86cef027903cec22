"""The ``warning`` command line: commands and their output only.

Commands parse options, open the service context, call jobs (``warning.jobs``) or read
through the domains' services in a session of their own, and print. :func:`main` is the
entry point (``warning = "warning.cli:main"``); ``app`` (``warning.cli.app``) holds every
command and is loaded when first asked for, so that importing one command module does not
load them all.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from warning.cli.app import app

__all__ = ["app", "main"]


def main() -> None:
    """The ``warning`` command. ``warning backtest`` needs no store, so it loads only its own
    module (about 0.6 s less start-up than the whole command line); every other command
    goes through the full app."""
    if sys.argv[1:2] == ["backtest"]:
        from warning.cli.backtest import backtest_app

        backtest_app(args=sys.argv[2:], prog_name="warning backtest")
        return
    from warning.cli.app import app

    app()


def __getattr__(name: str) -> Any:
    if name == "app":
        from warning.cli.app import app

        return app
    raise AttributeError(name)
