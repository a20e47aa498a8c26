"""A local SATUSEHAT for tests and demos: a plain WSGI application, no Django.

It follows the platform's published playbook where this clinic meets it:
- `POST /oauth2/v1/accesstoken?grant_type=client_credentials` (form client_id, client_secret) gives
  a bearer token that expires after `expires_in` seconds (honoured: an expired token is a 401);
- `GET /fhir-r4/v1/Patient?identifier=https://fhir.kemkes.go.id/id/nik|NIK` (and Practitioner)
  search its small data set;
- `POST /fhir-r4/v1` takes a `transaction` Bundle, validates every entry with fhir.resources (R4B)
  and the platform's rules, and answers 200 with a transaction-response (201 per created entry,
  with its id) or 400 with an OperationOutcome; nothing of a refused Bundle is kept;
- `GET /fhir-r4/v1/<Type>/<id>` and `GET /fhir-r4/v1/<Type>?identifier=system|value` read back.

Faults for tests (`POST /__mock__/faults` with {"fault": ..., "times": n, "delay": s}):
"429", "500", "timeout" (answers after `delay`, the request is processed), "slow" (processes,
then waits `delay` before answering), "duplicate" (processes, then answers 500: the answer is
lost), "expired_token" (every token issued so far expires now). `GET /__mock__/state` counts what
it holds; `POST /__mock__/config` sets expires_in.
"""

import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError

NIK_SYSTEM = "https://fhir.kemkes.go.id/id/nik"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$")
HAS_OFFSET = re.compile(r"(Z|[+-]\d{2}:\d{2})$")
STATUS_ORDER = ("arrived", "in-progress", "finished")

# The data set of `make satusehat-mock` and the tests; a JSON file of the same shape replaces it.
DEFAULT_DATASET = {
    "organization_id": "10000004",
    "client_id": "klinik-mock-client",
    "client_secret": "klinik-mock-secret",
    "patients": {
        "9271060312000001": "P02478375538",
        "9204014804000002": "P03647103112",
        "9104224509000003": "P00805884304",
    },
    "practitioners": {
        "7209061211900001": "10009880728",
        "3322071302900002": "10006926841",
    },
    "locations": ["ef011065-38c9-46f8-9c35-d1fe68966a3e", "b29038d4-9ef0-4eb3-a2e9-3c02df668b07"],
}


class Refused(Exception):
    def __init__(self, status: int, diagnostics: str, code: str = "invalid", expression: str | None = None):
        super().__init__(diagnostics)
        self.status, self.diagnostics, self.code, self.expression = status, diagnostics, code, expression


def outcome(diagnostics: str, code: str = "invalid", expression: str | None = None, severity: str = "error") -> dict:
    issue = {"severity": severity, "code": code, "details": {"text": diagnostics}, "diagnostics": diagnostics}
    if expression:
        issue["expression"] = [expression]
    return {"resourceType": "OperationOutcome", "issue": [issue]}


@dataclass
class Fault:
    name: str
    times: int
    delay: float = 0.0


@dataclass
class State:
    dataset: dict
    expires_in: int = 3599
    tokens: dict[str, float] = field(default_factory=dict)
    tokens_issued: int = 0
    resources: dict[str, dict[str, dict]] = field(default_factory=dict)  # type → id → resource
    identifiers: dict[tuple[str, str], str] = field(default_factory=dict)  # (type, system|value) → id
    versions: dict[tuple[str, str], int] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    transactions: int = 0
    bundles_stored: int = 0
    lock: threading.RLock = field(default_factory=threading.RLock)


class MockSatusehat:
    """The WSGI application. `state` is inspectable by tests that run it in their own process."""

    def __init__(self, dataset: dict | None = None):
        self.state = State(dataset=dataset or DEFAULT_DATASET)

    # --- WSGI ----------------------------------------------------------------------------------

    def __call__(self, environ, start_response):
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "")
        query = parse_qs(environ.get("QUERY_STRING", ""))
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        try:
            status, payload, headers = self.handle(method, path, query, body, environ)
        except Refused as refused:
            status, payload, headers = (
                refused.status,
                outcome(refused.diagnostics, refused.code, refused.expression),
                {},
            )
        data = json.dumps(payload).encode()
        start_response(
            f"{status} {STATUS_TEXT.get(status, 'OK')}",
            [("Content-Type", "application/fhir+json"), ("Content-Length", str(len(data))), *headers.items()],
        )
        return [data]

    def handle(self, method, path, query, body, environ):
        if path.startswith("/__mock__/"):
            return self.control(method, path[len("/__mock__/") :], body)
        if path == "/oauth2/v1/accesstoken" and method == "POST":
            return self.token(query, parse_qs(body.decode()))
        if not path.startswith("/fhir-r4/v1"):
            raise Refused(404, f"Unknown path {path}", "not-found")
        self.authorise(environ.get("HTTP_AUTHORIZATION", ""))
        rest = path[len("/fhir-r4/v1") :].strip("/")
        if method == "POST" and rest == "":
            return self.transaction(body)
        parts = rest.split("/")
        if method == "GET" and len(parts) == 1:
            return 200, self.search(parts[0], query), {}
        if method == "GET" and len(parts) == 2:
            resource = self.state.resources.get(parts[0], {}).get(parts[1])
            if resource is None:
                raise Refused(404, f"{parts[0]}/{parts[1]} not found", "not-found")
            return 200, resource, {}
        raise Refused(405, f"{method} {path} is not supported by the mock", "not-supported")

    # --- control ---------------------------------------------------------------------------------

    def control(self, method, name, body):
        state = self.state
        with state.lock:
            if name == "faults" and method == "POST":
                spec = json.loads(body or b"{}")
                if spec["fault"] == "expired_token":
                    state.tokens = dict.fromkeys(state.tokens, 0.0)
                else:
                    state.faults.append(Fault(spec["fault"], int(spec.get("times", 1)), float(spec.get("delay", 0))))
                return 200, {"ok": True}, {}
            if name == "config" and method == "POST":
                spec = json.loads(body or b"{}")
                state.expires_in = int(spec.get("expires_in", state.expires_in))
                return 200, {"ok": True}, {}
            if name == "reset" and method == "POST":
                self.state = State(dataset=state.dataset)
                return 200, {"ok": True}, {}
            if name == "state" and method == "GET":
                return (
                    200,
                    {
                        "tokens_issued": state.tokens_issued,
                        "transactions": state.transactions,
                        "bundles_stored": state.bundles_stored,
                        "resources": {kind: len(items) for kind, items in state.resources.items()},
                        "encounter_identifiers": sorted(
                            value for (kind, value) in state.identifiers if kind == "Encounter"
                        ),
                    },
                    {},
                )
        raise Refused(404, f"Unknown control {name}", "not-found")

    def _take_fault(self) -> Fault | None:
        with self.state.lock:
            for fault in self.state.faults:
                if fault.times > 0:
                    fault.times -= 1
                    return fault
        return None

    # --- auth ------------------------------------------------------------------------------------

    def token(self, query, form):
        if query.get("grant_type") != ["client_credentials"]:
            raise Refused(400, "grant_type must be client_credentials", "invalid")
        dataset = self.state.dataset
        if form.get("client_id") != [dataset["client_id"]] or form.get("client_secret") != [dataset["client_secret"]]:
            raise Refused(401, "Invalid client credentials", "login")
        token = uuid.uuid4().hex
        with self.state.lock:
            self.state.tokens[token] = time.time() + self.state.expires_in
            self.state.tokens_issued += 1
        return (
            200,
            {
                "access_token": token,
                "token_type": "BearerToken",
                "expires_in": str(self.state.expires_in),
                "issued_at": str(int(time.time() * 1000)),
                "organization_name": "Kementerian Kesehatan (mock)",
                "status": "approved",
            },
            {},
        )

    def authorise(self, header: str):
        token = header.removeprefix("Bearer ").strip()
        expiry = self.state.tokens.get(token)
        if expiry is None or expiry <= time.time():
            raise Refused(401, "Access token expired or invalid", "login")

    # --- search ----------------------------------------------------------------------------------

    def search(self, resource_type, query):
        identifier = (query.get("identifier") or [""])[0]
        entries = []
        if resource_type in ("Patient", "Practitioner") and identifier.startswith(f"{NIK_SYSTEM}|"):
            nik = identifier.split("|", 1)[1]
            table = self.state.dataset["patients" if resource_type == "Patient" else "practitioners"]
            if nik in table:
                entries.append(
                    {
                        "fullUrl": f"{resource_type}/{table[nik]}",
                        "resource": {
                            "resourceType": resource_type,
                            "id": table[nik],
                            "identifier": [{"system": NIK_SYSTEM, "value": nik}],
                        },
                    }
                )
        elif identifier:
            found = self.state.identifiers.get((resource_type, identifier))
            if found:
                entries.append({"resource": self.state.resources[resource_type][found]})
        return {"resourceType": "Bundle", "type": "searchset", "total": len(entries), "entry": entries}

    # --- the transaction -------------------------------------------------------------------------

    def transaction(self, body):
        fault = self._take_fault()
        if fault and fault.name == "429":
            return 429, outcome("Too many requests", "throttled"), {"Retry-After": "1"}
        if fault and fault.name == "500":
            return 500, outcome("Internal server error", "exception"), {}
        if fault and fault.name == "timeout":
            before = self.state
            time.sleep(fault.delay)
            if self.state is not before:
                # Reset while this request slept (the next test began): a late request must not
                # land in the new state.
                return 503, outcome("Reset while waiting", "transient"), {}
        try:
            bundle = json.loads(body)
        except ValueError as error:
            raise Refused(400, f"Body is not JSON: {error}", "structure") from error
        with self.state.lock:
            self.state.transactions += 1
            plan = self.validate(bundle)
            answer = self.apply(bundle, plan)
        if fault and fault.name == "slow":
            time.sleep(fault.delay)
        if fault and fault.name == "duplicate":
            return 500, outcome("Gateway error after commit", "exception"), {}
        return 200, answer, {}

    def validate(self, bundle) -> list[tuple[str, str | None]]:
        """Every rule; raises Refused (400) at the first broken one. Returns, per entry, the
        action ("create", "exists", "update") and the id it already has."""
        dataset = self.state.dataset
        org = dataset["organization_id"]
        if bundle.get("resourceType") != "Bundle" or bundle.get("type") != "transaction":
            raise Refused(400, "Expected a Bundle of type transaction", "structure", "Bundle.type")
        entries = bundle.get("entry") or []
        for index, entry in enumerate(entries):
            resource = entry.get("resource") or {}
            try:
                get_fhir_model_class(resource.get("resourceType", "")).model_validate(resource)
            except (ValidationError, KeyError, ValueError) as error:
                raise Refused(
                    400, f"{resource.get('resourceType')}: {error}", "structure", f"Bundle.entry[{index}]"
                ) from error
            for where, value in _strings(resource, resource.get("resourceType", "")):
                if DATETIME.match(value) and not HAS_OFFSET.search(value):
                    raise Refused(400, f"Date-time without offset: {value}", "value", where)
        try:
            Bundle.model_validate(bundle)
        except ValidationError as error:
            raise Refused(400, f"Bundle: {error}", "structure", "Bundle") from error
        full_urls = {entry.get("fullUrl") for entry in entries}
        encounters = [e["resource"] for e in entries if e["resource"]["resourceType"] == "Encounter"]
        if len(encounters) != 1:
            raise Refused(400, "A visit Bundle holds exactly one Encounter", "invariant", "Bundle.entry")
        encounter = encounters[0]
        system = f"http://sys-ids.kemkes.go.id/encounter/{org}"
        if not any(i.get("system") == system and i.get("value") for i in encounter.get("identifier") or []):
            raise Refused(
                400, f"Encounter.identifier must use the system {system}", "invariant", "Encounter.identifier"
            )
        klass = encounter.get("class") or {}
        if klass.get("system") != ACT_CODE or klass.get("code") != "AMB":
            raise Refused(400, "Encounter.class must be AMB of v3-ActCode", "code-invalid", "Encounter.class")
        if (encounter.get("serviceProvider") or {}).get("reference") != f"Organization/{org}":
            raise Refused(400, f"Encounter.serviceProvider must be Organization/{org}", "invariant")
        history = encounter.get("statusHistory") or []
        statuses = [item.get("status") for item in history]
        if statuses != list(STATUS_ORDER) or any(not (i.get("period") or {}).get("start") for i in history):
            raise Refused(
                400,
                "Encounter.statusHistory must be arrived, in-progress, finished, each with its start",
                "invariant",
                "Encounter.statusHistory",
            )
        starts = [i["period"]["start"] for i in history]
        if starts != sorted(starts):
            raise Refused(400, "Encounter.statusHistory is out of order", "invariant", "Encounter.statusHistory")
        diagnosed = {(d.get("condition") or {}).get("reference") for d in encounter.get("diagnosis") or []}
        for entry in entries:
            resource = entry["resource"]
            if resource["resourceType"] == "Condition":
                own = {entry.get("fullUrl"), f"Condition/{resource.get('id')}"}
                if not own & diagnosed:
                    raise Refused(
                        400,
                        "Every Condition must be referenced from Encounter.diagnosis",
                        "invariant",
                        "Encounter.diagnosis",
                    )
                codings = (resource.get("code") or {}).get("coding") or []
                if not any(c.get("system") == ICD10 and c.get("code") for c in codings):
                    raise Refused(400, "Condition.code must be an ICD-10 code", "code-invalid", "Condition.code")
        known = {
            "Patient": set(dataset["patients"].values()),
            "Practitioner": set(dataset["practitioners"].values()),
            "Location": set(dataset["locations"]),
            "Organization": {org},
        }
        for entry in entries:
            for where, reference in _references(entry["resource"], entry["resource"]["resourceType"]):
                if reference.startswith("urn:uuid:"):
                    if reference not in full_urls:
                        raise Refused(400, f"Unresolved reference {reference}", "not-found", where)
                    continue
                kind, _, rid = reference.partition("/")
                if kind in known and rid not in known[kind]:
                    raise Refused(400, f"Unknown {kind} id {rid}", "not-found", where)
                if kind not in known and rid not in self.state.resources.get(kind, {}):
                    raise Refused(400, f"Unknown reference {reference}", "not-found", where)
        plan = []
        for index, entry in enumerate(entries):
            request = entry.get("request") or {}
            kind = entry["resource"]["resourceType"]
            if request.get("method") == "PUT":
                rid = request.get("url", "").partition("/")[2]
                if rid not in self.state.resources.get(kind, {}):
                    raise Refused(400, f"{request.get('url')} does not exist", "not-found", f"Bundle.entry[{index}]")
                plan.append(("update", rid))
            elif request.get("method") == "POST":
                condition = request.get("ifNoneExist", "")
                existing = None
                if condition.startswith("identifier="):
                    existing = self.state.identifiers.get((kind, condition[len("identifier=") :]))
                elif kind == "Encounter":
                    for identifier in entry["resource"].get("identifier") or []:
                        key = (kind, f"{identifier.get('system')}|{identifier.get('value')}")
                        if key in self.state.identifiers:
                            raise Refused(400, f"Duplicate Encounter identifier {identifier.get('value')}", "duplicate")
                plan.append(("exists", existing) if existing else ("create", None))
            else:
                raise Refused(400, "Entry request must be POST or PUT", "not-supported", f"Bundle.entry[{index}]")
        return plan

    def apply(self, bundle, plan) -> dict:
        state = self.state
        ids = {}
        for entry, (action, rid) in zip(bundle["entry"], plan, strict=True):
            if action == "create":
                rid = str(uuid.uuid4())
            ids[entry.get("fullUrl")] = f"{entry['resource']['resourceType']}/{rid}"
        answers = []
        for entry, (action, _rid) in zip(bundle["entry"], plan, strict=True):
            kind = entry["resource"]["resourceType"]
            rid = ids[entry.get("fullUrl")].partition("/")[2]
            if action == "exists":
                version = state.versions[(kind, rid)]
                answers.append(_response("200 OK", kind, rid, version))
                continue
            resource = _resolve(json.loads(json.dumps(entry["resource"])), ids)
            resource["id"] = rid
            version = state.versions.get((kind, rid), 0) + 1
            state.versions[(kind, rid)] = version
            resource["meta"] = {
                "versionId": str(version),
                "lastUpdated": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()),
            }
            state.resources.setdefault(kind, {})[rid] = resource
            for identifier in resource.get("identifier") or []:
                state.identifiers[(kind, f"{identifier.get('system')}|{identifier.get('value')}")] = rid
            answers.append(_response("201 Created" if action == "create" else "200 OK", kind, rid, version))
        state.bundles_stored += 1
        return {"resourceType": "Bundle", "type": "transaction-response", "entry": answers}


STATUS_TEXT = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    429: "Too Many Requests",
    500: "Internal Server Error",
}


def _response(status: str, kind: str, rid: str, version: int) -> dict:
    return {
        "response": {
            "status": status,
            "location": f"{kind}/{rid}/_history/{version}",
            "etag": f'W/"{version}"',
            "resourceType": kind,
            "resourceID": rid,
        }
    }


def _strings(node, where):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _strings(value, f"{where}[{index}]")
    elif isinstance(node, str):
        yield where, node


def _references(node, where):
    for path, value in _strings(node, where):
        if path.endswith(".reference"):
            yield path, value


def _resolve(node, ids):
    if isinstance(node, dict):
        return {
            key: (ids.get(value, value) if key == "reference" else _resolve(value, ids)) for key, value in node.items()
        }
    if isinstance(node, list):
        return [_resolve(value, ids) for value in node]
    return node
