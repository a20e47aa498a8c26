import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from satusehat import fhir
from satusehat.conf import config
from satusehat.models import Submission
from scheduling.models import Appointment


class Command(BaseCommand):
    help = "Prints the FHIR Bundle a finished visit would send to SATUSEHAT (JSON); sends nothing."

    def add_arguments(self, parser):
        parser.add_argument("--appointment", type=int, required=True, help="the visit's appointment id")

    def handle(self, *args, appointment: int, **options):
        cfg = config()
        try:
            visit = fhir.visit_for_bundle(appointment)
        except Appointment.DoesNotExist as error:
            raise CommandError(_("No appointment with id %(id)s.") % {"id": appointment}) from error
        sent = Submission.objects.filter(appointment_id=appointment).values_list("resource_ids", flat=True).first()
        try:
            bundle = fhir.build_bundle(
                visit, organization_id=cfg.organization_id, fhir_base=cfg.fhir_url, resource_ids=sent or {}
            )
        except fhir.NotSendable as error:
            raise CommandError(str(error)) from error
        self.stdout.write(json.dumps(fhir.wire(bundle), indent=2, ensure_ascii=False))
