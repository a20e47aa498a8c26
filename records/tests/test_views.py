import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from patients.tests.factories import PatientFactory
from records.models import LabResult, MedicalRecord
from records.tests.factories import LabResultFactory, MedicalRecordFactory
from scheduling.models import Appointment
from scheduling.tests.factories import AppointmentFactory, AppointmentServiceFactory

pytestmark = pytest.mark.django_db

S = Appointment.Status
HTMX = {"HX-Request": "true"}


def today_at(hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time(hour, minute)))


def visit_of(user, status=S.IN_CONSULTATION, **kwargs) -> Appointment:
    kwargs.setdefault("appointment_date", today_at(9))
    return AppointmentFactory(doctor=user.doctor_profile, status=status, **kwargs)


def earlier_visits(patient, count: int, start: int = 0) -> None:
    """`count` completed visits of the patient, each with a record and two lab results."""
    for i in range(start, start + count):
        appointment = AppointmentFactory(
            patient=patient,
            status=S.COMPLETED,
            appointment_date=today_at(10) - datetime.timedelta(days=7 * (i + 1)),
        )
        record = MedicalRecordFactory(appointment=appointment, complaint=f"Keluhan lama {i}")
        LabResultFactory(medical_record=record, value=Decimal("13"))
        LabResultFactory(
            medical_record=record,
            test_name="Leukosit",
            value=Decimal("15000"),
            reference_low=Decimal("4000"),
            reference_high=Decimal("11000"),
        )


def assert_login_redirect(response):
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.fixture
def doctor_client(client, doctor_user):
    client.force_login(doctor_user)
    return client


# --- My queue today -----------------------------------------------------------------------


class TestQueue:
    url = reverse("records:queue")

    def test_it_lists_todays_patients_in_queue_order(self, doctor_client, doctor_user):
        later = visit_of(
            doctor_user,
            S.CHECKED_IN,
            appointment_date=today_at(8),
            queue_number=2,
            arrived_at=timezone.now() - datetime.timedelta(minutes=25),
            patient=PatientFactory(full_name="Budi Santoso"),
        )
        first = visit_of(
            doctor_user,
            S.IN_CONSULTATION,
            appointment_date=today_at(9),
            queue_number=1,
            patient=PatientFactory(full_name="Ani Lestari"),
        )
        not_arrived = visit_of(
            doctor_user, S.SCHEDULED, appointment_date=today_at(7), patient=PatientFactory(full_name="Citra Dewi")
        )
        visit_of(
            doctor_user,
            S.SCHEDULED,
            appointment_date=today_at(9) + datetime.timedelta(days=1),
            patient=PatientFactory(full_name="Besok Saja"),
        )
        visit_of(
            doctor_user,
            S.SCHEDULED,
            appointment_date=today_at(9) - datetime.timedelta(days=1),
            patient=PatientFactory(full_name="Kemarin Saja"),
        )

        response = doctor_client.get(self.url)

        assert response.status_code == 200
        content = response.content.decode()
        assert [a.pk for a in response.context["appointments"]] == [first.pk, later.pk, not_arrived.pk]
        assert content.index("Ani Lestari") < content.index("Budi Santoso") < content.index("Citra Dewi")
        assert "Besok Saja" not in content and "Kemarin Saja" not in content
        assert later.patient.medical_record_number in content
        assert response.context["appointments"][1].waiting_minutes == 25
        assert reverse("records:start", args=[later.pk]) in content  # only the checked-in one can start
        assert reverse("records:start", args=[first.pk]) not in content
        assert reverse("records:visit", args=[not_arrived.pk]) in content
        assert 'hx-trigger="every 30s"' in content

    def test_it_shows_only_the_doctors_own_patients(self, doctor_client, other_doctor_user):
        visit_of(other_doctor_user, S.CHECKED_IN, patient=PatientFactory(full_name="Pasien Dokter Lain"))
        response = doctor_client.get(self.url)
        assert "Pasien Dokter Lain" not in response.content.decode()

    def test_it_answers_htmx_with_the_table_only(self, doctor_client, doctor_user):
        visit_of(doctor_user, S.CHECKED_IN, patient=PatientFactory(full_name="Dewi Anggraini"))
        response = doctor_client.get(self.url, headers=HTMX)
        content = response.content.decode()
        assert "Dewi Anggraini" in content
        assert "<html" not in content
        assert 'id="queue-table"' in content

    def test_it_runs_the_same_queries_for_1_and_50_patients(
        self, doctor_client, doctor_user, django_assert_num_queries
    ):
        visit_of(doctor_user, S.CHECKED_IN, appointment_date=today_at(6), queue_number=1)
        # 1 user with the user's doctor row (accounts.backends; the session is a cache hit),
        # 2 today's appointments with their patients
        with django_assert_num_queries(2):
            assert len(doctor_client.get(self.url).context["appointments"]) == 1
        for i in range(1, 50):
            visit_of(
                doctor_user,
                S.CHECKED_IN,
                appointment_date=today_at(6) + datetime.timedelta(minutes=10 * i),
                queue_number=i + 1,
            )
        with django_assert_num_queries(2):
            assert len(doctor_client.get(self.url).context["appointments"]) == 50

    def test_it_sends_anonymous_visitors_to_login(self, client):
        assert_login_redirect(client.get(self.url))

    @pytest.mark.parametrize("role", ["receptionist", "admin_user"])
    def test_it_refuses_other_roles(self, client, request, role):
        client.force_login(request.getfixturevalue(role))
        assert client.get(self.url).status_code == 403


# --- The visit page -----------------------------------------------------------------------


class TestVisit:
    def url(self, appointment):
        return reverse("records:visit", args=[appointment.pk])

    def test_it_shows_the_patient_history_allergies_services_and_record(self, doctor_client, doctor_user):
        patient = PatientFactory(full_name="Siti Rahmawati", blood_type="O+", date_of_birth=datetime.date(1980, 1, 1))
        appointment = visit_of(doctor_user, patient=patient, reason="Kontrol tekanan darah")
        AppointmentServiceFactory(appointment=appointment, service__name="Konsultasi dokter umum")
        old = AppointmentFactory(
            patient=patient, status=S.COMPLETED, appointment_date=today_at(9) - datetime.timedelta(days=30)
        )
        old_record = MedicalRecordFactory(
            appointment=old,
            allergies="Amoksisilin",
            complaint="Batuk pilek",
            diagnosis="Common cold",
            icd10_code="J00",
            heart_rate=88,
        )
        LabResultFactory(medical_record=old_record, test_name="Hemoglobin", value=Decimal("9.5"))
        older = AppointmentFactory(
            patient=patient, status=S.COMPLETED, appointment_date=today_at(9) - datetime.timedelta(days=60)
        )
        MedicalRecordFactory(appointment=older, allergies="Tidak ada", complaint="Sakit kepala")
        current = MedicalRecordFactory(appointment=appointment, complaint="Pusing sejak pagi", allergies="none")
        LabResultFactory(
            medical_record=current,
            test_name="Gula darah sewaktu",
            value=Decimal("98"),
            reference_low=Decimal("70"),
            reference_high=Decimal("140"),
        )

        response = doctor_client.get(self.url(appointment))

        assert response.status_code == 200
        content = response.content.decode()
        for text in (
            "Siti Rahmawati",
            patient.medical_record_number,
            "01-01-1980",
            "O+",
            "Kontrol tekanan darah",
            "Konsultasi dokter umum",
            "Pusing sejak pagi",
            "Gula darah sewaktu",
            "Batuk pilek",
            "Common cold",
            "J00",
            "Sakit kepala",
            old.doctor.full_name,
        ):
            assert text in content, text
        assert response.context["visit"].allergies == ["Amoksisilin"]  # "Tidak ada" and "none" mean no allergy
        assert 'id="known-allergies"' in content and "alert-danger" in content
        assert content.index("Batuk pilek") < content.index("Sakit kepala")  # newest first
        assert '<tr class="abnormal">' in content  # the old hemoglobin of 9.5
        assert content.count('class="abnormal"') == 1
        assert reverse("records:record", args=[appointment.pk]) in content
        assert reverse("records:lab_add", args=[appointment.pk]) in content
        assert reverse("records:complete", args=[appointment.pk]) in content

    @pytest.mark.parametrize(
        ("status", "shown", "hidden"),
        [
            (S.CHECKED_IN, ["records:start"], ["records:record", "records:lab_add", "records:complete"]),
            (S.IN_CONSULTATION, ["records:record", "records:lab_add", "records:complete"], ["records:start"]),
            (S.COMPLETED, [], ["records:start", "records:record", "records:lab_add", "records:complete"]),
        ],
    )
    def test_it_offers_the_actions_of_the_status(self, doctor_client, doctor_user, status, shown, hidden):
        appointment = visit_of(doctor_user, status)
        content = doctor_client.get(self.url(appointment)).content.decode()
        for name in shown:
            assert reverse(name, args=[appointment.pk]) in content
        for name in hidden:
            assert reverse(name, args=[appointment.pk]) not in content

    def test_it_lets_an_admin_read_without_any_action(self, client, admin_user, doctor_user):
        appointment = visit_of(doctor_user, patient=PatientFactory(full_name="Rina Marlina"))
        client.force_login(admin_user)
        response = client.get(self.url(appointment))
        assert response.status_code == 200
        content = response.content.decode()
        assert "Rina Marlina" in content
        for name in ("records:start", "records:record", "records:lab_add", "records:complete"):
            assert reverse(name, args=[appointment.pk]) not in content

    def test_it_hides_another_doctors_visit(self, client, doctor_user, other_doctor_user):
        client.force_login(other_doctor_user)
        assert client.get(self.url(visit_of(doctor_user))).status_code == 404

    def test_it_answers_404_for_a_missing_visit(self, doctor_client):
        assert doctor_client.get(reverse("records:visit", args=[999999])).status_code == 404

    def test_it_refuses_a_receptionist(self, client, receptionist, doctor_user):
        client.force_login(receptionist)
        assert client.get(self.url(visit_of(doctor_user))).status_code == 403

    def test_it_sends_anonymous_visitors_to_login(self, client, doctor_user):
        assert_login_redirect(client.get(self.url(visit_of(doctor_user))))

    def test_it_shows_the_diagnosis_codes_name_in_the_pages_language(self, client, doctor_user):
        appointment = visit_of(doctor_user)
        MedicalRecordFactory(appointment=appointment, diagnosis="Tifus, hari ke-5", icd10_code="A01.0")
        earlier = AppointmentFactory(
            patient=appointment.patient, status=S.COMPLETED, appointment_date=today_at(9) - datetime.timedelta(days=9)
        )
        MedicalRecordFactory(appointment=earlier, diagnosis="Batuk pilek", icd10_code="J00")
        client.force_login(doctor_user)

        content = client.get(self.url(appointment)).content.decode()
        assert 'A01.0</span> <span class="text-muted icd10-name">Demam tifoid</span>' in content
        assert "<strong>J00</strong> Nasofaringitis akut (common cold)" in content  # the earlier visit's header
        assert "Typhoid fever" not in content

        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        content = client.get(self.url(appointment)).content.decode()
        assert 'A01.0</span> <span class="text-muted icd10-name">Typhoid fever</span>' in content
        assert "<strong>J00</strong> Acute nasopharyngitis [common cold]" in content
        assert "Demam tifoid" not in content

    def test_it_does_not_repeat_the_codes_name_when_it_is_the_diagnosis(self, doctor_client, doctor_user):
        appointment = visit_of(doctor_user)
        MedicalRecordFactory(appointment=appointment, diagnosis="Demam tifoid", icd10_code="A01.0")
        content = doctor_client.get(self.url(appointment)).content.decode()
        assert "Demam tifoid" in content and 'class="text-muted icd10-name"' not in content

    def test_it_runs_the_same_queries_for_1_and_50_earlier_visits(
        self, doctor_client, doctor_user, django_assert_num_queries
    ):
        appointment = visit_of(doctor_user)
        AppointmentServiceFactory(appointment=appointment)
        LabResultFactory(medical_record=MedicalRecordFactory(appointment=appointment))
        earlier_visits(appointment.patient, 1)
        # 1 user with doctor row (the session is a cache hit), 2 appointment + patient + doctor,
        # 3 audit row, 4 services, 5 this visit's record, 6 its lab results, 7 and 8 earlier versions
        # of both, 9 earlier records + doctors + appointments, 10 their lab results, 11 known allergies
        with django_assert_num_queries(11):
            assert len(doctor_client.get(self.url(appointment)).context["visit"].history) == 1
        earlier_visits(appointment.patient, 49, start=1)
        with django_assert_num_queries(11):
            response = doctor_client.get(self.url(appointment))
        # The latest 20 of the 50 (issue 6: a patient's thousandth visit costs nothing more).
        assert len(response.context["visit"].history) == 20 and response.context["visit"].history_more
        assert response.content.decode().count('class="abnormal"') == 20


# --- Start consultation -------------------------------------------------------------------


class TestStart:
    def url(self, appointment):
        return reverse("records:start", args=[appointment.pk])

    def test_it_starts_the_consultation(self, doctor_client, doctor_user):
        appointment = visit_of(doctor_user, S.CHECKED_IN, queue_number=1)
        response = doctor_client.post(self.url(appointment), follow=True)
        assert response.redirect_chain[-1][0] == reverse("records:visit", args=[appointment.pk])
        appointment.refresh_from_db()
        assert appointment.status == S.IN_CONSULTATION
        assert list(response.context["messages"])[0].level_tag == "success"

    def test_it_explains_when_the_patient_has_not_checked_in(self, doctor_client, doctor_user):
        appointment = visit_of(doctor_user, S.SCHEDULED)
        response = doctor_client.post(self.url(appointment), follow=True)
        assert response.status_code == 200
        assert list(response.context["messages"])[0].level_tag == "error"
        appointment.refresh_from_db()
        assert appointment.status == S.SCHEDULED

    def test_it_is_post_only(self, doctor_client, doctor_user):
        assert doctor_client.get(self.url(visit_of(doctor_user, S.CHECKED_IN))).status_code == 405

    def test_it_hides_another_doctors_visit(self, client, doctor_user, other_doctor_user):
        appointment = visit_of(doctor_user, S.CHECKED_IN)
        client.force_login(other_doctor_user)
        assert client.post(self.url(appointment)).status_code == 404
        appointment.refresh_from_db()
        assert appointment.status == S.CHECKED_IN

    @pytest.mark.parametrize("role", ["receptionist", "admin_user"])
    def test_it_refuses_other_roles(self, client, request, doctor_user, role):
        appointment = visit_of(doctor_user, S.CHECKED_IN)
        client.force_login(request.getfixturevalue(role))
        assert client.post(self.url(appointment)).status_code == 403

    def test_it_sends_anonymous_visitors_to_login(self, client, doctor_user):
        assert_login_redirect(client.post(self.url(visit_of(doctor_user, S.CHECKED_IN))))


# --- The medical record form --------------------------------------------------------------

RECORD = {
    "complaint": "Demam tiga hari, batuk",
    "allergies": "Penisilin",
    "systolic_bp": "130",
    "diastolic_bp": "85",
    "heart_rate": "92",
    "respiratory_rate": "20",
    "temperature_c": "38.4",
    "oxygen_saturation": "97",
    "weight_kg": "62.5",
    "height_cm": "160",
    "diagnosis": "ISPA",
    "icd10_code": "j06.9",
    "treatment": "Istirahat",
    "prescription": "Parasetamol 3x500 mg",
    "notes": "",
}


class TestRecord:
    def url(self, appointment):
        return reverse("records:record", args=[appointment.pk])

    def test_it_shows_the_form_with_the_icd10_search(self, doctor_client, doctor_user):
        appointment = visit_of(doctor_user)
        earlier = AppointmentFactory(
            patient=appointment.patient, status=S.COMPLETED, appointment_date=today_at(9) - datetime.timedelta(days=10)
        )
        MedicalRecordFactory(appointment=earlier, allergies="Sulfa")
        response = doctor_client.get(self.url(appointment))
        assert response.status_code == 200
        content = response.content.decode()
        assert 'name="systolic_bp"' in content and 'name="icd10_code"' in content
        assert f'hx-get="{reverse("records:icd10")}"' in content
        assert response.context["form"].initial["allergies"] == "Sulfa"  # carried from the last record

    def test_it_saves_the_record_for_the_visit(self, doctor_client, doctor_user):
        appointment = visit_of(doctor_user)
        stranger = PatientFactory()
        response = doctor_client.post(self.url(appointment), {**RECORD, "patient": stranger.pk, "doctor": 999})
        assert response.status_code == 302
        assert response["Location"] == reverse("records:visit", args=[appointment.pk])
        record = MedicalRecord.objects.get()
        assert (record.patient, record.doctor, record.appointment) == (
            appointment.patient,
            appointment.doctor,
            appointment,
        )
        assert record.icd10_code == "J06.9"
        assert record.temperature_c == Decimal("38.4")
        assert record.prescription == "Parasetamol 3x500 mg"

    def test_it_edits_the_existing_record(self, doctor_client, doctor_user):
        appointment = visit_of(doctor_user)
        MedicalRecordFactory(appointment=appointment, diagnosis="Lama")
        response = doctor_client.get(self.url(appointment))
        assert response.context["form"].initial["diagnosis"] == "Lama"
        doctor_client.post(self.url(appointment), {**RECORD, "diagnosis": "Baru"})
        assert MedicalRecord.objects.get().diagnosis == "Baru"
        assert MedicalRecord.objects.count() == 1

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"systolic_bp": "80", "diastolic_bp": "90"}, "diastolic_bp"),
            ({"systolic_bp": "120", "diastolic_bp": "120"}, "diastolic_bp"),
            ({"systolic_bp": "400"}, "systolic_bp"),
            ({"systolic_bp": "", "diastolic_bp": "80"}, "systolic_bp"),
            ({"oxygen_saturation": "30"}, "oxygen_saturation"),
            ({"temperature_c": "48"}, "temperature_c"),
            ({"heart_rate": "abc"}, "heart_rate"),
            ({"icd10_code": "ZZ9.9"}, "icd10_code"),
            ({"icd10_code": "J00-J06"}, "icd10_code"),
        ],
    )
    def test_it_shows_the_form_again_for_bad_input(self, doctor_client, doctor_user, changes, field):
        appointment = visit_of(doctor_user)
        response = doctor_client.post(self.url(appointment), {**RECORD, **changes})
        assert response.status_code == 200
        assert field in response.context["form"].errors
        assert "invalid-feedback" in response.content.decode()
        assert not MedicalRecord.objects.exists()

    @pytest.mark.parametrize("status", [S.CHECKED_IN, S.COMPLETED])
    def test_it_writes_only_during_the_consultation(self, doctor_client, doctor_user, status):
        appointment = visit_of(doctor_user, status)
        for response in (doctor_client.get(self.url(appointment)), doctor_client.post(self.url(appointment), RECORD)):
            assert response.status_code == 302
            assert response["Location"] == reverse("records:visit", args=[appointment.pk])
        assert not MedicalRecord.objects.exists()

    def test_it_hides_another_doctors_visit(self, client, doctor_user, other_doctor_user):
        appointment = visit_of(doctor_user)
        client.force_login(other_doctor_user)
        assert client.get(self.url(appointment)).status_code == 404
        assert client.post(self.url(appointment), RECORD).status_code == 404
        assert not MedicalRecord.objects.exists()

    @pytest.mark.parametrize("role", ["receptionist", "admin_user"])
    def test_it_refuses_other_roles(self, client, request, doctor_user, role):
        appointment = visit_of(doctor_user)
        client.force_login(request.getfixturevalue(role))
        assert client.post(self.url(appointment), RECORD).status_code == 403
        assert not MedicalRecord.objects.exists()

    def test_it_sends_anonymous_visitors_to_login(self, client, doctor_user):
        assert_login_redirect(client.get(self.url(visit_of(doctor_user))))


# --- Lab results --------------------------------------------------------------------------

LAB = {
    "test_name": "Hemoglobin",
    "value": "9.8",
    "unit": "g/dL",
    "reference_low": "12",
    "reference_high": "16",
    "sampled_at": "2026-03-02T08:15",
    "reported_at": "",
}


class TestLabAdd:
    def url(self, appointment):
        return reverse("records:lab_add", args=[appointment.pk])

    def test_it_shows_the_form_sampled_now_by_default(self, doctor_client, doctor_user):
        response = doctor_client.get(self.url(visit_of(doctor_user)))
        assert response.status_code == 200
        expected = timezone.localtime().strftime("%d-%m-%Y ")  # dd-mm-yyyy HH.MM (core.forms)
        assert f'value="{expected}' in response.content.decode()

    def test_it_flags_and_highlights_a_value_out_of_range(self, doctor_client, doctor_user):
        appointment = visit_of(doctor_user)
        response = doctor_client.post(self.url(appointment), LAB)
        assert response.status_code == 302
        result = LabResult.objects.get()
        assert result.is_abnormal is True
        assert result.medical_record.appointment == appointment  # the record was created for it
        assert result.created_by == doctor_user
        page = doctor_client.get(response["Location"])
        content = page.content.decode()
        assert '<tr class="abnormal">' in content
        assert "9,8" in content  # Indonesian decimal comma, no trailing zeros
        assert list(page.context["messages"])[0].level_tag == "warning"

    def test_it_keeps_a_value_in_range_unflagged(self, doctor_client, doctor_user):
        appointment = visit_of(doctor_user)
        doctor_client.post(self.url(appointment), {**LAB, "value": "13.2"})
        assert LabResult.objects.get().is_abnormal is False
        page = doctor_client.get(reverse("records:visit", args=[appointment.pk]))
        assert 'class="abnormal"' not in page.content.decode()

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"value": ""}, "value"),
            ({"value": "tinggi"}, "value"),
            ({"test_name": ""}, "test_name"),
            ({"reference_low": "20"}, "reference_high"),
            ({"reported_at": "2026-03-01T08:15"}, "reported_at"),
            ({"sampled_at": "kemarin"}, "sampled_at"),
        ],
    )
    def test_it_shows_the_form_again_for_bad_input(self, doctor_client, doctor_user, changes, field):
        response = doctor_client.post(self.url(visit_of(doctor_user)), {**LAB, **changes})
        assert response.status_code == 200
        assert field in response.context["form"].errors
        assert not LabResult.objects.exists()
        assert not MedicalRecord.objects.exists()

    def test_it_adds_only_during_the_consultation(self, doctor_client, doctor_user):
        appointment = visit_of(doctor_user, S.COMPLETED)
        assert doctor_client.post(self.url(appointment), LAB).status_code == 302
        assert not LabResult.objects.exists()

    def test_it_hides_another_doctors_visit(self, client, doctor_user, other_doctor_user):
        appointment = visit_of(doctor_user)
        client.force_login(other_doctor_user)
        assert client.post(self.url(appointment), LAB).status_code == 404
        assert not LabResult.objects.exists()

    @pytest.mark.parametrize("role", ["receptionist", "admin_user"])
    def test_it_refuses_other_roles(self, client, request, doctor_user, role):
        appointment = visit_of(doctor_user)
        client.force_login(request.getfixturevalue(role))
        assert client.get(self.url(appointment)).status_code == 403

    def test_it_sends_anonymous_visitors_to_login(self, client, doctor_user):
        assert_login_redirect(client.get(self.url(visit_of(doctor_user))))


# --- Completion ---------------------------------------------------------------------------


# --- ICD-10 search ------------------------------------------------------------------------


class TestIcd10:
    url = reverse("records:icd10")

    def test_it_finds_codes_by_prefix(self, doctor_client):
        response = doctor_client.get(self.url, {"q": "j06"}, headers=HTMX)
        content = response.content.decode()
        assert response.status_code == 200
        assert "<html" not in content
        assert "J06.9" in content and "Acute upper respiratory infection, unspecified" in content
        assert [m.code for m in response.context["matches"]] == ["J06", "J06.0", "J06.8", "J06.9"]

    def test_it_finds_codes_by_words(self, doctor_client):
        response = doctor_client.get(self.url, {"q": "typhoid fever"}, headers=HTMX)
        assert "A01.0" in [m.code for m in response.context["matches"]]

    def test_it_returns_at_most_20(self, doctor_client):
        assert len(doctor_client.get(self.url, {"q": "infection"}, headers=HTMX).context["matches"]) == 20

    def test_it_says_when_nothing_matches(self, doctor_client):
        response = doctor_client.get(self.url, {"q": "qqqzzz"}, headers=HTMX)
        assert response.status_code == 200
        assert response.context["matches"] == []

    def test_it_fills_the_code_and_an_empty_diagnosis_from_a_pick(self, doctor_client):
        response = doctor_client.get(self.url, {"pick": "J06.9", "icd10_code": "", "diagnosis": ""}, headers=HTMX)
        content = response.content.decode()
        assert 'value="J06.9"' in content
        assert "Infeksi saluran pernapasan atas akut, tidak spesifik</textarea>" in content  # Indonesian page
        assert 'id="icd10-results" hx-swap-oob="true"' in content

    def test_it_fills_the_diagnosis_in_english_on_an_english_page(self, doctor_client):
        doctor_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        response = doctor_client.get(self.url, {"pick": "J06.9", "icd10_code": "", "diagnosis": ""}, headers=HTMX)
        assert "Acute upper respiratory infection, unspecified</textarea>" in response.content.decode()

    @pytest.mark.parametrize("diagnosis", ["Demam tifoid", "Typhoid fever"], ids=["indonesian name", "english title"])
    def test_the_diagnosis_follows_a_new_pick_when_it_was_the_old_codes_name(self, doctor_client, diagnosis):
        response = doctor_client.get(
            self.url, {"pick": "A01.1", "icd10_code": "A01.0", "diagnosis": diagnosis}, headers=HTMX
        )
        assert "Paratyphoid fever A</textarea>" in response.content.decode()  # A01.1 has no Indonesian name

    def test_it_finds_typhoid_fever_by_its_indonesian_name(self, doctor_client):
        response = doctor_client.get(self.url, {"q": "demam tifoid"}, headers=HTMX)
        content = response.content.decode()
        assert [m.code for m in response.context["matches"]] == ["A01.0"]
        assert "<strong>A01.0</strong> Demam tifoid" in content
        assert 'lang="en">Typhoid fever</small>' in content  # the WHO's title beside it

    def test_it_lists_english_names_on_an_english_page(self, doctor_client):
        doctor_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        response = doctor_client.get(self.url, {"q": "demam tifoid"})
        content = response.content.decode()
        assert '<th scope="row">A01.0</th><td>Typhoid fever</td>' in content
        assert "Demam tifoid" not in content

    def test_it_keeps_the_doctors_own_diagnosis_text(self, doctor_client):
        response = doctor_client.get(
            self.url, {"pick": "J06.9", "icd10_code": "", "diagnosis": "ISPA ringan"}, headers=HTMX
        )
        assert "ISPA ringan</textarea>" in response.content.decode()

    def test_it_serves_a_lookup_page_without_htmx(self, doctor_client):
        response = doctor_client.get(self.url, {"q": "J06"})
        assert response.status_code == 200
        assert "<html" in response.content.decode() and "J06.9" in response.content.decode()

    def test_it_refuses_a_receptionist(self, client, receptionist):
        client.force_login(receptionist)
        assert client.get(self.url, {"q": "J06"}).status_code == 403

    def test_it_sends_anonymous_visitors_to_login(self, client):
        assert_login_redirect(client.get(self.url, {"q": "J06"}))
