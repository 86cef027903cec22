"""The operators' pages: the outbox (``/deliveries``, replaying a dead delivery) and the
directory (``/directory``: contacts, export, and the admins' import of a CSV or XLSX file)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import httpx
from docx import Document
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from tests.delivery.conftest import CODES, HEADER
from tests.web.conftest import Web
from warning import clock
from warning.audit.models import AuditEntry
from warning.delivery.models import Delivery, DeliveryStatus
from warning.directory.models import Contact, ContactEndpoint, Enterprise
from warning.store import read_only, transaction

ROWS = [
    f"演示铜业（Demo）,{CODES[0]},true,张伟,a@copper.example,zh,,,copper,yellow,nonferrous,email",
    f"Demo Zinc Co,{CODES[1]},false,Li Na,b@zinc.example,en,,,zinc,blue,nonferrous,email",
]


def _csv(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")


def _upload(web: Web, name: str, filename: str, data: bytes) -> httpx.Response:
    browser = web.as_(name)
    return browser.post(
        "/directory/import",
        data={"csrf_token": web.csrf(name)},
        files={"file": (filename, data, "application/octet-stream")},
    )


def _contacts(web: Web) -> int:
    with read_only(web.factory) as session:
        return int(session.scalar(select(func.count()).select_from(Contact)) or 0)


def test_an_admin_imports_the_directory_and_operators_read_and_export_it(web: Web) -> None:
    answer = _upload(web, "ada", "contacts.csv", _csv(*ROWS))
    assert answer.status_code == 303, answer.text[:2000]
    assert answer.headers["location"] == "/directory?imported=2,2"
    assert _contacts(web) == 2

    page = web.as_("otto").get("/directory?lang=en").text
    assert "2 enterprises (1 key contacts), 2 contacts" in page
    assert "a@copper.example" in page and "b@zinc.example" in page
    assert 'action="/directory/import"' not in page  # importing is for admins
    found = web.as_("otto").get("/directory?q=ZINC").text
    assert "b@zinc.example" in found and "a@copper.example" not in found

    assert "/directory/export.csv" not in page  # the export holds every secret: admins only
    assert web.as_("otto").get("/directory/export.csv").status_code == 403
    exported = web.as_("ada").get("/directory/export.csv")
    assert exported.status_code == 200 and "attachment" in exported.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8"))))
    assert sorted(row["email"] for row in rows) == ["a@copper.example", "b@zinc.example"]
    workbook = load_workbook(io.BytesIO(web.as_("ada").get("/directory/export.xlsx").content))
    assert workbook.active is not None and workbook.active.max_row == 3
    with read_only(web.factory) as session:
        audit = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "directory_imported")
        ).first()
    assert audit is not None and (audit.actor, audit.subject) == ("ada", "file:contacts.csv")

    again = _upload(web, "ada", "export.csv", exported.content)  # the export imports as is
    assert again.headers["location"] == "/directory?imported=2,0"


def test_an_xlsx_upload_imports_like_a_csv(web: Web) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for line in [HEADER, *ROWS]:
        sheet.append(next(csv.reader([line])))
    data = io.BytesIO()
    book.save(data)
    answer = _upload(web, "ada", "通讯录.xlsx", data.getvalue())
    assert answer.status_code == 303 and _contacts(web) == 2


def test_a_file_with_a_refused_row_imports_nothing_and_says_where(web: Web) -> None:
    bad = ROWS[1].replace("b@zinc.example", "not-an-email").replace(",zinc,", ",unobtainium,")
    answer = _upload(web, "ada", "contacts.csv", _csv(ROWS[0], bad))
    assert answer.status_code == 422
    text = answer.text
    assert '<td class="num">3</td><td><code>email</code></td>' in text
    assert '<td class="num">3</td><td><code>materials</code></td>' in text and "unobtainium" in text
    assert _contacts(web) == 0  # the good first row was not imported either


def test_unreadable_or_wrong_uploads_are_refused_by_name(web: Web) -> None:
    assert _upload(web, "ada", "contacts.txt", b"x").status_code == 422
    broken = _upload(web, "ada", "contacts.xlsx", b"not a workbook")
    assert broken.status_code == 422
    assert "contacts.xlsx: not a readable XLSX workbook" in broken.text
    assert "/tmp" not in broken.text
    headerless = _upload(web, "ada", "contacts.csv", b"name,email\nx,y\n")
    assert "missing columns" in headerless.text
    assert _contacts(web) == 0


def test_a_workbook_declaring_a_huge_sheet_is_refused_without_filling_it_in(web: Web) -> None:
    """One cell far down and to the right: read as at most 20,002 rows of 64 cells."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(next(csv.reader([HEADER])))
    sheet.cell(row=1_000_000, column=16_000, value="x")
    data = io.BytesIO()
    book.save(data)
    answer = _upload(web, "ada", "huge.xlsx", data.getvalue())
    assert answer.status_code == 422
    assert "at most 20000" in answer.text.replace(",", "")
    assert _contacts(web) == 0


def test_the_directory_is_for_operators_and_importing_for_admins(web: Web) -> None:
    assert web.as_("vera").get("/directory").status_code == 403
    assert web.as_("vera").get("/directory/export.csv").status_code == 403
    assert web.as_("otto").get("/directory/export.xlsx").status_code == 403
    assert _upload(web, "otto", "contacts.csv", _csv(*ROWS)).status_code == 403
    no_token = web.as_("ada").post(
        "/directory/import", files={"file": ("c.csv", _csv(*ROWS), "text/csv")}
    )
    assert no_token.status_code == 403 and _contacts(web) == 0
    assert "/directory" not in web.as_("vera").get("/").text.split("</nav>")[0]
    assert 'href="/deliveries"' in web.as_("otto").get("/").text


def _dead_and_sent(web: Web) -> tuple[int, int]:
    """Two deliveries to a contact's robot: one dead after its retries, one sent."""
    now = clock.now()
    with transaction(web.factory) as session:
        enterprise = Enterprise(
            name="演示铜业", credit_code=CODES[0], created_at=now, updated_at=now
        )
        session.add(enterprise)
        session.flush()
        contact = Contact(
            enterprise_id=enterprise.id,
            name="张伟",
            email="a@copper.example",
            created_at=now,
            updated_at=now,
        )
        session.add(contact)
        session.flush()
        robot = ContactEndpoint(
            contact_id=contact.id,
            kind="dingtalk",
            url="https://oapi.dingtalk.com/robot/send?access_token=SECRET-KEY",
            secrets="",
            created_at=now,
        )
        session.add(robot)
        session.flush()
        made = [
            Delivery(
                contact_id=contact.id,
                channel="dingtalk",
                endpoint_id=robot.id,
                status=status,
                created_at=now - timedelta(hours=7),
                send_after=now,
                next_attempt_at=now,
                attempts=attempts,
                last_error=error,
            )
            for status, attempts, error in (
                (DeliveryStatus.DEAD, 6, "HTTP 503"),
                (DeliveryStatus.SENT, 1, None),
            )
        ]
        session.add_all(made)
        session.flush()
        return made[0].id, made[1].id


def test_operators_see_the_outbox_and_replay_a_dead_delivery(web: Web) -> None:
    dead, sent = _dead_and_sent(web)
    page = web.as_("otto").get("/deliveries?status=dead&lang=en").text
    assert (
        "the server answered HTTP <code>503</code>" in page
        and f'action="/deliveries/{dead}/replay"' in page
    )
    assert "oapi.dingtalk.com/robot/send?…" in page and "SECRET-KEY" not in page
    assert f"<td>{sent}</td>" not in page  # filtered out
    every = web.as_("otto").get("/deliveries?lang=en").text
    assert f"<td>{sent}</td>" in every and f'action="/deliveries/{sent}/replay"' not in every

    replayed = web.post("otto", f"/deliveries/{dead}/replay", {})
    assert replayed.status_code == 303 and replayed.headers["location"].endswith(f"={dead}")
    with read_only(web.factory) as session:
        delivery = session.get(Delivery, dead)
        assert delivery is not None
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 0)
        audit = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "delivery_replayed")
        ).one()
        assert (audit.actor, audit.subject) == ("otto", f"delivery:{dead}")

    twice = web.post("otto", f"/deliveries/{dead}/replay", {})
    assert twice.headers["location"] == "/deliveries?problem=not-dead"
    assert web.post("otto", "/deliveries/99999/replay", {}).headers["location"].endswith("gone")
    assert web.as_("vera").get("/deliveries").status_code == 403
    assert web.post("vera", f"/deliveries/{dead}/replay", {}).status_code == 403


def test_any_user_downloads_a_bulletin_as_docx_in_their_language(web: Web) -> None:
    """The bulletin that goes out on the day: weekly covers the last full week, monthly the
    last full month."""
    answer = web.as_("vera").get("/bulletins/weekly.docx?date=2026-11-26")
    assert answer.status_code == 200, answer.text[:500]
    assert answer.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    assert 'filename="bulletin-weekly-2026-11-16.docx"' in answer.headers["content-disposition"]
    chinese = "\n".join(p.text for p in Document(io.BytesIO(answer.content)).paragraphs)
    assert "周" in chinese and "bulletin" not in chinese
    english = web.as_("vera").get("/bulletins/monthly.docx?date=2026-11-26&lang=en")
    text = "\n".join(p.text for p in Document(io.BytesIO(english.content)).paragraphs)
    assert (
        "monthly bulletin (October 2026)" in text
        and "2026-10-01" in english.headers["content-disposition"]
    )
    assert web.as_("vera").get("/bulletins/yearly.docx").status_code == 404
    assert web.as_("vera").get("/bulletins/daily.docx?date=26.11.2026").status_code == 422
    assert web.as_("vera").get("/bulletins/weekly.docx?date=0001-01-01").status_code == 422
    assert web.as_("vera").get("/bulletins/daily.docx?date=9999-12-31").status_code == 422
    assert web.anonymous().get("/bulletins/daily.docx").status_code == 303  # to the login


def test_an_upload_with_a_broken_or_huge_declared_length_is_refused_before_it_is_read(
    web: Web,
) -> None:
    browser = web.as_("ada")
    for declared, status, says in (
        ("many", 400, "Content-Length: expected a number"),
        (str(6 * 2**20), 413, "at most 5,242,880 bytes"),  # the page's own limit
        (str(50 * 2**20), 413, "WARNING_MAX_BODY_BYTES"),  # every request's, before the page
    ):
        answer = browser.post(
            "/directory/import",
            content=b"x",
            headers={"content-length": declared, "content-type": "multipart/form-data"},
        )
        assert answer.status_code == status and says in answer.text, (declared, answer.text)
    assert _contacts(web) == 0
