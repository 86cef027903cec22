"""Settings: environment and TOML file, with one clear message for a bad setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from warning.settings import SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("WARNING_CONFIG", "WARNING_DATABASE_URL", "WARNING_AS_OF", "WARNING_TIMEZONE"):
        monkeypatch.delenv(name, raising=False)


def test_defaults_use_a_sqlite_file_under_var() -> None:
    assert load_settings().database_url == "sqlite:///./var/warning.db"


def test_environment_overrides_the_config_file(tmp_path: Path, monkeypatch) -> None:
    config = tmp_path / "warning.toml"
    config.write_text('database_url = "sqlite:///from-file.db"\nas_of = "2024-05-01"\n')
    monkeypatch.setenv("WARNING_CONFIG", str(config))
    assert load_settings().as_of is not None and str(load_settings().as_of) == "2024-05-01"
    monkeypatch.setenv("WARNING_DATABASE_URL", "sqlite:///from-env.db")
    assert load_settings().database_url == "sqlite:///from-env.db"


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("WARNING_DATABASE_URL", "mysql://db", r"WARNING_DATABASE_URL: .*expected sqlite:///PATH"),
        ("WARNING_AS_OF", "2024-13-01", r"WARNING_AS_OF: .*date.*'2024-13-01'"),
        ("WARNING_DATABASE_URL", "postgresql://h/db", r"unsupported driver 'postgresql'"),
        ("WARNING_DATABASE_URL", "sqlite", r"WARNING_DATABASE_URL: .*not a database URL"),
        (
            "WARNING_DATABASE_URL",
            "postgresql+psycopg://u@h:xx/db",
            r"WARNING_DATABASE_URL: .*not a database URL \(invalid literal",
        ),
        ("WARNING_TIMEZONE", "Mars/Base", r"WARNING_TIMEZONE: .*IANA time zone"),
        ("WARNING_FEED_SECRETS", "[1", r"WARNING_FEED_SECRETS: expected JSON"),
        ("WARNING_CATALOG_PATH", "/no/catalog.yaml", r"WARNING_CATALOG_PATH: .*existing file"),
        ("WARNING_RULES_PATH", "/tmp", r"WARNING_RULES_PATH: .*existing file, not a folder"),
        ("WARNING_FEEDS_PATH", "/no/feeds.yaml", r"WARNING_FEEDS_PATH: .*existing file"),
        ("WARNING_SAMPLE_DIR", "/no/sample", r"WARNING_SAMPLE_DIR: .*existing folder"),
        ("WARNING_FEEDS_DATA_ROOT", "/no/data", r"WARNING_FEEDS_DATA_ROOT: .*existing folder"),
        ("WARNING_SQLITE_BUSY_TIMEOUT_S", "-1", r"WARNING_SQLITE_BUSY_TIMEOUT_S: .*greater"),
    ],
)
def test_a_malformed_setting_names_itself(monkeypatch, variable, value, expected) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=expected):
        load_settings()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('databse_url = "sqlite:///x.db"\n', r"WARNING_DATABSE_URL: not a known setting"),
        ("database_url = \n", r"not valid TOML"),
    ],
)
def test_a_bad_config_file_is_named(tmp_path: Path, monkeypatch, content, expected) -> None:
    config = tmp_path / "warning.toml"
    config.write_text(content)
    monkeypatch.setenv("WARNING_CONFIG", str(config))
    with pytest.raises(SettingsError, match=expected):
        load_settings()


def test_a_missing_config_file_is_named(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("WARNING_CONFIG", str(tmp_path / "nope.toml"))
    with pytest.raises(SettingsError, match=r"WARNING_CONFIG: file .*nope.toml does not exist"):
        load_settings()


def test_only_settings_reads_the_environment() -> None:
    root = Path(__file__).resolve().parents[1]
    readers = [
        path.relative_to(root).as_posix()
        for package in ("warning", "feeds", "rules", "alerts")
        for path in (root / package).rglob("*.py")
        if "os.environ" in path.read_text(encoding="utf-8")
        or "os.getenv" in path.read_text(encoding="utf-8")
    ]
    assert readers == ["warning/settings.py"]
