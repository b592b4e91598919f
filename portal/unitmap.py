"""Today's map: which commune in force today each unit lies in, so that records of 2022 (kept on their 2022 units)
can be counted on the units of today ("theo địa giới hiện nay") and found by today's commune officers.

`today_areas` gives each unit id its Area today: a unit in force is its own area; a retired commune is the commune
its UnitMapping names (portal.models.UnitMapping), else its only successor in force (a recorded merge,
portal.unitchanges), else no known area (`UNKNOWN`, counted on a row of its own so totals still agree). The
table is cached until a unit, an agency or a mapping changes (the "units" version).

The mapping is proposed from the conversion table of the `vietnamadminunits` package (`mapping_propose`: "Xã Ninh
Quới A, Huyện Hồng Dân, Tỉnh Bạc Liêu" becomes Xã Ninh Quới, code 31849), and staff correct it from a spreadsheet
(`mapping_read` then `mapping_apply`: checked whole first, every row that maps nothing named by the sheet's row
number, applied whole or not at all) or one row at a time in the admin. Every change keeps its history.
"""

import contextlib
import io
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone

from . import versioned
from .models import AdministrativeUnit, UnitMapping
from .search import fold
from .spreadsheets import Columns, read_rows, table

Level = AdministrativeUnit.Level


@dataclass(frozen=True)
class Area:
    """A unit of today's map (id, code, name, and the name of the unit it lies in: a commune's province); id None
    for a unit whose place today nobody has said."""

    id: int | None
    code: str
    name: str
    within: str = ""
    is_commune: bool = False  # a commune (xã, phường, đặc khu) under a unit in force: a row of a table by commune

    @property
    def address(self) -> str:
        return f"{self.name}, {self.within}" if self.within else self.name


UNKNOWN = Area(None, "~", "Chưa xác định địa bàn hiện nay")
TODAY_MAP_LABEL = "theo địa giới hiện nay"
TODAY_MAP = "hien-nay"  # the value of a page's `ban_do` parameter that asks for today's map
THEN_MAP_LABEL = "theo địa giới tại thời điểm báo cáo"


def _in_force(unit: AdministrativeUnit, on: date) -> bool:
    return unit.valid_to is None or unit.valid_to >= on


def _build_areas() -> dict[int, Area]:
    today = timezone.localdate()
    units = {u.pk: u for u in AdministrativeUnit.objects.all()}
    mapped = dict(UnitMapping.objects.values_list("old_unit_id", "new_unit_id"))
    successors: dict[int, list[int]] = {}
    for unit_id, successor_id in AdministrativeUnit.successors.through.objects.values_list(
        "from_administrativeunit_id", "to_administrativeunit_id"
    ):
        successors.setdefault(unit_id, []).append(successor_id)

    def area_of(unit_id: int) -> Area:
        seen = set()
        while unit_id is not None and unit_id not in seen:
            seen.add(unit_id)
            unit = units[unit_id]
            if _in_force(unit, today):
                parent = units.get(unit.parent_id)
                commune = unit.level == Level.COMMUNE and (parent is None or _in_force(parent, today))
                return Area(unit.pk, unit.code, unit.name, parent.name if parent else "", commune)
            if unit_id in mapped:
                unit_id = mapped[unit_id]
                continue
            following = [s for s in successors.get(unit_id, []) if units[s].level == unit.level]
            unit_id = following[0] if len(following) == 1 else None
        return UNKNOWN

    return {pk: area_of(pk) for pk in units}


def today_areas() -> dict[int, Area]:
    """Every unit's id -> its Area on today's map (cached for the day, until units, agencies or the mapping
    change: a unit whose last day has passed leaves the map at midnight)."""
    return versioned.cached("units", f"portal:unitmap:areas2:{timezone.localdate():%Y%m%d}", _build_areas)


def area_key(area: Area) -> int | str:
    """The key a table by today's communes files a figure under: the commune's unit id, or UNKNOWN's code ("~") for
    every other place (unknown, or a unit above the communes, such as a record made at the province itself)."""
    return area.id if area.is_commune else UNKNOWN.code


def area_today(unit_id: int | None) -> Area:
    return today_areas().get(unit_id, UNKNOWN) if unit_id is not None else UNKNOWN


def units_in_today(area_ids) -> set[int]:
    """Ids of every unit, retired or not, that lies today in one of `area_ids` (the retired communes merged into a
    commune, and the commune itself)."""
    wanted = set(area_ids)
    return {pk for pk, area in today_areas().items() if area.id in wanted}


def unit_and_merged_ids(unit: AdministrativeUnit) -> set[int]:
    """`unit` and every unit below it and, for a unit in force, the retired ones that lie in it today: the units whose
    records are that unit's (a commune's committee reports on the cooperatives of the communes merged into it)."""
    ids = unit.descendant_ids()
    if unit.valid_to is None:
        ids |= units_in_today(ids)
    return ids


def former_units(unit_id: int) -> list[AdministrativeUnit]:
    """The retired units that lie today in unit `unit_id`, by code (what a public profile names as "trước đây")."""
    ids = units_in_today([unit_id]) - {unit_id}
    return list(AdministrativeUnit.objects.filter(pk__in=ids).select_related("parent").order_by("code"))


# --- proposing the mapping from the conversion table ----------------------------------------------------------------


@dataclass
class Proposed:
    created: list[str] = field(default_factory=list)
    kept: int = 0  # retired communes already mapped (by an earlier proposal or by staff): never overwritten
    not_found: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = f"Đã đề xuất {len(self.created)} dòng chuyển đổi; giữ nguyên {self.kept} dòng đã có."
        if self.not_found:
            text += " Chưa tìm được đơn vị hiện nay (hãy nhập tay): " + "; ".join(self.not_found) + "."
        return text


def _address(unit: AdministrativeUnit) -> str:
    parts, current = [], unit
    while current is not None:
        parts.append(current.name)
        current = current.parent
    return ", ".join(parts)


def _converted(address: str) -> tuple[str | None, list[str]]:
    """(today's ward code, the folded keys of every ward the old one was divided into) for a pre-2025 address."""
    from vietnamadminunits import ParseMode, convert_address, parse_address
    from vietnamadminunits.converter.converter_2025 import DICT_PROVINCE, DICT_PROVINCE_WARD_DIVIDED

    with contextlib.redirect_stdout(io.StringIO()):  # the package prints some lookups
        try:
            new = convert_address(address)
            old = parse_address(address, mode=ParseMode.LEGACY, level=3)
        except (KeyError, ValueError, AttributeError, TypeError):  # an address it cannot read: left as not found
            return None, []
    province_key = next((k for k, v in DICT_PROVINCE.items() if old.province_key in v), None)
    old_key = f"{old.province_key}_{old.district_key}_{old.ward_key}"
    divided = DICT_PROVINCE_WARD_DIVIDED.get(province_key, {}).get(old_key, [])
    return new.ward_code, [w["newWardKey"] for w in divided]


def _ward_key(name: str) -> str:
    return fold(name).replace(" ", "")


@transaction.atomic
def mapping_propose(*, by=None) -> Proposed:
    """A mapping row for each retired commune that has none, from the package's conversion table."""
    result = Proposed()
    today = timezone.localdate()
    current = {
        u.code: u
        for u in AdministrativeUnit.objects.filter(level=Level.COMMUNE).exclude(valid_to__lt=today)
        if u.valid_from is None or u.valid_from <= today
    }
    by_key = {_ward_key(u.name): u for u in current.values()}
    retired = AdministrativeUnit.objects.filter(level=Level.COMMUNE, valid_to__lt=today).select_related(
        "parent__parent", "mapping"
    )
    for unit in retired.order_by("code"):
        if hasattr(unit, "mapping"):
            result.kept += 1
            continue
        code, divided = _converted(_address(unit))
        new = current.get(code or "")
        if new is None:
            result.not_found.append(_address(unit))
            continue
        note = ""
        if len(divided) > 1:
            names = [by_key[k].name if k in by_key else k for k in divided]
            note = f"Đơn vị cũ được chia cho: {', '.join(names)}; đề xuất theo đơn vị nhận phần chính, hãy kiểm tra."
        UnitMapping.objects.create(
            old_unit=unit, new_unit=new, source=UnitMapping.Source.PROPOSED, note=note, updated_by=by
        )
        result.created.append(f"{unit.name} ({unit.parent.name if unit.parent else ''}) → {new.name}")
    return result


# --- staff's spreadsheet --------------------------------------------------------------------------------------------

COLUMNS = Columns(
    synonyms={
        "Mã đơn vị cũ": ("Mã xã cũ", "Mã xã, phường, thị trấn cũ"),
        "Đơn vị cũ": ("Tên đơn vị cũ", "Xã cũ", "Tên xã cũ", "Xã, phường, thị trấn cũ", "Xã, phường, thị trấn"),
        "Huyện cũ": (
            "Huyện, thị xã, thành phố cũ",
            "Cấp huyện cũ",
            "Quận, huyện cũ",
            "Huyện",
            "Huyện, thị xã, thành phố",
            "Huyện/Quận/Thị xã/Thành phố",
            "Quận/Huyện",
        ),
        "Mã đơn vị hiện nay": ("Mã xã mới", "Mã xã hiện nay", "Mã đơn vị mới"),
        "Đơn vị hiện nay": ("Tên đơn vị hiện nay", "Xã mới", "Tên xã mới", "Xã, phường hiện nay", "Đơn vị mới"),
    },
    ignored=("Nguồn", "Ghi chú", "Tỉnh", "Tỉnh/Thành phố"),  # notes, and what mapping_sheet_rows writes beside
)
HEADERS = list(COLUMNS.synonyms)


@dataclass
class MappingRow:
    number: int
    old_id: int
    old_label: str
    new_id: int
    new_label: str
    change: str  # "mới", "đổi", "không đổi"


@dataclass
class MappingCheck:
    rows: list[MappingRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    def counts(self) -> dict[str, int]:
        """new, changed and same rows (the rows' `change` in English)."""
        keys = {"mới": "new", "đổi": "changed", "không đổi": "same"}
        out = dict.fromkeys(keys.values(), 0)
        for row in self.rows:
            out[keys[row.change]] += 1
        return out


def _label(unit: AdministrativeUnit) -> str:
    return f"{unit.name} ({unit.parent.name})" if unit.parent_id else unit.name


def mapping_read(content: bytes, name: str) -> MappingCheck:
    """Check a mapping sheet whole, writing nothing: each row's old and new units found, or the row named with why."""
    result = MappingCheck()
    try:
        sheet = table(read_rows(content, name), COLUMNS)
    except Exception:  # noqa: BLE001 - any file that is no readable sheet is one message, never a 500
        result.errors.append("Không đọc được tệp: hãy gửi tệp .xlsx hoặc .csv (UTF-8).")
        return result
    result.errors.extend(sheet.errors)
    result.ignored = sheet.ignored
    if sheet.errors:
        return result
    today = timezone.localdate()
    units = list(AdministrativeUnit.objects.select_related("parent"))
    by_code = {u.code: u for u in units}
    by_name: dict[str, list[AdministrativeUnit]] = {}
    for u in units:
        by_name.setdefault(fold(u.name), []).append(u)
    existing = dict(UnitMapping.objects.values_list("old_unit_id", "new_unit_id"))
    seen: dict[int, int] = {}
    for row in sheet.rows:
        where = f"Dòng {row.number}: "
        problems = list(row.problems)
        v = row.values
        old = _find(v.get("Mã đơn vị cũ"), v.get("Đơn vị cũ"), v.get("Huyện cũ"), by_code, by_name, problems, "cũ")
        new = _find(v.get("Mã đơn vị hiện nay"), v.get("Đơn vị hiện nay"), None, by_code, by_name, problems, "hiện nay")
        if old is not None and _in_force(old, today):
            problems.append(f"{_label(old)} vẫn còn hiệu lực, không cần chuyển đổi")
        if new is not None and not _in_force(new, today):
            problems.append(f"{_label(new)} đã hết hiệu lực từ {new.valid_to:%d/%m/%Y}, không phải đơn vị hiện nay")
        if old is not None and new is not None and old.level == Level.COMMUNE and new.level != Level.COMMUNE:
            problems.append(f"{new.name} không phải đơn vị cấp xã")
        if old is not None and old.pk in seen and new is not None and seen[old.pk] != new.pk:
            problems.append(f"{_label(old)} đã được chuyển sang đơn vị khác ở một dòng trên")
        if problems:
            result.errors.append(where + "; ".join(problems) + ".")
            continue
        seen[old.pk] = new.pk
        before = existing.get(old.pk)
        change = "mới" if before is None else ("không đổi" if before == new.pk else "đổi")
        result.rows.append(MappingRow(row.number, old.pk, _label(old), new.pk, _label(new), change))
    if not result.rows and not result.errors:
        result.errors.append("Tệp không có dòng dữ liệu nào dưới dòng tiêu đề.")
    return result


def _find(code, name, district, by_code, by_name, problems, side) -> AdministrativeUnit | None:
    code, name, district = (str(x or "").strip() for x in (code, name, district))
    if name.isdigit() and not code:  # a code typed in the name column (statistics office codes are digits)
        code, name = name, ""
    if not code and not name:
        problems.append(f"thiếu mã hoặc tên đơn vị {side}")
        return None
    if code:
        unit = by_code.get(code)
        if unit is None:
            problems.append(f"không có đơn vị {side} mã “{code}”")
        elif name and fold(unit.name) != fold(name):
            problems.append(f"mã “{code}” là {unit.name}, không phải “{name}”")
            return None
        return unit
    found = by_name.get(fold(name), [])
    if district:
        found = [u for u in found if u.parent_id and fold(u.parent.name) == fold(district)]
    if len(found) > 1:  # a name both 2022's and today's: the side says which is meant
        today = timezone.localdate()
        wanted = [u for u in found if _in_force(u, today) == (side == "hiện nay")]
        found = wanted or found
    if not found:
        where = f" thuộc “{district}”" if district else ""
        problems.append(f"không tìm thấy đơn vị {side} “{name}”{where}")
        return None
    if len(found) > 1:
        parents = ", ".join(sorted({u.parent.name for u in found if u.parent_id}))
        problems.append(f"có {len(found)} đơn vị tên “{name}” ({parents}): hãy ghi mã hoặc huyện cũ")
        return None
    return found[0]


@transaction.atomic
def mapping_apply(check: MappingCheck, *, by=None) -> dict[str, int]:
    """Write a checked sheet whole (nothing when it has an error)."""
    if not check.ok:
        raise ValueError("the sheet has errors")
    for row in check.rows:
        if row.change == "không đổi":
            continue
        UnitMapping.objects.update_or_create(
            old_unit_id=row.old_id,
            defaults={"new_unit_id": row.new_id, "source": UnitMapping.Source.IMPORTED, "note": "", "updated_by": by},
        )
    return check.counts()


def mapping_sheet_rows() -> list[list[str]]:
    """The table as staff download it to correct: every retired commune, mapped or not (blank to fill)."""
    today = timezone.localdate()
    rows = [HEADERS + ["Nguồn", "Ghi chú"]]
    retired = AdministrativeUnit.objects.filter(level=Level.COMMUNE, valid_to__lt=today).select_related(
        "parent", "mapping__new_unit"
    )
    for unit in retired.order_by("parent__code", "code"):
        mapping = getattr(unit, "mapping", None)
        new = mapping.new_unit if mapping else None
        rows.append(
            [
                unit.code,
                unit.name,
                unit.parent.name if unit.parent_id else "",
                new.code if new else "",
                new.name if new else "",
                mapping.get_source_display() if mapping else "",
                mapping.note if mapping else "",
            ]
        )
    return rows
