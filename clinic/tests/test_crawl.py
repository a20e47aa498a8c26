"""The page crawl's comparer (bench/crawl_compare.py, `make crawl-compare`): reindented markup
compares equal, any other change is reported; and the crawl's placeholders for random values."""

import io

from bench import crawl, crawl_compare

PAGE = """200
Content-Type: text/html; charset=utf-8

<ul class="list">
  <li>Antrean saya</li>
  <li>Rp 150.000</li>
</ul>
"""


def test_it_ignores_whitespace_between_tags_and_runs_of_spaces():
    reindented = (
        '200\nContent-Type: text/html; charset=utf-8\n\n<ul class="list"><li>Antrean   saya</li>\n'
        "<li>Rp 150.000</li></ul>"
    )
    assert crawl_compare.diff(PAGE, reindented) == []


def test_it_reports_a_changed_word_with_a_diff():
    changed = PAGE.replace("Antrean saya", "My queue")
    lines = crawl_compare.diff(PAGE, changed, "doctor/id/records_queue.html")
    assert "-<li>Antrean saya</li>" in lines
    assert "+<li>My queue</li>" in lines


def test_it_reports_a_changed_attribute():
    assert crawl_compare.diff(PAGE, PAGE.replace('class="list"', 'class="list-unstyled"'))


def test_it_fails_on_a_differing_page_and_a_page_on_one_side_only(tmp_path):
    old, new = tmp_path / "old" / "admin" / "id", tmp_path / "new" / "admin" / "id"
    old.mkdir(parents=True)
    new.mkdir(parents=True)
    (old / "same.html").write_text(PAGE)
    (new / "same.html").write_text(PAGE.replace("\n  ", "\n    "))
    (old / "changed.html").write_text(PAGE)
    (new / "changed.html").write_text(PAGE.replace("150.000", "150.001"))
    (old / "gone.html").write_text(PAGE)
    out = io.StringIO()

    assert not crawl_compare.compare(tmp_path / "old", tmp_path / "new", out=out)
    report = out.getvalue()
    assert report.startswith("1 pages equal, 1 differ, 1 only in")
    assert "differs: admin/id/changed.html" in report
    assert "admin/id/gone.html" in report


def test_it_passes_two_crawls_that_differ_only_in_whitespace(tmp_path):
    for side, text in (("old", PAGE), ("new", PAGE.replace("\n", "\n\n"))):
        (tmp_path / side / "admin").mkdir(parents=True)
        (tmp_path / side / "admin" / "page.html").write_text(text)
    assert crawl_compare.compare(tmp_path / "old", tmp_path / "new", out=io.StringIO())


def test_the_crawl_replaces_csrf_tokens_and_nonces_but_keeps_audit_hashes():
    token = "aB3" * 21 + "x"  # 64 letters and digits, as Django masks a CSRF token
    digest = "0123456789abcdef" * 4
    page = f'<input value="{token}"><script nonce="r4nd0m"></script><td>{digest}</td>'
    expected = f'<input value="{{csrf-token}}"><script nonce="{{nonce}}"></script><td>{digest}</td>'
    assert crawl.normalise(page) == expected
