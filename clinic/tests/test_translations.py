"""The one Indonesian catalogue (locale/id/LC_MESSAGES/django.po) holds every user-visible string
of the Jinja2 templates, translated, and has no untranslated or fuzzy entry at all.

The template strings are extracted here with Babel, as `make messages` extracts them, so a new
`{{ _("…") }}` or `{% trans %}` without a translation fails this test rather than showing English
on an Indonesian page."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.test import Client
from django.utils import translation

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "id" / "LC_MESSAGES"


def template_messages() -> dict[str, list[str]]:
    """msgid (a plural's singular) → where the templates use it, read as babel.cfg reads them."""
    found: dict[str, list[str]] = {}
    mapping = [("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "silent": "false"}}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(settings.BASE_DIR), mapping, options, directory_filter=_only_templates
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        found.setdefault(msgid, []).append(f"{filename}:{lineno}")
    return found


def _only_templates(path: str) -> bool:
    relative = Path(path).relative_to(settings.BASE_DIR)
    return relative.parts[:1] in ((), ("templates",))


def test_babel_finds_the_strings_of_the_templates():
    messages = template_messages()
    assert "Log in" in messages and "Menu" in messages
    assert "%(counter)s bill not fully paid" in messages  # a {% trans %} block with a plural
    assert len(messages) > 150


def test_every_template_string_is_translated_in_the_compiled_catalogue():
    with open(CATALOGUE / "django.mo", "rb") as mo:
        compiled = read_mo(mo)
    missing = []
    for msgid, places in sorted(template_messages().items()):
        entry = compiled.get(msgid)
        strings = entry.string if entry is not None else None
        if isinstance(strings, tuple | list):
            strings = all(strings) and strings
        if not strings:
            missing.append(f"{msgid!r} ({places[0]})")
    assert not missing, "not in locale/id/LC_MESSAGES/django.mo (make messages, then translate):\n" + "\n".join(missing)


def test_the_catalogue_has_no_untranslated_or_fuzzy_entry():
    with open(CATALOGUE / "django.po", "rb") as po:
        catalogue = read_po(po)
    entries = [message for message in catalogue if message.id]
    untranslated = [m.id for m in entries if not (all(m.string) if isinstance(m.string, tuple) else m.string)]
    fuzzy = [m.id for m in entries if m.fuzzy]
    assert len(entries) > 600
    assert untranslated == [] and fuzzy == []


@pytest.mark.django_db
def test_the_navigation_reads_indonesian(receptionist):
    client = Client()
    client.force_login(receptionist)
    html = client.get("/patients/").content.decode()
    with translation.override("id"):
        menu = translation.gettext("Menu")
    assert menu != "Menu" and f'aria-label="{menu}"' in html
    assert "Keluar" in html and 'placeholder="Nama, No. RM, NIK, telepon, tanggal lahir"' in html
