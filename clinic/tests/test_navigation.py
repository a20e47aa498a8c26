import pytest
from django.urls import resolve, reverse

from accounts.policy import CAPABILITIES
from clinic.context_processors import NAVIGATION


def test_it_resolves_every_navigation_entry():
    # The context processor skips names that do not resolve; this keeps none silently missing.
    for _label, name, _roles in NAVIGATION:
        assert reverse(name)


@pytest.mark.parametrize(("label", "name", "capability"), NAVIGATION)
def test_it_links_only_to_pages_the_role_may_open(label, name, capability):
    # The navigation and the view gate read the same table: no link leads to a 403.
    if name == "admin:index":
        return  # the Django admin has its own gate (admin_site.ClinicAdminSite), on the same capability
    view = resolve(reverse(name)).func
    assert set(CAPABILITIES[capability]) <= set(view.allowed_roles), (label, capability, view.capability)
