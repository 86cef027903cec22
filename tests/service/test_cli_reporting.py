"""``warning users add --role reporter --enterprise`` and ``warning reports`` through typer's
CliRunner, against a real store: a reporter is tied to one enterprise of the directory and
gets a token like anyone (alone on the last line)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner, Result

from warning import clock
from warning.cli.app import app
from warning.directory.models import Enterprise
from warning.reporting.models import Reporter
from warning.settings import get_settings
from warning.store import transaction

CODE = "91450000U3DGRQUKW8"
PASSWORD = "reporter-password\n"


@pytest.fixture
def store(
    factory: sessionmaker[Session], database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[sessionmaker[Session]]:
    monkeypatch.setenv("WARNING_DATABASE_URL", database_url)
    get_settings.cache_clear()
    with transaction(factory) as session:
        session.add(
            Enterprise(
                name="演示建材",
                credit_code=CODE,
                sector="building_materials",
                created_at=clock.now(),
                updated_at=clock.now(),
            )
        )
    yield factory
    get_settings.cache_clear()


def invoke(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(app, list(args), input=stdin)


def test_a_reporter_is_added_for_an_enterprise_and_gets_a_token(
    store: sessionmaker[Session],
) -> None:
    reporter = ("users", "add", "rita", "--role", "reporter", "--password-stdin")
    unknown = invoke(*reporter, "--enterprise", "91110000MA01ABCD2X", stdin=PASSWORD)
    assert unknown.exit_code == 2 and "no enterprise of the directory" in unknown.output
    without = invoke(*reporter, stdin=PASSWORD)
    assert without.exit_code == 2 and "needs its enterprise" in without.output
    viewer = ("users", "add", "vic", "--role", "viewer", "--enterprise", CODE, "--password-stdin")
    not_reporter = invoke(*viewer, stdin=PASSWORD)
    assert not_reporter.exit_code == 2 and "only a reporter" in not_reporter.output
    added = invoke(*reporter, "--enterprise", CODE, stdin=PASSWORD)
    assert added.exit_code == 0, added.output
    created = invoke("tokens", "create", "--user", "rita")
    token = created.output.strip().splitlines()[-1]
    assert created.exit_code == 0 and token.startswith("wt_") and len(token) > 40
    with store() as session:
        tied = session.execute(
            select(Reporter.user_id, Enterprise.credit_code).join(
                Enterprise, Enterprise.id == Reporter.enterprise_id
            )
        ).all()
    assert [code for _user, code in tied] == [CODE]


def test_the_overdue_list_from_the_terminal(store: sessionmaker[Session]) -> None:
    listed = invoke("reports", "overdue", "--form", "building_materials", "--json")
    assert listed.exit_code == 0, listed.output
    assert (
        f'"credit_code": "{CODE}"' in listed.output and '"missing": "not_reported"' in listed.output
    )
    assert invoke("reports", "overdue", "--form", "nope").exit_code == 2
    assert invoke("reports", "overdue", "--period", "2026-13").exit_code == 2
    for period in ("9999-12", "0001-01"):  # no date overflows: one line naming the period
        far = invoke("reports", "overdue", "--period", period)
        assert far.exit_code == 2, far.output
        assert f"period {period!r}: reporting covers the years 1990 to 2199" in far.output
    for day in ("0001-01-05", "9999-12-31"):
        far = invoke("reports", "remind", "--date", day)
        assert far.exit_code == 2, far.output
        assert f"date {day}: reporting covers the years" in far.output
