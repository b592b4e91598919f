"""Today's province and its communes (xã, phường, đặc khu), read from the statistics office's list as the
`vietnam-provinces` package ships it (34 provinces, 3,321 communes since 01/7/2025, Nghị quyết 202/2025/QH15).

`units_load` creates or updates the province and its communes as AdministrativeUnit rows: the code is the
statistics office's, each commune reports directly to the province (there is no district level any more), valid
from 01/7/2025. Running it again changes nothing; a name the list changed is updated; a commune of the province
that the list no longer has is reported, never deleted (records point at it), for staff to retire with its
successor. docs/units.md says which version of the list is loaded and how to update it.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from vietnam_provinces import Province, Ward, __data_version__
from vietnam_provinces.codes import ProvinceCode

from .models import AdministrativeUnit

TWO_TIERS_FROM = date(2025, 7, 1)
DATA_VERSION = __data_version__  # the day the package's maintainers read the list


@dataclass
class UnitsLoaded:
    province: AdministrativeUnit
    created: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)
    unchanged: int = 0
    not_listed: list[str] = field(default_factory=list)  # the province's current communes the list lacks

    def summary(self) -> str:
        text = (
            f"{self.province.name} (danh mục ngày {date.fromisoformat(DATA_VERSION):%d/%m/%Y}): "
            f"{len(self.created)} đơn vị mới, {len(self.renamed)} đổi tên, {self.unchanged} không đổi."
        )
        if self.not_listed:
            text += " Không còn trong danh mục (hãy ghi ngày hết hiệu lực và đơn vị kế thừa): "
            text += "; ".join(self.not_listed) + "."
        return text


def province_name(code: int) -> str:
    province = Province.from_code(ProvinceCode(code))
    kind = "Thành phố" if "trung ương" in province.division_type.value else "Tỉnh"
    return f"{kind} {province.name}"


@transaction.atomic
def units_load(province_code: int) -> UnitsLoaded:
    """Create or update province `province_code` (e.g. 96, Cà Mau) and its communes from the list."""
    name = province_name(province_code)
    province, _ = AdministrativeUnit.objects.get_or_create(
        code=str(province_code),
        defaults={"name": name, "level": AdministrativeUnit.Level.PROVINCE, "valid_from": TWO_TIERS_FROM},
    )
    if (province.name, province.valid_to) != (name, None):
        province.name, province.valid_to = name, None
        province.save(update_fields=["name", "valid_to"])
    result = UnitsLoaded(province=province)
    existing = {unit.code: unit for unit in AdministrativeUnit.objects.filter(parent=province)}
    listed = set()
    for ward in Ward.iter_by_province(ProvinceCode(province_code)):
        code = str(int(ward.code))
        listed.add(code)
        unit = existing.get(code) or AdministrativeUnit.objects.filter(code=code).first()
        if unit is None:
            AdministrativeUnit.objects.create(
                code=code,
                name=ward.name,
                level=AdministrativeUnit.Level.COMMUNE,
                parent=province,
                valid_from=TWO_TIERS_FROM,
            )
            result.created.append(ward.name)
            continue
        wanted = {"name": ward.name, "level": AdministrativeUnit.Level.COMMUNE, "parent_id": province.pk}
        changed = [key for key, value in wanted.items() if getattr(unit, key) != value]
        if changed:
            if "name" in changed:
                result.renamed.append(f"{unit.name} → {ward.name}")
            for key in changed:
                setattr(unit, key, wanted[key])
            unit.save(update_fields=[key.removesuffix("_id") for key in changed])
        else:
            result.unchanged += 1
    result.not_listed = sorted(
        unit.name
        for code, unit in existing.items()
        if code not in listed and unit.level == AdministrativeUnit.Level.COMMUNE and unit.valid_to is None
    )
    return result
