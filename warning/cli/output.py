"""What every command shares: the consoles, errors that end a command, the service context.

Commands print through :data:`console` (stdout) and :data:`errors` (stderr). A problem the
user can fix (a bad setting, file, option or store) is one line on stderr naming it and
exit code 2 (:func:`fail`). The service's own errors (:mod:`warning.errors`) are answered in
one place, by their kind, for every registered command (:func:`report_failures`): a
refusal is ``refused: ...`` and exit 1, anything else ``error: ...`` and exit 2
(:data:`warning.errors.CLI_EXIT`).

**Text is shown as it is.** Neither console reads markup or highlights: a value, unit, reason
or raw row from data (``[/]``, ``CNY[red]t``) is printed as the characters it is, in plain
strings, table cells and titles alike. Colour is added only to words the code itself writes,
with :func:`styled` (a rich ``Text``), never by writing ``[red]...[/]`` into a string.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.text import Text

from feeds.longformat import FileFormatError, FileTooLargeError, NotTextError
from feeds.workbooks import UnpackedTooLargeError
from rules import RuleSet, RuleSetError
from warning.catalog import Catalog, load_catalog
from warning.errors import CLI_EXIT, ErrorKind, ServiceError
from warning.settings import Settings, SettingsError, get_settings

if TYPE_CHECKING:  # the store and the context load when a command first needs them
    from sqlalchemy.exc import OperationalError

    from warning.context import ServiceContext

console = Console(width=None if sys.stdout.isatty() else 200, markup=False, highlight=False)
errors = Console(
    stderr=True, width=None if sys.stderr.isatty() else 200, markup=False, highlight=False
)


def styled(text: object, style: str) -> Text:
    """``text`` in ``style`` (e.g. ``"red"``), shown as it is: the one way to colour output."""
    return Text(str(text), style=style)


def print_error(message: object) -> None:
    """``error: message`` on stderr, on one line however long (scripts read it whole)."""
    errors.print(Text.assemble(styled("error:", "bold red"), f" {message}"), soft_wrap=True)


def print_refusal(message: object) -> None:
    """``refused: message`` on stderr, one line: a move the lifecycle does not allow."""
    errors.print(Text.assemble(styled("refused:", "bold red"), f" {message}"), soft_wrap=True)


def service_failure(error: ServiceError) -> typer.Exit:
    """One line on stderr for a service error, by its kind; return the exit for the caller
    to raise (:data:`warning.errors.CLI_EXIT`)."""
    if error.kind is ErrorKind.REFUSED:
        print_refusal(error)
    else:
        print_error(error)
    return typer.Exit(CLI_EXIT[error.kind])


def fail(message: object) -> typer.Exit:
    """Print ``error: message`` on stderr; return the exit (code 2) for the caller to raise."""
    print_error(message)
    return typer.Exit(2)


def file_problem(error: FileFormatError) -> str:
    """A file's problem, with what the user can do about it from the command line."""
    if isinstance(error, FileTooLargeError):
        return f"{error} (the setting WARNING_MAX_FILE_BYTES)"
    if isinstance(error.__cause__, UnpackedTooLargeError):
        return f"{error} (the setting WARNING_MAX_UNPACKED_BYTES)"
    if isinstance(error, NotTextError) and error.looks_like:
        return f"{error}, or pass --encoding gb18030"
    return str(error)


def settings() -> Settings:
    """The settings, or exit 2 naming the bad one."""
    try:
        return get_settings()
    except SettingsError as error:
        raise fail(error) from None


def service_context(*, init: bool = False) -> ServiceContext:
    """The service context (after migrating and loading the catalog when ``init``)."""
    from warning.context import initialise, open_context

    loaded = settings()
    return initialise(loaded) if init else open_context(loaded)  # errors: service_failure


def catalog() -> Catalog:
    """The configured catalog alone (for commands without a store)."""
    return load_catalog(settings().catalog_path)  # a CatalogError: service_failure


def ruleset(context: ServiceContext) -> RuleSet:
    """The configured rule set, checked against the catalog."""
    from warning.evaluation.runs import load_ruleset

    try:
        return load_ruleset(context.settings.rules_path, context.catalog)
    except RuleSetError as error:
        raise fail(error) from None


def parse_date(text: str | None, *, option: str = "--as-of") -> date | None:
    """A YYYY-MM-DD option value, or exit 2 naming the option."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise fail(f"{option}: expected YYYY-MM-DD, got {text!r}") from None


def report_failures(app: typer.Typer) -> None:
    """Make every command of ``app`` and its sub-apps end in one line on stderr when a
    service error reaches it (:func:`service_failure`, by the error's kind) or the store fails
    it mid-way (locked past the busy timeout, unreachable, read-only: exit 2)."""
    for info in app.registered_commands:
        if info.callback is not None:
            info.callback = _guarded(info.callback)
    for group in app.registered_groups:
        if group.typer_instance is not None:
            report_failures(group.typer_instance)


def _guarded(command: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(command)  # typer reads the options from the wrapped function
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ServiceError as error:  # StoreError included (unavailable: exit 2)
            raise service_failure(error) from None
        except Exception as error:
            # SQLAlchemy is imported only when a command failed (``warning backtest`` loads
            # no store at all)
            from sqlalchemy.exc import OperationalError

            if isinstance(error, OperationalError):
                raise fail(store_failure(error)) from None
            raise

    return run


def store_failure(error: OperationalError) -> str:
    """One line naming the database and what its driver said; for a lock, what to do."""
    from warning.store.errors import driver_problem, shown

    loaded = settings()
    problem = driver_problem(error)
    text = f"the database {shown(loaded.database_url)} failed: {problem}"
    if "locked" in problem:  # SQLite: another process held the write lock past the timeout
        text += (
            f" (another process held it for more than {loaded.sqlite_busy_timeout_s:g} s, "
            "WARNING_SQLITE_BUSY_TIMEOUT_S): the step in progress was rolled back; run the "
            "command again, and `warning derive` if it had stored data"
        )
    return text
