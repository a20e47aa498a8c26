import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_it_indexes_the_name_for_prefix_search_on_this_database():
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, "patients")
    assert "patients_full_name_idx" in indexes
    if connection.vendor == "postgresql":
        # istartswith compares UPPER(full_name); only this expression index serves it there.
        assert "patients_full_name_upper_prefix_idx" in indexes
