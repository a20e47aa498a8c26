"""Completing one visit from several sessions at once gives one medical record and one bill."""

from decimal import Decimal

import pytest

from billing.models import Billing
from records.models import MedicalRecord
from scheduling import services
from scheduling.models import Appointment
from scheduling.tests.factories import AppointmentFactory, AppointmentServiceFactory
from scheduling.tests.test_concurrency import DOT_COMMA, pytestmark, run_together  # noqa: F401  (real threads, MariaDB/PostgreSQL)


class TestCompletionRunsOnce:
    @pytest.mark.parametrize("sessions", [2, 10])
    def test_it_creates_one_record_and_one_bill(self, sessions, figures):  # noqa: F811
        rounds = 3
        for _ in range(rounds):
            appointment = AppointmentFactory(status=Appointment.Status.IN_CONSULTATION)
            AppointmentServiceFactory(appointment=appointment, quantity=2, unit_price=Decimal("150000"))
            AppointmentServiceFactory(appointment=appointment, quantity=1, unit_price=Decimal("85000.50"))

            def complete(pk=appointment.pk):
                return services.appointment_complete(appointment=Appointment.objects.get(pk=pk), by=None)

            outcomes = run_together([complete] * sessions)
            ok = [value for kind, value in outcomes if kind == "ok"]
            errors = [value for kind, value in outcomes if kind == "error"]
            records = MedicalRecord.objects.filter(appointment=appointment).count()
            bills = list(Billing.objects.filter(appointment=appointment))
            total = f"{bills[0].total_amount:,.2f}".translate(DOT_COMMA) if bills else "-"
            figures(
                f"{sessions} sessions complete one visit: {len(ok)} succeeded, {len(errors)} errors"
                f"{[f'{type(e).__name__}: {e}' for e in errors] if errors else ''}, "
                f"{records} medical record, {len(bills)} bill (total Rp {total})"
            )
            assert errors == []
            assert records == 1
            assert len(bills) == 1
            assert bills[0].total_amount == Decimal("385000.50")
            assert all(a.status == Appointment.Status.COMPLETED for a in ok)
            appointment.refresh_from_db()
            assert appointment.status == Appointment.Status.COMPLETED
