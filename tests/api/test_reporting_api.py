"""Enterprise reporting through the API: the forms a reporter may submit, submissions checked
field by field, revisions, jumps asked about, and who may read whose reports."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from tests.api.conftest import ENTERPRISE_A, ENTERPRISE_B, Api, add_enterprise, add_reporter_user
from warning.audit.models import AuditEntry
from warning.clock import FrozenClock, use_clock
from warning.reporting.models import Report, ReportValue

# 2026-12-07 noon in Shanghai: November is the open period, due on 2026-12-10
TODAY = datetime(2026, 12, 7, 4, tzinfo=UTC)
CEMENT = {
    "cement_output": 120.0,
    "cement_stock_plant": 30.0,
    "cement_stock_external": 10.0,
    "cement_stock": 40.0,
    "cement_utilisation": 75.0,
}


@pytest.fixture
def clock() -> Iterator[FrozenClock]:
    with use_clock(FrozenClock(TODAY)) as frozen:
        assert isinstance(frozen, FrozenClock)
        yield frozen


@pytest.fixture
def reporting(api: Api, clock: FrozenClock) -> Api:
    """Rita reports for enterprise A (building materials), Carl for B (chemicals)."""
    add_reporter_user(api, "rita", ENTERPRISE_A, sector="building_materials")
    add_reporter_user(api, "carl", ENTERPRISE_B, sector="chemicals")
    return api


def post(api: Api, who: str, body: dict[str, Any]) -> Any:
    return api.client.post("/api/v1/reports", json=body, headers=api.as_(who))


def reporter_sees_its_own_forms_with_the_open_period(reporting: Api) -> None:
    forms = reporting.client.get("/api/v1/report-forms", headers=reporting.as_("rita")).json()
    assert [form["id"] for form in forms] == ["building_materials"]
    form = forms[0]
    assert form["period"] == "2026-11" and form["due"] == "2026-12-10"
    fields = {field["id"]: field for field in form["fields"]}
    assert fields["cement_output"]["unit"] == "10k t"
    assert fields["flat_glass_output"]["unit"] == "10k weight-cases"
    assert fields["cement_stock"]["total_of"] == ["cement_stock_plant", "cement_stock_external"]
    chemicals = reporting.client.get("/api/v1/report-forms", headers=reporting.as_("carl")).json()
    assert [form["id"] for form in chemicals] == ["chemicals"]


def submission_is_stored_for_the_reporters_enterprise(reporting: Api) -> None:
    answer = post(
        reporting, "rita", {"form": "building_materials", "period": "2026-11", "values": CEMENT}
    )
    assert answer.status_code == 201, answer.text
    report = answer.json()
    assert report["enterprise"] == ENTERPRISE_A and report["id"] >= 1
    assert report["values"] == CEMENT and report["revision"] == 1
    assert report["questions"] == []
    assert all(not f["late"] and f["revision"] == 1 for f in report["fields"])
    listed = reporting.client.get("/api/v1/reports", headers=reporting.as_("rita")).json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == report["id"]
    assert {"limit", "offset"} <= set(listed)


def bad_submission_names_each_refused_field_and_stores_nothing(reporting: Api) -> None:
    values = {
        **CEMENT,
        "cement_output": -1,  # below 0
        "cement_utilisation": 120.01,  # above 120
        "cement_stock": 41,  # not 30 + 10
        "copper_output": 5,  # not a field of this form
        "flat_glass_output": "many",  # not a number
        "cement_new_orders": 3,  # sent in a unit this field does not know
    }
    answer = post(
        reporting,
        "rita",
        {
            "form": "building_materials",
            "period": "2026-11",
            "values": values,
            "units": {"cement_new_orders": "kg"},
        },
    )
    assert answer.status_code == 422, answer.text
    refused = answer.json()["fields"]
    assert set(refused) == {
        "cement_output",
        "cement_utilisation",
        "cement_stock",
        "copper_output",
        "flat_glass_output",
        "cement_new_orders",
    }
    assert "below the least allowed" in refused["cement_output"]
    assert "above the most allowed" in refused["cement_utilisation"]
    assert "cement_stock_plant + cement_stock_external = 40" in refused["cement_stock"]
    assert "'kg'" in refused["cement_new_orders"]
    with reporting.factory() as session:
        assert session.scalars(select(Report)).all() == []
        assert session.scalars(select(ReportValue)).all() == []


def test_boundaries_of_range_total_and_units_are_accepted(reporting: Api) -> None:
    values = {
        "cement_output": 0,
        "cement_utilisation": 120,
        "cement_stock_plant": 100,
        "cement_stock_external": 100,
        "cement_stock": 201,  # 0.5 % of 201 is 1.005: still the sum, rounded
        "cement_new_orders": 2_500,
    }
    answer = post(
        reporting,
        "rita",
        {
            "form": "building_materials",
            "period": "2026-11",
            "values": values,
            "units": {"cement_new_orders": "吨"},
        },
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["values"]["cement_new_orders"] == pytest.approx(0.25)
    over = post(
        reporting,
        "rita",
        {
            "form": "building_materials",
            "period": "2026-10",
            "values": {**values, "cement_stock": 202},  # 2 off: more than 0.5 %
        },
    )
    assert over.status_code == 422 and set(over.json()["fields"]) == {"cement_stock"}


def periods_not_yet_ended_or_malformed_are_refused(reporting: Api) -> None:
    for period in ("2026-12", "2026-13", "2026-W48", "november", "9999-12", "0001-01"):
        answer = post(
            reporting, "rita", {"form": "building_materials", "period": period, "values": CEMENT}
        )
        assert answer.status_code == 422, period
        assert "period" in answer.json()["fields"], period
    other_form = post(reporting, "rita", {"form": "chemicals", "period": "2026-11", "values": {}})
    assert other_form.status_code == 422 and "form" in other_form.json()["fields"]


def test_a_late_correction_is_a_revision_and_the_first_value_is_kept(
    reporting: Api, clock: FrozenClock
) -> None:
    body = {"form": "building_materials", "period": "2026-11", "values": CEMENT}
    clock.moment = datetime(2026, 12, 10, 15, 59, tzinfo=UTC)  # 23:59 on the due day
    first = post(reporting, "rita", body).json()
    assert not any(f["late"] for f in first["fields"])
    clock.moment = datetime(2026, 12, 10, 16, 0, tzinfo=UTC)  # the next day in Shanghai
    corrected = post(reporting, "rita", {**body, "values": {"cement_output": 125.0}}).json()
    assert corrected["id"] == first["id"] and corrected["revision"] == 2
    fields = {f["id"]: f for f in corrected["fields"]}
    output = fields["cement_output"]
    assert (output["value"], output["first_value"], output["revision"]) == (125.0, 120.0, 2)
    assert output["late"] is True
    assert fields["cement_stock"]["revision"] == 1 and fields["cement_stock"]["late"] is False
    same_again = post(reporting, "rita", {**body, "values": {"cement_output": 125.0}}).json()
    assert same_again["revision"] == 2  # nothing changed, no revision
    with reporting.factory() as session:
        rows = session.scalars(
            select(ReportValue.value)
            .where(ReportValue.field == "cement_output")
            .order_by(ReportValue.revision)
        ).all()
    assert rows == [120.0, 125.0]


def test_a_jump_against_the_enterprises_history_is_asked_about_then_confirmed(
    reporting: Api,
) -> None:
    for period, output in (("2026-08", 100.0), ("2026-09", 110.0), ("2026-10", 90.0)):
        body = {"form": "building_materials", "period": period, "values": {"cement_output": output}}
        assert post(reporting, "rita", body).status_code == 201
    # the median is 100: 150 is exactly 50 % away (not a jump), 150.1 is one
    calm = post(
        reporting,
        "rita",
        {"form": "building_materials", "period": "2026-11", "values": {"cement_output": 150.0}},
    ).json()
    assert calm["questions"] == []
    jump = post(
        reporting,
        "rita",
        {"form": "building_materials", "period": "2026-11", "values": {"cement_output": 150.1}},
    )
    assert jump.status_code == 201
    report = jump.json()
    (question,) = report["questions"]
    assert question["field"] == "cement_output" and question["reference"] == 100.0
    assert question["change"] == pytest.approx(0.501)
    assert report["fields"][0]["awaiting_confirmation"] is True
    confirmed = post(
        reporting,
        "rita",
        {
            "form": "building_materials",
            "period": "2026-11",
            "values": {"cement_output": 150.1},
            "confirm": ["cement_output"],
        },
    ).json()
    assert confirmed["questions"] == []
    assert confirmed["fields"][0]["awaiting_confirmation"] is False
    assert confirmed["fields"][0]["revision"] == 2  # confirming keeps the value's revision


def reporter_cannot_read_or_write_another_enterprises_reports(reporting: Api) -> None:
    carls = post(
        reporting,
        "carl",
        {"form": "chemicals", "period": "2026-11", "values": {"pvc_output": 12.0}},
    ).json()
    assert carls["enterprise"] == ENTERPRISE_B
    one = reporting.client.get(f"/api/v1/reports/{carls['id']}", headers=reporting.as_("rita"))
    assert one.status_code == 404
    missing = reporting.client.get("/api/v1/reports/99999", headers=reporting.as_("rita"))
    # another's report looks like no report at all
    assert (one.json(), missing.json()) == (
        {"detail": f"no report {carls['id']}"},
        {"detail": "no report 99999"},
    )
    listed = reporting.client.get(
        f"/api/v1/reports?enterprise={ENTERPRISE_B}", headers=reporting.as_("rita")
    ).json()
    assert listed["total"] == 0 and listed["items"] == []
    as_b = post(
        reporting,
        "rita",
        {
            "form": "chemicals",
            "period": "2026-11",
            "values": {"pvc_output": 1.0},
            "enterprise": ENTERPRISE_B,
        },
    )
    assert as_b.status_code == 403
    own = reporting.client.get(f"/api/v1/reports/{carls['id']}", headers=reporting.as_("carl"))
    assert own.status_code == 200 and own.json()["values"] == {"pvc_output": 12.0}


def test_the_desk_reads_every_enterprise_and_each_read_is_audited(reporting: Api) -> None:
    a = post(
        reporting, "rita", {"form": "building_materials", "period": "2026-11", "values": CEMENT}
    )
    b = post(
        reporting, "carl", {"form": "chemicals", "period": "2026-11", "values": {"pvc_output": 1.0}}
    )
    assert a.status_code == b.status_code == 201
    everything = reporting.client.get("/api/v1/reports", headers=reporting.as_("otto")).json()
    assert {item["enterprise"] for item in everything["items"]} == {ENTERPRISE_A, ENTERPRISE_B}
    only_b = reporting.client.get(
        f"/api/v1/reports?enterprise={ENTERPRISE_B}", headers=reporting.as_("ada")
    ).json()
    assert [item["enterprise"] for item in only_b["items"]] == [ENTERPRISE_B]
    one = reporting.client.get(f"/api/v1/reports/{a.json()['id']}", headers=reporting.as_("otto"))
    assert one.status_code == 200
    viewer = reporting.client.get("/api/v1/reports", headers=reporting.as_("vera"))
    assert viewer.status_code == 403
    with reporting.factory() as session:
        reads = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "reports_read").order_by(AuditEntry.id)
        ).all()
    assert [(entry.actor, entry.subject) for entry in reads] == [
        ("otto", "reports"),
        ("ada", "reports"),
        ("otto", f"report:{a.json()['id']}"),
    ]
    assert '"91210000FW7UW3LNEC"' in (reads[1].after or "")
    # the reporters' own reads are not the desk's: not audited as such
    reporting.client.get("/api/v1/reports", headers=reporting.as_("rita"))
    with reporting.factory() as session:
        count = len(
            session.scalars(select(AuditEntry).where(AuditEntry.action == "reports_read")).all()
        )
    assert count == 3


def desk_submits_for_a_named_enterprise_only(reporting: Api) -> None:
    body = {"form": "chemicals", "period": "2026-11", "values": {"pvc_output": 2.0}}
    unnamed = post(reporting, "otto", body)
    assert unnamed.status_code == 422 and "enterprise" in unnamed.json()["detail"]
    named = post(reporting, "otto", {**body, "enterprise": ENTERPRISE_B})
    assert named.status_code == 201 and named.json()["enterprise"] == ENTERPRISE_B
    assert named.json()["fields"][0]["entered_by"] == "otto"


def test_the_overdue_list_and_aggregates_for_the_desk(reporting: Api, clock: FrozenClock) -> None:
    # a third building-materials enterprise, which does not report
    add_enterprise(reporting, "91110000MA01ABCD2X", sector="building_materials")
    body = {"form": "building_materials", "period": "2026-11", "values": CEMENT}
    assert post(reporting, "rita", body).status_code == 201
    clock.moment = datetime(2026, 12, 11, 4, tzinfo=UTC)  # a day after the due day
    overdue = reporting.client.get(
        "/api/v1/report-overdue?form=building_materials", headers=reporting.as_("vera")
    ).json()
    assert [(row["credit_code"], row["overdue"], row["days_late"]) for row in overdue["items"]] == [
        ("91110000MA01ABCD2X", True, 1)
    ]
    for period in ("2026-13", "9999-12", "0001-01"):  # the last two: no date overflows
        malformed = reporting.client.get(
            f"/api/v1/report-overdue?form=building_materials&period={period}",
            headers=reporting.as_("vera"),
        )
        assert malformed.status_code == 422, period
    # one reporter (expected: the one that ever reported it): withheld, for the desk only
    desk = reporting.client.get(
        "/api/v1/report-aggregates?material=cement", headers=reporting.as_("otto")
    ).json()
    output = next(a for a in desk["items"] if a["field"] == "cement_output")
    assert (output["status"], output["reporters"], output["expected"]) == ("withheld", 1, 1)
    assert output["total"] == 120.0 and output["level"] is None
    with reporting.factory() as session:  # one enterprise's figure, read by the desk: audited
        audited = session.scalars(
            select(AuditEntry.actor).where(AuditEntry.action == "report_aggregates_read")
        ).all()
    assert audited == ["otto"]
    viewer = reporting.client.get(
        "/api/v1/report-aggregates?material=cement", headers=reporting.as_("vera")
    ).json()
    assert viewer["items"] == [] and viewer["total"] == 0
    refused = reporting.client.get("/api/v1/report-aggregates", headers=reporting.as_("rita"))
    assert refused.status_code == 403


def reporter_is_not_made_without_its_enterprise_through_the_api(reporting: Api) -> None:
    body = {"name": "rex", "role": "reporter", "password": "a-long-password"}
    refused = reporting.client.post("/api/v1/users", json=body, headers=reporting.as_("ada"))
    assert refused.status_code == 422 and "--enterprise" in refused.text


# the checks above share a store where they cannot disturb one another: one store each
def test_forms_the_desk_submitting_and_no_reporter_without_an_enterprise(reporting: Api) -> None:
    reporter_sees_its_own_forms_with_the_open_period(reporting)
    desk_submits_for_a_named_enterprise_only(reporting)
    reporter_is_not_made_without_its_enterprise_through_the_api(reporting)


def test_refused_submissions_store_nothing(reporting: Api) -> None:
    bad_submission_names_each_refused_field_and_stores_nothing(reporting)
    periods_not_yet_ended_or_malformed_are_refused(reporting)


def test_a_submission_is_its_enterprises_alone(reporting: Api) -> None:
    submission_is_stored_for_the_reporters_enterprise(reporting)
    reporter_cannot_read_or_write_another_enterprises_reports(reporting)


@pytest.mark.parametrize("value", [10**400, -(10**400), 1.7e308])
def test_a_value_no_enterprise_could_report_is_refused_by_field(
    reporting: Api, value: float
) -> None:
    answer = post(
        reporting,
        "rita",
        {
            "form": "building_materials",
            "period": "2026-11",
            "values": {**CEMENT, "cement_output": value},
        },
    )
    assert answer.status_code == 422
    assert set(answer.json()["fields"]) == {"cement_output"}
    with reporting.factory() as session:
        assert session.scalars(select(Report)).all() == []


def test_a_viewer_cannot_read_back_an_enterprise_that_joined(reporting: Api) -> None:
    # three enterprises report October; a fourth joins in November: a viewer given both sums
    # and the like-for-like change could compute the fourth's figure; it gets neither
    codes = [ENTERPRISE_A, "91110000MA01ABCD2X", "91350100M000100Y43", "91440300708461136T"]
    for code in codes[1:]:
        add_enterprise(reporting, code, sector="building_materials")
    for period, values in (("2026-10", [100.0, 100.0, 100.0]), ("2026-11", [110.0] * 3 + [77.0])):
        for code, value in zip(codes, values, strict=False):
            body = {
                "form": "building_materials",
                "period": period,
                "enterprise": code,
                "values": {"cement_output": value},
            }
            answer = reporting.client.post(
                "/api/v1/reports", json=body, headers=reporting.as_("otto")
            )
            assert answer.status_code == 201, answer.text

    def output(who: str) -> dict[str, Any]:
        page = reporting.client.get(
            "/api/v1/report-aggregates?material=cement&period=2026-11",
            headers=reporting.as_(who),
        ).json()
        return next(a for a in page["items"] if a["field"] == "cement_output")

    viewer, desk = output("vera"), output("otto")
    assert (viewer["total"], viewer["common"], viewer["change"]) == (None, None, None)
    assert viewer["level"] == pytest.approx(330.0) and viewer["reporters"] == 4
    assert (desk["total"], desk["common"]) == (407.0, 3)
    assert desk["change"] == pytest.approx(0.10)
