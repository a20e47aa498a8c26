"""The production static files: collectstatic with WhiteNoise's manifest storage must succeed.

The manifest storage rewrites every url() and sourceMappingURL it finds and fails on a file
that is referenced but missing (a vendored library's .map, say) — only at deploy time."""

from clinic.tests.test_settings import GOOD_KEY, PRODUCTION, run_python


def test_it_collects_every_static_file_with_the_production_storage(tmp_path):
    code = (
        "import django\n"
        "from django.core.management import call_command\n"
        "django.setup()\n"
        "call_command('collectstatic', '--noinput', verbosity=0)\n"
        "print('COLLECTED')\n"
    )
    result = run_python(
        code,
        DJANGO_SETTINGS_MODULE=PRODUCTION,
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="klinik.example.co.id",
        STATIC_ROOT=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "COLLECTED" in result.stdout
    manifest = (tmp_path / "staticfiles.json").read_text()
    assert "vendor/bootstrap-5.3.8/bootstrap.min.css" in manifest
    assert "js/clinic.js" in manifest
