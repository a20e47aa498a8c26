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
        values = self.format_value(value)  # as forms.Select: [] selects nothing, [""] the empty option
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        options = []
        has_selected = False
        for choice, label in self.choices:
            key = "" if choice is None else str(choice)
            mark = ""
            if not has_selected and key in values:  # only the first option of a repeated value
                mark, has_selected = " selected", True
            options.append(f'<option value="{escape(key)}"{mark}>{escape(str(label))}</option>')
        return mark_safe(f"<select{flatatt(final_attrs)}>{''.join(options)}</select>")  # nosec B308 B703: escaped above
