"""Form widgets."""

from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.safestring import mark_safe


class QuickSelect(forms.Select):
    """A <select> whose options are written in one pass with html.escape instead of one
    template render per option: Django renders each <option> through the form renderer
    (~30 µs), which the doctor filter of the board paid a hundred times a page in a clinic
    chain. Flat choices only (no option groups); the markup is what forms.Select writes."""

    def render(self, name, value, attrs=None, renderer=None):
        if self.allow_multiple_selected:
            raise NotImplementedError("QuickSelect takes one value")
        selected = (self.format_value(value) or [""])[0]
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        options = []
        for choice, label in self.choices:
            key = "" if choice is None else str(choice)
            mark = " selected" if key == selected else ""
            options.append(f'<option value="{escape(key)}"{mark}>{escape(str(label))}</option>')
        return mark_safe(f"<select{flatatt(final_attrs)}>{''.join(options)}</select>")  # nosec B308 B703: escaped above
