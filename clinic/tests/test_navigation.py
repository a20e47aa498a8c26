from django.urls import reverse

from clinic.context_processors import NAVIGATION


def test_it_resolves_every_navigation_entry():
    # The context processor skips names that do not resolve; this keeps none silently missing.
    for _label, name, _roles in NAVIGATION:
        assert reverse(name)
