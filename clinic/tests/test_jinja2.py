"""The Jinja2 environment of the pages (clinic/jinja2.py): Django's escaping, translations that
follow the request's language, URL helpers, and Django's own engine for what is not Jinja2."""

import pytest
from django.conf import settings
from django.template import engines
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

jinja2 = engines["jinja2"]


def render(source: str, **context) -> str:
    return jinja2.from_string(source).render(context)


def test_it_escapes_values_as_django_does():
    assert render("{{ v }}", v="<b>\"Tom\" & 'Jerry'</b>") == (
        "&lt;b&gt;&quot;Tom&quot; &amp; &#x27;Jerry&#x27;&lt;/b&gt;"
    )
    assert render("{% trans name=v %}Hello {{ name }}{% endtrans %}", v='"x" <y>') == "Hello &quot;x&quot; &lt;y&gt;"


def test_it_leaves_safe_markup_as_it_is():
    from django.utils.safestring import mark_safe

    assert render("{{ v }}", v=mark_safe("<em>ok</em>")) == "<em>ok</em>"  # nosec B308: a constant


def test_translations_follow_the_active_language():
    source = '{{ _("Log out") }}|{% trans total=2 %}{{ total }} entry{% pluralize %}{{ total }} entries{% endtrans %}'
    with translation.override("id"):
        assert render(source) == "Keluar|2 entri"
    with translation.override("en"):
        assert render(source) == "Log out|2 entries"


@pytest.mark.django_db
def test_url_parts_give_what_reverse_gives():
    html = render('{% set before, after = url_parts("patients:detail") %}{{ before }}{{ pk }}{{ after }}', pk=42)
    assert html == reverse("patients:detail", args=[42])
    assert render("{{ url('patients:detail', 42) }}") == html


def test_querystring_changes_the_requests_query_as_djangos_tag_does():
    request = RequestFactory().get("/billing/?q=a%26b&page=2")
    assert render("{{ querystring(request, page=3) }}", request=request) == "?q=a%26b&amp;page=3"
    assert render("{{ querystring(request, page=None) }}", request=request) == "?q=a%26b"
    django = engines["django"].from_string("{% querystring page=3 %}").render({}, request)
    assert render("{{ querystring(request, page=3) }}", request=request) == django


def test_it_draws_every_page_with_jinja2_and_leaves_only_the_admin_to_djangos_engine():
    from django.template.loader import get_template

    pages = sorted(
        p.relative_to(settings.BASE_DIR / "templates").as_posix()
        for p in (settings.BASE_DIR / "templates").rglob("*.html")
    )
    assert pages and all(get_template(page).backend is jinja2 for page in pages)
    assert get_template("admin/base.html").backend is engines["django"]
    assert engines["django"].dirs == []
