"""Every spreadsheet the portal hands out (xlsx or csv, our own writers and the admin's exports) goes through here,
so that no text a user typed runs as a formula when the file is opened: CSV / formula injection,
https://owasp.org/www-community/attacks/CSV_Injection.

Text that begins with = + - @, or with a tab or carriage return (which some spreadsheet programs skip before they
read a formula), gets a leading single quote, as OWASP advises; that keeps a phone number "+84 291..." as text too.
Numbers, dates and booleans are left as they are: a negative amount must stay a number that Excel can add up, so
resources render amounts as numbers (cooperatives.resources.VNNumberWidget), not as text.
"""

import tablib
from import_export.formats import base_formats

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _escaped(text: str) -> bool:
    return text.lstrip("'").startswith(FORMULA_TRIGGERS)


def safe_cell(value):
    """`value` as a spreadsheet may hold it: inert text for a would-be formula, anything else unchanged. Text that
    already looks escaped ("'=x") is quoted once more, so `unescape_cell` gives every text back exactly."""
    if isinstance(value, str) and _escaped(value):
        return "'" + value
    return value


def unescape_cell(text: str) -> str:
    """What `safe_cell` escaped, as it was: an exported sheet imported again gives back the names it was made from."""
    if text.startswith("'") and _escaped(text[1:]):
        return text[1:]
    return text


def safe_row(values) -> list:
    """A row for `worksheet.append` or `csv.writer.writerow`."""
    return [safe_cell(value) for value in values]


def safe_dataset(dataset: tablib.Dataset) -> tablib.Dataset:
    """A copy of a tablib dataset (what django-import-export resources produce) with every cell made safe."""
    headers = safe_row(dataset.headers) if dataset.headers else None
    return tablib.Dataset(*(safe_row(row) for row in dataset), headers=headers, title=dataset.title)


class SafeCSV(base_formats.CSV):
    def export_data(self, dataset, **kwargs):
        return super().export_data(safe_dataset(dataset), **kwargs)


class SafeXLSX(base_formats.XLSX):
    def export_data(self, dataset, **kwargs):
        return super().export_data(safe_dataset(dataset), **kwargs)


# The admin keeps a cell's own type (an amount stays a number) only for formats listed here, checked by exact type
# (import_export.admin.ExportMixin.get_export_data): without this, every cell of an admin xlsx export is text.
base_formats.BINARY_FORMATS.append(SafeXLSX)
