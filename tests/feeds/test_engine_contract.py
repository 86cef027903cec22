"""feeds.engine.fetch never raises for its source, and the package stays an engine."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import httpx

from feeds.definitions import FeedDefinition
from feeds.engine import fetch
from feeds.result import FetchResult
from tests.support.policies import quick_policy

SERIES = [
    {
        "id": "s",
        "material": "copper",
        "indicator": "price",
        "frequency": "D",
        "unit": "CNY/t",
        "value": "close",
    }
]


def test_a_source_raising_anything_becomes_a_failed_result() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise RuntimeError("boom in the transport")

    definition = FeedDefinition.model_validate(
        {"id": "f", "source": "http_csv", "location": "https://x.test/a.csv", "series": SERIES}
    )
    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        result = fetch(
            definition,
            known={},
            last_values={},
            validators=None,
            today=date(2026, 1, 1),
            client=client,
            policy=quick_policy(),
        )
    assert isinstance(result, FetchResult) and result.status == "failed"
    assert result.error is not None and "'f'" in result.error and "boom" in result.error
    assert result.observations.empty and list(result.observations.columns)[-1] == "suspect"


def test_feeds_imports_no_service_or_other_engine() -> None:
    code = (
        "import sys, feeds.engine, feeds.aggregate, feeds.staleness;"
        "banned=('warning','rules','alerts','sqlalchemy','apscheduler');"
        "bad=[m for m in sys.modules if m.split('.')[0] in banned];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
