"""Jinja2 templates (autoescaped), one environment per language with its catalog installed.

Templates are compiled once per process (no reloading), so a page costs its queries and one
render. Static files are addressed with a hash of their content (``static('app.js')``), so a
browser may keep them as long as it likes and still gets a new version when one ships.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from warning.web import i18n

STATIC_DIR: Final = Path(str(files("warning.web") / "static"))


def _static_versions() -> dict[str, str]:
    """A short content hash per static file, by its path under ``static/``."""
    return {
        path.relative_to(STATIC_DIR).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        for path in STATIC_DIR.rglob("*")
        if path.is_file()
    }


class Templates:
    """The page templates in every language."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        versions = _static_versions()
        self.environments = {
            language: self._environment(language, versions) for language in i18n.LANGUAGES
        }

    def _environment(self, language: str, versions: Mapping[str, str]) -> Environment:
        environment = Environment(
            loader=PackageLoader("warning.web", "templates"),
            autoescape=select_autoescape(["html"], default_for_string=True),
            extensions=["jinja2.ext.i18n"],
            auto_reload=False,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        translations = i18n.load_translations(language)
        environment.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
        formats = i18n.Formats(language, self.zone, translations.gettext)

        def static(path: str) -> str:
            return f"/static/{path}?v={versions.get(path, '0')}"

        environment.globals.update(
            fmt=formats,
            static=static,
            language=language,
            other_language="en" if language == "zh" else "zh",
            LEVEL_NAMES=i18n.LEVEL_NAMES,
            DIRECTION_NAMES=i18n.DIRECTION_NAMES,
            KIND_NAMES=i18n.KIND_NAMES,
            SECTOR_NAMES=i18n.SECTOR_NAMES,
            FREQUENCY_NAMES=i18n.FREQUENCY_NAMES,
            INDICATOR_NAMES=i18n.INDICATOR_NAMES,
            STATE_NAMES=i18n.STATE_NAMES,
            ACTION_NAMES=i18n.ACTION_NAMES,
            ROLE_NAMES=i18n.ROLE_NAMES,
            RULE_NAMES=i18n.RULE_NAMES,
        )
        return environment

    def formats(self, language: str) -> i18n.Formats:
        formats: i18n.Formats = self.environments[language].globals["fmt"]  # type: ignore[assignment]
        return formats

    def render(self, name: str, *, language: str, **context: Any) -> str:
        """The template ``name`` rendered in ``language``."""
        return self.environments[language].get_template(name).render(**context)
