"""Every endpoint and action of the API; each refused move leaves the store unchanged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session, sessionmaker

from tests.api.conftest import Api
from tests.support.review import step
from warning import clock
from warning.jobs.ingest import ingest_file
from warning.review.models import ReviewItem

FUTURE = (datetime.now(UTC) + timedelta(days=2)).isoformat()


def snapshot(factory: sessionmaker[Session]) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table: to show a refused request changed nothing."""
    with factory() as session:
        connection = session.connection()
        tables = inspect(connection).get_table_names()
        return {
            table: sorted(
                (tuple(row) for row in connection.execute(text(f'SELECT * FROM "{table}"'))),
                key=repr,
            )
            for table in tables
            if table != "alembic_version"
        }


def queue(api: Api, levels: dict[str, tuple[str, str]]) -> dict[str, int]:
    """Evaluate ``levels`` now and return the new items' ids by material."""
    with api.factory() as session, session.begin():
        step(session, levels, now=clock.now())
        items = session.scalars(select(ReviewItem)).all()
        return {item.material_id: item.id for item in items}


def test_materials_and_one_material(api: Api) -> None:
    everything = api.client.get("/api/v1/materials", headers=api.as_("vera"))
    assert everything.status_code == 200
    listed = everything.json()
    assert listed["total"] == 19 and len(listed["items"]) == 19
    assert listed["items"][0]["id"] == "iron_ore"
    second = api.client.get("/api/v1/materials?limit=5&offset=5", headers=api.as_("vera")).json()
    assert [m["id"] for m in second["items"]] == [m["id"] for m in listed["items"][5:10]]
    assert (second["total"], second["limit"], second["offset"]) == (19, 5, 5)
    copper = api.client.get("/api/v1/materials/copper", headers=api.as_("vera")).json()
    assert copper["name_en"] and any(s["id"] == "copper_shfe_futures" for s in copper["series"])
    missing = api.client.get("/api/v1/materials/unobtainium", headers=api.as_("vera"))
    assert missing.status_code == 404 and "unobtainium" in missing.json()["detail"]


def test_observations_at_each_view(api: Api, write_csv: Any) -> None:
    rows = [
        f"copper_shfe_futures,copper,price,D,2026-03-{day:02d},{70000 + day},CNY/t"
        for day in (2, 3, 4, 5, 6, 9)
    ]
    ingest_file(api.factory, write_csv("cu.csv", *rows), today=datetime(2026, 3, 31).date())
    url = "/api/v1/materials/copper/observations?series=copper_shfe_futures"
    daily = api.client.get(url, headers=api.as_("vera")).json()
    assert [o["value"] for o in daily["observations"]][:2] == [70002.0, 70003.0]
    weekly = api.client.get(url + "&freq=W", headers=api.as_("vera")).json()
    assert weekly["frequency"] == "W" and weekly["rule"] == "mean"
    assert [o["value"] for o in weekly["observations"]] == [70004.0, 70009.0]
    assert daily["total"] == 6 and daily["offset"] == 0
    paged = api.client.get(url + "&limit=2&offset=4", headers=api.as_("vera")).json()
    assert [o["value"] for o in paged["observations"]] == [70006.0, 70009.0]
    assert paged["total"] == 6
    window = api.client.get(url + "&start=2026-03-05&end=2026-03-06", headers=api.as_("vera"))
    assert [o["period"] for o in window.json()["observations"]] == ["2026-03-05", "2026-03-06"]
    wrong = api.client.get(url.replace("copper_shfe", "zinc_shfe"), headers=api.as_("vera"))
    assert wrong.status_code == 404
    bad = api.client.get(url + "&freq=X", headers=api.as_("vera"))
    assert bad.status_code == 422 and "detail" in bad.json()


def test_the_queue_is_sorted_by_severity_then_age_and_paginated(api: Api) -> None:
    ids = queue(
        api, {"zinc": ("yellow", "up"), "copper": ("red", "down"), "coke": ("yellow", "up")}
    )
    page = api.client.get(
        "/api/v1/review-items?state=pending&limit=2", headers=api.as_("vera")
    ).json()
    assert page["total"] == 3 and page["limit"] == 2
    assert [item["id"] for item in page["items"]] == [ids["copper"], ids["zinc"]]
    rest = api.client.get(
        "/api/v1/review-items?state=pending&limit=2&offset=2", headers=api.as_("vera")
    ).json()
    assert [item["id"] for item in rest["items"]] == [ids["coke"]]
    red = api.client.get("/api/v1/review-items?level=red", headers=api.as_("vera")).json()
    assert red["total"] == 1
    one = api.client.get(f"/api/v1/review-items/{ids['zinc']}", headers=api.as_("vera"))
    assert one.json()["material_id"] == "zinc" and one.json()["created_at"].endswith("Z")
    assert api.client.get("/api/v1/review-items/999", headers=api.as_("vera")).status_code == 404


def test_approve_makes_the_warning_and_a_second_approval_is_409_and_changes_nothing(
    api: Api,
) -> None:
    ids = queue(api, {"copper": ("red", "up")})
    url = f"/api/v1/review-items/{ids['copper']}/approve"
    done = api.client.post(url, json={"comment": "checked stocks"}, headers=api.as_("otto"))
    assert done.status_code == 200 and done.json()["state"] == "approved"
    active = api.client.get("/api/v1/warnings?state=active", headers=api.as_("vera")).json()
    assert active["total"] == 1 and active["items"][0]["level"] == "red"
    before = snapshot(api.factory)
    again = api.client.post(url, json={"comment": "again"}, headers=api.as_("otto"))
    assert again.status_code == 409 and "approved already" in again.json()["detail"]
    assert snapshot(api.factory) == before


@pytest.mark.parametrize(
    ("action", "body", "status", "detail"),
    [
        ("reject", {}, 422, None),
        ("reject", {"reason": ""}, 422, None),
        ("reject", {"reason": "   "}, 409, "needs a reason"),
        ("adjust", {"reason": "x"}, 409, "must change"),
        ("adjust", {"reason": "x", "level": "purple"}, 422, None),
        ("adjust", {"reason": "x", "level": "no_data"}, 409, "cannot adjust"),
        ("snooze", {"until": "2020-01-01T00:00:00+00:00"}, 409, "not in the future"),
        ("snooze", {"until": "2030-01-01T00:00:00"}, 422, None),
        ("approve", {"comment": "x", "extra": 1}, 422, None),
    ],
)
def test_invalid_requests_are_refused_and_change_nothing(
    api: Api, action: str, body: dict[str, Any], status: int, detail: str | None
) -> None:
    ids = queue(api, {"copper": ("yellow", "up")})
    before = snapshot(api.factory)
    answer = api.client.post(
        f"/api/v1/review-items/{ids['copper']}/{action}", json=body, headers=api.as_("otto")
    )
    assert answer.status_code == status, answer.text
    assert "detail" in answer.json()
    if detail:
        assert detail in answer.json()["detail"]
    assert snapshot(api.factory) == before


def test_reject_adjust_and_snooze(api: Api) -> None:
    ids = queue(api, {"copper": ("yellow", "up"), "zinc": ("red", "up"), "coke": ("yellow", "up")})
    rejected = api.client.post(
        f"/api/v1/review-items/{ids['copper']}/reject",
        json={"reason": "contract roll"},
        headers=api.as_("otto"),
    )
    assert rejected.json()["state"] == "rejected" and rejected.json()["comment"] == "contract roll"
    adjusted = api.client.post(
        f"/api/v1/review-items/{ids['zinc']}/adjust",
        json={"level": "yellow", "reason": "one rule only", "text_en": "Zinc tightening"},
        headers=api.as_("otto"),
    ).json()
    assert adjusted["state"] == "approved" and adjusted["final_level"] == "yellow"
    warning = api.client.get("/api/v1/warnings?material=zinc", headers=api.as_("vera")).json()
    assert warning["items"][0]["level"] == "yellow"
    assert warning["items"][0]["text_en"] == "Zinc tightening"
    snoozed = api.client.post(
        f"/api/v1/review-items/{ids['coke']}/snooze",
        json={"until": FUTURE, "comment": "Friday stocks"},
        headers=api.as_("otto"),
    ).json()
    assert snoozed["state"] == "snoozed" and snoozed["snoozed_until"]


def test_silences_and_the_audit(api: Api) -> None:
    made = api.client.post(
        "/api/v1/silences",
        json={"material": "copper", "ends_at": FUTURE, "comment": "exchange holiday"},
        headers=api.as_("otto"),
    )
    assert made.status_code == 201
    everyone = api.client.post(
        "/api/v1/silences",
        json={"material": None, "ends_at": FUTURE, "comment": "maintenance"},
        headers=api.as_("otto"),
    )
    assert everyone.json()["material_id"] is None
    listed = api.client.get("/api/v1/silences", headers=api.as_("vera")).json()
    assert listed["total"] == 2
    gone = api.client.delete(f"/api/v1/silences/{made.json()['id']}", headers=api.as_("otto"))
    assert gone.status_code == 200 and gone.json()["deleted_by"] == "otto"
    twice = api.client.delete(f"/api/v1/silences/{made.json()['id']}", headers=api.as_("otto"))
    assert twice.status_code == 409
    past = api.client.post(
        "/api/v1/silences",
        json={"material": "copper", "ends_at": "2020-01-01T00:00:00Z", "comment": "x"},
        headers=api.as_("otto"),
    )
    assert past.status_code == 409
    unknown = api.client.post(
        "/api/v1/silences",
        json={"material": "gold", "ends_at": FUTURE, "comment": "x"},
        headers=api.as_("otto"),
    )
    assert unknown.status_code == 404

    ids = queue(api, {"zinc": ("yellow", "up")})  # silenced by the all-materials silence
    item = api.client.get(f"/api/v1/review-items/{ids['zinc']}", headers=api.as_("vera")).json()
    assert item["silenced"] and item["state"] == "approved"
    by_item = api.client.get(f"/api/v1/audit?item={ids['zinc']}", headers=api.as_("vera")).json()
    assert [e["action"] for e in by_item["items"]] == ["approved_by_policy", "created"]
    assert by_item["items"][0]["actor"] == "policy" and by_item["items"][0]["after"]["item"]
    by_material = api.client.get("/api/v1/audit?material=copper", headers=api.as_("vera")).json()
    assert {e["action"] for e in by_material["items"]} == {"silence_created", "silence_deleted"}


def test_admins_manage_users_and_tokens(api: Api) -> None:
    made = api.client.post(
        "/api/v1/users",
        json={"name": "li.wei", "role": "operator", "password": "a-long-password"},
        headers=api.as_("ada"),
    )
    assert made.status_code == 201 and made.json()["role"] == "operator"
    assert "password" not in made.text
    taken = api.client.post(
        "/api/v1/users",
        json={"name": "li.wei", "role": "viewer", "password": "a-long-password"},
        headers=api.as_("ada"),
    )
    assert taken.status_code == 409
    token = api.client.post(
        "/api/v1/tokens", json={"user": "li.wei", "label": "script"}, headers=api.as_("ada")
    ).json()
    mine = {"Authorization": f"Bearer {token['token']}"}
    assert api.client.get("/api/v1/materials", headers=mine).status_code == 200
    listed = api.client.get("/api/v1/tokens", headers=api.as_("ada")).json()
    assert token["token"] not in str(listed) and listed["total"] == len(listed["items"]) >= 1
    assert any(t["id"] == token["id"] for t in listed["items"])
    people = api.client.get("/api/v1/users?limit=2", headers=api.as_("ada")).json()
    assert len(people["items"]) == 2 and people["total"] == 4  # vera, otto, ada, li.wei
    assert "li.wei" in {
        u["name"] for u in api.client.get("/api/v1/users", headers=api.as_("ada")).json()["items"]
    }
    api.client.delete(f"/api/v1/tokens/{token['id']}", headers=api.as_("ada"))
    assert api.client.get("/api/v1/materials", headers=mine).status_code == 401
    disabled = api.client.post("/api/v1/users/otto/disable", headers=api.as_("ada"))
    assert disabled.json()["disabled"] is True
    assert api.client.get("/api/v1/materials", headers=api.as_("otto")).status_code == 401
    policy = api.client.get("/api/v1/policy", headers=api.as_("vera")).json()
    assert policy["auto_approve"] == ["blue:*", "*:end"] and policy["deadline_hours"]["red"] == 2


def test_assessments_carry_their_indicators(api: Api, tmp_path: Path) -> None:
    import rules
    from tests.support.store import evaluate_store
    from warning.catalog import load_catalog

    rows = [
        f"copper_shfe_futures,copper,price,D,{day.date()},{60000 + 30 * i},CNY/t"
        for i, day in enumerate(
            d
            for d in (datetime(2024, 1, 1) + timedelta(days=n) for n in range(500))
            if d.weekday() < 5
        )
    ]
    path = tmp_path / "cu.csv"
    path.write_text(
        "series_id,material,indicator,frequency,period,value,unit\n" + "\n".join(rows) + "\n"
    )
    ingest_file(api.factory, path, today=datetime(2026, 1, 1).date())
    evaluate_store(
        api.factory,
        load_catalog(),
        rules.load_ruleset(),
        as_of=datetime(2025, 5, 12).date(),
        trigger="test",
    )
    page = api.client.get(
        "/api/v1/assessments?material=copper&start=2025-01-01", headers=api.as_("vera")
    ).json()
    assert page["total"] == 1
    assert page["items"][0]["indicators"] and page["items"][0]["indicators"][0]["series_id"]
    assert clock.now()  # the service clock answers


def test_one_click_unsubscribe_with_a_signed_link(api: Api, tmp_path: Path) -> None:
    from alerts.unsubscribe import unsubscribe_token
    from tests.delivery.conftest import two_contacts
    from warning.context import secret_key
    from warning.directory.models import Contact
    from warning.jobs.directory import import_directory

    context = api.client.app.state.context  # type: ignore[attr-defined]
    assert not import_directory(context, two_contacts(tmp_path), actor="t").rejects
    with api.factory() as session:
        contact_id = session.scalars(select(Contact.id).order_by(Contact.id)).first()
    token = unsubscribe_token(str(contact_id), secret_key(context.settings))
    page = api.client.get(f"/unsubscribe?t={token}")
    assert page.status_code == 200 and "<form" in page.text  # opening it unsubscribes nobody
    with api.factory() as session:
        assert session.get(Contact, contact_id).unsubscribed_at is None  # type: ignore[union-attr]
    done = api.client.post(f"/unsubscribe?t={token}")
    assert done.status_code == 200
    with api.factory() as session:
        assert session.get(Contact, contact_id).unsubscribed_at is not None  # type: ignore[union-attr]
    forged = unsubscribe_token(str(contact_id), "another key")
    assert api.client.post(f"/unsubscribe?t={forged}").status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "body", "user", "status"),
    [
        ("DELETE", "/api/v1/silences/{silence}", None, "otto", 409),  # ended already
        ("DELETE", "/api/v1/silences/99999", None, "otto", 404),
        (
            "POST",
            "/api/v1/silences",
            {"material": "copper", "ends_at": "2020-01-01T00:00:00Z", "comment": "x"},
            "otto",
            409,
        ),
        (
            "POST",
            "/api/v1/silences",
            {"material": "gold", "ends_at": FUTURE, "comment": "x"},
            "otto",
            404,
        ),
        (
            "POST",
            "/api/v1/users",
            {"name": "otto", "role": "viewer", "password": "a-long-password"},
            "ada",
            409,
        ),
        (
            "POST",
            "/api/v1/users",
            {"name": "li", "role": "viewer", "password": "short"},
            "ada",
            422,
        ),
        ("POST", "/api/v1/users/nobody/disable", None, "ada", 404),
        ("POST", "/api/v1/tokens", {"user": "nobody", "label": "x"}, "ada", 404),
        ("DELETE", "/api/v1/tokens/99999", None, "ada", 404),
        (
            "POST",
            "/api/v1/silences",
            {"material": "copper", "ends_at": FUTURE, "comment": "x"},
            "vera",
            403,
        ),
    ],
)
def test_refused_silence_user_and_token_requests_change_nothing(
    api: Api, method: str, path: str, body: dict[str, Any] | None, user: str, status: int
) -> None:
    made = api.client.post(
        "/api/v1/silences",
        json={"material": "copper", "ends_at": FUTURE, "comment": "holiday"},
        headers=api.as_("otto"),
    ).json()
    api.client.delete(f"/api/v1/silences/{made['id']}", headers=api.as_("otto"))
    before = snapshot(api.factory)
    answer = api.client.request(
        method, path.format(silence=made["id"]), json=body, headers=api.as_(user)
    )
    assert answer.status_code == status, answer.text
    assert answer.json()["detail"]
    assert snapshot(api.factory) == before
