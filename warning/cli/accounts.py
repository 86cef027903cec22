"""``warning users`` and ``warning tokens``: accounts managed from a terminal.

Passwords come from a prompt or, with ``--password-stdin``, standard input; never from an
argument (it would stay in the shell's history and the process list). A new token is printed
alone on the last line of standard output, once.
"""

from __future__ import annotations

import getpass
import sys
from typing import Annotated

import typer
from rich.table import Table

from warning import clock
from warning.accounts import Role
from warning.accounts.service import (
    add_user,
    create_token,
    disable_user,
    enable_user,
    list_tokens,
    list_users,
    revoke_token,
)
from warning.cli.edge import ROW_ID
from warning.cli.output import console, fail, service_context
from warning.plain_text import text_problem
from warning.reporting.reporters import add_reporter
from warning.store import read_only, transaction

users_app = typer.Typer(help="Users: add, list, disable, enable.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens: create, list, revoke.", no_args_is_help=True)


def cli_actor() -> str:
    """Who acts from this terminal, for the audit log."""
    return f"cli:{getpass.getuser()}"


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="lower-case login name, e.g. li.wei")],
    role: Annotated[Role, typer.Option("--role", help="viewer, operator, admin or reporter")],
    enterprise: Annotated[
        str | None,
        typer.Option(
            "--enterprise",
            help="a reporter's enterprise, by its credit code (reporters only, and required)",
        ),
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from standard input")
    ] = False,
) -> None:
    """Add a user; the password is asked for (twice), or read from stdin. A reporter reports
    for one enterprise of the directory (``--enterprise CREDIT_CODE``)."""
    if (role == Role.REPORTER) != (enterprise is not None):
        raise fail(
            "--enterprise: a reporter needs its enterprise's credit code"
            if enterprise is None
            else "--enterprise: only a reporter has an enterprise"
        )
    context = service_context()
    password = _read_password(password_stdin)
    with transaction(context.factory) as session:
        if enterprise is not None:
            add_reporter(
                session,
                name=name,
                password=password,
                credit_code=enterprise,
                actor=cli_actor(),
                now=clock.now(),
            )
        else:
            add_user(
                session,
                name=name,
                role=role,
                password=password,
                actor=cli_actor(),
                now=clock.now(),
            )
    suffix = f" for {enterprise}" if enterprise is not None else ""
    console.print(f"user {(name)} added as {role}{suffix}")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = str(typer.prompt("Password", hide_input=True))
        if typer.prompt("Repeat it", hide_input=True) != password:
            raise fail("the two passwords differ")
    problem = text_problem(password)
    if problem is not None:
        raise fail(f"the password {problem}")
    return password


@users_app.command("list")
def users_list() -> None:
    """Every user with role and state."""
    context = service_context()
    with read_only(context.factory) as session:
        users = list_users(session)
    table = Table(title="Users")
    for header in ("name", "role", "state", "created"):
        table.add_column(header)
    for user in users:
        table.add_row(
            (user.name),
            str(user.role),
            "disabled" if user.disabled else "active",
            f"{user.created_at:%Y-%m-%d}",
        )
    console.print(table)


@users_app.command("disable")
def users_disable(name: Annotated[str, typer.Argument(help="the user's name")]) -> None:
    """Disable a user: their password and tokens stop working at once."""
    context = service_context()
    with transaction(context.factory) as session:
        disable_user(session, name=name, actor=cli_actor(), now=clock.now())
    console.print(f"user {(name)} disabled")


@users_app.command("enable")
def users_enable(name: Annotated[str, typer.Argument(help="the user's name")]) -> None:
    """Enable a disabled user again: their password and tokens work again."""
    context = service_context()
    with transaction(context.factory) as session:
        enable_user(session, name=name, actor=cli_actor(), now=clock.now())
    console.print(f"user {(name)} enabled")


@tokens_app.command("create")
def tokens_create(
    user: Annotated[str, typer.Option("--user", help="whose token")],
    label: Annotated[str, typer.Option("--label", help="what it is for")] = "",
    expires: Annotated[
        int | None,
        typer.Option("--expires", min=1, max=3650, help="expires after this many days"),
    ] = None,
) -> None:
    """Create an API token; it is printed alone on the last line, this once."""
    context = service_context()
    with transaction(context.factory) as session:
        token, text = create_token(
            session,
            user_name=user,
            label=label,
            expires_days=expires,
            actor=cli_actor(),
            now=clock.now(),
        )
        token_id, expires_at = token.id, token.expires_at
    until = f", expires {expires_at:%Y-%m-%d %H:%M} UTC" if expires_at else ", no expiry"
    typer.echo(f"token {token_id} for {user}{until}; it is shown once:")
    typer.echo(text)


@tokens_app.command("list")
def tokens_list() -> None:
    """Every token: id, user, label, first characters, state (never the token itself)."""
    context = service_context()
    with read_only(context.factory) as session:
        rows = list_tokens(session)
    table = Table(title="API tokens")
    for header in ("id", "user", "label", "starts with", "created", "expires", "state"):
        table.add_column(header)
    for token, name in rows:
        table.add_row(
            str(token.id),
            (name),
            (token.label),
            token.prefix + "…",
            f"{token.created_at:%Y-%m-%d}",
            f"{token.expires_at:%Y-%m-%d}" if token.expires_at else "never",
            "revoked" if token.revoked_at else "valid",
        )
    console.print(table)


@tokens_app.command("revoke")
def tokens_revoke(
    token_id: Annotated[int, typer.Argument(help="the token's id", **ROW_ID)],
) -> None:
    """Revoke a token by id: it stops working at once."""
    context = service_context()
    with transaction(context.factory) as session:
        revoke_token(session, token_id=token_id, actor=cli_actor(), now=clock.now())
    console.print(f"token {token_id} revoked")
