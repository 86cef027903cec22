"""The service's settings: the one place that reads the environment.

Settings come from environment variables prefixed ``WARNING_`` and, optionally, a TOML file
named by ``WARNING_CONFIG``; the environment wins over the file. A missing or malformed
setting stops start-up with one message naming the setting and what was expected.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)
from pydantic_settings import (
    SettingsError as PydanticSettingsError,
)

from vocabulary import WARNING_LEVELS, ChangeKind
from warning.errors import Invalid

_URL_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")

CONFIG_ENV = "WARNING_CONFIG"
ENV_PREFIX = "WARNING_"
SECRET_FIELDS = frozenset({"smtp_url", "secret_key", "feed_secrets", "database_url"})


class SettingsError(Invalid):
    """A setting is missing or malformed; the message names it and what was expected."""


class Settings(BaseSettings):
    """Every setting of the service, with its default (the embedded demo defaults)."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid", frozen=True)

    database_url: str = Field(
        default="sqlite:///./var/warning.db",
        description="SQLAlchemy URL of the store (sqlite:///... or postgresql+psycopg://...)",
    )
    catalog_path: Path | None = Field(
        default=None, description="YAML catalog replacing the bundled 19-material catalog"
    )
    rules_path: Path | None = Field(
        default=None, description="YAML rule set replacing the bundled default rule set"
    )
    reporting_path: Path | None = Field(
        default=None,
        description="YAML reporting forms replacing the bundled ones (warning/data/reporting.yaml)",
    )
    reporting_min_coverage: float = Field(
        default=0.6,
        gt=0,
        le=1,
        description="the least share of the expected enterprises that must have reported for a "
        "reported aggregate to count (below: no_data)",
    )
    feeds_path: Path | None = Field(
        default=None, description="YAML feed definitions replacing the bundled ones"
    )
    feed_set: Literal["local", "live"] = Field(
        default="local",
        description="bundled feed set: local (public data copied under the data root) or live "
        "(feeds/data/live.yaml: AKShare and HTTP sources); WARNING_FEEDS_PATH wins over it",
    )
    feed_raw_days: int = Field(
        default=14,
        ge=1,
        le=3650,
        description="days the raw frames of library calls (var/feeds-raw/DATE) are kept",
    )
    feeds_data_root: Path | None = Field(
        default=None,
        description="folder that {data_root} in feed locations names (default ../shared/data/real)",
    )
    feed_secrets: dict[str, str] = Field(
        default_factory=dict,
        description='secrets for feeds that need authentication, as JSON {"name": "value"}',
    )
    sample_dir: Path | None = Field(
        default=None, description="folder of long-format CSV files loaded by `warning demo`"
    )
    var_dir: Path = Field(default=Path("var"), description="folder for local state and output")
    max_file_bytes: int = Field(
        default=200_000_000,
        gt=0,
        description="the largest file `warning ingest-file`, `warning backtest --data` and "
        "the directory import read",
    )
    max_unpacked_bytes: int = Field(
        default=500_000_000,
        gt=0,
        description="the most an XLSX file may unpack to (`warning ingest-file`, the directory "
        "import); a larger one is refused before it is unpacked",
    )
    sqlite_busy_timeout_s: float = Field(
        default=30.0,
        gt=0,
        description="seconds a command waits for a SQLite store another process is writing",
    )
    timezone: str = Field(default="Asia/Shanghai", description="time zone of schedules")
    as_of: date | None = Field(
        default=None, description="evaluate as of this date instead of today (demo, replays)"
    )
    review_auto_approve: list[str] = Field(
        default_factory=lambda: ["blue:*", "*:end"],
        description="LEVEL:KIND rules (either may be *) of proposals that approve themselves",
    )
    review_deadline_hours: dict[str, float] = Field(
        default_factory=lambda: {"red": 2.0, "yellow": 24.0},
        description="hours a proposal of each level may wait for a decision",
    )
    review_overdue: dict[str, str] = Field(
        default_factory=lambda: {"red": "escalate", "yellow": "escalate"},
        description="what an item past its deadline gets, per level: escalate or approve",
    )
    shutdown_grace_s: float = Field(
        default=30.0, ge=0, description="seconds running work may take to finish on shutdown"
    )
    job_lease_s: float = Field(
        default=60.0,
        ge=1,
        description="seconds a replica holds a scheduled job's run between renewals; a run "
        "whose replica died is taken over by another after this long",
    )
    log_format: str = Field(
        default="text",
        pattern="^(text|json)$",
        description="`warning serve`'s log lines: text, or json (one object a line, with the "
        "request or job id)",
    )
    metrics_allow: str = Field(
        default="",
        description="comma-separated addresses or networks that may read /metrics; empty: any",
    )
    smtp_url: str = Field(
        default="",
        description="smtp://host:port, smtp+starttls://user:pass@host:587 or smtps://...; "
        "empty: the demo's local catcher (smtp://127.0.0.1:8025)",
    )
    public_link_days: int = Field(
        default=30,
        ge=1,
        le=3650,
        description="days a warning's public page link (the messages' details link) opens",
    )
    demo_smtp_port: int = Field(
        default=0,
        ge=0,
        le=65535,
        description="port of the demo's local mail catcher; 0: a free port (two demos on one "
        "host never deliver into each other's folders)",
    )
    demo_webhook_port: int = Field(
        default=0,
        ge=0,
        le=65535,
        description="port of the demo's local webhook and robot receiver; 0: a free port",
    )
    mail_from: str = Field(
        default="warning@localhost", description="the From address of alert and digest emails"
    )
    webhook_allow: str = Field(
        default="",
        description="comma-separated CIDRs the SSRF guard lets webhooks and robots reach, "
        "e.g. 127.0.0.0/8,::1/128",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="the service's address as recipients reach it (links, unsubscribe)",
    )
    group_wait: float = Field(
        default=300.0, ge=0, description="seconds a contact's alerts are gathered into one message"
    )
    repeat_days: float = Field(
        default=7.0, gt=0, description="an active red warning is announced again after this long"
    )
    notify_resolved: bool = Field(default=True, description="announce the end of a warning")
    delivery_lease_s: float = Field(
        default=300.0,
        gt=0,
        description="seconds a worker holds a delivery; one not recorded by then is sent again",
    )
    digest_time: str = Field(
        default="08:30", description="local time (WARNING_TIMEZONE) of the daily digest, HH:MM"
    )
    operator_emails: list[str] = Field(
        default_factory=list,
        description="operators' addresses: every digest, and review items escalated past their "
        "deadline",
    )
    secret_key: str = Field(
        default="",
        description="key for signed links and sessions; empty: one kept in var/secret_key",
    )
    max_body_bytes: int = Field(
        default=6 * 1024 * 1024,
        gt=0,
        description="the largest request body the web app and API read (413 beyond it); "
        "the directory upload is at most 5 MiB",
    )
    trusted_proxies: str = Field(
        default="",
        description="comma-separated addresses of reverse proxies whose X-Forwarded-For and "
        "X-Forwarded-Proto are believed (e.g. 127.0.0.1); empty: none, the peer's address counts",
    )
    web_session_hours: float = Field(
        default=12.0,
        gt=0,
        le=24 * 30,
        description="hours a web login lasts before signing in again",
    )
    message_prices: bool = Field(
        default=True,
        description="whether what leaves the desk (notices, the public warning page, digests "
        "and bulletins) shows raw prices and their charts; false: levels, directions and "
        "changes only, where the exchanges' licence does not allow passing their prices on",
    )
    # --- the issuing office (bulletins, digests, notices): one block, kept together ---
    issuer_name_zh: str = Field(
        default="原材料供需预警办公室",
        description="the issuing office's name in Chinese (bulletin masthead and signature)",
    )
    issuer_name_en: str = Field(
        default="Raw-Material Supply-Demand Early-Warning Office",
        description="the issuing office's name in English",
    )
    issuer_contact: str = Field(
        default="",
        description="the contact line readers are given, e.g. phone and email; "
        "empty: the WARNING_MAIL_FROM address",
    )
    issuer_doc_prefix: str = Field(
        default="原材预警",
        description="机关代字 of document numbers, as in 原材预警〔2026〕12号",
    )

    @field_validator("issuer_name_zh", "issuer_name_en", "issuer_contact", "issuer_doc_prefix")
    @classmethod
    def _one_line(cls, value: str, info: ValidationInfo) -> str:
        value = value.strip()
        limit = 16 if info.field_name == "issuer_doc_prefix" else 200
        if not value and info.field_name != "issuer_contact":
            raise ValueError("expected a non-empty text")
        if len(value) > limit:
            raise ValueError(f"expected at most {limit} characters")
        if any(not character.isprintable() for character in value):
            raise ValueError("expected one line of printable text (no line breaks or controls)")
        if info.field_name == "issuer_doc_prefix" and re.search(r"[\s〔〕\[\]()（）\d]", value):
            raise ValueError("expected the 机关代字 alone: no spaces, brackets or digits")
        return value

    # --- end of the issuing office ---

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        expected = "expected sqlite:///PATH or postgresql+psycopg://USER@HOST/DB"
        scheme = _URL_SCHEME.match(value)
        if scheme is None:
            raise ValueError(f"not a database URL; {expected}")
        driver = scheme.group(1).lower()
        if driver not in {"sqlite", "sqlite+pysqlite", "postgresql+psycopg"}:
            raise ValueError(f"unsupported driver {driver!r}; {expected}")
        if driver.startswith("postgresql"):
            # the whole URL parsed as the store will parse it (a port that is not a number);
            # a SQLite URL is a path, so commands without a store need not load sqlalchemy
            from sqlalchemy.engine import make_url
            from sqlalchemy.exc import ArgumentError

            try:
                make_url(value)
            except (ArgumentError, ValueError) as error:
                raise ValueError(f"not a database URL ({error}); {expected}") from None
        return value

    @field_validator("catalog_path", "rules_path", "feeds_path", "reporting_path")
    @classmethod
    def _existing_file(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError("expected an existing file" + (", not a folder" * value.is_dir()))
        return value

    @field_validator("sample_dir", "feeds_data_root")
    @classmethod
    def _existing_folder(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_dir():
            raise ValueError("expected an existing folder")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("expected an IANA time zone such as Asia/Shanghai") from None
        return value

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url(cls, value: str) -> str:
        if value:
            from alerts.smtp import parse_smtp_url  # here: the alerts engine loads httpx & co

            parse_smtp_url(value)  # ValueError names the problem
        return value

    @field_validator("webhook_allow")
    @classmethod
    def _allow_list(cls, value: str) -> str:
        if value.strip():
            from alerts.ssrf import parse_allow_list

            parse_allow_list(value)  # ValueError names the bad network
        return value

    @field_validator("trusted_proxies", "metrics_allow")
    @classmethod
    def _proxies(cls, value: str) -> str:
        for address in (part.strip() for part in value.split(",")):
            if not address:
                continue
            try:
                ipaddress.ip_network(address)
            except ValueError:
                raise ValueError(
                    f"{address!r}: expected IP addresses or networks, e.g. 127.0.0.1,10.0.0.0/8"
                ) from None
        return value

    @field_validator("digest_time")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        hour, sep, minute = value.partition(":")
        if not (sep and hour.isdigit() and minute.isdigit()) or int(hour) > 23 or int(minute) > 59:
            raise ValueError("expected HH:MM, e.g. 08:30")
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("expected an http:// or https:// address")
        return value.rstrip("/")

    @field_validator("review_auto_approve")
    @classmethod
    def _auto_approval_rules(cls, rules: list[str]) -> list[str]:
        kinds = {"*", *(kind.value for kind in ChangeKind)}
        levels = {"*", "normal", *(level.value for level in WARNING_LEVELS)}
        for rule in rules:
            level, sep, kind = rule.partition(":")
            if not sep or level not in levels or kind not in kinds:
                raise ValueError(
                    f"{rule!r}: expected LEVEL:KIND with LEVEL one of {', '.join(sorted(levels))} "
                    f"and KIND one of {', '.join(sorted(kinds))}"
                )
        return rules

    @field_validator("review_deadline_hours", "review_overdue")
    @classmethod
    def _per_level(cls, value: dict[str, object]) -> dict[str, object]:
        for level, setting in value.items():
            if level not in {level.value for level in WARNING_LEVELS}:
                raise ValueError(f"{level!r}: expected a level (blue, yellow or red)")
            if isinstance(setting, float) and setting <= 0:
                raise ValueError(f"{level}: expected a positive number of hours")
            if isinstance(setting, str) and setting not in ("escalate", "approve"):
                raise ValueError(f"{level}: expected escalate or approve, got {setting!r}")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = os.environ.get(CONFIG_ENV)
        if config_file:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(config_file)))
        return tuple(sources)


def load_settings(**overrides: Any) -> Settings:
    """Build the settings, turning any problem into one :class:`SettingsError` message."""
    config_file = os.environ.get(CONFIG_ENV)
    if config_file:
        _check_config_file(Path(config_file))
    try:
        return Settings(**overrides)
    except PydanticSettingsError as error:  # a JSON setting that is not JSON
        field = re.search(r'field "(\w+)"', str(error))
        name = f"{ENV_PREFIX}{field.group(1).upper()}" if field else "a setting"
        raise SettingsError(f"invalid settings: {name}: expected JSON ({error})") from None
    except ValidationError as error:
        problems = []
        for item in error.errors():
            name = ".".join(str(part) for part in item["loc"]) or "?"
            setting = f"{ENV_PREFIX}{name.upper()}"
            if item["type"] == "extra_forbidden":
                problems.append(f"{setting}: not a known setting (in {CONFIG_ENV} file or env)")
            else:
                shown = "hidden" if name in SECRET_FIELDS else repr(item.get("input"))
                problems.append(f"{setting}: {item['msg']} (got {shown})")
        raise SettingsError("invalid settings: " + "; ".join(problems)) from None


def _check_config_file(path: Path) -> None:
    try:
        with path.open("rb") as handle:
            tomllib.load(handle)
    except FileNotFoundError:
        raise SettingsError(f"{CONFIG_ENV}: file {path} does not exist") from None
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"{CONFIG_ENV}: {path} is not valid TOML ({error})") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, loaded once."""
    return load_settings()
