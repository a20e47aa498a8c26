"""The forms and links of a page, read as a browser would submit and follow them: what the
load test (bench/locustfile.py) fills in and posts. No locust import here, so tests can use it."""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit


class Forms(HTMLParser):
    """The forms and links of a page, as a browser would submit and follow them.

    Each form is {"id", "action", "method", "fields": [(name, value)], "choices": {name: [values]}}:
    `fields` is what the browser would send as the page stands (checked boxes, selected options),
    `choices` every value a checkbox, radio or select offers. Inputs outside a form that name it
    (`form="appointment-form"`) join it."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.forms, self.links = [], []
        self._form = self._select = self._textarea = None
        self._elsewhere = []  # (form id, input attributes) of inputs placed outside their form
        self.feed(text)
        self.close()
        for form_id, attrs in self._elsewhere:
            form = next((f for f in self.forms if f["id"] == form_id), None)
            if form is not None:
                self._add_input(form, attrs)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form":
            self._form = {
                "id": attrs.get("id"),
                "action": attrs.get("action") or "",
                "method": (attrs.get("method") or "get").lower(),
                "fields": [],
                "choices": {},
            }
            self.forms.append(self._form)
        elif tag == "input":
            self._input(attrs)
        elif tag == "select":
            self._select = {"form": self._owner(attrs), "name": attrs.get("name"), "chosen": None, "first": None}
        elif tag == "option" and self._select is not None:
            self._option(attrs)
        elif tag == "textarea":
            self._textarea = {"form": self._owner(attrs), "name": attrs.get("name"), "text": ""}

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["text"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None:
            select, self._select = self._select, None
            value = select["chosen"] if select["chosen"] is not None else select["first"]
            if select["form"] is not None and select["name"] and value is not None:
                select["form"]["fields"].append((select["name"], value))
        elif tag == "textarea" and self._textarea is not None:
            area, self._textarea = self._textarea, None
            if area["form"] is not None and area["name"]:
                area["form"]["fields"].append((area["name"], area["text"].lstrip("\n")))

    def _owner(self, attrs):
        """The form a select or textarea belongs to: the one around it."""
        return self._form

    def _input(self, attrs):
        if attrs.get("form"):  # the form may come later in the page: attach at the end
            self._elsewhere.append((attrs["form"], attrs))
        elif self._form is not None:
            self._add_input(self._form, attrs)

    def _add_input(self, form, attrs):
        name = attrs.get("name")
        if not name:
            return
        kind = (attrs.get("type") or "text").lower()
        value = attrs.get("value", "on" if kind in ("checkbox", "radio") else "")
        if kind in ("checkbox", "radio"):
            form["choices"].setdefault(name, []).append(value)
            if "checked" in attrs:
                form["fields"].append((name, value))
        elif kind not in ("submit", "button", "reset", "image", "file"):
            form["fields"].append((name, value))

    def _option(self, attrs):
        select = self._select
        value = attrs.get("value", "")
        if select["form"] is not None and select["name"]:
            select["form"]["choices"].setdefault(select["name"], []).append(value)
        if select["first"] is None:
            select["first"] = value
        if "selected" in attrs:
            select["chosen"] = value

    def form_posting_to(self, pattern: str) -> dict | None:
        return next((f for f in self.forms if f["method"] == "post" and re.search(pattern, f["action"])), None)

    def form_with(self, field: str) -> dict | None:
        """The POST form that has this field (a page also has the logout form, for one)."""
        return next(
            (f for f in self.forms if f["method"] == "post" and any(name == field for name, _value in f["fields"])),
            None,
        )


def with_values(form: dict, **values) -> list[tuple[str, str]]:
    """The form's fields with some replaced (a list value gives the field several times)."""
    fields = [(name, value) for name, value in form["fields"] if name not in values]
    for name, value in values.items():
        for one in value if isinstance(value, list) else [value]:
            fields.append((name, str(one)))
    return fields


def ids_in(links: list[str], pattern: str) -> list[int]:
    """The numbers in links like /patients/12/ (pattern with one group)."""
    return [int(m.group(1)) for link in links if (m := re.fullmatch(pattern, urlsplit(link).path))]
