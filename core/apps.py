from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Code that imports no app: encryption, the clinic clock, formats, backup, the database
    router. An app only for its management commands and system checks."""

    name = "core"

    def ready(self):
        from core import checks  # noqa: F401  (registers the system checks)
