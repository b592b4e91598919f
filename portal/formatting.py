"""Vietnamese presentation of money, numbers and dates, for templates, PDFs and exports alike."""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import timezone

WEEKDAYS = ["Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật"]


def group_thousands(value, decimals: int = 0) -> str:
    """1500000 -> '1.500.000'; 1234.5 with decimals=1 -> '1.234,5'."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    quant = Decimal(1).scaleb(-decimals) if decimals else Decimal(1)
    number = number.quantize(quant, rounding=ROUND_HALF_UP)
    sign = "-" if number < 0 else ""
    whole, _, frac = f"{abs(number):f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return f"{sign}{grouped},{frac}" if decimals and frac else f"{sign}{grouped}"


def plain_number(value) -> str:
    """As many decimals as the value has: 20.00 -> '20'; 19.5 -> '19,5'; 1500.25 -> '1.500,25'."""
    number = Decimal(str(value)).normalize()
    return group_thousands(number, decimals=max(-number.as_tuple().exponent, 0))


def money(value) -> str:
    """Whole đồng: 1500000 -> '1.500.000 ₫'. None shows as a dash."""
    if value is None or value == "":
        return "—"
    return f"{group_thousands(value)} ₫"


def vn_date(value) -> str:
    if not value:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return value.strftime("%d/%m/%Y")


def vn_weekday_datetime(value) -> str:
    """'Thứ tư, 20/04/2022, 16:14' as the seed page prints an article's time."""
    if not value:
        return ""
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{WEEKDAYS[local.weekday()]}, {local:%d/%m/%Y, %H:%M}"
    if isinstance(value, date):
        return f"{WEEKDAYS[value.weekday()]}, {value:%d/%m/%Y}"
    return str(value)
