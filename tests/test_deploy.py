"""Deployment files: docker-compose.yml validates and describes the whole stack."""

from __future__ import annotations

import shutil
import subprocess
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


def test_the_image_installs_all_four_packages_from_the_lock() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    for package in ("warning", "feeds", "rules", "alerts"):
        assert f"COPY {package} ./{package}" in dockerfile
    assert "-c requirements.lock" in dockerfile
