"""Who gets this: the item page lists, before approval, the deliveries approving would make,
as ``warning alerts dry-run`` finds them (the routing's own ``targets``)."""

from __future__ import annotations

import re

from tests.web.conftest import Web
from tests.web.test_web_operations import ROWS, _csv, _upload
from tests.web.test_web_pages import evaluate
from vocabulary import Direction, Level
from warning.delivery.routing import targets
from warning.store import read_only


def _panel(page: str) -> list[tuple[str, str, str]]:
    table = re.search(r'<table class="recipients">(.*?)</table>', page, re.S)
    if table is None:
        return []
    return re.findall(
        r'<tr><td><span translate="no">([^<]*)</span></td><td><span translate="no">([^<]*)'
        r"</span></td><td>([^<]*)</td>",
        table.group(1),
    )


def test_the_item_page_lists_whom_approving_would_reach_as_the_dry_run_does(web: Web) -> None:
    assert _upload(web, "ada", "contacts.csv", _csv(*ROWS)).status_code == 303
    items = evaluate(web, {"copper": ("red", "up"), "zinc": ("yellow", "down")})
    page = web.as_("otto").get(f"/items/{items['copper']}").text
    with read_only(web.factory) as session:
        expected = [
            (t.contact.enterprise.name, t.contact.name, str(t.channel))
            for t in targets(session, material_id="copper", level=Level.RED, direction=Direction.UP)
        ]
    assert expected == [("演示铜业（Demo）", "张伟", "email")]  # copper from yellow, any way
    assert [(e, c) for e, c, _ch in _panel(page)] == [(e, c) for e, c, _ch in expected]
    assert "电子邮件" in page and "铜：黄色及以上" in page

    zinc = web.as_("otto").get(f"/items/{items['zinc']}").text
    assert [row[:2] for row in _panel(zinc)] == [("Demo Zinc Co", "Li Na")]  # zinc from blue
    with read_only(web.factory) as session:
        assert len(targets(session, material_id="zinc", level=Level.YELLOW, direction="down")) == 1
