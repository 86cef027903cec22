"""A service context with the directory, a real SMTP server and a real webhook receiver."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from alerts.digest import DigestKind
from tests.alerts.conftest import receiver  # noqa: F401  (a fixture)
from tests.alerts.test_email_delivery import Mailbox, free_port
from tests.support.review import step
from warning import clock
from warning.catalog import load_catalog
from warning.context import ServiceContext
from warning.jobs.directory import import_directory
from warning.review import decisions
from warning.review.models import ReviewItem
from warning.review.states import ItemState
from warning.settings import load_settings
from warning.store import make_engine, transaction

HEADER = (
    "enterprise,credit_code,key_contact,contact,email,language,webhook_url,webhook_secret,"
    "materials,min_level,sector,channels"
)
SECRET = "whsec_" + "c2VjcmV0LWtleS1mb3ItdGVzdHMtMTIzNA=="
CODES = ["91350100M000100Y43", "91440300708461136T"]  # valid check characters


@dataclass
class Smtp:
    port: int
    mailbox: Mailbox
    controller: Controller


@pytest.fixture
def smtp() -> Iterator[Smtp]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield Smtp(port, mailbox, controller)
    controller.stop()


MakeContext = Callable[..., ServiceContext]


@pytest.fixture
def make_context(
    factory: sessionmaker[Session], database_url: str, tmp_path: Path
) -> Iterator[MakeContext]:
    engines = []

    def make(**settings: Any) -> ServiceContext:
        values = {
            "database_url": database_url,
            "webhook_allow": "127.0.0.0/8",
            "group_wait": 0.0,
            "var_dir": tmp_path / "var",
            "secret_key": "test-secret-key",
            **settings,
        }
        engine = make_engine(database_url)
        engines.append(engine)
        return ServiceContext(load_settings(**values), engine, factory, load_catalog())

    yield make
    for engine in engines:
        engine.dispose()


def write_directory(path: Path, *rows: str) -> Path:
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def two_contacts(tmp_path: Path, webhook_url: str = "") -> Path:
    """Copper-watching contact A (email + webhook) and a zinc-only contact B (email)."""
    hook = f"{webhook_url},{SECRET}" if webhook_url else ","
    channels = '"email,webhook"' if webhook_url else "email"
    return write_directory(
        tmp_path / "directory.csv",
        f"演示铜业（Demo）,{CODES[0]},false,张伟,a@copper.example,zh,{hook},copper,yellow,"
        f"nonferrous,{channels}",
        f"Demo Zinc Co,{CODES[1]},false,Li Na,b@zinc.example,en,,,zinc,blue,nonferrous,email",
    )


def approve(
    context: ServiceContext,
    levels: dict[str, tuple[str, str]],
    *,
    day: int = 0,
    reasons: dict[str, tuple[str, str]] | None = None,
) -> None:
    """Evaluate ``levels``, approve every pending item: as an analyst does (the delivery
    worker routes the events on its next round)."""
    with transaction(context.factory) as session:
        step(session, levels, day=day, now=clock.now(), reasons=reasons)
        pending = select(ReviewItem.id).where(ReviewItem.state == ItemState.PENDING)
        for item_id in session.scalars(pending).all():
            decisions.approve(session, item_id=item_id, actor="ana", comment=None, now=clock.now())


def load(context: ServiceContext, path: Path) -> None:
    result = import_directory(context, path, actor="test")
    assert not result.rejects, result.rejects


__all__ = ["CODES", "DigestKind", "approve", "load", "two_contacts", "write_directory"]
