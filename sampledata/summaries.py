"""The apps' summary tables rebuilt from their rows, after sample data was written around the
services that keep them (loaddata, the bulk seed, the date shift): the one call for all three."""

from reports.summaries import rebuild_all


def rebuild_summaries(*, using: str = "default") -> None:
    rebuild_all(using=using)
