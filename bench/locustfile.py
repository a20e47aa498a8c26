"""A clinic's day under load (issue 6; `make load`, docs/performance.md "Load test").

Simulated staff use the real pages the way people do: each logs in once through the login form
(CSRF token, the real password hasher), then works with a few seconds of thought between clicks.

- Receptionists search patients by name prefix, NIK and phone, open a patient, watch today's
  board, book an appointment into a free slot of a doctor's day, check patients in, open a bill
  and record a payment.
- Doctors open their queue and their day, open a visit (the patient's history), start a
  consultation, write the medical record and complete the visit (which issues the bill the
  receptionists then collect).

Only the staff pages are used, never a shortcut into the database, so the figures are what a
browser would see. A business refusal is a normal answer, not an error: "this slot is taken"
(the booking form comes back with its message, 200), "already checked in", "already paid". A
5xx, an unexpected 4xx or being sent back to the login page counts as a failure.

The app is meant to sit behind an HTTPS reverse proxy (README.md, "Production"), and the load
test runs it with the production settings unchanged. The client therefore plays the proxy's part:
every request carries `X-Forwarded-Proto: https` (trusted through SECURE_PROXY_SSL_HEADER, so
no HTTPS redirect) and the browser's `Origin`, and the client returns the Secure cookies over the
plain-HTTP loopback connection as a browser does over TLS.

Settings (environment): LOAD_RECEPTIONISTS / LOAD_DOCTORS, the users to log in as, comma-separated
(several simulated users share one account when there are fewer accounts than users);
LOAD_PASSWORD; LOAD_THINK_MIN / LOAD_THINK_MAX (seconds); LOAD_P95_MS, the limit above which the
run fails.
"""

import html
import http.cookiejar
import itertools
import os
import random
import re
import sys
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from locust import HttpUser, between, events, task
from locust.exception import StopUser

# locust puts this file's folder on the path; the project's root is one up.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.load_forms import Forms, ids_in, with_values  # noqa: E402

RECEPTIONISTS = [u for u in os.environ.get("LOAD_RECEPTIONISTS", "bench_receptionist").split(",") if u]
DOCTORS = [u for u in os.environ.get("LOAD_DOCTORS", "bench_doctor").split(",") if u]
PASSWORD = os.environ.get("LOAD_PASSWORD", "")
THINK_MIN = float(os.environ.get("LOAD_THINK_MIN", "2"))
THINK_MAX = float(os.environ.get("LOAD_THINK_MAX", "6"))
P95_LIMIT_MS = float(os.environ.get("LOAD_P95_MS", "100"))

# The beginnings of names people type at the front desk (common Indonesian given names).
NAME_PREFIXES = [
    "Sit",
    "Dew",
    "Bud",
    "Agu",
    "Nur",
    "Put",
    "Rin",
    "Sri",
    "Wah",
    "Ek",
    "And",
    "Ind",
    "Yul",
    "Ahm",
    "Muh",
    "Fitr",
    "Rat",
    "Har",
    "Sus",
    "Yun",
    "Ari",
    "Dian",
    "Ras",
    "Tri",
]

NIK_RE = re.compile(r"\b\d{16}\b")
PHONE_RE = re.compile(r"(?:\+62|62|0)8[\d \-]{7,14}\d")
# The page a lost session ends on; reaching it outside the login itself is a failure.
LOGIN_PATH = "/accounts/login/"

# The Secure session and CSRF cookies go back over the loopback's plain HTTP, as a browser sends
# them over TLS (the client plays the reverse proxy, see above). requests builds a fresh cookie jar
# with the default policy for every request, so the policy is changed for this process as a whole.
http.cookiejar.DefaultCookiePolicy.return_ok_secure = lambda self, cookie, request: True

# What the simulated staff got done, printed at the end (the rows a run leaves in the database).
OUTCOMES = Counter()
REFUSALS = {
    "bookings": "booking refused (slot taken or passed)",
    "payments": "payment refused (paid meanwhile)",
    "visits completed": "record refused by validation",
}


class StaffUser(HttpUser):
    """One member of staff: logs in once, then works. Subclasses give the accounts and tasks."""

    abstract = True
    accounts: list[str] = []
    wait_time = between(THINK_MIN, THINK_MAX)
    _counters: dict = {}

    def on_start(self):
        origin = self.host.rstrip("/").replace("http://", "https://", 1)
        self.client.headers.update(
            {"X-Forwarded-Proto": "https", "Origin": origin, "User-Agent": "clinic-load-test (locust)"}
        )
        self.username = self._next_account()
        self.login()

    @classmethod
    def _next_account(cls) -> str:
        """Accounts in turn, so simulated users spread over the accounts there are."""
        cycle = StaffUser._counters.setdefault(cls.__name__, itertools.cycle(cls.accounts))
        return next(cycle)

    def login(self):
        page = self.client.get(LOGIN_PATH, name="login form")
        form = Forms(page.text).form_with("username") if page.ok else None
        if form is None:
            raise StopUser()
        fields = with_values(form, username=self.username, password=PASSWORD)
        with self.client.post(LOGIN_PATH, data=fields, name="login", catch_response=True) as response:
            if response.status_code != 200 or urlsplit(response.url).path == LOGIN_PATH:
                message = re.search(r"alert-danger[^>]*>([^<]*)<", response.text or "")
                response.failure(
                    f"login of {self.username} failed ({response.status_code}"
                    f"{': ' + message.group(1).strip() if message else ''})"
                )
                raise StopUser()
            response.success()

    def page(self, url: str, name: str, expect: str | None = None, **kwargs):
        """GET a page; a failure unless it answers 200 on a staff page (matching `expect`)."""
        with self.client.get(url, name=name, catch_response=True, **kwargs) as response:
            return self._judge(response, expect)

    def search(self, query: str, name: str):
        """The patient search as the page's live search sends it: an htmx POST with the CSRF
        token; its words never in a URL (core/search_tokens.py)."""
        headers = {"HX-Request": "true", "X-CSRFToken": self.client.cookies.get("csrftoken", "")}
        with self.client.post("/patients/", data={"q": query}, headers=headers, name=name, catch_response=True) as r:
            return self._judge(r, None)

    def submit(self, url: str, fields, name: str, expect: str | None = None):
        """POST a form and follow its redirect, as a browser does."""
        with self.client.post(url, data=fields, name=name, catch_response=True) as response:
            return self._judge(response, expect)

    def _judge(self, response, expect: str | None):
        path = urlsplit(response.url or "").path
        if response.status_code != 200:
            response.failure(f"HTTP {response.status_code} at {path}")
            return None
        if path == LOGIN_PATH:
            response.failure("sent back to the login page")
            return None
        if expect is not None and not re.fullmatch(expect, path):
            response.failure(f"ended on {path}, expected {expect}")
            return None
        response.success()
        return response

    def csrf_post(self, page_text: str, action_pattern: str, name: str, expect: str | None = None, **values):
        form = Forms(page_text).form_posting_to(action_pattern)
        if form is None:
            return None
        return self.submit(form["action"], with_values(form, **values), name, expect)


class Receptionist(StaffUser):
    weight = int(os.environ.get("LOAD_RECEPTIONIST_WEIGHT", "35"))
    accounts = RECEPTIONISTS

    def on_start(self):
        self.patients, self.niks, self.phones, self.bills = [], [], [], []
        self.doctor_ids = []
        super().on_start()

    # --- the patient register ---------------------------------------------------------------

    @task(5)
    def search_by_name(self):
        prefix = random.choice(NAME_PREFIXES)
        response = self.search(prefix, "patients: search by name")
        if response is not None:
            found = ids_in(Forms(response.text).links, r"/patients/(\d+)/")
            self.patients = (found + self.patients)[:50]

    @task(4)
    def open_patient(self):
        if not self.patients:
            return self.search_by_name()
        response = self.page(f"/patients/{random.choice(self.patients)}/", "patients: detail")
        if response is not None:
            self.niks = (NIK_RE.findall(response.text)[:1] + self.niks)[:20]
            self.phones = ([re.sub(r"[ \-]", "", p) for p in PHONE_RE.findall(response.text)[:1]] + self.phones)[:20]

    @task(2)
    def search_by_nik(self):
        if self.niks:
            self.search(random.choice(self.niks), "patients: search by NIK")

    @task(1)
    def search_by_phone(self):
        if self.phones:
            self.search(random.choice(self.phones), "patients: search by phone")

    # --- the day ----------------------------------------------------------------------------

    @task(4)
    def board(self):
        self.page("/appointments/", "appointments: today's board")

    @task(3)
    def check_in(self):
        response = self.page("/appointments/", "appointments: today's board")
        if response is None:
            return
        forms = [f for f in Forms(response.text).forms if re.search(r"/appointments/\d+/check-in/$", f["action"])]
        if not forms:
            return
        form = random.choice(forms)
        done = self.submit(form["action"], form["fields"], "appointments: check in", r"/appointments/")
        if done is not None:
            OUTCOMES["check-ins"] += 1

    @task(3)
    def book(self):
        """The doctor's day, a free slot, then the booking form for a known patient."""
        if not self.patients:
            return self.search_by_name()
        query = {"date": (date.today() + timedelta(days=random.randint(0, 6))).isoformat()}
        if self.doctor_ids:
            query["doctor"] = random.choice(self.doctor_ids)
        day = self.page(f"/appointments/day/?{urlencode(query)}", "appointments: doctor's day")
        if day is None:
            return
        forms = Forms(day.text)
        picker = next((f for f in forms.forms if "doctor" in f["choices"]), None)
        if picker:
            self.doctor_ids = [v for v in picker["choices"]["doctor"] if v]
        slots = [link for link in forms.links if urlsplit(link).path == "/appointments/book/" and "start=" in link]
        if not slots:
            return
        url = f"{html.unescape(random.choice(slots))}&patient={random.choice(self.patients)}"
        page = self.page(url, "appointments: booking form")
        if page is None:
            return
        form = Forms(page.text).form_posting_to(r"/appointments/book/$")
        services = (form or {}).get("choices", {}).get("services")
        if not form or not services:
            return
        fields = with_values(
            form,
            services=random.sample(services, k=min(len(services), random.choice([1, 1, 2]))),
            reason="Kontrol (uji beban)",
        )
        with self.client.post(form["action"], data=fields, name="appointments: book", catch_response=True) as done:
            self._booked(done)

    def _booked(self, response):
        path = urlsplit(response.url or "").path
        if response.status_code == 200 and re.fullmatch(r"/appointments/\d+/", path):
            OUTCOMES["bookings"] += 1
            response.success()
        elif response.status_code == 200 and path == "/appointments/book/":
            # The form came back with its message: someone took the slot first (or it just passed).
            OUTCOMES[REFUSALS["bookings"]] += 1
            response.success()
        else:
            self._judge(response, r"/appointments/\d+/")

    # --- bills ------------------------------------------------------------------------------

    @task(2)
    def unpaid_bills(self):
        response = self.page("/billing/", "billing: unpaid bills")
        if response is not None:
            self.bills = ids_in(Forms(response.text).links, r"/billing/(\d+)/")[:50]

    @task(2)
    def view_bill(self):
        if not self.bills:
            return self.unpaid_bills()
        self.page(f"/billing/{random.choice(self.bills)}/", "billing: bill")

    @task(2)
    def pay(self):
        """A payment on an open bill: the whole balance, or half of it in cash (partial)."""
        if not self.bills:
            return self.unpaid_bills()
        bill = random.choice(self.bills)
        page = self.page(f"/billing/{bill}/pay/", "billing: payment form", r"/billing/\d+/(pay/)?")
        if page is None or urlsplit(page.url).path != f"/billing/{bill}/pay/":
            self.bills.remove(bill)  # paid in the meantime: the page sent us to the bill
            return
        form = Forms(page.text).form_with("amount")
        if form is None:
            return
        balance = dict(form["fields"]).get("amount", "")
        values = {"method": random.choice(["Cash", "Cash", "Transfer", "CreditCard"])}
        if random.random() < 0.3 and balance.isdigit() and int(balance) >= 2:
            values = {"method": "Cash", "amount": str(int(balance) // 2)}
        with self.client.post(
            f"/billing/{bill}/pay/",
            data=with_values(form, **values),
            name="billing: record payment",
            catch_response=True,
        ) as response:
            path = urlsplit(response.url or "").path
            if response.status_code == 200 and path == f"/billing/{bill}/":
                OUTCOMES["payments"] += 1
                response.success()
            elif response.status_code == 200 and path == f"/billing/{bill}/pay/":
                OUTCOMES[REFUSALS["payments"]] += 1
                response.success()
            else:
                self._judge(response, None)


class Doctor(StaffUser):
    weight = int(os.environ.get("LOAD_DOCTOR_WEIGHT", "15"))
    accounts = DOCTORS

    def on_start(self):
        self.visits = []
        super().on_start()

    @task(4)
    def queue(self):
        response = self.page("/records/queue/", "records: my queue")
        if response is not None:
            self.visits = ids_in(Forms(response.text).links, r"/records/visits/(\d+)/")
            return response

    @task(1)
    def my_day(self):
        self.page("/appointments/day/", "appointments: doctor's day (own)")

    @task(3)
    def open_visit(self):
        if not self.visits:
            return self.queue()
        self.page(f"/records/visits/{random.choice(self.visits)}/", "records: visit and history")

    @task(2)
    def consult(self):
        """Start a checked-in patient's consultation, write the record, complete the visit."""
        queue = self.queue()
        if queue is None:
            return
        starts = [f for f in Forms(queue.text).forms if re.search(r"/records/visits/\d+/start/$", f["action"])]
        if not starts:
            return
        start = random.choice(starts)
        visit_url = start["action"].rsplit("start/", 1)[0]
        visit = self.submit(start["action"], start["fields"], "records: start consultation", re.escape(visit_url))
        if visit is None:
            return
        form_page = self.page(
            f"{visit_url}record/", "records: medical record form", f"{re.escape(visit_url)}(record/)?"
        )
        if form_page is None or not urlsplit(form_page.url).path.endswith("/record/"):
            OUTCOMES["consultation taken by a colleague"] += 1
            return
        self.write_record(form_page.text, visit_url)

    def write_record(self, page_text: str, visit_url: str):
        form = Forms(page_text).form_with("complaint")
        if form is None:
            return
        record = {
            "complaint": "Demam dan batuk sejak tiga hari",
            "allergies": "Tidak ada",
            "systolic_bp": random.randint(105, 140),
            "diastolic_bp": random.randint(65, 90),
            "heart_rate": random.randint(60, 100),
            "respiratory_rate": random.randint(14, 22),
            "temperature_c": "37.8",
            "oxygen_saturation": random.randint(95, 99),
            "weight_kg": random.randint(45, 90),
            "height_cm": random.randint(150, 180),
            "diagnosis": "Infeksi saluran pernapasan atas akut",
            "icd10_code": "J06.9",
            "treatment": "Istirahat, banyak minum",
            "prescription": "Parasetamol 500 mg 3x1",
        }
        if any(name == "reason" for name, _value in form["fields"]):  # a correction says why
            record["reason"] = "Koreksi tanda vital"
        saved = self.submit(
            f"{visit_url}record/",
            with_values(form, **record),
            "records: save medical record",
            re.escape(visit_url) + "(record/)?",
        )
        if saved is None:
            return
        if urlsplit(saved.url).path.endswith("/record/"):
            OUTCOMES[REFUSALS["visits completed"]] += 1
            return
        done = self.csrf_post(saved.text, r"/complete/$", "records: complete visit", r"/records/(queue|visits/\d+)/")
        if done is not None:
            OUTCOMES["visits completed"] += 1


# --- the summary and the verdict ------------------------------------------------------------


def _ms(entry, fraction: float) -> int:
    return int(entry.get_response_time_percentile(fraction) or 0)


@events.quitting.add_listener
def summarise(environment, **_kwargs):
    """p50/p95/p99 per page and overall, the errors, what the staff did; the exit code."""
    stats = environment.stats
    total = stats.total
    print("\n=== Load test summary ===")
    print(f"{'page':44} {'requests':>8} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    for entry in sorted(stats.entries.values(), key=lambda e: e.name):
        print(
            f"{entry.name[:44]:44} {entry.num_requests:8d} {entry.num_failures:6d} "
            f"{_ms(entry, 0.5):7d} {_ms(entry, 0.95):7d} {_ms(entry, 0.99):7d}"
        )
    print(
        f"{'ALL':44} {total.num_requests:8d} {total.num_failures:6d} "
        f"{_ms(total, 0.5):7d} {_ms(total, 0.95):7d} {_ms(total, 0.99):7d}"
    )
    print(f"throughput: {total.total_rps:.1f} requests/s")
    for error in stats.errors.values():
        print(f"error: {error.occurrences} x {error.method} {error.name}: {error.error}")
    print("done by the simulated staff: " + (", ".join(f"{k} {v}" for k, v in sorted(OUTCOMES.items())) or "nothing"))
    verdict = []
    if total.num_failures:
        verdict.append(f"{total.num_failures} failed requests")
    if total.num_requests and _ms(total, 0.95) > P95_LIMIT_MS:
        verdict.append(f"overall p95 {_ms(total, 0.95)} ms > LOAD_P95_MS={P95_LIMIT_MS:g}")
    if not total.num_requests:
        verdict.append("no requests were made")
    # A refusal is a business answer, but a form that is refused every time is a broken scenario.
    for done, refused in REFUSALS.items():
        if OUTCOMES[refused] and not OUTCOMES[done]:
            verdict.append(f"no {done}: all {OUTCOMES[refused]} tries were refused")
    print("RESULT: " + ("FAIL — " + "; ".join(verdict) if verdict else "PASS"))
    environment.process_exit_code = 1 if verdict else 0
