"""``warning backtest``: replay the rule set over a CSV's history, without a store.

It needs neither the database nor the service's other parts, so ``warning backtest`` loads
this module alone (``warning.cli.main``): the replay starts in half the time the whole
command line takes to load.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from feeds.longformat import FileFormatError
from rules import RuleSetError
from warning.cli.output import catalog, fail, parse_date, report_failures, settings
from warning.evaluation.backtest import run_backtest


def backtest(
    data: Annotated[Path, typer.Option("--data", help="long-format CSV of observations")],
    out: Annotated[Path, typer.Option("--out", help="CSV of levels to write")],
    rules_path: Annotated[
        Path | None, typer.Option("--rules", help="rule set YAML (default: bundled)")
    ] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="first date reported")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="last date evaluated")] = None,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="folder for one PNG per material")
    ] = None,
) -> None:
    """Replay the rule set over a CSV's whole history, without a database.

    Writes material,period,level,direction,score,reasons for every evaluation step and prints a
    summary per material.
    """
    known = catalog()
    try:
        code = run_backtest(
            data,
            out,
            rules_path,
            parse_date(date_from, option="--from"),
            parse_date(date_to, option="--to"),
            plot,
            set(known.material_ids),
            typer.echo,
            names=known.names(),
            max_bytes=settings().max_file_bytes,
        )
    except (RuleSetError, FileFormatError) as error:
        raise fail(error) from None
    raise typer.Exit(code)


backtest_app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
backtest_app.command()(backtest)
report_failures(backtest_app)
