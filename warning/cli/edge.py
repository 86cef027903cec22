"""How a command line is taken in, before any command runs.

- Every argument is plain text (:mod:`warning.plain_text`): no control character, and no line
  break but in the options that take several lines (a comment, a reason, a warning's text).
- Every integer option and argument is declared with its bounds, an id as :data:`ROW_ID`
  (at most what the store's INTEGER columns hold): a larger one is refused by name, never an
  overflow in the driver.
- A bad option or argument is one line on stderr (``error: ...``) and exit code 2, as every
  other problem the user can fix (:func:`warning.cli.output.fail`).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Final, NoReturn

import typer
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError  # typer's click

from warning.cli.output import errors, print_error
from warning.plain_text import text_problem

MAX_INTEGER: Final = 2**31 - 1  # what the store's INTEGER columns hold on PostgreSQL
ROW_ID: Final = {"min": 1, "max": MAX_INTEGER}  # typer.Argument(**ROW_ID), typer.Option(...)
LIMIT: Final = {"min": 1, "max": 100_000}  # how many rows a list shows
MULTILINE_OPTIONS: Final = frozenset({"--comment", "--reason", "--text-zh", "--text-en"})


def argument_problem(args: Sequence[str]) -> str | None:
    """The first argument that is not plain text, named (an option by its name, else by its
    position), with what is wrong; None when every argument is."""
    previous = ""
    for position, arg in enumerate(args, start=1):
        option, has_value, value = arg.partition("=") if arg.startswith("--") else ("", "", "")
        if has_value:
            name, text, multiline = option, value, option in MULTILINE_OPTIONS
        elif previous.startswith("--") and "=" not in previous:
            name, text, multiline = previous, arg, previous in MULTILINE_OPTIONS
        else:
            name, text, multiline = f"argument {position}", arg, False
        problem = text_problem(text, multiline=multiline)
        if problem is not None:
            return f"{name}: {problem}"
        previous = arg
    return None


def run(app: typer.Typer, args: Sequence[str], *, prog_name: str) -> NoReturn:
    """Run ``app`` with ``args`` as the ``warning`` command does, then exit with its code."""
    problem = argument_problem(args)
    if problem is not None:
        print_error(problem)
        sys.exit(2)
    command = typer.main.get_command(app)
    try:
        code = command.main(args=list(args), prog_name=prog_name, standalone_mode=False)
    except NoArgsIsHelpError as asked:
        typer.echo(asked.ctx.get_help())
        sys.exit(2)
    except UsageError as error:
        where = f"{error.ctx.command_path}: " if error.ctx is not None else ""
        print_error(where + " ".join(error.format_message().split()))
        sys.exit(2)
    except ClickException as error:
        print_error(" ".join(error.format_message().split()))
        sys.exit(error.exit_code)
    except typer.Abort:
        errors.print("Aborted!")
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
