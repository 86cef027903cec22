"""DingTalk, WeCom and Feishu robots: signatures against values computed by openssl (an
implementation independent of Python's hmac), formats, and errors inside a 200 body."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from urllib.parse import parse_qs, quote_plus, urlsplit

import pytest

from alerts import EndpointKind, Language, Outcome, deliver
from alerts.channels import dingtalk, feishu, wecom
from tests.alerts.conftest import Receiver, Reply, run_with_sender
from tests.alerts.samples import NOW, event, message

# printf '1700000000000\nSECdemo0123456789abcdef' \
#   | openssl dgst -sha256 -hmac 'SECdemo0123456789abcdef' -binary | base64
DINGTALK_VECTOR = (
    1700000000000,
    "SECdemo0123456789abcdef",
    "uqqEBgsZDZ7Tr5zHangyqJmCFGh6+zk54sU2uRKcDZQ=",
)
# printf '' \
#   | openssl dgst -sha256 -hmac "$(printf '1700000000\ndemo-feishu-secret')" -binary | base64
FEISHU_VECTOR = (1700000000, "demo-feishu-secret", "V3Wp8znUoP+7XezI+6p/Lp2Uyk2BLceZJJbP1KE87hk=")


def test_dingtalk_signature_matches_openssl() -> None:
    timestamp, secret, expected = DINGTALK_VECTOR
    assert dingtalk.sign(timestamp, secret) == expected


def test_feishu_signature_matches_openssl_with_the_string_as_key() -> None:
    timestamp, secret, expected = FEISHU_VECTOR
    assert feishu.sign(timestamp, secret) == expected
    # the common mistake (secret as key, string as message) gives something else
    wrong = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256)
    assert base64.b64encode(wrong.digest()).decode() != expected


def test_dingtalk_signs_the_url_in_milliseconds(receiver: Receiver) -> None:
    secret = "SECdemo0123456789abcdef"
    sent = message(
        EndpointKind.DINGTALK, url=receiver.url + "/robot/send?access_token=tok", secrets=(secret,)
    )
    result = run_with_sender(lambda ctx: deliver(sent, ctx))
    assert result.ok, result.error
    got = receiver.received[0]
    query = parse_qs(urlsplit(got.path).query)
    timestamp = query["timestamp"][0]
    assert timestamp == str(int(NOW.timestamp() * 1000))
    assert query["access_token"] == ["tok"]
    # hand computation of the documented scheme
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    assert query["sign"][0] == base64.b64encode(digest).decode()
    assert got.path.split("sign=")[1] == quote_plus(base64.b64encode(digest).decode())
    body = got.json()
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["title"] == "【红色预警】铜：新发预警"
    assert "价格较 12 个月均值高 2.6 个标准差" in body["markdown"]["text"]
    assert '<font color="#c9302c">红色预警</font>' in body["markdown"]["text"]


def test_an_unsigned_dingtalk_robot_keeps_its_url() -> None:
    assert dingtalk.signed_url("https://x/robot/send?access_token=t", None, NOW).endswith("=t")


def test_feishu_sends_a_signed_interactive_card(receiver: Receiver) -> None:
    secret = "demo-feishu-secret"
    receiver.serve(Reply(200, b'{"code": 0, "msg": "success", "data": {}}'))
    sent = message(
        EndpointKind.FEISHU, url=receiver.url + "/open-apis/bot/v2/hook/t", secrets=(secret,)
    )
    result = run_with_sender(lambda ctx: deliver(sent, ctx))
    assert result.ok, result.error
    body = receiver.received[0].json()
    assert body["timestamp"] == str(int(NOW.timestamp()))
    key = f"{body['timestamp']}\n{secret}".encode()
    assert body["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert body["msg_type"] == "interactive"
    card = body["card"]
    assert card["header"]["template"] == "red"
    assert card["header"]["title"]["content"] == "【红色预警】铜：新发预警"
    assert card["elements"][0]["text"]["tag"] == "lark_md"
    assert card["elements"][1]["actions"][0]["url"] == "https://warning.example.gov.cn/warnings/17"


def test_wecom_sends_markdown_with_its_font_colours(receiver: Receiver) -> None:
    sent = message(EndpointKind.WECOM, url=receiver.url + "/cgi-bin/webhook/send?key=k", secrets=())
    result = run_with_sender(lambda ctx: deliver(sent, ctx))
    assert result.ok, result.error
    body = receiver.received[0].json()
    assert body["msgtype"] == "markdown"
    content = body["markdown"]["content"]
    assert '<font color="warning">红色预警</font>' in content
    assert "**铜**" in content
    assert len(content.encode()) <= 4096


def test_wecom_content_is_cut_to_its_limit() -> None:
    long_reasons = tuple(f"原因 {i} " + "很长" * 40 for i in range(40))
    body = wecom.body(message(EndpointKind.WECOM, event(reasons_zh=long_reasons)))
    assert len(body["markdown"]["content"].encode()) <= wecom.MAX_BYTES


@pytest.mark.parametrize(
    ("kind", "answer", "outcome", "wait"),
    [
        (EndpointKind.DINGTALK, {"errcode": 0, "errmsg": "ok"}, Outcome.OK, None),
        (
            EndpointKind.DINGTALK,
            {"errcode": 310000, "errmsg": "sign not match"},
            Outcome.PERMANENT,
            None,
        ),
        (
            EndpointKind.DINGTALK,
            {"errcode": 300001, "errmsg": "token is not exist"},
            Outcome.PERMANENT,
            None,
        ),
        (
            EndpointKind.DINGTALK,
            {"errcode": 130101, "errmsg": "send too fast"},
            Outcome.RETRYABLE,
            600.0,
        ),
        (EndpointKind.DINGTALK, {"errcode": -1, "errmsg": "系统繁忙"}, Outcome.RETRYABLE, 30.0),
        (EndpointKind.WECOM, {"errcode": 0, "errmsg": "ok"}, Outcome.OK, None),
        (
            EndpointKind.WECOM,
            {"errcode": 93000, "errmsg": "invalid webhook url"},
            Outcome.PERMANENT,
            None,
        ),
        (
            EndpointKind.WECOM,
            {"errcode": 45009, "errmsg": "api freq out of limit"},
            Outcome.RETRYABLE,
            60.0,
        ),
        (EndpointKind.FEISHU, {"code": 0, "msg": "success"}, Outcome.OK, None),
        (EndpointKind.FEISHU, {"StatusCode": 0, "StatusMessage": "success"}, Outcome.OK, None),
        (EndpointKind.FEISHU, {"code": 19021, "msg": "sign match fail"}, Outcome.PERMANENT, None),
        (EndpointKind.FEISHU, {"code": 11232, "msg": "frequency limited"}, Outcome.RETRYABLE, 60.0),
        (EndpointKind.FEISHU, {"unexpected": True}, Outcome.RETRYABLE, None),
    ],
)
def test_an_error_in_a_200_body_is_a_failure(
    receiver: Receiver,
    kind: EndpointKind,
    answer: dict[str, object],
    outcome: Outcome,
    wait: float | None,
) -> None:
    receiver.serve(Reply(200, json.dumps(answer).encode()))
    sent = message(kind, url=receiver.url + "/robot?key=k", secrets=("s",))
    result = run_with_sender(lambda ctx: deliver(sent, ctx))
    assert (result.outcome, result.status_code, result.retry_after_s) == (outcome, 200, wait)
    if outcome is not Outcome.OK:
        assert result.error


def test_a_body_that_is_not_json_is_retryable(receiver: Receiver) -> None:
    receiver.serve(Reply(200, b"<html>gateway</html>"))
    result = run_with_sender(
        lambda ctx: deliver(message(EndpointKind.WECOM, url=receiver.url), ctx)
    )
    assert result.outcome is Outcome.RETRYABLE


def test_hostile_text_cannot_inject_markup_into_robot_messages() -> None:
    hostile = event(
        reasons_zh=(
            "<at id=all></at> [点我](http://evil.example) <font color=red>x</font> **粗**",
        ),
        material_zh="铜<script>",
    )
    for kind, text in (
        (EndpointKind.DINGTALK, lambda m: dingtalk.body(m)["markdown"]["text"]),
        (EndpointKind.WECOM, lambda m: wecom.body(m)["markdown"]["content"]),
        (EndpointKind.FEISHU, lambda m: feishu.card(m)["elements"][0]["text"]["content"]),
    ):
        rendered = text(message(kind, hostile))
        assert "<at" not in rendered and "](http://evil" not in rendered
        assert "<font color=red>" not in rendered and "<script>" not in rendered
        assert "＜at id=all＞" in rendered  # still readable, as full-width lookalikes


def test_robot_messages_follow_the_recipients_language() -> None:
    body = dingtalk.body(message(EndpointKind.DINGTALK, language=Language.EN))
    assert body["markdown"]["title"] == "[Red warning] Copper: new warning"
    assert "Stocks at a 5-year low" in body["markdown"]["text"]


def test_robot_urls_keep_their_secret_out_of_reprs() -> None:
    sent = message(
        EndpointKind.WECOM, url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRET"
    )
    assert "SECRET" not in repr(sent.endpoint)
    assert "SECRET" not in repr(sent)
