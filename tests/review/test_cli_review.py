"""``warning users``, ``warning tokens`` and ``warning review`` as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.support.cli_process import run_cli
from tests.support.review import step
from warning.review.models import ReviewItem
from warning.store import make_engine, session_factory


def run(tmp_path: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("WARNING_")},
        "WARNING_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
    }
    return run_cli(args, env=environment, cwd=tmp_path, stdin=stdin, timeout=120)


@pytest.fixture
def store(tmp_path: Path) -> Path:
    assert run(tmp_path, "init").returncode == 0
    return tmp_path


def test_users_and_tokens(store: Path) -> None:
    added = run(
        store,
        "users",
        "add",
        "li.wei",
        "--role",
        "operator",
        "--password-stdin",
        stdin="a-long-password\n",
    )
    assert added.returncode == 0, added.stderr
    assert (
        run(
            store,
            "users",
            "add",
            "li.wei",
            "--role",
            "viewer",
            "--password-stdin",
            stdin="another-password\n",
        ).returncode
        == 1  # refused: the name is taken
    )
    short = run(store, "users", "add", "bo", "--role", "viewer", "--password-stdin", stdin="x\n")
    assert short.returncode == 1 and "at least 10 characters" in short.stderr
    created = run(
        store, "tokens", "create", "--user", "li.wei", "--label", "script", "--expires", "30"
    )
    token = created.stdout.strip().splitlines()[-1]
    assert created.returncode == 0 and token.startswith("wt_") and len(token) > 40
    listed = run(store, "tokens", "list")
    assert token not in listed.stdout and token[:10] in listed.stdout
    assert "a-long-password" not in (added.stdout + added.stderr + listed.stdout)
    assert run(store, "tokens", "revoke", "1").returncode == 0
    assert "revoked" in run(store, "tokens", "list").stdout
    assert run(store, "tokens", "revoke", "99").returncode == 2
    assert run(store, "users", "disable", "li.wei").returncode == 0
    assert "disabled" in run(store, "users", "list").stdout


def test_review_from_the_terminal(store: Path) -> None:
    factory = session_factory(make_engine(f"sqlite:///{store / 'cli.db'}"))
    with factory() as session, session.begin():
        step(session, {"copper": ("red", "up"), "zinc": ("yellow", "down")})
        ids = {i.material_id: i.id for i in session.scalars(select(ReviewItem))}
    run(store, "users", "add", "ana", "--role", "operator", "--password-stdin", stdin="x" * 12)
    run(store, "users", "add", "vic", "--role", "viewer", "--password-stdin", stdin="y" * 12)

    listed = [
        json.loads(line) for line in run(store, "review", "list", "--json").stdout.splitlines()
    ]
    assert [item["material"] for item in listed] == ["copper", "zinc"]  # red first

    viewer = run(store, "review", "approve", str(ids["copper"]), "--as", "vic")
    assert viewer.returncode == 1 and "needs an operator" in viewer.stderr
    assert viewer.stderr.startswith("refused: ")
    approved = run(store, "review", "approve", str(ids["copper"]), "--as", "ana", "--comment", "ok")
    assert approved.returncode == 0 and "approved; warning" in approved.stdout
    again = run(store, "review", "approve", str(ids["copper"]), "--as", "ana")
    assert again.returncode == 1 and "approved already" in again.stderr
    no_reason = run(store, "review", "reject", str(ids["zinc"]), "--as", "ana", "--reason", " ")
    assert no_reason.returncode == 1 and "needs a reason" in no_reason.stderr
    snoozed = run(
        store, "review", "snooze", str(ids["zinc"]), "--as", "ana", "--until", "2099-01-01T09:00"
    )
    assert snoozed.returncode == 0 and "snoozed until 2099-01-01 09:00" in snoozed.stdout
    shown = run(store, "review", "show", str(ids["copper"]))
    assert "state: approved" in shown.stdout and "ana approved - ok" in shown.stdout
    assert run(store, "review", "show", "999").returncode == 2


def test_the_last_enabled_admin_stays_and_a_disabled_user_is_enabled_again(store: Path) -> None:
    for name, role in (("ada", "admin"), ("bob", "admin"), ("vic", "viewer")):
        made = run(store, "users", "add", name, "--role", role, "--password-stdin", stdin="p" * 12)
        assert made.returncode == 0, made.stderr
    assert run(store, "users", "disable", "bob").returncode == 0  # ada is still an admin
    last = run(store, "users", "disable", "ada")
    assert last.returncode == 1
    assert last.stderr.strip() == (
        "refused: user 'ada' is the last enabled admin: add or enable another admin first"
    )
    states = {
        line.split("│")[1].strip(): line.split("│")[3].strip()
        for line in run(store, "users", "list").stdout.splitlines()
        if line.count("│") >= 4 and line.split("│")[1].strip() in ("ada", "bob", "vic")
    }
    assert states == {"ada": "active", "bob": "disabled", "vic": "active"}
    enabled = run(store, "users", "enable", "bob")
    assert enabled.returncode == 0 and "user bob enabled" in enabled.stdout
    assert run(store, "users", "disable", "ada").returncode == 0  # bob is an admin again
    assert run(store, "users", "enable", "nobody").returncode == 2
