"""Jinja2 templates (autoescaped), one environment per language with its catalog installed.

Templates are compiled once per process (no reloading). A page template extends
``base.html`` and fills its blocks (``title``, ``head``, ``main``, ``keys``); they are
rendered as parts (:meth:`Templates.render_parts`), which a page may keep
(:mod:`warning.web.pagecache`), and set into the frame for the visitor
(:meth:`Templates.render_frame`: their name, the language switch). A rendered page carries
:data:`CSRF_SLOT` where the session's CSRF token goes; each answer fills it in.

Static files are addressed with a hash of their content (``static('app.js')``), so a
browser may keep them as long as it likes and still gets a new version when one ships.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from warning.catalog import Catalog
from warning.web import i18n
from warning.web import words as words_module
from warning.web.audit_text import AuditSentences
from warning.web.badges import Badges
from warning.web.reasons import translate_reason
from warning.web.words import SeriesLike, Words, code, verbatim

STATIC_DIR: Final = Path(str(files("warning.web") / "static"))
# Where the session's CSRF token goes in rendered parts: random per process, so no text a
# user typed (escaped as it is) can contain it.
CSRF_SLOT: Final = f"csrf-slot-{secrets.token_hex(16)}"
PARTS: Final = ("title", "head", "main", "keys")


def _static_versions() -> dict[str, str]:
    """A short content hash per static file, by its path under ``static/``."""
    return {
        path.relative_to(STATIC_DIR).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        for path in STATIC_DIR.rglob("*")
        if path.is_file()
    }


class Templates:
    """The page templates in every language."""

    def __init__(self, zone: ZoneInfo, catalog: Catalog) -> None:
        self.zone = zone
        self.material_names = catalog.names()
        self.catalog_series = {
            entry.id: SeriesLike(entry.id, material.id, entry.indicator, entry.frequency)
            for material in catalog.materials
            for entry in material.series
        }
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
            RANGE_NAMES=i18n.RANGE_NAMES,
            DIGEST_NAMES=i18n.DIGEST_NAMES,
            INDICATOR_NAMES=i18n.INDICATOR_NAMES,
            STATE_NAMES=i18n.STATE_NAMES,
            DELIVERY_STATUS_NAMES=i18n.DELIVERY_STATUS_NAMES,
            ACTION_NAMES=i18n.ACTION_NAMES,
            ROLE_NAMES=i18n.ROLE_NAMES,
            SILENCE_STATE_NAMES=i18n.SILENCE_STATE_NAMES,
        )
        badges = Badges(formats)
        environment.globals.update(level=badges.level, name=badges.name, change=badges.change)
        words = Words(formats, self.material_names, self.catalog_series)
        environment.globals.update(
            words=words,
            audit=AuditSentences(words, badges.level),
            reason=lambda text: translate_reason(text, translations.gettext),
            code=code,
            verbatim=verbatim,
            kbd=lambda key: Markup("<kbd>{}</kbd>").format(key),
            BASIS_NAMES=words_module.BASIS_NAMES,
            FEED_STATUS_NAMES=words_module.FEED_STATUS_NAMES,
            RUN_KIND_NAMES=words_module.RUN_KIND_NAMES,
            SOURCE_KIND_NAMES=words_module.SOURCE_KIND_NAMES,
            CHANNEL_NAMES=words_module.CHANNEL_NAMES,
        )
        environment.filters["code"] = code
        environment.globals["m"] = environment.get_template("macros.html").module
        return environment

    def words(self, language: str) -> Words:
        words: Words = self.environments[language].globals["words"]  # type: ignore[assignment]
        return words

    def formats(self, language: str) -> i18n.Formats:
        formats: i18n.Formats = self.environments[language].globals["fmt"]  # type: ignore[assignment]
        return formats

    def render(self, name: str, *, language: str, **context: Any) -> str:
        """The template ``name`` rendered in ``language`` (whole: login and refusal pages)."""
        return self.environments[language].get_template(name).render(**context)

    def render_parts(self, name: str, *, language: str, **context: Any) -> dict[str, str]:
        """The blocks of page template ``name`` that ``base.html`` frames, rendered."""
        template = self.environments[language].get_template(name)
        variables = template.new_context(context)
        return {
            part: "".join(template.blocks[part](variables))
            for part in PARTS
            if part in template.blocks
        }

    def render_frame(self, parts: Mapping[str, str], *, language: str, **context: Any) -> str:
        """The whole page: ``parts`` in the frame; :data:`CSRF_SLOT` where the token goes."""
        frame = self.environments[language].get_template("base.html")
        return frame.render(
            title=Markup(parts.get("title", "")),
            head=Markup(parts.get("head", "")),
            content=Markup(parts.get("main", "")),
            keys=Markup(parts.get("keys", "")),
            csrf=CSRF_SLOT,
            **context,
        )
