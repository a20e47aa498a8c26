from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """The dashboard and its CSV export, and the command that rebuilds every summary table. It
    reads the summary tables that patients, scheduling and billing keep; it writes none of them
    itself, but asks each app to rebuild its own."""

    name = "reports"
