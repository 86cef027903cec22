"""Messages: inhibition, ids, subjects and bodies in Chinese and English, HTML escaping of
hostile text, and the registry."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from alerts import (
    CHANNELS,
    DeliveryContext,
    EndpointKind,
    Language,
    Message,
    NoticeKind,
    Outcome,
    deliver,
    inhibit,
    make_message,
)
from alerts.render import render_email, subject
from tests.alerts.conftest import Receiver, Reply, run_with_sender
from tests.alerts.samples import NOW, endpoint, event, message, recipient
from vocabulary import Direction, Level

RED_CU = event(event_id="cu-red", material_id="copper", level=Level.RED)
YELLOW_CU = event(event_id="cu-yellow", material_id="copper", level=Level.YELLOW)
BLUE_CU = event(event_id="cu-blue", material_id="copper", level=Level.BLUE)
RESOLVED_CU = event(
    event_id="cu-resolved", material_id="copper", level=Level.BLUE, change=NoticeKind.RESOLVED
)
YELLOW_NI = event(event_id="ni-yellow", material_id="nickel", level=Level.YELLOW)
RESOLVED_RED_CU = event(
    event_id="cu-red-resolved", material_id="copper", level=Level.RED, change=NoticeKind.RESOLVED
)


@pytest.mark.parametrize(
    ("events", "kept"),
    [
        ([RED_CU, YELLOW_CU, BLUE_CU], ["cu-red"]),
        ([YELLOW_CU, RED_CU], ["cu-red"]),
        ([YELLOW_CU, BLUE_CU], ["cu-yellow", "cu-blue"]),  # only red hides
        ([RED_CU, YELLOW_NI], ["cu-red", "ni-yellow"]),  # per material
        ([RED_CU, RESOLVED_CU], ["cu-red", "cu-resolved"]),  # resolutions are kept
        (
            [RESOLVED_RED_CU, YELLOW_CU],
            ["cu-red-resolved", "cu-yellow"],
        ),  # a resolved red hides nothing
        ([], []),
    ],
)
def test_inhibition(events: list, kept: list[str]) -> None:
    assert [e.event_id for e in inhibit(events)] == kept


def test_make_message_inhibits_and_puts_the_most_severe_first() -> None:
    built = make_message(recipient(), endpoint(), [YELLOW_NI, BLUE_CU, RED_CU])
    assert [e.event_id for e in built.events] == ["cu-red", "ni-yellow"]
    with pytest.raises(ValueError, match="at least one"):
        Message(recipient(), endpoint(), ())


def test_delivery_ids_depend_on_the_endpoint_and_the_set_of_events() -> None:
    a = message(EndpointKind.WEBHOOK, RED_CU, YELLOW_NI)
    b = message(EndpointKind.WEBHOOK, YELLOW_NI, RED_CU)
    assert a.delivery_id == b.delivery_id
    assert a.delivery_id != message(EndpointKind.WEBHOOK, RED_CU).delivery_id
    assert a.delivery_id != replace(a, endpoint=endpoint(endpoint_id="other")).delivery_id


@pytest.mark.parametrize(
    ("language", "events", "expected"),
    [
        (Language.ZH, (event(),), "【红色预警】铜：新发预警"),
        (Language.EN, (event(),), "[Red warning] Copper: new warning"),
        (
            Language.ZH,
            (event(change=NoticeKind.RESOLVED, level=Level.YELLOW),),
            "铜：预警解除",
        ),
        (
            Language.ZH,
            (event(), event(event_id="e2", material_id="ni", material_zh="镍", level=Level.YELLOW)),
            "【红色预警】2项原材料预警更新：铜、镍",
        ),
        (
            Language.EN,
            (event(), event(event_id="e2", material_id="ni", material_en="Nickel")),
            "[Red warning] 2 raw-material warning updates: Copper, Nickel",
        ),
    ],
)
def test_subjects(language: Language, events: tuple, expected: str) -> None:
    assert subject(message(EndpointKind.EMAIL, *events, language=language)) == expected


@pytest.mark.parametrize(
    ("language", "must_contain"),
    [
        (
            Language.ZH,
            [
                "张示例，您好：",
                "红色预警",
                "上行（偏紧或上涨）",
                "原因：",
                "库存降至五年低位",
                "98,450 元/吨",
                "2026-03-02",
                "退订此类通知",
            ],
        ),
        (
            Language.EN,
            [
                "Dear Alex Example,",
                "Red warning",
                "up (tightening or rising)",
                "Reasons: ",
                "Stocks at a 5-year low",
                "98,450 元/吨",
                "Unsubscribe from these notices",
            ],
        ),
    ],
)
def test_the_text_part_is_complete_in_each_language(
    language: Language, must_contain: list[str]
) -> None:
    rendered = render_email(message(EndpointKind.EMAIL, language=language), cid_domain="d")
    for needle in must_contain:
        assert needle in rendered.text, needle
        assert needle.strip(": ,：") in rendered.html, needle
    assert "https://warning.example.gov.cn/warnings/17" in rendered.text


def test_a_de_escalation_names_the_previous_level() -> None:
    down = event(
        change=NoticeKind.DE_ESCALATED,
        level=Level.YELLOW,
        previous_level=Level.RED,
        direction=Direction.DOWN,
    )
    rendered = render_email(message(EndpointKind.EMAIL, down), cid_domain="d")
    assert "黄色 (原级别 红色)" in rendered.text and "预警降级" in rendered.text


def test_hostile_text_is_escaped_in_html_and_kept_verbatim_in_text() -> None:
    hostile = "<script>alert('x')</script><img src=x onerror=alert(1)>"
    bad = event(reasons_zh=(hostile,), material_zh="铜<b>", basis='"><iframe>')
    sent = Message(
        recipient(contact_name="<svg onload=alert(1)>"),
        endpoint(EndpointKind.EMAIL),
        (bad,),
    )
    rendered = render_email(sent, cid_domain="d")
    for raw in ("<script>", "<img src=x", "<b>", "<iframe>", "<svg"):
        assert raw not in rendered.html, raw
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in rendered.html
    assert hostile in rendered.text  # the text part is text: nothing to escape


def test_charts_become_cid_images_only_when_present() -> None:
    rendered = render_email(
        message(EndpointKind.EMAIL, event(), event(event_id="e2", chart=None)), cid_domain="dom"
    )
    assert len(rendered.images) == 1
    assert rendered.images[0].cid == "chart-0-e-101@dom"
    assert rendered.html.count('src="cid:') == 1
    assert 'alt="铜价走势"' in rendered.html


def test_every_endpoint_kind_has_a_channel() -> None:
    assert set(CHANNELS) == set(EndpointKind)


def test_an_engine_error_becomes_a_permanent_result_not_an_exception(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Broken:
        kind = EndpointKind.WEBHOOK

        async def send(self, message: Message, context: DeliveryContext) -> object:
            raise KeyError("a bug")

    monkeypatch.setitem(CHANNELS, EndpointKind.WEBHOOK, Broken())
    result = asyncio.run(deliver(message(), DeliveryContext(now=lambda: NOW)))
    assert result.outcome is Outcome.PERMANENT
    assert "engine error in the webhook channel: KeyError" in (result.error or "")


def test_a_webhook_secret_that_is_not_base64_is_permanent(receiver: Receiver) -> None:
    broken = message(url=receiver.url, secrets=("whsec_",))
    result = run_with_sender(lambda ctx: deliver(broken, ctx))
    assert result.outcome is Outcome.PERMANENT and receiver.received == []


def test_a_synchronous_batch_mixes_channels_and_keeps_the_order(receiver: Receiver) -> None:
    from alerts import deliver_batch
    from tests.alerts.conftest import http_options

    receiver.serve(Reply(200, b'{"errcode": 0}'))
    batch = [
        message(EndpointKind.WEBHOOK, url=receiver.url + "/a"),
        message(EndpointKind.WECOM, url=receiver.url + "/b"),
        message(EndpointKind.EMAIL),  # no mail settings: permanent, says so
    ]
    results = deliver_batch(batch, now=lambda: NOW, http=http_options())
    assert [r.outcome for r in results] == [Outcome.OK, Outcome.OK, Outcome.PERMANENT]
    assert [r.delivery_id for r in results[:2]] == [m.delivery_id for m in batch[:2]]
    assert sorted(r.path for r in receiver.received) == ["/a", "/b"]
