"""Recomputes the audit log's hash chain and checks every row's signature (AUDIT_KEY); reports
the first broken row and every row the application did not write.

    python manage.py verify_audit_chain            # seals pending rows, checks the rows since
                                                   # the last checkpoint, writes a new one
    python manage.py verify_audit_chain --full     # rereads the whole chain from its first row
    python manage.py verify_audit_chain --no-seal  # checks only

A sound check ends with a checkpoint (seq and hash of the head, signed under AUDIT_KEY), so a
nightly run reads only the rows written since; the checkpoint's own row must still carry its
hash. Run `--full` now and then (weekly): only it rereads the rows before the last checkpoint.

Exits non-zero when a row was changed, removed or inserted by hand. Keep the last line (the
head's position and hash) somewhere else too: a chain rewritten from some row to the end, head
included, by someone holding AUDIT_KEY is only detectable against a copy of an earlier head."""

from django.core.management.base import BaseCommand, CommandError

from audit import services as audit
from audit.models import AuditHead


class Command(BaseCommand):
    help = "Verifies the hash chain and signatures of the audit log; exits non-zero when broken."

    def add_arguments(self, parser):
        parser.add_argument("--no-seal", action="store_true", help="Do not seal pending rows before checking.")
        parser.add_argument(
            "--full", action="store_true", help="Reread the whole chain, not only since the checkpoint."
        )
        parser.add_argument("--database", default=None, help="The database to check.")

    def handle(self, *args, no_seal=False, full=False, database=None, **options):
        report = audit.verify_chain(using=database, seal=not no_seal, full=full)
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
        since = f" since the checkpoint at seq {report.resumed_from}" if report.resumed_from is not None else ""
        self.stdout.write(self.style.SUCCESS(f"The audit chain is sound: {report.checked} rows checked{since}."))
        if report.pending:
            self.stdout.write(
                self.style.WARNING(
                    f"{report.pending} row(s) not sealed yet (their transaction is still open, or sealing failed)."
                )
            )
        if head is not None:
            self.stdout.write(f"head: seq {head.seq} hash {head.hash}")
