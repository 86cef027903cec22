"""A simulated reporting month: the 268 whitelist enterprises of the bundled directory report
November 2026 through the API, the web form and the XLSX template (a third each), on SQLite.

The store holds the bundled sample (so the evaluation after the aggregates is the real one),
the bundled directory, one reporter per enterprise and October's reports (the history the
jumps are judged against). Then, with the clock at 2026-12-03: each enterprise reports the
figures of one of its form's materials; 6 % first send stocks whose total is not the sum of
their parts (refused, 422, then corrected), 3 % an output four times their usual (a jump:
stored, asked about, then confirmed), 8 % wait past the due day (2026-12-10), 2 % never
report. Reminders are
queued on 2026-12-07 (due soon) and 2026-12-11 (overdue), and queued again the next day (no
duplicate); the late ones report on 2026-12-12; then the aggregates are stored and the
materials evaluated.

Figures: ``reporting_submissions`` and ``reporting_accepted`` / ``reporting_refused`` (and per
channel ``reporting_<channel>_accepted``), ``reporting_questions`` (jumps asked about),
``reporting_reminders_due_soon`` / ``_overdue`` / ``_repeated`` (queued again the next day:
0 expected), ``reporting_aggregates`` / ``_counted`` / ``_no_data`` / ``_withheld``,
``reporting_update_seconds``: from the last submission to an updated assessment (aggregates
computed and stored, derived, every material evaluated: ``aggregate_reports``), and
``reporting_submit_ms``: the mean time of one accepted API submission.

Run: ``python -m benchmarks reporting``.
"""

from __future__ import annotations

import io
import random
import re
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Final

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from warning import clock
from warning.accounts.service import create_token
from warning.clock import FrozenClock, use_clock
from warning.context import ServiceContext, initialise
from warning.directory.models import Enterprise
from warning.jobs.demo import bundled_directory, bundled_sample_dir
from warning.jobs.directory import import_directory
from warning.jobs.ingest import ingest_file
from warning.jobs.reminders import queue_reminders
from warning.jobs.reporting import aggregate_reports, reporting_forms
from warning.reporting.aggregation import AggregateStatus
from warning.reporting.checks import Entry
from warning.reporting.forms import Form
from warning.reporting.models import Channel
from warning.reporting.reporters import add_reporter
from warning.reporting.service import forms_for, submit
from warning.settings import load_settings
from warning.store import transaction
from warning.web.app import create_web_app

PASSWORD: Final = "reporter-password"
CSRF: Final = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
ON_TIME: Final = datetime(2026, 12, 3, 2, tzinfo=UTC)
LATE: Final = datetime(2026, 12, 12, 2, tzinfo=UTC)


@dataclass
class Plan:
    """One enterprise's month: its form, material, channel, figures and mishaps."""

    name: str
    credit_code: str
    form: Form
    material: str
    channel: Channel
    values: dict[str, float]
    bad_total: bool
    jump: bool
    late: bool
    silent: bool  # never reports this month


def figures_of(rng: random.Random, material: str, scale: float = 1.0) -> dict[str, float]:
    capacity = rng.uniform(50, 500)
    utilisation = rng.uniform(60, 90)
    output = capacity / 12 * utilisation / 100 * scale
    plant, external = output * rng.uniform(0.1, 0.4), output * rng.uniform(0.05, 0.2)
    return {
        f"{material}_output": round(output, 2),
        f"{material}_stock_plant": round(plant, 2),
        f"{material}_stock_external": round(external, 2),
        f"{material}_stock": round(plant, 2) + round(external, 2),
        f"{material}_new_orders": round(output * rng.uniform(0.8, 1.2), 2),
        f"{material}_utilisation": round(utilisation, 1),
        f"{material}_capacity": round(capacity, 1),
    }


def setup(folder: Path) -> tuple[ServiceContext, list[Plan], dict[str, float]]:
    settings = load_settings(
        database_url=f"sqlite:///{folder / 'reporting.db'}",
        var_dir=folder / "var",
        secret_key="bench-secret",
        webhook_allow="127.0.0.0/8",  # the bundled directory's demo endpoints
    )
    context = initialise(settings)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    imported = import_directory(context, bundled_directory(), actor="bench")
    assert not imported.rejects, imported.rejects[:3]
    for path in sorted(bundled_sample_dir().glob("*.csv")):
        ingest_file(context.factory, path, feed="sample", today=date(2026, 12, 1))
    timings["reporting_setup_seconds"] = time.perf_counter() - started
    forms = reporting_forms(context)
    rng = random.Random(23)
    plans = []
    with (
        use_clock(FrozenClock(datetime(2026, 11, 5, 2, tzinfo=UTC))),
        transaction(context.factory) as session,
    ):
        enterprises = session.scalars(select(Enterprise).order_by(Enterprise.id)).all()
        in_form: Counter[str] = Counter()
        for index, enterprise in enumerate(enterprises):
            (form,) = forms_for(forms, enterprise)
            material = form.materials[in_form[form.id] % len(form.materials)]
            in_form[form.id] += 1
            name = f"r{index:03d}"
            add_reporter(
                session,
                name=name,
                password=PASSWORD,
                credit_code=enterprise.credit_code,
                actor="bench",
                now=clock.now(),
            )
            october = figures_of(rng, material)
            submit(  # October, on time: the history
                session,
                forms=forms,
                enterprise=enterprise,
                form_id=form.id,
                period="2026-10",
                entries={k: Entry(v) for k, v in october.items()},
                actor=name,
                channel=Channel.API,
                today=date(2026, 11, 5),
                now=clock.now(),
            )
            november = {
                k: round(v * rng.uniform(0.95, 1.08), 2) if "capacity" not in k else v
                for k, v in october.items()
            }
            november[f"{material}_stock"] = round(
                november[f"{material}_stock_plant"] + november[f"{material}_stock_external"],
                2,
            )
            plans.append(
                Plan(
                    name=name,
                    credit_code=enterprise.credit_code,
                    form=form,
                    material=material,
                    channel=(Channel.API, Channel.WEB, Channel.XLSX)[index % 3],
                    values=november,
                    bad_total=rng.random() < 0.06,
                    jump=rng.random() < 0.03 and index % 3 != 2,
                    late=rng.random() < 0.08,
                    silent=rng.random() < 0.02,
                )
            )
    return context, plans, timings


class Month:
    """Sends the plans through the app and counts what happened."""

    def __init__(self, context: ServiceContext) -> None:
        self.context = context
        self.app = create_web_app(context)
        self.counts: Counter[str] = Counter()
        self.api_ms: list[float] = []
        self.api = TestClient(self.app)
        with transaction(context.factory) as session:
            self.tokens = {}
            for index in range(268):
                name = f"r{index:03d}"
                _row, self.tokens[name] = create_token(
                    session,
                    user_name=name,
                    label="bench",
                    expires_days=None,
                    actor="bench",
                    now=clock.now(),
                )

    def report(self, plan: Plan) -> None:
        values = dict(plan.values)
        if plan.jump:
            values[f"{plan.material}_output"] = round(values[f"{plan.material}_output"] * 4, 2)
        if plan.bad_total:
            wrong = dict(values)
            wrong[f"{plan.material}_stock"] = round(values[f"{plan.material}_stock"] * 1.1, 2)
            self.send(plan, wrong)
        questions = self.send(plan, values)
        if questions:
            self.send(plan, values, confirm=questions)

    def send(
        self, plan: Plan, values: dict[str, float], confirm: tuple[str, ...] | list[str] = ()
    ) -> list[str]:
        self.counts["submissions"] += 1
        if plan.channel == Channel.API:
            return self.by_api(plan, values, list(confirm))
        if plan.channel == Channel.WEB or confirm:
            return self.by_web(plan, values, list(confirm))
        return self.by_xlsx(plan, values)

    def count(self, plan: Plan, accepted: bool, questions: list[str]) -> list[str]:
        channel = plan.channel if plan.channel != Channel.XLSX or not questions else "web"
        key = "accepted" if accepted else "refused"
        self.counts[key] += 1
        self.counts[f"{channel}_{key}"] += 1
        self.counts["questions"] += len(questions)
        return questions

    def by_api(self, plan: Plan, values: dict[str, float], confirm: list[str]) -> list[str]:
        started = time.perf_counter()
        answer = self.api.post(
            "/api/v1/reports",
            json={"form": plan.form.id, "period": "2026-11", "values": values, "confirm": confirm},
            headers={"Authorization": f"Bearer {self.tokens[plan.name]}"},
        )
        elapsed = time.perf_counter() - started
        if answer.status_code == 201:
            self.api_ms.append(elapsed * 1000)
            questions = [q["field"] for q in answer.json()["questions"]]
            return self.count(plan, True, questions)
        return self.count(plan, False, [])

    def browser(self, plan: Plan) -> tuple[TestClient, str]:
        client = TestClient(self.app, follow_redirects=False)
        form = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token
        client.post(
            "/login",
            data={"name": plan.name, "password": PASSWORD, "csrf_token": token[1], "next": "/"},
        )
        page = client.get("/report")
        csrf = CSRF.search(page.text)
        assert csrf, page.text[:300]
        return client, csrf[1]

    def by_web(self, plan: Plan, values: dict[str, float], confirm: list[str]) -> list[str]:
        client, csrf = self.browser(plan)
        data: dict[str, Any] = {"csrf_token": csrf, "form": plan.form.id, "period": "2026-11"}
        data.update({f"value:{k}": str(v) for k, v in values.items()})
        if confirm:
            data["confirm"] = confirm
        answer = client.post("/report", data=data)
        if answer.status_code != 303:
            return self.count(plan, False, [])
        page = client.get(answer.headers["location"])
        questions = re.findall(r'name="confirm" value="([^"]+)"', page.text)
        return self.count(plan, True, questions if not confirm else [])

    def by_xlsx(self, plan: Plan, values: dict[str, float]) -> list[str]:
        client, csrf = self.browser(plan)
        template = client.get(f"/report/template.xlsx?form={plan.form.id}&period=2026-11")
        book = load_workbook(io.BytesIO(template.content))
        sheet = book.active
        for row in range(6, sheet.max_row + 1):
            field = sheet.cell(row=row, column=1).value
            if field in values:
                sheet.cell(row=row, column=4, value=values[field])
        out = io.BytesIO()
        book.save(out)
        answer = client.post(
            "/report/upload",
            data={"csrf_token": csrf, "form": plan.form.id},
            files={"file": ("filled.xlsx", out.getvalue(), "application/octet-stream")},
        )
        return self.count(plan, answer.status_code == 303, [])


def run() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        context, plans, figures = setup(Path(folder))
        with use_clock(FrozenClock(ON_TIME)) as frozen:
            month = Month(context)
            for plan in plans:
                if not plan.late and not plan.silent:
                    month.report(plan)
            reminders = {
                "due_soon": queue_reminders(context, today=date(2026, 12, 7)).queued,
                "overdue": queue_reminders(context, today=date(2026, 12, 11)).queued,
                "repeated": queue_reminders(context, today=date(2026, 12, 8)).queued
                + queue_reminders(context, today=date(2026, 12, 12)).queued,
            }
            assert isinstance(frozen, FrozenClock)
            frozen.moment = LATE
            for plan in plans:
                if plan.late and not plan.silent:
                    month.report(plan)
            started = time.perf_counter()
            outcome = aggregate_reports(context)
            update_seconds = time.perf_counter() - started
        statuses = Counter(str(a.status) for a in outcome.computed)
        figures.update({f"reporting_{k}": float(v) for k, v in month.counts.items()})
        figures.update({f"reporting_reminders_{k}": float(v) for k, v in reminders.items()})
        figures.update(
            {
                "reporting_enterprises": float(len(plans)),
                "reporting_late": float(sum(p.late and not p.silent for p in plans)),
                "reporting_silent": float(sum(p.silent for p in plans)),
                "reporting_min_coverage": min(a.coverage for a in outcome.computed),
                "reporting_aggregates": float(len(outcome.computed)),
                "reporting_counted": float(statuses[AggregateStatus.OK]),
                "reporting_no_data": float(statuses[AggregateStatus.NO_DATA]),
                "reporting_withheld": float(statuses[AggregateStatus.WITHHELD]),
                "reporting_values_stored": float(outcome.stored.accepted),
                "reporting_update_seconds": update_seconds,
                "reporting_submit_ms": sum(month.api_ms) / max(len(month.api_ms), 1),
            }
        )
        context.engine.dispose()
        return figures
