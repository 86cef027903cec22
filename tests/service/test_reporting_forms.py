"""The reporting forms file: the bundled forms, periods and due days, and a bad file refused
naming where."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from warning.catalog import load_catalog
from warning.directory.models import Enterprise
from warning.errors import Invalid
from warning.reporting.forms import ReportingConfigError, load_forms, period_end
from warning.reporting.overdue import outstanding
from warning.store import transaction

CATALOG = load_catalog()


def test_the_bundled_forms_cover_every_sector_and_material() -> None:
    forms = load_forms(None, materials=CATALOG.material_ids)
    sectors = {sector for form in forms.forms for sector in form.sectors}
    assert sectors == {m.sector for m in CATALOG.materials}
    assert {m for form in forms.forms for m in form.materials} == CATALOG.material_ids
    glass = forms.get("building_materials")
    assert glass is not None
    assert glass.field("flat_glass_output").unit == "10k weight-cases"  # type: ignore[union-attr]
    assert glass.field("flat_glass_capacity").unit == "10k weight-cases/yr"  # type: ignore[union-attr]
    assert glass.field("cement_stock").total_of == (  # type: ignore[union-attr]
        "cement_stock_plant",
        "cement_stock_external",
    )


def test_open_period_and_due_day_of_a_monthly_form() -> None:
    form = load_forms(None, materials=CATALOG.material_ids).get("ferrous")
    assert form is not None
    assert form.open_period(date(2026, 12, 1)) == "2026-11"  # November ended yesterday
    assert form.open_period(date(2026, 11, 30)) == "2026-10"
    assert form.open_period(date(2027, 1, 1)) == "2026-12"
    assert form.due_date("2026-11") == date(2026, 12, 10)
    assert form.due_date("2027-02") == date(2027, 3, 10)
    assert form.previous("2027-01") == "2026-12"
    assert period_end("2028-02") == date(2028, 2, 29)


def test_a_weekly_form_reports_iso_weeks(tmp_path: Path) -> None:
    path = tmp_path / "weekly.yaml"
    path.write_text(
        "version: 1\nmeasures:\n  - {id: output, name_zh: 产量, name_en: Output, unit: 10k t, "
        "max: 100}\n"
        "forms:\n  - {id: steel_weekly, name_zh: 钢铁周报, name_en: Steel weekly, "
        "sectors: [ferrous], frequency: W, due_day: 2, materials: [steel]}\n",
        encoding="utf-8",
    )
    form = load_forms(path, materials=CATALOG.material_ids).get("steel_weekly")
    assert form is not None
    # Monday 2026-12-07: the week that ended is 2026-W49 (Nov 30 - Dec 6), due Tuesday
    assert form.open_period(date(2026, 12, 7)) == "2026-W49"
    assert form.open_period(date(2026, 12, 6)) == "2026-W48"
    assert form.due_date("2026-W49") == date(2026, 12, 8)
    assert form.previous("2026-W01") == "2025-W52"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("version: 2\nmeasures: []\nforms: []\n", "version"),
        (
            "version: 1\nmeasures:\n  - {id: output, name_zh: 产量, name_en: Output, unit: t}\n"
            "forms:\n  - {id: f, name_zh: 表, name_en: F, sectors: [x], frequency: M, "
            "due_day: 10, materials: [steel]}\n",
            "measures.0.max: Field required",
        ),
        (
            "version: 1\nmeasures:\n  - {id: stock, name_zh: 库存, name_en: Stocks, unit: t, "
            "max: 1, "
            "total_of: [plant]}\nforms:\n  - {id: f, name_zh: 表, name_en: F, sectors: [x], "
            "frequency: M, due_day: 10, materials: [steel]}\n",
            "measure stock: total_of names no measure 'plant'",
        ),
        (
            "version: 1\nmeasures:\n  - {id: output, name_zh: 产量, name_en: Output, unit: t, "
            "max: 1}\n"
            "forms:\n  - {id: f, name_zh: 表, name_en: F, sectors: [x], frequency: M, "
            "due_day: 10, materials: [gold]}\n",
            "form f: 'gold' is not one of its catalog materials",
        ),
        (
            "version: 1\nmeasures:\n  - {id: output, name_zh: 产量, name_en: Output, unit: t, "
            "max: 1}\n"
            "forms:\n  - {id: f, name_zh: 表, name_en: F, sectors: [x], frequency: D, "
            "due_day: 10, materials: [steel]}\n",
            "frequency: expected M or W",
        ),
    ],
)
def test_a_bad_forms_file_is_refused_naming_where(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "forms.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ReportingConfigError, match=str(path)) as refused:
        load_forms(path, materials=CATALOG.material_ids)
    assert problem in str(refused.value)


def test_a_period_without_a_form_lists_the_forms_reported_by_such_periods(
    tmp_path: Path, factory: sessionmaker[Session]
) -> None:
    path = tmp_path / "mixed.yaml"
    path.write_text(
        "version: 1\nmeasures:\n  - {id: output, name_zh: 产量, name_en: Output, unit: 10k t, "
        "max: 100}\nforms:\n"
        "  - {id: steel_weekly, name_zh: 钢铁周报, name_en: Steel weekly, "
        "sectors: [ferrous], frequency: W, due_day: 2, materials: [steel]}\n"
        "  - {id: steel_monthly, name_zh: 钢铁月报, name_en: Steel monthly, "
        "sectors: [ferrous], frequency: M, due_day: 10, materials: [steel]}\n",
        encoding="utf-8",
    )
    forms = load_forms(path, materials=CATALOG.material_ids)
    now = datetime(2026, 12, 7, 4, tzinfo=UTC)
    with transaction(factory) as session:
        session.add(
            Enterprise(
                name="钢厂", credit_code="C1", sector="ferrous", created_at=now, updated_at=now
            )
        )
    today = date(2026, 12, 7)
    with factory() as session:
        monthly = outstanding(session, forms=forms, today=today, period="2026-11")
        weekly = outstanding(session, forms=forms, today=today, period="2026-W48")
        both = outstanding(session, forms=forms, today=today)
        with pytest.raises(Invalid, match="period '2026-13'"):
            outstanding(session, forms=forms, today=today, period="2026-13")
        with pytest.raises(Invalid, match=r"form steel_weekly is reported as e\.g\. 2026-W47"):
            outstanding(session, forms=forms, today=today, form_id="steel_weekly", period="2026-11")
    assert [(row.form, row.period) for row in monthly] == [("steel_monthly", "2026-11")]
    assert [(row.form, row.period) for row in weekly] == [("steel_weekly", "2026-W48")]
    assert [(row.form, row.period) for row in both] == [
        ("steel_weekly", "2026-W49"),
        ("steel_monthly", "2026-11"),
    ]
