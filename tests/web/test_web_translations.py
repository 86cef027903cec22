"""The Chinese catalog: every message of the pages is translated, and the compiled catalog the
service loads is the one the translators wrote (``make messages`` keeps both in step)."""

from __future__ import annotations

import gettext
import re
from configparser import ConfigParser
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from warning.web.i18n import LOCALE_DIR, load_translations

ROOT = Path(__file__).resolve().parents[2]
PO = LOCALE_DIR / "zh" / "LC_MESSAGES" / "messages.po"
MO = LOCALE_DIR / "zh" / "LC_MESSAGES" / "messages.mo"
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def zh_catalog() -> Catalog:
    with PO.open("rb") as handle:
        return read_po(handle, locale="zh")


def source_messages() -> set[str]:
    """Every message the templates and the web code mark for translation (as babel.cfg says)."""
    config = ConfigParser()
    config.read(ROOT / "babel.cfg")
    method_map = [
        (section.split(": ", 1)[1], section.split(":", 1)[0]) for section in config.sections()
    ]
    options_map = {
        section.split(": ", 1)[1]: dict(config.items(section)) for section in config.sections()
    }
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    return {
        message if isinstance(message, str) else message[0]
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT / "warning" / "web"),
            method_map=method_map,
            options_map=options_map,
            keywords=keywords,
        )
    }


def test_every_message_has_a_chinese_translation() -> None:
    catalog = zh_catalog()
    untranslated = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
    assert untranslated == []
    for message in catalog:
        if message.id:
            assert sorted(PLACEHOLDER.findall(str(message.id))) == sorted(
                PLACEHOLDER.findall(str(message.string))
            ), message.id


def test_the_catalog_has_every_message_of_the_pages() -> None:
    found = source_messages()
    known = {str(m.id) for m in zh_catalog() if m.id}
    assert len(found) > 200
    assert sorted(found - known) == [], "run `make messages` and translate the new entries"
    assert sorted(known - found) == [], "messages no page uses any more: run `make messages`"


def test_the_compiled_catalog_is_the_translated_one() -> None:
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for message in zh_catalog():
        if message.id:
            assert compiled.gettext(str(message.id)) == message.string, message.id
    assert load_translations("zh").gettext("Board") == "预警看板"
    assert load_translations("en").gettext("Board") == "Board"
