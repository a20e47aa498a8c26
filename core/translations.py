"""Messages of Django itself that the project translates anew (locale/id wins over Django's).

Django 5.2's Indonesian catalog renders the unique-constraint message as "... tidak ada" ("does
not exist"), the opposite of what it says. Listed here so makemessages keeps the override."""

from django.utils.translation import gettext_noop

OVERRIDES = [
    gettext_noop("%(model_name)s with this %(field_labels)s already exists."),
    gettext_noop("%(model_name)s with this %(field_label)s already exists."),
]
