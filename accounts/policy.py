"""Who may see what: the one home of the clinic's access rules.

Two kinds of rule, two answers (docs/architecture.md, "Who may see what"):

- **Pages.** Each kind of page is a capability ("patients.view"); `CAPABILITIES` says which roles
  hold it. Every staff view is wrapped in `requires(capability)` and the navigation shows only
  what `can` allows. Anonymous visitors go to the login page; a signed-in user whose role lacks
  the capability gets 403: the page exists, their role may not open it.
- **Objects.** A doctor sees only the patients in their care: those with an appointment with
  them, or for whom they opened an emergency access that is still valid (read only). The
  helpers below narrow the querysets an app passes in (`get_patient_for` in patients, and so
  on); an object outside what the user may know of is a 404, as if it did not exist.

The rules name the other apps' models by label ("scheduling.Appointment"): this module sits at
the bottom of the apps and imports none of them.
"""

from collections.abc import Callable
from functools import wraps

from django.apps import apps
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User

ADMIN = User.Role.ADMIN
DOCTOR = User.Role.DOCTOR
RECEPTIONIST = User.Role.RECEPTIONIST
PHARMACIST = User.Role.PHARMACIST
FRONT_DESK = (ADMIN, RECEPTIONIST)
PHARMACY = (ADMIN, PHARMACIST)
EVERYONE = (ADMIN, DOCTOR, RECEPTIONIST, PHARMACIST)
# The patients' pages and the schedules: everyone but the pharmacist, who sees a patient only
# through their prescriptions (pharmacy.*).
DESK_AND_DOCTORS = (ADMIN, DOCTOR, RECEPTIONIST)

# Which roles may open which kind of page.
CAPABILITIES: dict[str, tuple[str, ...]] = {
    # Two-step login: everyone's own authenticator.
    "accounts.two_step": EVERYONE,
    # Patients: the front desk finds, registers and edits them; a doctor opens the page of a
    # patient in their care, or asks for emergency access to someone else.
    "patients.search": FRONT_DESK,
    "patients.edit": FRONT_DESK,
    "patients.view": DESK_AND_DOCTORS,
    "patients.emergency_access": (DOCTOR,),
    # Appointments: the front desk books and changes them for every doctor; a doctor sees their own.
    "scheduling.board": FRONT_DESK,
    "scheduling.book": FRONT_DESK,
    "scheduling.view": DESK_AND_DOCTORS,
    "scheduling.day": DESK_AND_DOCTORS,
    "scheduling.all_doctors": FRONT_DESK,
    "scheduling.own_day": (DOCTOR,),
    # Visits and medical records: the doctors write their own; admins read them (audited).
    "records.queue": (DOCTOR,),
    "records.view": (ADMIN, DOCTOR),
    "records.write": (DOCTOR,),
    # Bills, payments, receipts and insurance policies are front-desk work.
    "billing.manage": FRONT_DESK,
    "billing.insurance": FRONT_DESK,
    # The pharmacy: the doctor prescribes on their own visit (and searches the drug catalogue);
    # the pharmacist (Apoteker) prepares and dispenses prescriptions, with the patient's
    # allergies but not the rest of the record, and keeps the stock; the admin sees everything.
    "pharmacy.prescribe": (DOCTOR,),
    "pharmacy.catalogue": (ADMIN, DOCTOR, PHARMACIST),
    "pharmacy.dispense": PHARMACY,
    "pharmacy.stock": PHARMACY,
    # Reports: the dashboard (a doctor sees their own day), its export, the audit log.
    "reports.dashboard": (ADMIN, DOCTOR),
    "reports.export": (ADMIN,),
    "audit.view": (ADMIN,),
    # SATUSEHAT: what was sent to the national health record, what failed and why, retry.
    "satusehat.manage": (ADMIN,),
    # The Django admin.
    "admin.site": (ADMIN,),
}


# --- pages ------------------------------------------------------------------------------------


def can(user, capability: str) -> bool:
    """May this user open pages of this capability? False for anonymous and inactive users."""
    roles = CAPABILITIES[capability]
    return bool(user is not None and user.is_authenticated and user.is_active and getattr(user, "role", None) in roles)


def require(user, capability: str) -> None:
    """403 unless the user holds the capability: for helpers that must be safe on their own."""
    if not can(user, capability):
        raise PermissionDenied


def requires(capability: str) -> Callable:
    """The gate of a staff view: the login page for anonymous visitors (and for a user deactivated
    while signed in, whose session ends here), 403 for a role without the capability."""
    roles = CAPABILITIES[capability]

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.is_active:
                logout(request)
                return redirect_to_login(request.get_full_path())
            if user.role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.capability = capability
        wrapper.allowed_roles = roles
        return wrapper

    return decorator


def doctor_of(user):
    """The doctors row of a signed-in doctor; 403 when the account has no active one (it may
    not act as a doctor)."""
    doctor = getattr(user, "doctor_profile", None)
    if doctor is None or not doctor.is_active:
        raise PermissionDenied
    return doctor


# --- objects ----------------------------------------------------------------------------------


class NotInCare(Http404):
    """A doctor asked for an existing patient who is not in their care. Still a 404 (the IDOR
    rule); audit.middleware shows the page that offers emergency access instead."""

    def __init__(self, patient):
        super().__init__("Not in your care.")
        self.patient = patient


def _appointments() -> QuerySet:
    return apps.get_model("scheduling", "Appointment")._default_manager.all()


def _emergency_accesses() -> QuerySet:
    return apps.get_model("audit", "EmergencyAccess")._default_manager.all()


def in_care_of(user, patient_ref: str = "pk") -> Exists:
    """The patient (OuterRef `patient_ref`) has an appointment with the doctor of this user."""
    return Exists(
        _appointments().filter(patient_id=OuterRef(patient_ref), doctor__user_id=user.pk, doctor__is_active=True)
    )


def valid_emergency_access(user, patient_ref: str = "pk") -> Exists:
    """The user holds an emergency access to the patient (OuterRef `patient_ref`) that has not expired."""
    return Exists(
        _emergency_accesses().filter(doctor_id=user.pk, patient_id=OuterRef(patient_ref), expires_at__gt=timezone.now())
    )


def emergency_access_of(user, patient_id: int):
    """The user's emergency access to this patient that is still valid, the latest to expire."""
    return (
        _emergency_accesses()
        .filter(doctor_id=user.pk, patient_id=patient_id, expires_at__gt=timezone.now())
        .order_by("-expires_at")
        .first()
    )


def cares_for(user, patient) -> bool:
    """The patient is in this doctor's care, or under their emergency access that is still valid."""
    return (
        type(patient)
        ._default_manager.filter(pk=patient.pk)
        .filter(Q(in_care_of(user)) | Q(valid_emergency_access(user)))
        .exists()
    )


def patient_for(request, patients: QuerySet, pk):
    """The patient `pk` from `patients`, if the user may see it.

    Front desk: any patient. Doctor: a patient in their care, or one they hold a valid emergency
    access to (read only: the request is then marked, so that its audit rows say so); an
    existing patient outside their care raises NotInCare. Anyone else: 403."""
    user = request.user
    require(user, "patients.view")
    if can(user, "patients.edit"):
        try:
            return patients.get(pk=pk)
        except (patients.model.DoesNotExist, ValueError, TypeError):
            raise Http404 from None
    try:
        patient = (
            patients.annotate(in_care=in_care_of(user), emergency=valid_emergency_access(user))
            .filter(Q(in_care=True) | Q(emergency=True))
            .get(pk=pk)
        )
    except (patients.model.DoesNotExist, ValueError, TypeError):
        existing = patients.filter(pk=pk).first() if str(pk).isdigit() else None
        if existing is not None:
            raise NotInCare(existing) from None
        raise Http404 from None
    if not patient.in_care:
        request.emergency_access = emergency_access_of(user, patient.pk)
    return patient


def appointment_for(request, appointments: QuerySet, pk):
    """The appointment `pk` from `appointments`, if the user may see it: the front desk every one,
    a doctor only their own (anyone else's is a 404)."""
    user = request.user
    require(user, "scheduling.view")
    if not can(user, "scheduling.all_doctors"):
        appointments = appointments.filter(doctor=doctor_of(user))
    try:
        return appointments.get(pk=pk)
    except (appointments.model.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such appointment.")) from None


def visit_for(request, appointments: QuerySet, pk, *, write: bool = False):
    """The visit (appointment) `pk` from `appointments`, if the user may open it (`write`: change it).

    A doctor reads and writes their own visits, and reads, never writes, the visits of a patient
    they hold a valid emergency access to; another doctor's visit is a 404. An admin reads every
    visit and writes none (403); anyone else gets 403."""
    user = request.user
    require(user, "records.write" if write else "records.view")
    if not can(user, "records.write"):  # the admins: every visit, read only
        return _get_or_404(appointments, pk)
    doctor = doctor_of(user)
    if write:
        return _get_or_404(appointments.filter(doctor=doctor), pk)
    visit = _get_or_404(
        appointments.annotate(emergency=valid_emergency_access(user, "patient_id")).filter(
            Q(doctor=doctor) | Q(emergency=True)
        ),
        pk,
    )
    if visit.doctor_id != doctor.pk:
        request.emergency_access = emergency_access_of(user, visit.patient_id)
    return visit


def may_write_visit(user, appointment) -> bool:
    """Only the visit's own doctor writes it; a doctor reading through emergency access does not."""
    return can(user, "records.write") and appointment.doctor.user_id == user.pk


def bill_for(request, bills: QuerySet, pk):
    """The bill `pk` from `bills`: 403 for a role without billing, 404 when it does not exist."""
    require(request.user, "billing.manage")
    return _get_or_404(bills, pk)


def insurance_for(request, insurances: QuerySet, pk):
    """The insurance policy `pk` from `insurances`: front-desk work (403 for other roles)."""
    require(request.user, "billing.insurance")
    return _get_or_404(insurances, pk)


def _get_or_404(queryset: QuerySet, pk):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def prescription_for(request, prescriptions: QuerySet, pk):
    """A prescription sent to the pharmacy: the pharmacist's and the admin's (403 for the other
    roles); one still being written by its doctor is a 404, as one that does not exist."""
    require(request.user, "pharmacy.dispense")
    return _get_or_404(prescriptions.exclude(status="draft"), pk)


def stock_item_for(request, items: QuerySet, pk):
    """A drug or batch of the pharmacy's stock: 403 for a role without the stock, 404 when it
    does not exist."""
    require(request.user, "pharmacy.stock")
    return _get_or_404(items, pk)
