"""``warning directory``, ``deliver``, ``deliveries``, ``alerts dry-run`` and ``digest`` as a
user runs them."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import make_transient

from tests.alerts.conftest import Receiver
from tests.delivery.conftest import CODES, SECRET, approve, write_directory
from tests.support.cli_process import run_cli
from warning.catalog import load_catalog
from warning.context import ServiceContext
from warning.delivery.models import Delivery
from warning.review.models import MaterialWarning
from warning.settings import load_settings
from warning.store import make_engine, session_factory


def run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("WARNING_")},
        "WARNING_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "WARNING_WEBHOOK_ALLOW": "127.0.0.0/8",
        "WARNING_GROUP_WAIT": "0",
        "WARNING_SECRET_KEY": "cli-secret",
        "WARNING_VAR_DIR": str(tmp_path / "var"),
        **env,
    }
    return run_cli(args, env=environment, cwd=tmp_path, timeout=120)


def test_import_deliver_dry_run_and_digest(tmp_path: Path, receiver: Receiver) -> None:
    assert run(tmp_path, "init").returncode == 0
    bad = write_directory(
        tmp_path / "bad.csv",
        f"Demo Copper,{CODES[0]},false,Zhang,a@copper.example,zh,http://10.1.2.3/h,{SECRET},"
        "copper,yellow,,webhook",
    )
    refused = run(tmp_path, "directory", "import", str(bad), "--json")
    report = json.loads(refused.stdout)
    assert refused.returncode == 1 and report["imported"] == 0
    assert report["rejects"][0]["line"] == 2 and report["rejects"][0]["column"] == "webhook_url"
    assert "private address 10.1.2.3" in report["rejects"][0]["reason"]  # the SSRF guard says why

    good = write_directory(
        tmp_path / "good.csv",
        f"Demo Copper,{CODES[0]},false,Zhang,a@copper.example,zh,{receiver.url}/h,{SECRET},"
        "copper,yellow,,webhook",
    )
    imported = run(tmp_path, "directory", "import", str(good), "--json")
    assert imported.returncode == 0 and json.loads(imported.stdout)["imported"] == 1

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = make_engine(url)
    settings = load_settings(database_url=url, group_wait=0.0, secret_key="cli-secret")
    context = ServiceContext(settings, engine, session_factory(engine), load_catalog())
    approve(context, {"copper": ("red", "up")})
    with context.factory() as session:
        warning_id = session.scalars(select(MaterialWarning.id)).one()
    engine.dispose()

    dry = run(tmp_path, "alerts", "dry-run", "--warning", str(warning_id))
    assert dry.returncode == 0 and "webhook" in dry.stdout and "subscription" in dry.stdout
    sent = run(tmp_path, "deliver", "--json")
    assert json.loads(sent.stdout) == {"sent": 1, "retrying": 0, "dead": 0}, sent.stderr
    assert len(receiver.received) == 1
    listed = run(tmp_path, "deliveries", "list")
    assert "sent" in listed.stdout and "webhook" in listed.stdout
    assert "127.0.0.1" in listed.stdout and "whsec_" not in listed.stdout  # where to, no secret
    assert "the newest" not in listed.stdout  # one delivery: all of them shown
    engine = make_engine(url)
    with session_factory(engine)() as session:  # a second one, so a list of one is capped
        copy = session.scalars(select(Delivery)).one()
        session.expunge(copy)
        make_transient(copy)
        copy.id, copy.dedupe_key = None, None  # type: ignore[assignment]
        session.add(copy)
        session.commit()
    engine.dispose()
    capped = run(tmp_path, "deliveries", "list", "--limit", "1")
    assert "the newest 1 of 2 deliveries; --limit shows more" in capped.stdout
    assert "the newest" not in run(tmp_path, "deliveries", "list", "--limit", "2").stdout
    assert run(tmp_path, "deliveries", "replay", "1").returncode == 1  # only dead ones
    exported = run(tmp_path, "directory", "export", str(tmp_path / "out.xlsx"))
    assert exported.returncode == 0 and (tmp_path / "out.xlsx").stat().st_size > 0
    preview = run(tmp_path, "digest", "--kind", "daily", "--preview", str(tmp_path / "d.html"))
    assert preview.returncode == 0 and "铜" in (tmp_path / "d.html").read_text(encoding="utf-8")
