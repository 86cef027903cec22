"""The demo's local sinks take free ports of their own, so two demos on one host never
deliver into each other's folders."""

from __future__ import annotations

import smtplib
import urllib.request
from email.message import EmailMessage
from pathlib import Path

from warning.jobs.demo_sinks import demo_sinks


def test_two_demos_each_catch_only_their_own_messages(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    with demo_sinks(first) as one, demo_sinks(second) as two:
        assert {one.smtp_port, one.webhook_port}.isdisjoint({two.smtp_port, two.webhook_port})
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = "a@desk.example", "b@e.example", "one"
        mail.set_content("to the first demo")
        with smtplib.SMTP("127.0.0.1", one.smtp_port) as client:
            client.send_message(mail)
        request = urllib.request.Request(
            two.webhook_base + "hooks/x", data=b'{"n": 2}', method="POST"
        )
        with urllib.request.urlopen(request, timeout=5) as answer:
            assert answer.status == 200
    assert [p.name for p in (first / "mail").glob("*.eml")] == ["00001.eml"]
    assert list((second / "mail").glob("*.eml")) == []
    assert [p.name for p in (second / "webhooks").glob("*.json")] == ["00001.json"]
    assert list((first / "webhooks").glob("*.json")) == []


def test_a_port_set_in_the_settings_is_used(tmp_path: Path) -> None:
    from warning.jobs.demo_sinks import free_port

    chosen = free_port()
    with demo_sinks(tmp_path, webhook_port=chosen) as sinks:
        assert sinks.webhook_port == chosen and sinks.webhook_base.endswith(f":{chosen}/")
