"""Deployment files: docker-compose.yml validates and describes the whole stack."""

from __future__ import annotations

import fnmatch
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_docker_compose_config_passes() -> None:
    if shutil.which("docker-compose") is None:
        pytest.skip(
            "docker-compose is not installed (apt-get install docker-compose); .ci/run installs it"
        )
    result = subprocess.run(
        ["docker-compose", "config", "-q"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr


def test_the_stack_has_database_migration_service_and_mail_catcher() -> None:
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert "healthcheck" in services["db"]
    assert services["migrate"]["command"] == ["init"]
    assert services["service"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )
    assert services["service"]["environment"]["WARNING_DATABASE_URL"].startswith(
        "postgresql+psycopg://"
    )
    assert "mailcatcher" in services
    environment = services["service"]["environment"]
    assert environment["WARNING_SMTP_URL"].startswith("smtp://mailcatcher:")
    command = services["service"]["command"]
    assert command[:1] == ["serve"]
    assert "0.0.0.0" in command, "in a container the web app must listen beyond loopback"


def _root_packages() -> list[str]:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return list(pyproject["tool"]["importlinter"]["root_packages"])


def test_the_image_installs_every_package_from_the_lock() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    for package in _root_packages():
        assert f"COPY {package} ./{package}" in dockerfile
    assert "-c requirements.lock" in dockerfile


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
