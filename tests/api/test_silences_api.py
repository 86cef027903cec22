"""Silences by matcher through the API: made with every matcher and a later start, listed
with their state, ended; malformed ones are 422 with a JSON detail, unknown materials,
sectors and enterprises 404 naming them; a refused request keeps nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.api.conftest import ENTERPRISE_B, Api, add_enterprise
from tests.api.test_review_api import snapshot

SOON = datetime.now(UTC) + timedelta(days=1)
LATER = datetime.now(UTC) + timedelta(days=3)


def post(api: Api, body: dict[str, Any], user: str = "otto") -> Any:
    return api.client.post("/api/v1/silences", json=body, headers=api.as_(user))


def test_a_silence_with_every_matcher_starting_later_is_made_listed_and_called_off(
    api: Api,
) -> None:
    add_enterprise(api, ENTERPRISE_B, sector="chemicals", name="化工甲")
    made = post(
        api,
        {
            "material": "methanol",
            "sector": "chemicals",
            "level": "yellow",
            "direction": "down",
            "enterprise": ENTERPRISE_B,
            "starts_at": SOON.isoformat(),
            "ends_at": LATER.isoformat(),
            "comment": "装置检修",
        },
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert {k: body[k] for k in ("material_id", "sector", "level", "direction")} == {
        "material_id": "methanol",
        "sector": "chemicals",
        "level": "yellow",
        "direction": "down",
    }
    assert body["enterprise"] == ENTERPRISE_B and body["enterprise_name"] == "化工甲"
    assert datetime.fromisoformat(body["starts_at"]) == SOON
    assert datetime.fromisoformat(body["ends_at"]) == LATER
    assert body["state"] == "pending"

    everything = post(api, {"ends_at": LATER.isoformat(), "comment": "节假日"})
    assert everything.status_code == 201
    assert {k: everything.json()[k] for k in ("material_id", "sector", "level", "enterprise")} == {
        "material_id": None,
        "sector": None,
        "level": None,
        "enterprise": None,
    }
    assert everything.json()["state"] == "active"

    listed = api.client.get("/api/v1/silences", headers=api.as_("vera")).json()
    assert [(s["id"], s["state"]) for s in listed["items"]] == [
        (everything.json()["id"], "active"),
        (body["id"], "pending"),
    ]
    ended = api.client.delete(f"/api/v1/silences/{body['id']}", headers=api.as_("otto"))
    assert ended.status_code == 200 and ended.json()["state"] == "expired"
    listed = api.client.get("/api/v1/silences?include_ended=true", headers=api.as_("vera"))
    assert {s["id"]: s["state"] for s in listed.json()["items"]}[body["id"]] == "expired"
    audit = api.client.get("/api/v1/audit?material=methanol", headers=api.as_("vera")).json()
    created = next(e for e in audit["items"] if e["action"] == "silence_created")
    assert created["after"]["enterprise"] == ENTERPRISE_B and created["after"]["level"] == "yellow"


@pytest.mark.parametrize(
    ("change", "status", "names"),
    [
        ({"level": "normal"}, 422, "level"),
        ({"level": "orange"}, 422, "level"),
        ({"direction": ""}, 422, "direction"),
        ({"direction": "sideways"}, 422, "direction"),
        ({"starts_at": LATER.isoformat(), "ends_at": SOON.isoformat()}, 422, "after starts_at"),
        ({"starts_at": SOON.isoformat(), "ends_at": SOON.isoformat()}, 422, "after starts_at"),
        ({"starts_at": "2099-01-01T09:00:00"}, 422, "time zone"),
        ({"matchers": {}}, 422, "matchers"),
        ({"material": "copper", "sector": "ferrous"}, 422, "would match nothing"),
        ({"material": "gold"}, 404, "gold"),
        ({"sector": "precious_metals"}, 404, "precious_metals"),
        ({"enterprise": "91440300708461136T"}, 404, "91440300708461136T"),
        ({"ends_at": "2020-01-01T00:00:00+00:00"}, 409, "future"),
        ({"ends_at": "0001-01-01T00:00:00+01:00"}, 422, "out of range"),
    ],
)
def test_a_refused_silence_says_why_and_keeps_nothing(
    api: Api, change: dict[str, Any], status: int, names: str
) -> None:
    before = snapshot(api.factory)
    answer = post(api, {"ends_at": LATER.isoformat(), "comment": "x", **change})
    assert answer.status_code == status, answer.text
    assert names in str(answer.json()["detail"])
    assert snapshot(api.factory) == before


def test_a_viewer_may_not_make_a_silence(api: Api) -> None:
    refused = post(api, {"ends_at": LATER.isoformat(), "comment": "x"}, user="vera")
    assert refused.status_code == 403
