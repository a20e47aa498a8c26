"""The audit log: the one place that writes it, seals it into a hash chain and verifies it.

Views call `audit_read(request, patient=..., what="...")` when they show a patient's personal or
clinical data; audit.signals records every create/update/delete of the clinical and financial
models with its diff, and logins, failed logins, lockouts and denied requests.

Writing and sealing are two steps, so that a busy clinic never waits on the chain:
1. `audit_write` inserts the row in the caller's transaction, so the row exists exactly when
   the change it describes does (a rolled-back change leaves no row).
2. Once that transaction commits, `audit_seal` locks the single `audit_head` row and gives
   every committed, unsealed row the next chain position (`seq`), the previous row's hash and
   its own hash = sha256(prev_hash + canonical JSON of the row). The lock is held for a few
   milliseconds only and never inside a business transaction, so it cannot deadlock with the
   row locks of the services (a doctor's row, a bill...).
   With AUDIT_SEAL_IN_BACKGROUND (the default on MariaDB and PostgreSQL; SQLite and the test
   settings seal inline) the commit only
   wakes a sealer thread of this process, which seals everything pending in one batch on its own
   connection: the page does not wait for the chain (sealing a search's 50 rows cost more than
   the rest of the page). Rows a process wrote but did not seal before it stopped are sealed by
   the next seal of any process or by `verify_audit_chain`.
`python manage.py verify_audit_chain` seals what is pending, then recomputes every hash.

Personal identifiers (NIK, phone numbers, email) never reach the log: a change to one of them
is stored as "•••" markers, and nothing here writes them to the application log either."""

from __future__ import annotations

import contextvars
import datetime
import hashlib
import hmac
import ipaddress
import json
import logging
import os
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connections, router, transaction
from django.db.models import F
from django.utils import timezone

from audit.models import AuditCheckpoint, AuditHead, AuditLog, LoginFailureWindow
from core.crypto import audit_key

logger = logging.getLogger(__name__)

Action = AuditLog.Action
MASK = "•••"
# A field whose name contains one of these holds a personal identifier (also the encrypted
# columns and blind indexes named after them, e.g. nik_hash) or a secret: its value never enters
# the log, only that it changed.
SENSITIVE_NAME_PARTS = ("nik", "phone", "email", "password")
# A browser names itself in about 150 characters; the rest of a longer header is noise (or a
# flood's padding), cut with a marker.
USER_AGENT_MAX = 160
# The patients' model, named by its label: the audit log sits below the patients app.
PATIENT_MODEL = "patients.patient"
# The audited models and how a row names them.
OBJECT_NAMES = {
    "patients.patient": "patient details",
    "scheduling.appointment": "appointment",
    "records.medicalrecord": "medical record",
    "records.labresult": "lab result",
    "billing.billing": "bill",
    "billing.payment": "payment",
    "billing.insurance": "insurance policy",
    "billing.billitem": "bill item",
    # The pharmacy's prescriptions (its stock ledger is an append-only table of its own).
    "pharmacy.prescription": "prescription",
    "pharmacy.prescriptionline": "prescription line",
    # Staff accounts: role changes, deactivation and password changes are security events.
    "accounts.user": "user account",
}
HASH_FIELDS = (
    "id",
    "seq",
    "created_at",
    "actor_id",
    "actor_username",
    "action",
    "patient_id",
    "object_type",
    "object_id",
    "what",
    "changes",
    "ip_address",
    "user_agent",
)
# What a row's signature (mac) covers: its content, everything the application wrote. Not the
# id (a multi-row INSERT learns it from the database) nor the chain's fields (sealing adds them).
MAC_FIELDS = tuple(name for name in HASH_FIELDS if name not in ("id", "seq"))

# The request being served, set by audit.middleware.AuditContextMiddleware, so that
# the model signals know who is acting and from where.
_current_request: contextvars.ContextVar = contextvars.ContextVar("audit_request", default=None)


def set_current_request(request) -> contextvars.Token:
    return _current_request.set(request)


def reset_current_request(token: contextvars.Token) -> None:
    _current_request.reset(token)


def current_request():
    return _current_request.get()


# --- what a row holds -----------------------------------------------------------------------


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, unless settings.AUDIT_TRUSTED_PROXIES says how many
    reverse proxies of ours stand in front of the app; then the address the outermost of them
    saw, taken from the right of X-Forwarded-For (the left part is whatever the client sent)."""
    if request is None:
        return None
    address = request.META.get("REMOTE_ADDR", "")
    proxies = int(getattr(settings, "AUDIT_TRUSTED_PROXIES", 0) or 0)
    if proxies > 0:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(hops) >= proxies:
            address = hops[-proxies]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def is_sensitive(field_name: str) -> bool:
    name = field_name.lower()
    return any(part in name for part in SENSITIVE_NAME_PARTS)


def json_safe(value: Any) -> Any:
    """A value as it is stored in `changes`: JSON types only, so that it reads back from every
    database exactly as it was hashed."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, Decimal | float):
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    return str(value)


def masked(field_name: str, value: Any) -> Any:
    """The value as the log may keep it: a personal identifier becomes a marker (empty stays
    empty, so "added" and "removed" still read as such)."""
    if is_sensitive(field_name) and value not in (None, ""):
        return MASK
    return json_safe(value)


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list]:
    """{field: [old, new]} for the fields whose value changed, personal identifiers masked."""
    return {
        name: [masked(name, old.get(name)), masked(name, value)]
        for name, value in new.items()
        if name in old and old[name] != value
    }


def patient_id_of(obj) -> int | None:
    """The patient an object is about, without a query when the relation is already loaded."""
    if obj is None:
        return None
    if obj._meta.label_lower == PATIENT_MODEL:
        return obj.pk
    if (patient_id := getattr(obj, "patient_id", None)) is not None:
        return patient_id
    for relation in ("medical_record", "billing"):  # a lab result, a payment
        field = getattr(type(obj), relation, None)
        if field is None or getattr(obj, f"{relation}_id", None) is None:
            continue
        if field.is_cached(obj):
            return getattr(obj, relation).patient_id
        return (
            type(obj)
            ._meta.get_field(relation)
            .related_model.objects.filter(pk=getattr(obj, f"{relation}_id"))
            .values_list("patient_id", flat=True)
            .first()
        )
    return None


def _actor_of(request, actor):
    if actor is not None:
        return actor
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _new_row(
    *,
    action: str,
    request=None,
    actor=None,
    actor_username: str = "",
    patient=None,
    patient_id: int | None = None,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    what: str = "",
    changes: dict | None = None,
) -> AuditLog:
    request = request if request is not None else current_request()
    actor = _actor_of(request, actor)
    if patient is not None:
        patient_id = patient.pk
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    emergency = getattr(request, "emergency_access", None)
    if emergency is not None and action in (Action.READ, Action.PRINT, Action.EXPORT):
        what = f"{what} (emergency access)"
        changes = {**(changes or {}), "emergency_access": emergency.pk}
    row = AuditLog(
        action=action,
        actor=actor,
        actor_username=(actor.get_username() if actor is not None else actor_username)[:150],
        patient_id=patient_id,
        object_type=object_type[:100],
        object_id=str(object_id)[:64],
        what=what[:255],
        changes=json_safe(changes or {}),
        ip_address=client_ip(request),
        user_agent=user_agent_of(request),
    )
    row.mac = row_mac(row)
    return row


def user_agent_of(request) -> str:
    """The browser's name as the log keeps it: printable characters only, at most USER_AGENT_MAX."""
    if request is None:
        return ""
    text = "".join(ch for ch in str(request.META.get("HTTP_USER_AGENT", "")) if ch.isprintable())
    text = " ".join(text.split())
    return text if len(text) <= USER_AGENT_MAX else text[: USER_AGENT_MAX - 1] + "…"


# --- the API --------------------------------------------------------------------------------


def audit_write(**kwargs) -> AuditLog:
    """Appends one row (see _new_row for the arguments); it is sealed after the commit."""
    row = _new_row(**kwargs)
    row.save(force_insert=True)
    _seal_after_commit()
    return row


def audit_read(request, *, patient, what: str, obj=None, action: str = Action.READ) -> AuditLog:
    """A view showed `patient`'s personal or clinical data: who, what, when, from where."""
    return audit_write(action=action, request=request, patient=patient, obj=obj, what=what)


def audit_reads(request, *, patients: Iterable = (), what: str, patient_ids: Iterable[int] | None = None) -> int:
    """A list showed these patients (search results; or `patient_ids`, the patients' keys): one
    row per patient, in one INSERT. Returns how many rows were written.

    The rows differ only in the patient, so each column's database value is prepared once and
    the INSERT is written here: QuerySet.bulk_create prepared every field of every row, which
    cost a name search (50 rows) more than its own query."""
    patient_ids = list(patient_ids) if patient_ids is not None else [patient.pk for patient in patients]
    if not patient_ids:
        return 0
    using = router.db_for_write(AuditLog)
    connection = connections[using]
    shared = _new_row(action=Action.READ, request=request, what=what)
    fields = [f for f in AuditLog._meta.concrete_fields if not f.primary_key]
    values = {f.attname: f.get_db_prep_save(getattr(shared, f.attname), connection) for f in fields}
    quote = connection.ops.quote_name
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (
        f"INSERT INTO {quote(AuditLog._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "  # nosec B608
        f"VALUES {', '.join([row] * len(patient_ids))}"
    )
    params = []
    for patient_id in patient_ids:
        shared.patient_id = values["patient_id"] = patient_id
        values["mac"] = row_mac(shared)
        params.extend(values[f.attname] for f in fields)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    _seal_after_commit(using)
    return len(patient_ids)


def _login_window() -> datetime.timedelta:
    return getattr(settings, "AXES_COOLOFF_TIME", None) or datetime.timedelta(minutes=15)


def audit_login_failure(request, username: str, *, lockout: bool = False) -> None:
    """A failed login (or the lockout that followed) of `username` from the request's address.

    One audit row for the first failure of a username from an address within a lockout window
    (AXES_COOLOFF_TIME) and one for its lockout; every attempt is counted, with the time of the
    first and the last, in its LoginFailureWindow, and the lockout row carries the count so far.
    A flood of anonymous POSTs writes two rows per username and address, not one per POST."""
    username = " ".join(username.split())[:150]
    address = client_ip(request if request is not None else current_request())
    now = timezone.now()
    with transaction.atomic():
        window = (
            LoginFailureWindow.objects.select_for_update()
            .filter(username=username, ip_address=address, first_at__gt=now - _login_window())
            .order_by("-first_at", "-id")
            .first()
        )
        if window is None:
            row = audit_write(
                action=Action.LOCKOUT if lockout else Action.LOGIN_FAILED,
                request=request,
                actor_username=username,
                what="account locked after repeated failed logins" if lockout else "failed login",
                changes={"attempts": 1},
            )
            LoginFailureWindow.objects.create(
                username=username, ip_address=address, first_at=now, last_at=now, locked=lockout, audit_row=row
            )
            return
        if lockout:
            if window.locked:
                return
            window.locked = True
            audit_write(
                action=Action.LOCKOUT,
                request=request,
                actor_username=username,
                what="account locked after repeated failed logins",
                changes={
                    "attempts": window.attempts,
                    "first_attempt": json_safe(window.first_at),
                    "last_attempt": json_safe(window.last_at),
                },
            )
        else:
            window.attempts += 1
        window.last_at = now
        window.save(update_fields=["attempts", "last_at", "locked"])


# --- the chain ------------------------------------------------------------------------------


def canonical(row: AuditLog) -> str:
    return canonical_values({name: getattr(row, name) for name in (*HASH_FIELDS, "mac")})


def canonical_values(values: dict[str, Any], fields: tuple[str, ...] = HASH_FIELDS) -> str:
    """The canonical JSON of a row given as {field: value} for HASH_FIELDS (as the ORM reads
    them). A signed row's hash covers its signature too; a legacy row (no mac) hashes as before."""
    mac = values.get("mac") or ""
    values = {name: values[name] for name in fields}
    if mac and fields is HASH_FIELDS:
        values["mac"] = mac
    created = values["created_at"]
    values["created_at"] = created.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    values["changes"] = json_safe(values["changes"])
    values["ip_address"] = str(values["ip_address"]) if values["ip_address"] else None
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _mac(message: str) -> str:
    return hmac.new(audit_key(), message.encode(), hashlib.sha256).hexdigest()


def row_mac(row: AuditLog) -> str:
    """The row's signature: HMAC-SHA256 under AUDIT_KEY of its content (MAC_FIELDS)."""
    return values_mac({name: getattr(row, name) for name in MAC_FIELDS})


def values_mac(values: dict[str, Any]) -> str:
    return _mac(canonical_values(values, MAC_FIELDS))


def signature_ok(values: dict[str, Any], legacy_until_id: int) -> bool:
    """Did the application write this row? Signed under AUDIT_KEY, or a legacy row (written
    before signing began, audit migration 0002) without a signature."""
    mac = values.get("mac") or ""
    if not mac:
        return values["id"] <= legacy_until_id
    return hmac.compare_digest(mac, values_mac(values))


def row_hash(row: AuditLog, prev_hash: str) -> str:
    return hashlib.sha256((prev_hash + canonical(row)).encode()).hexdigest()


def _values_hash(values: dict[str, Any], prev_hash: str) -> str:
    return hashlib.sha256((prev_hash + canonical_values(values)).encode()).hexdigest()


def _lock_head(using: str) -> AuditHead:
    """Locks the chain's head row (an UPDATE locks it on every database, SQLite included, and
    takes no snapshot before the lock) and returns it; recreates it if it is missing."""
    heads = AuditHead.objects.using(using)
    if heads.filter(pk=1).update(seq=F("seq")) == 0:
        last = AuditLog.objects.using(using).filter(seq__isnull=False).order_by("-seq").first()
        try:
            with transaction.atomic(using=using):
                heads.create(pk=1, seq=last.seq if last else 0, hash=last.hash if last else "")
        except IntegrityError:  # another sealer created it first
            pass
        heads.filter(pk=1).update(seq=F("seq"))
    return heads.select_for_update().get(pk=1)


def audit_seal(*, using: str | None = None, batch_size: int = 500) -> int:
    """Seals every committed row that has no chain position yet, oldest first. Returns how many.

    A row without a valid signature (written by someone without AUDIT_KEY, e.g. by hand in the
    database) is refused: it stays out of the chain, and verify_audit_chain reports it."""
    using = using or router.db_for_write(AuditLog)
    total, after_id = 0, 0
    while True:
        with transaction.atomic(using=using):
            head = _lock_head(using)
            # Plain values, not model instances: half the cost of a seal was building them.
            batch = list(
                AuditLog.objects.using(using)
                .filter(seq__isnull=True, id__gt=after_id)
                .order_by("id")
                .values(*(name for name in HASH_FIELDS if name != "seq"), "mac")[:batch_size]
            )
            pending = []
            for row in batch:
                if not signature_ok(row, head.legacy_until_id):
                    logger.warning("Audit row id %s has no valid signature: not sealed.", row["id"])
                    continue
                head.seq += 1
                row["seq"], row["prev_hash"] = head.seq, head.hash
                row["hash"] = head.hash = _values_hash(row, row["prev_hash"])
                pending.append(row)
            if pending:
                if _write_seals(using, pending) != len(pending):
                    raise RuntimeError("Audit rows were sealed by someone else while the chain was locked.")
                AuditHead.objects.using(using).filter(pk=1).update(seq=head.seq, hash=head.hash)
        total += len(pending)
        if len(batch) < batch_size:
            return total
        after_id = batch[-1]["id"]


def _write_seals(using: str, rows: list[dict]) -> int:
    """UPDATEs that give each row its seq, prev_hash and hash (CASE on the id), only where the
    row is still unsealed; returns how many rows they changed. Written out by hand:
    QuerySet.bulk_update builds a Case/When expression tree per row and value, far slower for
    the sealer's batches. SEAL_UPDATE_ROWS rows per statement: the database scans the CASE for
    each row, so a long statement costs more than several short ones (docs/performance.md)."""
    connection = connections[using]
    quote = connection.ops.quote_name
    seq_type = AuditLog._meta.get_field("seq").cast_db_type(connection)
    changed = 0
    for first in range(0, len(rows), SEAL_UPDATE_ROWS):
        chunk = rows[first : first + SEAL_UPDATE_ROWS]
        ids = [row["id"] for row in chunk]
        whens = " ".join(["WHEN %s THEN %s"] * len(chunk))
        columns, params = [], []
        for name in ("seq", "prev_hash", "hash"):
            case = f"CASE {quote('id')} {whens} END"
            if name == "seq":
                case = f"CAST({case} AS {seq_type})"
            columns.append(f"{quote(name)} = {case}")
            for row in chunk:
                params += [row["id"], row[name]]
        placeholders = ", ".join(["%s"] * len(ids))
        sql = (
            f"UPDATE {quote(AuditLog._meta.db_table)} SET {', '.join(columns)} "  # nosec B608: own column names, values are parameters
            f"WHERE {quote('id')} IN ({placeholders}) AND {quote('seq')} IS NULL"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params + ids)
            changed += cursor.rowcount
    return changed


def _seal_committed() -> None:
    try:
        audit_seal()
    except Exception:  # the rows stay pending; the next commit or verify_audit_chain seals them
        logger.exception("Sealing the audit log failed; the rows stay pending.")


SEAL_GATHER_SECONDS = 0.2
SEAL_UPDATE_ROWS = 50


class _Sealer:
    """One daemon thread per process that seals whenever it is woken; many wakes while it works
    become one more batch. It has its own database connection (Django's are per thread)."""

    def __init__(self):
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self.idle = threading.Event()  # set while nothing is waiting to be sealed (for tests)
        self.idle.set()

    def wake(self) -> None:
        with self._lock:
            # A forked worker (gunicorn) inherits the object but not the thread.
            if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._run, name="audit-sealer", daemon=True)
                self._thread.start()
            self.idle.clear()
            self._wake.set()

    def _run(self) -> None:
        from django.db import close_old_connections

        while True:
            self._wake.wait()
            # Gather the rows of the requests of the next moment into the same seal: one lock,
            # one read and one UPDATE for all of them.
            time.sleep(SEAL_GATHER_SECONDS)
            self._wake.clear()
            close_old_connections()  # drops a connection that broke or outlived CONN_MAX_AGE
            _seal_committed()
            close_old_connections()
            with self._lock:
                if not self._wake.is_set():
                    self.idle.set()


_sealer = _Sealer()


def wait_for_background_seal(timeout: float = 10.0) -> bool:
    """Blocks until the sealer thread has nothing left to do (tests, management commands)."""
    return _sealer.idle.wait(timeout)


def _seal_now_or_in_background() -> None:
    # SQLite has one writer at a time: a second connection sealing next to the request's would
    # only queue behind it (or fail on a locked table), so SQLite always seals inline.
    if getattr(settings, "AUDIT_SEAL_IN_BACKGROUND", False) and connections["default"].vendor != "sqlite":
        _sealer.wake()
    else:
        _seal_committed()


def _seal_after_commit(using: str = "default") -> None:
    """Seals once the current transaction commits (now, outside a transaction). One callback per
    transaction is enough: a callback of an enclosing savepoint survives whenever this row does."""
    connection = connections[using]
    if connection.in_atomic_block:
        current = set(connection.savepoint_ids)
        for savepoints, func, *_rest in connection.run_on_commit:
            if func is _seal_now_or_in_background and savepoints <= current:
                return
    transaction.on_commit(_seal_now_or_in_background, using=using, robust=True)


@dataclass
class ChainReport:
    checked: int
    pending: int
    problems: list[str]
    first_broken: AuditLog | None = None
    # The checkpoint the check resumed from (its seq), None for a check from the first row.
    resumed_from: int | None = None
    unsigned: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


CHAIN_VALUES = (*HASH_FIELDS, "mac", "prev_hash", "hash")


def checkpoint_mac(seq: int, chain_hash: str) -> str:
    return _mac(f"audit checkpoint:{seq}:{chain_hash}")


def newest_checkpoint(using: str) -> AuditCheckpoint | None:
    """The newest checkpoint with a valid signature (one signed under another key, or written by
    hand, is passed over)."""
    for checkpoint in AuditCheckpoint.objects.using(using).order_by("-seq", "-id")[:20]:
        if hmac.compare_digest(checkpoint.mac, checkpoint_mac(checkpoint.seq, checkpoint.hash)):
            return checkpoint
    return None


def verify_chain(*, using: str | None = None, seal: bool = True, full: bool = False) -> ChainReport:
    """Recomputes the chain: positions without gaps, each row's prev_hash equal to the hash of
    the row before it, each hash equal to the hash of its content, each row signed under
    AUDIT_KEY (or legacy), and the head at the last row. Rows the seal refused (no valid
    signature) are reported too.

    Resumes after the newest signed checkpoint (whose row must still carry the checkpoint's
    hash) unless `full`; a sound check ends with a new checkpoint at the head, so the next run
    reads only the rows written since."""
    using = using or router.db_for_write(AuditLog)
    if seal:
        audit_seal(using=using)
    head = AuditHead.objects.using(using).filter(pk=1).first()
    legacy_until_id = head.legacy_until_id if head is not None else 0
    problems: list[str] = []
    first_broken = None
    expected_seq, prev_hash, checked, resumed_from = 1, "", 0, None

    def broken(row, message):
        nonlocal first_broken
        problems.append(message)
        if first_broken is None:
            first_broken = AuditLog(**{k: v for k, v in row.items() if k in HASH_FIELDS or k in CHAIN_VALUES})

    checkpoint = None if full else newest_checkpoint(using)
    if checkpoint is not None:
        anchor = AuditLog.objects.using(using).filter(seq=checkpoint.seq).values("id", "hash").first()
        if anchor is None or anchor["hash"] != checkpoint.hash:
            problems.append(
                f"seq {checkpoint.seq}: the row of the checkpoint of {checkpoint.created_at:%Y-%m-%d %H:%M} "
                f"was changed or removed."
            )
        expected_seq, prev_hash, resumed_from = checkpoint.seq + 1, checkpoint.hash, checkpoint.seq

    rows = AuditLog.objects.using(using).filter(seq__gte=expected_seq).order_by("seq").values(*CHAIN_VALUES)
    for row in rows.iterator(chunk_size=2000):
        checked += 1
        seq, row_id = row["seq"], row["id"]
        if seq != expected_seq:
            broken(row, f"seq {seq} (id {row_id}): rows {expected_seq}–{seq - 1} are missing (deleted).")
        elif row["prev_hash"] != prev_hash:
            broken(
                row,
                f"seq {seq} (id {row_id}): prev_hash does not match the row before it "
                f"(that row was changed or removed).",
            )
        if _values_hash(row, row["prev_hash"]) != row["hash"]:
            broken(row, f"seq {seq} (id {row_id}): its content does not match its hash (the row was changed).")
        elif not signature_ok(row, legacy_until_id):
            broken(row, f"seq {seq} (id {row_id}): not written by the application (no valid signature).")
        expected_seq, prev_hash = seq + 1, row["hash"]
    last_seq = expected_seq - 1
    if head is not None and (head.seq != last_seq or head.hash != prev_hash):
        problems.append(
            f"The chain ends at seq {last_seq} but its head says seq {head.seq}: "
            f"the last rows were removed or the head was changed."
        )
    pending, unsigned = 0, 0
    for row in AuditLog.objects.using(using).filter(seq__isnull=True).order_by("id").values(*CHAIN_VALUES):
        if signature_ok(row, legacy_until_id):
            pending += 1
        else:
            unsigned += 1
            broken(row, f"id {row['id']}: not written by the application (no valid signature); the seal refused it.")
    if not problems and last_seq > 0 and last_seq != resumed_from:
        AuditCheckpoint.objects.using(using).create(
            seq=last_seq, hash=prev_hash, mac=checkpoint_mac(last_seq, prev_hash)
        )
    return ChainReport(
        checked=checked,
        pending=pending,
        problems=problems,
        first_broken=first_broken,
        resumed_from=resumed_from,
        unsigned=unsigned,
    )


class AuditReadAdminMixin:
    """For the Django admin's pages of patient data: showing a change page is a read of that
    patient's data, showing a list (a changelist, e.g. a search for a NIK) one read per patient
    on the page, as the staff pages' search results are (audit_reads: one INSERT)."""

    # A list's read rows are sealed in one statement (SEAL_UPDATE_ROWS a batch): 50 rows a page.
    list_per_page = SEAL_UPDATE_ROWS

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None:
            # Evaluates the page's query once; the template then reads the same rows.
            rows = list(changelist.result_list)
            patient_ids = dict.fromkeys(pid for pid in map(patient_id_of, rows) if pid is not None)
            name = OBJECT_NAMES.get(self.model._meta.label_lower, self.model._meta.model_name)
            audit_reads(request, patient_ids=patient_ids, what=f"{name} list (admin, {len(rows)})")
        return response

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk is not None:
            audit_write(
                action=Action.READ,
                request=request,
                obj=obj,
                patient_id=patient_id_of(obj),
                what=f"{OBJECT_NAMES.get(obj._meta.label_lower, obj._meta.model_name)} (admin)",
            )
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)
