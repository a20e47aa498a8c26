"""Query shapes the apps share."""

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce


def count_of(model, field: str) -> Coalesce:
    """The number of `model` rows whose `field` points at the outer row, for `.annotate()`: a
    subquery per row of the page on the `field` index, 0 when there is none. Unlike a Count()
    over a join, it needs no GROUP BY, which made the databases sort every matching row before
    the page's LIMIT (docs/performance.md)."""
    rows = model.objects.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)
