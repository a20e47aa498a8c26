"""Recomputes the audit log's hash chain and reports the first broken row.

    python manage.py verify_audit_chain            # seals pending rows first, then checks
    python manage.py verify_audit_chain --no-seal  # checks only

Exits non-zero when a row was changed or removed. Run it from cron and keep its last line
(the head's position and hash) somewhere else too: a chain rewritten from some row to the end,
head included, is only detectable against a copy of an earlier head."""

from django.core.management.base import BaseCommand, CommandError

from audit import services as audit
from audit.models import AuditHead


class Command(BaseCommand):
    help = "Verifies the hash chain of the audit log; exits non-zero at the first broken row."

    def add_arguments(self, parser):
        parser.add_argument("--no-seal", action="store_true", help="Do not seal pending rows before checking.")
        parser.add_argument("--database", default=None, help="The database to check.")

    def handle(self, *args, no_seal=False, database=None, **options):
        report = audit.verify_chain(using=database, seal=not no_seal)
        if not report.ok:
            for problem in report.problems[:20]:
                self.stderr.write(problem)
            first = report.first_broken
            where = f"seq {first.seq}, id {first.id}" if first is not None else "the head"
            raise CommandError(
                f"The audit chain is broken: first broken row at {where} "
                f"({len(report.problems)} problem(s), {report.checked} rows checked)."
            )
        head = AuditHead.objects.using(database or "default").filter(pk=1).first()
        self.stdout.write(self.style.SUCCESS(f"The audit chain is sound: {report.checked} rows checked."))
        if report.pending:
            self.stdout.write(
                self.style.WARNING(
                    f"{report.pending} row(s) not sealed yet (their transaction is still open, or sealing failed)."
                )
            )
        if head is not None:
            self.stdout.write(f"head: seq {head.seq} hash {head.hash}")
