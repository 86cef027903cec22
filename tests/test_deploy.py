"""Deployment files: docker-compose.yml validates and describes the whole stack."""

from __future__ import annotations

import fnmatch
import os
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from warning.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def test_docker_compose_config_passes(tmp_path: Path) -> None:
    if shutil.which("docker-compose") is None:
        pytest.skip(
            "docker-compose is not installed (apt-get install docker-compose); .ci/run installs it"
        )
    config = ["docker-compose", "--env-file", ".env.example", "config"]
    result = subprocess.run(config, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    resolved = yaml.safe_load(result.stdout)["services"]
    assert set(resolved) == {"db", "migrate", "web-1", "web-2", "worker", "mailcatcher"}
    url = resolved["worker"]["environment"]["WARNING_DATABASE_URL"]
    assert url == "postgresql+psycopg://warning:warning@db:5432/warning"  # from .env.example
    # without the password and the secret key (no .env) the stack refuses to start
    empty = tmp_path / "empty.env"
    empty.write_text("")
    bare = subprocess.run(
        ["docker-compose", "--env-file", str(empty), "config", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={k: v for k, v in os.environ.items() if not k.startswith(("WARNING_", "POSTGRES_"))},
    )
    assert bare.returncode != 0 and "set POSTGRES_PASSWORD in .env" in bare.stderr


def _services() -> dict[str, Any]:
    services: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    return services


def test_the_stack_has_database_migration_two_web_replicas_a_worker_and_mail_catcher() -> None:
    services = _services()
    assert "healthcheck" in services["db"]
    assert services["db"]["volumes"] == ["pgdata:/var/lib/postgresql/data"]
    assert services["migrate"]["command"] == ["init"]
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert "mailcatcher" in services
    for name in ("web-1", "web-2", "worker"):
        service = services[name]
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        environment = service["environment"]
        assert environment["WARNING_DATABASE_URL"].startswith("postgresql+psycopg://")
        assert environment["WARNING_SMTP_URL"].startswith("smtp://mailcatcher:")
        assert environment["WARNING_SECRET_KEY"].startswith("${WARNING_SECRET_KEY:?")
    for name in ("web-1", "web-2"):
        command = services[name]["command"]
        assert command[:2] == ["serve", "--no-scheduler"]
        assert "0.0.0.0" in command, "in a container the web app must listen beyond loopback"
        assert "/readyz" in " ".join(services[name]["healthcheck"]["test"])
    assert services["worker"]["command"] == ["serve", "--no-web"]


def test_the_example_env_names_only_known_settings() -> None:
    known = {f"WARNING_{name.upper()}" for name in Settings.model_fields}
    names = [
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert [name for name in names if name.startswith("WARNING_") and name not in known] == []
    compose = (ROOT / "docker-compose.yml").read_text()
    for name in names:
        assert f"${{{name}:" in compose, f"{name} in .env.example is not used by the stack"


def _root_packages() -> list[str]:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return list(pyproject["tool"]["importlinter"]["root_packages"])


def test_the_image_installs_every_package_from_the_lock() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    for package in _root_packages():
        assert f"COPY {package} ./{package}" in dockerfile
    assert "-c requirements.lock" in dockerfile


def test_the_image_can_run_the_live_feed_set_and_the_stack_does() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "ARG EXTRAS=live" in dockerfile
    install = next(line for line in dockerfile.splitlines() if "pip install" in line)
    spec = install.split("requirements.lock", 1)[1].split()[0].strip('"')
    for extras, expected in (("live", ".[live]"), ("", ".")):  # the shell's ${EXTRAS:+...}
        shell = subprocess.run(
            ["sh", "-c", f'echo "{spec}"'],
            env={"EXTRAS": extras, "PATH": os.environ.get("PATH", "")},
            capture_output=True,
            text=True,
            check=True,
        )
        assert shell.stdout.strip() == expected
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert any(dep.startswith("akshare") for dep in extras["optional-dependencies"]["live"])
    env = _services()["worker"]["environment"]
    assert env["WARNING_FEED_SET"] == "${WARNING_FEED_SET:-live}"
    assert Settings(feed_set="live").feed_set == "live"


def _tracked_files() -> list[str]:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: the tracked files cannot be listed")
    listed = subprocess.run(
        ["git", "ls-files", *_root_packages()], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return listed.stdout.split()


def test_every_data_file_the_packages_read_is_in_the_wheel() -> None:
    """A non-editable install (the image, a wheel) carries only what package-data names."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    package_data: dict[str, list[str]] = pyproject["tool"]["setuptools"]["package-data"]
    missing = []
    for path in _tracked_files():
        if path.endswith((".py", ".pyi")) or "/__pycache__/" in path:
            continue
        covered = False
        for package, patterns in package_data.items():
            prefix = package.replace(".", "/") + "/"
            if path.startswith(prefix):
                inner = path[len(prefix) :]
                covered = covered or any(
                    fnmatch.fnmatchcase(inner, pattern) and inner.count("/") == pattern.count("/")
                    for pattern in patterns
                )
        if not covered:
            missing.append(path)
    assert not missing, f"add these to [tool.setuptools.package-data] in pyproject.toml: {missing}"
