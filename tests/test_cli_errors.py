"""The command line answers the service's errors by kind in one place
(``warning.cli.output.report_failures``): a refusal is ``refused: ...`` and exit 1, anything
else ``error: ...`` and exit 2, one line, no traceback."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from warning.cli.output import report_failures
from warning.errors import Invalid, NotFound, Refused, ServiceError, Unavailable


@pytest.mark.parametrize(
    ("error", "code", "prefix"),
    [
        (NotFound("no review item 7"), 2, "error:"),
        (Refused("review item 7 is decided already"), 1, "refused:"),
        (Invalid("f.csv: line 2: bad date"), 2, "error:"),
        (Unavailable("the store is locked"), 2, "error:"),
    ],
)
def test_every_command_answers_a_service_error_by_its_kind(
    error: ServiceError, code: int, prefix: str
) -> None:
    app, group = typer.Typer(), typer.Typer()

    @app.command()
    def top() -> None:
        raise error

    @group.command()
    def nested() -> None:
        raise error

    app.add_typer(group, name="group")
    report_failures(app)

    for args in (["top"], ["group", "nested"]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == code, (args, result.output)
        assert result.output.strip() == f"{prefix} {error}"  # stderr, one line
        assert "Traceback" not in result.output
