"""Reading the spreadsheets offices actually send, for every import (the registry's, the fund's loan book).

A sheet from a provincial office rarely starts with its headers: a title ("DANH SÁCH HỢP TÁC XÃ NĂM 2024", merged
over the columns), a blank row or two, then the header row, written as its author likes ("MÃ SỐ HTX", "Tên  HTX").
So the header row is the row among the first HEADER_SCAN that matches the most known headers, compared folded
(portal.search.fold: no case, no diacritics, one space); each resource keeps a table of the other names people
give a column. Columns an office sheet carries beside the data (the district and province of the commune, notes)
are known and read past, and the import says it ignored them. A column whose header matches nothing else is refused
with the nearest known header suggested, because dropping it would lose its data without a word. Rows keep the
sheet's own numbers (1-based, title rows counted, blank rows skipped but counted), so an error names the row the
person sees in Excel.

Cells: text goes through portal.text.normalise; a control character (NUL, ESC ...) is an error on that row; a
formula gives the value Excel cached when it last saved the file, and a formula without one (a file written by a
program that never calculated it) is an error on that row, never a silently empty cell.
"""

import csv
import difflib
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from openpyxl import load_workbook
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.utils import get_column_letter
from openpyxl.utils.escape import unescape

from .exports import unescape_cell
from .search import fold
from .text import control_characters, normalise

HEADER_SCAN = 15
# Row-number columns every office sheet has; their content means nothing to an import.
IGNORED_HEADERS = ("STT", "TT", "Số TT", "Số thứ tự")
# Columns offices add beside the data that no import reads: the district and province a commune lies in (the
# commune's unit already says them) and notes. Read past, and named to the user as ignored.
OFFICE_EXTRAS = (
    "Huyện",
    "Quận",
    "Thị xã",
    "Thành phố",
    "Huyện/Quận/Thị xã/Thành phố",
    "Huyện, thị xã, thành phố",
    "Quận/Huyện",
    "Tỉnh",
    "Tỉnh/Thành phố",
    "Ghi chú",
)

# Excel counts days from 30/12/1899 (its 1900 leap-year bug included). Only serials from 1950 to 2100 are read as
# dates, so a bare year (2024) or an amount typed into a date column is refused rather than read as 1905.
EXCEL_EPOCH = date(1899, 12, 30)
SERIAL_RANGE = ((date(1950, 1, 1) - EXCEL_EPOCH).days, (date(2100, 12, 31) - EXCEL_EPOCH).days)


def header_key(text) -> str:
    """How headers are compared: folded, one space, without the marks people add ("Tên *", "Mã số:")."""
    return fold(normalise(text)).strip(" *:.")


@dataclass
class Columns:
    """The columns a sheet may have: each canonical header with the other names it goes by."""

    synonyms: dict[str, tuple[str, ...]]
    required: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()  # known columns read past (a synonym of a real column wins over these)

    def __post_init__(self):
        self.by_key: dict[str, str | None] = dict.fromkeys((header_key(h) for h in IGNORED_HEADERS), None)
        self.by_key.update(dict.fromkeys((header_key(h) for h in self.ignored), None))
        for header, others in self.synonyms.items():
            for name in (header, *others):
                self.by_key[header_key(name)] = header

    def match(self, text) -> str | None:
        """The canonical header `text` names; None for a column read past; "" when it names nothing known."""
        return self.by_key.get(header_key(text), "")

    def nearest(self, text) -> str | None:
        close = difflib.get_close_matches(header_key(text), [k for k, v in self.by_key.items() if v], n=1, cutoff=0.6)
        return self.by_key[close[0]] if close else None


@dataclass
class RawRow:
    number: int
    cells: list
    problems: dict[int, str] = field(default_factory=dict)  # column index -> what is wrong with that cell


@dataclass
class Row:
    number: int  # the sheet's own row number
    values: dict[str, object]
    problems: list[str]


@dataclass
class Table:
    """A sheet under its header row: canonical headers, the data rows with their sheet numbers, what is wrong
    with the sheet as a whole (no header row, a column nobody knows, a required column missing) and the headers of
    the known columns read past (row numbers aside), as the sheet writes them."""

    header_row: int | None
    headers: list[str]
    rows: list[Row]
    errors: list[str]
    ignored: list[str] = field(default_factory=list)


def cell_date(value) -> date:
    """A date cell, an Excel serial number (a date column formatted as General), or dd/mm/yyyy text.

    Raises ValueError with a Vietnamese message."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        if value == value and SERIAL_RANGE[0] <= value <= SERIAL_RANGE[1]:
            return EXCEL_EPOCH + timedelta(days=int(value))
        raise ValueError(f"“{value}” không phải là ngày (dd/mm/yyyy).")
    text = normalise(value)
    parts = text.replace(".", "/").replace("-", "/").split("/")
    if len(parts) != 3 or not all(p.isascii() and p.isdigit() for p in parts) or len(parts[2]) != 4:
        if text.isascii() and text.isdigit() and len(text) <= 5:
            return cell_date(int(text))
        raise ValueError(f"“{value}” không đúng dạng ngày dd/mm/yyyy.")
    day, month, year = (int(p) for p in parts)
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"Ngày “{value}” không có thật.") from None


def cell_text(value) -> str:
    """A text cell as stored: normalised; a code typed into a number cell (5201000101.0) keeps no decimal part; a
    name our own export escaped ("'=Tên") loses the escape, so an export imports back unchanged."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unescape_cell(normalise(value))


# --- reading files --------------------------------------------------------------------------------------------------


def read_csv(content: bytes) -> list[RawRow]:
    """A UTF-8 CSV (with or without BOM); one record is one row, as Excel shows it."""
    reader = csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""))
    return [RawRow(number, row) for number, row in enumerate(reader, start=1)]


def read_xlsx(content: bytes) -> dict[str, list[RawRow]]:
    """Every sheet of a workbook, by name: cached values of formulas (data_only), and a problem on each formula cell
    that has none and on each cell holding an error value (#REF!, #N/A ...)."""
    formulas = _has_formulas(content)
    values = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    texts = load_workbook(io.BytesIO(content), read_only=True, data_only=False) if formulas else None
    sheets = {}
    for name in values.sheetnames:
        rows = []
        formula_rows = texts[name].iter_rows(values_only=True) if texts else None
        for number, cells in enumerate(values[name].iter_rows(values_only=True), start=1):
            raw = RawRow(number, list(cells))
            written = next(formula_rows, ()) if formula_rows else ()
            for index, value in enumerate(raw.cells):
                cell = f"{get_column_letter(index + 1)}{number}"
                if isinstance(value, str) and "_x" in value:
                    # Excel stores a control character in a cell as _xHHHH_ (ECMA-376 ST_Xstring), and openpyxl
                    # hands the escape back as it is: decode it, so the character is judged as Excel shows it.
                    raw.cells[index] = value = unescape(value)
                if value is None and index < len(written) and _is_formula(written[index]):
                    raw.problems[index] = (
                        f"ô {cell} là công thức chưa có giá trị ({str(written[index])[:60]}): hãy mở tệp bằng Excel "
                        "và lưu lại, hoặc dán giá trị thay cho công thức"
                    )
                elif isinstance(value, str) and value in ERROR_CODES:
                    raw.problems[index] = f"ô {cell} là công thức lỗi {value}"
            rows.append(raw)
        sheets[name] = rows
    values.close()
    if texts:
        texts.close()
    return sheets


def _has_formulas(content: bytes) -> bool:
    """A second pass over the workbook only when some sheet holds a formula (its XML has an <f> element)."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                xml = archive.read(name)
                if b"<f>" in xml or b"<f " in xml or b":f>" in xml or b":f " in xml:
                    return True
    return False


def _is_formula(value) -> bool:
    return (isinstance(value, str) and value.startswith("=")) or (value is not None and not isinstance(value, str))


def read_rows(content: bytes, name: str) -> list[RawRow]:
    """The rows of a .csv, or of the first sheet of an .xlsx."""
    if name.lower().endswith(".csv"):
        return read_csv(content)
    sheets = read_xlsx(content)
    return next(iter(sheets.values()), [])


# --- finding the header and the rows --------------------------------------------------------------------------------


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not normalise(value))


def find_header(rows: list[RawRow], columns: Columns) -> RawRow | None:
    """The row among the first HEADER_SCAN matching the most known headers (the first of equals); None if none does."""
    best, best_count = None, 0
    for raw in rows[:HEADER_SCAN]:
        count = len({columns.match(c) for c in raw.cells if not _blank(c) and columns.match(c)})
        if count > best_count:
            best, best_count = raw, count
    return best


def table(rows: list[RawRow], columns: Columns, *, sheet: str = "") -> Table:
    """The data under the header row, each row by its sheet number, every text cell normalised."""
    where = f"Trang “{sheet}”: " if sheet else ""
    header = find_header(rows, columns)
    if header is None:
        known = ", ".join(f"“{h}”" for h in list(columns.synonyms)[:4])
        message = f"{where}Không tìm thấy dòng tiêu đề trong {HEADER_SCAN} dòng đầu (các cột như {known} ...)."
        return Table(None, [], [], [message])
    errors, mapping, seen, reported, ignored = [], {}, {}, set(), []
    row_numbers = {header_key(h) for h in IGNORED_HEADERS}
    for index, text in enumerate(header.cells):
        if _blank(text):
            continue
        letter = get_column_letter(index + 1)
        canonical = columns.match(text)
        if canonical is None:
            if header_key(text) not in row_numbers:
                ignored.append(normalise(text))
            continue
        if not canonical:
            nearest = columns.nearest(text)
            hint = f" Có phải là “{nearest}”?" if nearest else " Hãy dùng tên cột như trong tệp mẫu."
            errors.append(f"{where}cột {letter} “{normalise(text)}” không khớp với cột nào đã biết.{hint}")
        elif canonical in seen:
            errors.append(f"{where}cột “{canonical}” có hai lần (cột {seen[canonical]} và cột {letter}).")
        else:
            seen[canonical] = letter
            mapping[index] = canonical
    missing = [h for h in columns.required if h not in seen]
    if missing:
        lacking = f"Trang “{sheet}” thiếu cột" if sheet else "Tệp thiếu cột"
        errors.append(f"{lacking}: {', '.join(missing)}. Hãy dùng tệp mẫu.")
    start = rows.index(header) + 1
    data = []
    for raw in rows[start:]:
        if all(_blank(c) for c in raw.cells) and not raw.problems:
            continue
        values, problems = {}, []
        for index, canonical in mapping.items():
            value = raw.cells[index] if index < len(raw.cells) else None
            if index in raw.problems:
                problems.append(f"{canonical}: {raw.problems[index]}.")
                value = None
            elif isinstance(value, str):
                bad = control_characters(value)
                if bad:
                    codes = ", ".join(f"U+{ord(ch):04X}" for ch in bad)
                    cell = f"{get_column_letter(index + 1)}{raw.number}"
                    problems.append(f"{canonical}: ô {cell} có ký tự điều khiển ({codes}); hãy gõ lại ô này.")
                value = normalise(value)
            values[canonical] = value
        if any(not _blank(v) for v in values.values()) or problems:
            data.append(Row(raw.number, values, problems))
        for index in [i for i, c in enumerate(raw.cells) if i not in reported and not _blank(c)]:
            if index < len(header.cells) and not _blank(header.cells[index]):
                continue
            reported.add(index)
            letter = get_column_letter(index + 1)
            errors.append(f"{where}cột {letter} có dữ liệu (ô {letter}{raw.number}) nhưng không có tiêu đề.")
    return Table(header.number, list(mapping.values()), data, [e[:1].upper() + e[1:] for e in errors], ignored)
