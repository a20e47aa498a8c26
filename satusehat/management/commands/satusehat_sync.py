from django.core.management.base import BaseCommand

from satusehat import services
from satusehat.conf import config


class Command(BaseCommand):
    help = (
        "Sends the due SATUSEHAT submissions once (for cron, or next to the worker); "
        "--queue-missing first queues completed visits that have no submission."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None, help="send at most this many")
        parser.add_argument(
            "--queue-missing", action="store_true", help="queue the completed visits that were never queued"
        )

    def handle(self, *args, limit=None, queue_missing=False, **options):
        cfg = config()
        if not cfg.enabled:
            self.stdout.write("SATUSEHAT_ENV=off: nothing to send.")
            return
        if queue_missing:
            self.stdout.write(f"queued: {services.queue_missing()}")
        counts = services.send_due(limit=limit)
        self.stdout.write(" ".join(f"{name}: {count}" for name, count in sorted(counts.items())) or "nothing due")
