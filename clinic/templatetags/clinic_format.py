from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def rupiah(value) -> str:
    """150000 → "Rp 150.000": whole rupiah with dots, in every language (Indonesian style)."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(value).quantize(Decimal("1"))
    except (InvalidOperation, TypeError, ValueError):
        return ""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {abs(amount):,.0f}".replace(",", ".")
