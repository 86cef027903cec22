"""The ``warning`` command line: the Typer app and where each command lives."""

from __future__ import annotations

import typer

from warning.cli import alerts, backtest, board, data, serve
from warning.cli.accounts import tokens_app, users_app
from warning.cli.feeds import feeds_app
from warning.cli.output import report_failures
from warning.cli.reporting import reports_app
from warning.cli.review import review_app

app = typer.Typer(
    help="Raw-material supply-demand early warning: feeds, rules, review and alerts.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

app.command()(data.init)
app.command()(board.materials)
app.command("ingest-file")(data.ingest_file_command)
app.command()(data.derive)
app.command()(board.demo)
app.command()(board.evaluate)
app.command()(backtest.backtest)
app.command()(data.ingest)
app.command()(data.series)
app.command()(serve.serve)
app.add_typer(feeds_app, name="feeds")
app.add_typer(review_app, name="review")
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
app.command()(alerts.deliver)
app.command()(alerts.digest)
app.add_typer(alerts.deliveries_app, name="deliveries")
app.add_typer(alerts.alerts_app, name="alerts")
app.add_typer(alerts.directory_app, name="directory")
app.add_typer(reports_app, name="reports")
report_failures(app)  # last: every command above, and any added later above it
