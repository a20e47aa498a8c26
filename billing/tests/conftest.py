"""The patient the patient pages' tests use, shared with patients' own view tests."""

from patients.tests.test_views import patient  # noqa: F401  (a fixture)
