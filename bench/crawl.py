"""Crawl every staff page as each role on the sample data and write the responses, normalised.

    .venv/bin/python bench/crawl.py OUTDIR        (from the repository root; `make crawl OUT=dir`)

The evidence that a change keeps every page's HTML: crawl before and after, then compare with
`bench/crawl_compare.py OLD NEW`. A new SQLite database in a temporary folder gets the sample data
as `make run` loads it, under a frozen clock. Each role and language is crawled inside a
transaction, and each request inside a nested one, both rolled back: every page sees the same
data whatever was crawled before it. The script reads only URL names and paths, the fixtures,
model labels and Django's public API, so it runs unchanged on code whose modules have moved.

Writes OUTDIR/<role>/<lang>/<slug>.html: the status code (after any redirects, which are
followed), a few response headers, a blank line, then the body with CSRF tokens, CSP nonces and
the two-step setup's random key replaced by placeholders.
"""

import copy
import datetime
import io
import logging
import os
import re
import sys
import tempfile
import traceback
import warnings
from pathlib import Path
from zoneinfo import ZoneInfo

import time_machine

REPO = Path(__file__).resolve().parent.parent
# The fixtures' "today" (2026-11-25) at 10.30 is the sample data's "now"; the crawl runs a week
# later so that shift_sample_data really moves the rows and rebuilds what depends on them.
FROZEN_NOW = datetime.datetime(2026, 12, 2, 10, 30, tzinfo=ZoneInfo("Asia/Jakarta"))
FIXTURES = ["users", "patients", "scheduling", "records", "billing", "pharmacy"]
ROLES = {
    "anonymous": None,
    "admin": "admin",
    "receptionist": "resepsionis",
    "doctor": "dokter",
    "pharmacist": "apoteker",
}
LANGUAGES = ["id", "en"]
SKIPPED_PREFIXES = ("admin/",)  # the Django admin keeps Django's own templates
HEADERS = ("Content-Type", "Location", "Content-Disposition")
TEXT_TYPES = ("text/", "application/json")

# A masked CSRF token is 64 letters and digits; an audit hash of the same length is hex only.
TOKEN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")
HEX = re.compile(r"[0-9a-f]{64}")
NONCE = re.compile(r'nonce="[^"]*"')
# The two-step setup page shows a new random TOTP key (base32), in its otpauth:// link and QR code.
TOTP_SECRET = re.compile(r"(?<![A-Z2-7])[A-Z2-7]{32}(?![A-Z2-7])|(?<=secret=)[A-Z2-7]+|(?<=secret%3D)[A-Z2-7]+")
QR_IMAGE = re.compile(r"data:image/[a-z+]+;base64,[A-Za-z0-9+/=]+")


def normalise(text: str) -> str:
    """The body with what differs between two identical requests replaced by placeholders."""
    text = TOKEN.sub(lambda m: m[0] if HEX.fullmatch(m[0]) else "{csrf-token}", text)
    text = NONCE.sub('nonce="{nonce}"', text)
    if "otpauth" in text:
        text = TOTP_SECRET.sub("{totp-secret}", text)
        text = QR_IMAGE.sub("{qr-code}", text)
    return text


def setup(database: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "clinic.settings.test"
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    for variable in ("DATABASE_REPLICA_URLS", "CACHE_URL", "REDIS_URL"):  # local memory caches only
        os.environ.pop(variable, None)
    os.environ["OTP_REQUIRED_FOR_ADMIN"] = "false"
    sys.path.insert(0, str(REPO))
    os.chdir(REPO)
    import django
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    django.setup()
    # Refusals (4xx) and django-axes' failed logins are expected; errors (5xx) are still shown.
    for logger in ("django.request", "axes"):
        logging.getLogger(logger).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic
    setup_test_environment()  # outgoing mail to memory, "testserver" allowed
    quiet = {"verbosity": 0, "stdout": io.StringIO()}
    call_command("migrate", interactive=False, **quiet)
    call_command("loaddata", *FIXTURES, **quiet)
    call_command("shift_sample_data", **quiet)


def sample() -> dict:
    """Ids and search terms from the loaded sample data, each chosen the same way every run."""
    from django.apps import apps

    def model(label):
        return apps.get_model(*label.split("."))

    Appointment, LabResult = model("scheduling.Appointment"), model("records.LabResult")
    Patient, Doctor, Billing = model("patients.Patient"), model("patients.Doctor"), model("billing.Billing")
    own = Doctor.objects.get(user__username=ROLES["doctor"])
    other = Doctor.objects.filter(is_active=True).exclude(pk=own.pk).order_by("pk").first()
    lab = LabResult.objects.filter(medical_record__doctor=own).order_by("pk").first()
    patient = lab.medical_record.patient
    outside, outside2 = Patient.objects.exclude(appointments__doctor=own).order_by("pk")[:2]
    s = {
        "own": own.pk,
        "other": other.pk,
        "patient": patient.pk,
        "outside": outside.pk,
        "outside2": outside2.pk,
        "patients": list(Patient.objects.order_by("pk").values_list("pk", flat=True)[:55]),
        "visit": lab.medical_record.appointment_id,
        "lab": lab.pk,
        "name": patient.full_name.split()[-1],
        "rm": patient.medical_record_number,
        "nik": next(p.nik for p in Patient.objects.order_by("pk") if p.nik),  # encrypted: no filter
        "dob": patient.date_of_birth.strftime("%d-%m-%Y"),
        "insurance": model("billing.Insurance").objects.order_by("pk").first().pk,
    }
    for status, _label in Appointment._meta.get_field("status").choices:
        # the doctor's own where there is one, so that the doctor's pages show it too
        with_status = Appointment.objects.filter(status=status).order_by("pk")
        first = with_status.filter(doctor=own).first() or with_status.first()
        s[f"appt_{status}"] = first.pk if first else None
    s["appt_other"] = Appointment.objects.exclude(doctor=own).filter(status="scheduled").order_by("pk").first().pk
    for status, _label in Billing._meta.get_field("status").choices:
        bill = Billing.objects.filter(status=status).order_by("pk").first()
        s[f"bill_{status}"] = bill.pk if bill else None
    prescription = model("pharmacy.Prescription").objects.filter(status="open").order_by("pk").first()
    s["prescription"], s["prescription_visit"] = prescription.pk, prescription.appointment_id
    s["prescription_line"] = prescription.lines.order_by("pk").first().pk
    s["drug"] = model("pharmacy.Drug").objects.order_by("pk").first().pk
    s["batch"] = model("pharmacy.Batch").objects.order_by("pk").first().pk
    return s


def history(s: dict) -> None:
    """Committed requests half an hour before the crawl, so that the audit pages have rows to show
    (more than a page of them): the front desk opening patients, a doctor's visit and emergency
    access (to outside2; `outside` stays unknown to the doctor), a failed login."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    def client(username):
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        return client

    with time_machine.travel(FROZEN_NOW - datetime.timedelta(minutes=30), tick=False):
        front_desk, doctor = client(ROLES["receptionist"]), client(ROLES["doctor"])
        for pk in s["patients"]:
            front_desk.get(reverse("patients:detail", kwargs={"pk": pk}))
        front_desk.post(reverse("patients:search"), {"q": s["name"]}, follow=True)
        client(ROLES["admin"]).get(reverse("billing:receipt", kwargs={"pk": s["bill_paid"]}))
        doctor.get(reverse("records:visit", kwargs={"pk": s["visit"]}))
        doctor.post(
            reverse("audit:emergency_access", kwargs={"pk": s["outside2"]}),
            {"reason": "Pasien tidak sadar, perlu riwayat alergi dan obat."},
        )
        doctor.get(reverse("patients:detail", kwargs={"pk": s["outside2"]}))
        Client().post(reverse("accounts:login"), {"username": ROLES["receptionist"], "password": "wrong"})


def plan(s: dict) -> list[tuple]:
    """(URL name, kwargs, query, htmx, POST data or None, label) of every request to make."""
    today = FROZEN_NOW.date()
    tomorrow = today + datetime.timedelta(days=1)
    appts = [s[k] for k in sorted(s) if k.startswith("appt_") and s[k]]
    bills = [s[k] for k in sorted(s) if k.startswith("bill_") and s[k]]
    # URL name: ([kwargs, ...], [query, ...], [query requested with HX-Request: true, ...]);
    # the queries go with the first kwargs.
    get = {
        "accounts:login": ([{}], ["", "next=/patients/"]),
        "audit:search": (
            [{}],
            [
                "",
                "actor=admin",
                f"patient={s['rm']}",
                "action=read",
                "page=2",
                f"date_from={today:%d-%m-%Y}&date_to={today:%d-%m-%Y}",
                "date_from=bad",
            ],
        ),
        "audit:patient": (
            [{"pk": s["patient"]}, {"pk": s["outside"]}, {"pk": s["outside2"]}],
            ["", f"date_from={today:%d-%m-%Y}", "date_to=x"],
        ),
        "audit:emergency_list": ([{}], ["", "page=2"]),
        "dashboard": (
            [{}],
            [
                "",
                "period=day",
                "period=month",
                "period=year",
                "period=week",
                f"start={today - datetime.timedelta(days=6)}&end={today}",
                f"start={today}&end={today - datetime.timedelta(days=6)}",
                "start=bad",
                "period=day&start=2020-01-01&end=2026-12-01",
            ],
        ),
        "dashboard_export": ([{}], ["", "period=month", "period=year"]),
        "patients:search": (
            [{}],
            [
                "",
                f"q={s['name']}",
                f"q={s['rm']}",
                f"q={s['nik']}",
                f"q={s['dob']}",
                "q=zzzz",
                f"q={s['name']}&inactive=on",
            ],
            ["", f"q={s['name']}"],
        ),
        "patients:create": ([{}], ["", "name=Budi"]),
        "patients:detail": (
            [{"pk": s["patient"]}, {"pk": s["outside"]}, {"pk": s["outside2"]}, {"pk": 999999}],
            ["", "appointments_page=2", "bills_page=2", "appointments_page=x"],
        ),
        "patients:edit": ([{"pk": s["patient"]}, {"pk": s["outside"]}], [""]),
        "audit:emergency_access": ([{"pk": s["outside"]}, {"pk": s["patient"]}], [""]),
        "insurance:add": ([{"pk": s["patient"]}], [""]),
        "insurance:edit": ([{"pk": s["insurance"]}], [""]),
        "scheduling:board": (
            [{}],
            ["", f"doctor={s['own']}", f"doctor={s['other']}", "status=checked_in", "status=bogus", "page=2"],
            ["", f"doctor={s['own']}"],
        ),
        "scheduling:book": (
            [{}],
            [
                "",
                f"patient={s['patient']}",
                f"q={s['name']}",
                f"doctor={s['own']}&date={tomorrow}&time=09:00",
                "patient=x",
            ],
        ),
        "scheduling:walk_in": ([{}], ["", f"patient={s['patient']}", f"q={s['name']}", f"doctor={s['other']}"]),
        "scheduling:day": (
            [{}],
            [
                "",
                f"doctor={s['other']}",
                f"date={tomorrow:%d-%m-%Y}",
                f"date={tomorrow}",
                f"doctor={s['own']}&date={today - datetime.timedelta(days=1)}",
                "date=bad",
            ],
        ),
        "scheduling:patient_lookup": ([{}], ["", f"q={s['name']}", f"q={s['rm']}"], [f"q={s['name']}"]),
        "scheduling:detail": ([{"pk": pk} for pk in appts + [s["appt_other"], 999999]], [""]),
        "scheduling:reschedule": ([{"pk": s["appt_scheduled"]}, {"pk": s["appt_completed"]}], [""]),
        "records:queue": ([{}], [""], [""]),
        "records:icd10": (
            [{}],
            ["", "q=J06", "q=demam", "q=zzzz"],
            ["q=J06", "pick=J06.9&icd10_code=&diagnosis=", "pick=XYZ&icd10_code=A09&diagnosis=Diare"],
        ),
        "records:visit": ([{"pk": pk} for pk in [s["visit"], *appts, s["appt_other"], 999999]], [""]),
        "records:record": ([{"pk": s["appt_in_consultation"]}, {"pk": s["visit"]}], [""]),
        "records:lab_add": ([{"pk": s["appt_in_consultation"]}, {"pk": s["visit"]}], [""]),
        "records:lab_edit": ([{"pk": s["visit"], "lab_pk": s["lab"]}], [""]),
        "billing:unpaid": ([{}], ["", f"q={s['name']}", "page=2"], ["", f"q={s['name']}"]),
        "billing:detail": ([{"pk": pk} for pk in bills + [999999]], [""]),
        "billing:pay": ([{"pk": pk} for pk in bills], [""]),
        "billing:receipt": ([{"pk": pk} for pk in bills], [""]),
        "billing:receipt_pdf": ([{"pk": s["bill_paid"]}], [""]),
        "scheduling:ticket": ([{"pk": s["appt_checked_in"]}, {"pk": s["appt_scheduled"]}], [""]),
        "pharmacy:prescribe": ([{"pk": s["prescription_visit"]}, {"pk": s["visit"]}, {"pk": 999999}], [""]),
        "pharmacy:prescription": ([{"pk": s["prescription"]}, {"pk": 999999}], [""]),
        "pharmacy:labels": ([{"pk": s["prescription"]}], [""]),
        "pharmacy:copy": ([{"pk": s["prescription"]}], [""]),
        "pharmacy:drug_search": ([{}], ["", "q=para", "q=zzzz"]),
        "pharmacy:drug_stock": ([{"pk": s["drug"]}, {"pk": 999999}], [""]),
        "pharmacy:batch_count": ([{"pk": s["batch"]}], [""]),
        "pharmacy:batch_remove": ([{"pk": s["batch"]}], [""]),
        "pharmacy:near_expiry": ([{}], ["", "days=365", "days=x"]),
        "pharmacy:movements": ([{}], ["", f"drug={s['drug']}", "start=bad"]),
        # POST-only actions: a GET is refused (405); their POSTs are below
        "records:call_again": ([{"pk": s["appt_checked_in"]}], [""]),
        "pharmacy:send": ([{"pk": s["prescription_visit"]}], [""]),
        "pharmacy:line_remove": ([{"pk": s["prescription_visit"], "line_pk": s["prescription_line"]}], [""]),
        "scheduling:check_in": ([{"pk": s["appt_scheduled"]}], [""]),
        "scheduling:cancel": ([{"pk": s["appt_scheduled"]}], [""]),
        "scheduling:no_show": ([{"pk": s["appt_scheduled"]}], [""]),
        "records:start": ([{"pk": s["appt_checked_in"]}], [""]),
        "records:complete": ([{"pk": s["appt_in_consultation"]}], [""]),
        "billing:void": ([{"pk": s["bill_unpaid"]}], [""]),
        "accounts:otp_verify": ([{}], [""]),
    }
    post = [  # (URL name, kwargs, data, label): forms sent with invalid data show their errors
        ("set_language", {}, {"language": "en", "next": "/appointments/"}, "en"),
        ("accounts:login", {}, {"username": "admin", "password": "wrong"}, "wrong-password"),
        ("accounts:otp_verify", {}, {"token": "000000"}, "wrong-code"),
        ("patients:create", {}, {}, "empty"),
        ("patients:edit", {"pk": s["patient"]}, {}, "empty"),
        ("audit:emergency_access", {"pk": s["outside"]}, {"reason": "short"}, "short-reason"),
        ("insurance:add", {"pk": s["patient"]}, {}, "empty"),
        ("insurance:edit", {"pk": s["insurance"]}, {}, "empty"),
        ("scheduling:book", {}, {}, "empty"),
        (
            "scheduling:book",
            {},
            {"patient": s["patient"], "doctor": s["own"], "date": f"{tomorrow}", "time": "03:00"},
            "outside-hours",
        ),
        ("scheduling:walk_in", {}, {}, "empty"),
        ("scheduling:reschedule", {"pk": s["appt_scheduled"]}, {}, "empty"),
        ("records:record", {"pk": s["appt_in_consultation"]}, {"systolic_bp": "abc"}, "bad-vitals"),
        ("records:lab_add", {"pk": s["appt_in_consultation"]}, {}, "empty"),
        ("records:lab_edit", {"pk": s["visit"], "lab_pk": s["lab"]}, {}, "empty"),
        ("billing:pay", {"pk": s["bill_unpaid"]}, {}, "empty"),
        ("billing:pay", {"pk": s["bill_partially_paid"]}, {"amount": "999999999", "method": "cash"}, "too-much"),
        ("pharmacy:prescribe", {"pk": s["prescription_visit"]}, {}, "empty"),
        ("pharmacy:prescription", {"pk": s["prescription"]}, {}, "empty"),
        ("pharmacy:receive", {}, {}, "empty"),
        ("pharmacy:batch_count", {"pk": s["batch"]}, {}, "empty"),
        ("pharmacy:batch_remove", {"pk": s["batch"]}, {}, "empty"),
        # actions refused by the state of their object: a redirect with an error message
        ("scheduling:check_in", {"pk": s["appt_completed"]}, {}, "completed"),
        ("scheduling:cancel", {"pk": s["appt_completed"]}, {}, "completed"),
        ("scheduling:no_show", {"pk": s["appt_completed"]}, {}, "completed"),
        ("records:start", {"pk": s["appt_completed"]}, {}, "completed"),
        ("records:complete", {"pk": s["appt_scheduled"]}, {}, "scheduled"),
        ("billing:void", {"pk": s["bill_paid"]}, {}, "paid"),
    ]
    requests = []
    for name, (kwargs_list, queries, *htmx) in get.items():
        requests += [(name, kwargs_list[0], query, False, None, "") for query in queries]
        requests += [(name, kwargs, "", False, None, "") for kwargs in kwargs_list[1:]]
        requests += [(name, kwargs_list[0], query, True, None, "") for query in (htmx[0] if htmx else [])]
    requests += [(name, kwargs, "", False, data, label) for name, kwargs, data, label in post]
    return requests


def url_patterns(patterns=None, prefix="", namespace=""):
    """(qualified name or None, route, argument names) of every URL pattern, in URL conf order."""
    from django.urls import URLResolver, get_resolver

    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace]))
            yield from url_patterns(pattern.url_patterns, route, inner)
        else:
            name = pattern.name and ":".join(filter(None, [namespace, pattern.name]))
            yield name, route, sorted(pattern.pattern.regex.groupindex)


def all_requests(s: dict) -> tuple[list[tuple], list[str]]:
    """The plan, plus a bare GET of every other pattern without arguments; and the patterns the
    plan cannot fill (a new URL needs a line in plan())."""
    requests = plan(s)
    planned = {name for name, _kwargs, _query, _htmx, data, _label in requests if data is None}
    uncovered = []
    for name, route, arguments in url_patterns():
        if route.lstrip("^").startswith(SKIPPED_PREFIXES) or (name and name in planned):
            continue
        if arguments or not name:
            uncovered.append(f"{name or '-'} {route}")
        else:
            requests.append((name, {}, "", False, None, ""))
    unique = {
        (name, tuple(sorted(kwargs.items())), query, htmx, label): (name, kwargs, query, htmx, data, label)
        for name, kwargs, query, htmx, data, label in reversed(requests)
    }
    return list(reversed(unique.values())), uncovered


def slug(url: str, htmx: bool, label: str) -> str:
    path, _, query = url.partition("?")
    text = path.strip("/").replace("/", "_") or "root"
    if query:
        text += "__" + query
    if htmx:
        text += "__htmx"
    if label:
        text += "__post-" + label
    return re.sub(r"[^A-Za-z0-9._=,-]", "-", text)


def render(response) -> str:
    """Status codes (those of the redirects followed first), headers, a blank line, the body."""
    chain = getattr(response, "redirect_chain", [])
    lines = [" -> ".join(str(status) for status in [*(status for _url, status in chain), response.status_code])]
    if chain:
        lines.append("Redirects: " + " ".join(url for url, _status in chain))
    lines += [f"{header}: {response[header]}" for header in HEADERS if response.has_header(header)]
    lines += sorted(f"{header}: {value}" for header, value in response.items() if header.startswith("HX-"))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if body and not kind.startswith(TEXT_TYPES):
        text = f"{{binary body, {kind}}}"  # a PDF carries its creation time and random ids
    else:
        text = normalise(body.decode(response.charset or "utf-8"))
    return "\n".join(lines) + "\n\n" + text


def crawl(outdir: Path) -> int:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.cache import caches
    from django.db import transaction
    from django.test import Client
    from django.urls import reverse

    shared = [
        alias
        for alias, cache in settings.CACHES.items()
        if not cache["BACKEND"].endswith(("LocMemCache", "DummyCache"))
    ]
    if shared:  # the crawl empties its caches before every request
        raise SystemExit(f"error: the crawl runs on local-memory caches only, not {', '.join(shared)}")
    s = sample()
    history(s)
    requests, uncovered = all_requests(s)
    if uncovered:
        print("URL patterns with arguments the crawl does not fill:\n  " + "\n  ".join(uncovered), file=sys.stderr)
        (outdir / "uncovered.txt").write_text("\n".join(uncovered) + "\n")
    errors = 0
    for role, username in ROLES.items():
        for language in LANGUAGES:
            folder = outdir / role / language
            folder.mkdir(parents=True, exist_ok=True)
            with transaction.atomic():
                client = Client()
                if language != settings.LANGUAGE_CODE:
                    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
                if username:
                    client.force_login(get_user_model().objects.get(username=username))
                cookies = copy.deepcopy(client.cookies)
                for name, kwargs, query, htmx, data, label in requests:
                    url = reverse(name, kwargs=kwargs) + (f"?{query}" if query else "")
                    for cache in caches.all():
                        cache.clear()
                    client.cookies = copy.deepcopy(cookies)  # a logout or language switch stays in its request
                    headers = {"HX-Request": "true"} if htmx else {}
                    try:
                        with transaction.atomic():
                            # Redirects are followed: the page after a POST shows its message.
                            if data is None:
                                response = client.get(url, headers=headers, follow=True)
                            else:
                                response = client.post(url, data, headers=headers, follow=True)
                            text = render(response)
                            transaction.set_rollback(True)
                    except Exception as error:  # noqa: BLE001 -- recorded, and the crawl goes on
                        errors += 1
                        print(f"{role}/{language} {url}:\n{traceback.format_exc()}", file=sys.stderr)
                        text = f"EXCEPTION {type(error).__name__}\n"
                    (folder / f"{slug(url, htmx, label)}.html").write_text(text, encoding="utf-8")
                transaction.set_rollback(True)
            print(f"{role}/{language}: {len(list(folder.iterdir()))} pages")
    return errors


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    outdir = Path(argv[1]).resolve()
    if outdir.exists() and any(outdir.iterdir()):
        print(f"error: {outdir} is not empty", file=sys.stderr)
        return 2
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="clinic-crawl-") as folder, time_machine.travel(FROZEN_NOW, tick=False):
        setup(Path(folder) / "crawl.sqlite3")
        errors = crawl(outdir)
    if errors:
        print(f"{errors} requests raised an exception (see above)", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
