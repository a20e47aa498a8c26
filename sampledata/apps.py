from django.apps import AppConfig


class SampleDataConfig(AppConfig):
    """The sample-data generator: the demo fixtures, seed_demo and the benchmark commands."""

    name = "sampledata"
    verbose_name = "Sample data"
