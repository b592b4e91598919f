"""Import and export of the registry (django-import-export): Vietnamese headers, natural keys, all-or-nothing.

Natural keys: a cooperative is found by its registration code, a unit by its name (or code). Numbers may be
written 1.500.000 and dates dd/mm/yyyy. Every bad row is reported with its reason and nothing is written unless
every row is good (see importing.run_import). Headers are matched with each resource's SYNONYMS and every text cell
is normalised (portal.text.normalise) before a widget sees it. Exported text cells that begin with = + - @ tab or CR are
prefixed with an apostrophe so a spreadsheet never runs them as formulas (OWASP "CSV injection").
"""

import re
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import slugify
from import_export import fields, resources, widgets
from import_export.instance_loaders import CachedInstanceLoader
from simple_history.utils import bulk_create_with_history

from portal.models import AdministrativeUnit
from portal.search import fold
from portal.spreadsheets import OFFICE_EXTRAS, cell_date, cell_text
from portal.text import normalise

from .models import (
    REPRESENTATIVE_POSTS,
    Congress,
    Cooperative,
    GovernanceForm,
    InvestmentSource,
    PilotInvestment,
    Position,
    Sector,
    YearlyFigure,
)


class TextWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        return cell_text(value)


class VNNumberWidget(widgets.Widget):
    """Whole numbers written the Vietnamese way: 1.500.000 (dots group thousands); 1500000 and numeric cells too."""

    def __init__(self, allow_negative=False, blank=Decimal(0)):
        self.allow_negative = allow_negative
        self.blank = blank
        super().__init__(coerce_to_string=False)

    def clean(self, value, row=None, **kwargs):
        if value is None or (isinstance(value, str) and not value.strip()):
            return self.blank
        if isinstance(value, bool):
            raise ValueError(f"“{value}” không phải là số.")
        if isinstance(value, int | float | Decimal):
            number = Decimal(str(value))
        else:
            text = str(value).strip().replace(" ", "").replace("\u00a0", "").replace("₫", "").replace("đ", "")
            if not re.fullmatch(r"-?\d{1,3}(\.\d{3})+|-?\d+(,\d+)?", text):
                raise ValueError(f"“{value}” không phải là số (viết như 1.500.000).")
            number = Decimal(text.replace(".", "").replace(",", "."))
        if number != number.to_integral_value():
            raise ValueError(f"“{value}” phải là số nguyên.")
        if number < 0 and not self.allow_negative:
            raise ValueError(f"“{value}” không được âm.")
        return number.to_integral_value()

    def render(self, value, obj=None, **kwargs):
        return int(value) if value is not None else None


class VNIntegerWidget(VNNumberWidget):
    def clean(self, value, row=None, **kwargs):
        number = super().clean(value, row, **kwargs)
        return None if number is None else int(number)


class VNDateWidget(widgets.Widget):
    """Dates as dd/mm/yyyy, a spreadsheet date cell or an Excel serial number (a date column formatted as General).
    31/02/2024 is refused as a date that does not exist."""

    def __init__(self):
        super().__init__(coerce_to_string=True)

    def clean(self, value, row=None, **kwargs):
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return cell_date(value)

    def render(self, value, obj=None, **kwargs):
        return value.strftime("%d/%m/%Y") if value else ""


class ChoiceWidget(widgets.Widget):
    """A choice written by its Vietnamese label (or its code); case and diacritics do not matter."""

    def __init__(self, choices, label):
        self.by_text = {}
        for value, text in choices:
            self.by_text[fold(text)] = value
            self.by_text[fold(value)] = value
        self.labels = dict(choices)
        self.label = label
        super().__init__(coerce_to_string=True)

    def clean(self, value, row=None, **kwargs):
        if value is None or not str(value).strip():
            raise ValueError(f"Thiếu {self.label}.")
        found = self.by_text.get(fold(str(value)))
        if found is None:
            raise ValueError(f"{self.label} “{value}” không có trong danh mục.")
        return found

    def render(self, value, obj=None, **kwargs):
        return str(self.labels.get(value, value or ""))


class BoolWidget(widgets.Widget):
    TRUE = {"co", "x", "1", "true", "yes", "dung"}
    FALSE = {"", "khong", "0", "false", "no", "sai"}

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = fold(str(value or ""))
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(f"“{value}” phải là “Có” hoặc “Không”.")

    def render(self, value, obj=None, **kwargs):
        return "Có" if value else "Không"


class UnitWidget(widgets.ForeignKeyWidget):
    """An administrative unit by its name (or code), looked up from one query per import.

    Since 01/7/2025 a name may be both a 2022 commune and one of today's (Xã Ninh Quới of Huyện Hồng Dân, and
    today's Xã Ninh Quới of Cà Mau, into which it merged). A cooperative already on record there keeps its unit of
    that name; otherwise the unit in force on its registration date (today without one) is meant; a name still
    ambiguous asks for the unit's code."""

    def __init__(self):
        super().__init__(AdministrativeUnit, "name")
        self._by_key = None
        self._units_of = None

    def _index(self):
        if self._by_key is None:
            self._by_key = {}
            for unit in AdministrativeUnit.objects.select_related("parent"):
                self._by_key.setdefault(fold(unit.name), []).append(unit)
                self._by_key[fold(unit.code)] = [unit]
        return self._by_key

    def clean(self, value, row=None, **kwargs):
        if value is None or not str(value).strip():
            raise ValueError("Thiếu địa bàn.")
        found = self._index().get(fold(str(value)), [])
        if not found:
            raise ValueError(f"Không có địa bàn “{value}”.")
        if len(found) > 1:
            found = self._narrowed(found, row or {})
        if len(found) > 1:
            raise ValueError(f"Có nhiều địa bàn tên “{value}”: hãy ghi mã đơn vị.")
        return found[0]

    def _narrowed(self, found, row) -> list:
        if self._units_of is None:
            self._units_of = dict(
                Cooperative.objects.exclude(registration_code="").values_list("registration_code", "unit_id")
            )
        kept = self._units_of.get(normalise(str(row.get("Mã số đăng ký") or "")))
        if kept is not None and any(u.pk == kept for u in found):
            return [u for u in found if u.pk == kept]
        try:
            on = cell_date(row.get("Ngày cấp đăng ký"))
        except (TypeError, ValueError):
            on = timezone.localdate()
        return [u for u in found if u.is_valid_on(on)] or found


class CooperativeKeyWidget(widgets.ForeignKeyWidget):
    """A cooperative by its registration code, looked up from one query per import."""

    def __init__(self):
        super().__init__(Cooperative, "registration_code")
        self._by_code = None

    def clean(self, value, row=None, **kwargs):
        if self._by_code is None:
            self._by_code = {c.registration_code: c for c in Cooperative.objects.exclude(registration_code="")}
        code = cell_text(value)
        if not code:
            raise ValueError("Thiếu mã số đăng ký.")
        if code not in self._by_code:
            raise ValueError(f"Không có hợp tác xã mã “{code}” trong sổ đăng ký.")
        return self._by_code[code]


class RegistryResource(resources.ModelResource):
    """Shared behaviour: Vietnamese headers, safe exports, bulk writes that keep history and search text."""

    # Other names offices give a column (compared folded, so case, diacritics and spacing never matter).
    SYNONYMS: dict[str, tuple[str, ...]] = {}
    HEADERS_REQUIRED: list[str] = []
    # Known columns read past and named to the user as ignored (a column of the resource by that name wins).
    HEADERS_IGNORED: tuple[str, ...] = OFFICE_EXTRAS

    def before_import(self, dataset, **kwargs):
        self._row_numbers = getattr(dataset, "row_numbers", None)

    def sheet_row(self, number: int) -> int:
        """The sheet's own number of the dataset's row `number` (1-based); the header is row 1 without a sheet."""
        return self._row_numbers[number - 1] if self._row_numbers else number + 1

    def import_row(self, row, instance_loader, **kwargs):
        self._row_number = self.sheet_row(kwargs.get("row_number") or 1)
        return super().import_row(row, instance_loader, **kwargs)

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if self.create_instances and (using_transactions or not dry_run):
            try:
                bulk_create_with_history(self.create_instances, self._meta.model, batch_size=batch_size)
            except Exception as exc:  # noqa: BLE001 - reported as an import error, the transaction rolls back
                self.handle_import_error(result, exc, raise_errors)
            finally:
                self.create_instances.clear()

    def get_bulk_update_fields(self):
        """Concrete model fields the file sets (never the read-only export columns), plus the search text."""
        concrete = {f.name for f in self._meta.model._meta.concrete_fields}
        names = [
            field.attribute
            for key, field in self.fields.items()
            if key not in self._meta.import_id_fields and not field.readonly and field.attribute in concrete
        ]
        return names + (["search_text"] if "search_text" in concrete else [])

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        # Django's bulk_update builds a CASE WHEN per field and row, which costs more Python time than one
        # UPDATE per row (measured on PostgreSQL: 85 s against 50 s for 10,000 rows); save() records the history.
        if self.update_instances and (using_transactions or not dry_run):
            fields = self.get_bulk_update_fields()
            try:
                for instance in self.update_instances:
                    instance.save(update_fields=fields)
            except Exception as exc:  # noqa: BLE001
                self.handle_import_error(result, exc, raise_errors)
            finally:
                self.update_instances.clear()

    def after_import_row(self, row, row_result, **kwargs):
        progress = kwargs.get("progress")
        if progress is not None and kwargs["row_number"] % 250 == 0:
            progress(kwargs["row_number"])


def _field(attribute, header, widget=None):
    return fields.Field(attribute=attribute, column_name=header, widget=widget or TextWidget())


class CooperativeResource(RegistryResource):
    """HTX and unions of cooperatives. Key: registration code."""

    KIND_CHOICES = [(Cooperative.Kind.COOPERATIVE, "Hợp tác xã"), (Cooperative.Kind.UNION, "Liên hiệp hợp tác xã")]

    registration_code = _field("registration_code", "Mã số đăng ký")
    name = _field("name", "Tên")
    short_name = _field("short_name", "Tên viết tắt")
    kind = _field("kind", "Loại hình", ChoiceWidget(KIND_CHOICES, "Loại hình"))
    certificate_date = _field("certificate_date", "Ngày cấp đăng ký", VNDateWidget())
    tax_code = _field("tax_code", "Mã số thuế")
    address = _field("address", "Địa chỉ")
    unit = _field("unit", "Địa bàn", UnitWidget())
    sector = _field("sector", "Lĩnh vực", ChoiceWidget(Sector.choices, "Lĩnh vực"))
    sub_sector = _field("sub_sector", "Ngành nghề cụ thể")
    governance_form = _field("governance_form", "Mô hình quản trị", ChoiceWidget(GovernanceForm.choices, "Mô hình"))
    charter_capital = _field("charter_capital", "Vốn điều lệ (đồng)", VNNumberWidget())
    status = _field("status", "Tình trạng", ChoiceWidget(Cooperative.Status.choices, "Tình trạng"))
    status_since = _field("status_since", "Tình trạng từ ngày", VNDateWidget())
    legal_representative = _field("legal_representative", "Người đại diện theo pháp luật")
    phone = _field("phone", "Điện thoại liên hệ")
    email = _field("email", "Thư điện tử")
    is_pilot = _field("is_pilot", "HTX điểm", BoolWidget())
    reregistered_2023 = _field("reregistered_2023", "Đăng ký lại theo Luật 2023", BoolWidget())

    HEADERS_REQUIRED = ["Mã số đăng ký", "Tên", "Địa bàn", "Lĩnh vực"]
    SYNONYMS = {
        "Mã số đăng ký": (
            "Mã số",
            "Mã số HTX",
            "Mã HTX",
            "Mã số hợp tác xã",
            "Mã số đăng ký HTX",
            "Số đăng ký",
            "Mã số ĐKKD",
        ),
        "Tên": ("Tên HTX", "Tên hợp tác xã", "Tên đơn vị", "Tên tổ hợp tác", "Tên THT"),
        "Tên viết tắt": ("Viết tắt",),
        "Loại hình": ("Loại hình tổ chức",),
        "Ngày cấp đăng ký": ("Ngày cấp", "Ngày đăng ký", "Ngày cấp GCN", "Ngày cấp giấy chứng nhận"),
        # A cooperative's tax code is its registration code since 2015, but a sheet with both keeps them apart.
        "Mã số thuế": ("MST",),
        "Địa bàn": ("Xã", "Xã/phường", "Xã, phường, thị trấn", "Đơn vị hành chính"),
        "Lĩnh vực": ("Lĩnh vực hoạt động", "Ngành"),
        "Ngành nghề cụ thể": ("Ngành nghề", "Ngành nghề kinh doanh"),
        "Vốn điều lệ (đồng)": ("Vốn điều lệ", "Vốn điều lệ (VNĐ)", "Vốn điều lệ (đ)"),
        "Tình trạng": ("Tình trạng hoạt động", "Trạng thái"),
        "Người đại diện theo pháp luật": ("Người đại diện", "Đại diện pháp luật", "Giám đốc"),
        "Điện thoại liên hệ": ("Điện thoại", "Số điện thoại", "SĐT", "ĐT"),
        "Thư điện tử": ("Email", "E-mail", "Địa chỉ email"),
    }

    class Meta:
        model = Cooperative
        import_id_fields = ["registration_code"]
        fields = [
            "registration_code",
            "name",
            "short_name",
            "kind",
            "certificate_date",
            "tax_code",
            "address",
            "unit",
            "sector",
            "sub_sector",
            "governance_form",
            "charter_capital",
            "status",
            "status_since",
            "legal_representative",
            "phone",
            "email",
            "is_pilot",
            "reregistered_2023",
        ]
        instance_loader_class = CachedInstanceLoader
        use_bulk = True
        batch_size = 1000
        skip_diff = True
        clean_model_instances = False

    KINDS = (Cooperative.Kind.COOPERATIVE, Cooperative.Kind.UNION)

    def get_queryset(self):
        return Cooperative.objects.filter(kind__in=self.KINDS)

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self._seen_codes = {}
        self._foreign_codes = set(
            Cooperative.objects.exclude(kind__in=self.KINDS).values_list("registration_code", flat=True)
        )
        # The board's people of every cooperative already in the registry, read once for the whole file.
        self._board_names = defaultdict(set)
        for cooperative_id, name in Position.objects.filter(post__in=REPRESENTATIVE_POSTS).values_list(
            "person__cooperative_id", "person__full_name"
        ):
            self._board_names[cooperative_id].add(name)

    def init_instance(self, row=None):
        return Cooperative(kind=self.KINDS[0])

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        code = instance.registration_code
        row_number = getattr(self, "_row_number", None)
        if not code:
            errors.setdefault("registration_code", "Thiếu mã số đăng ký.")
        elif code in self._seen_codes:
            errors.setdefault("registration_code", f"“{code}” trùng với dòng {self._seen_codes[code]}.")
        elif code in self._foreign_codes:
            errors.setdefault("registration_code", f"“{code}” đã dùng cho một tổ hợp tác.")
        else:
            self._seen_codes[code] = row_number
        if not (instance.name or "").strip():
            errors.setdefault("name", "Thiếu tên.")
        representative = instance.legal_representative_error(self._board_names.get(instance.pk, set()))
        if representative:
            errors.setdefault("legal_representative", representative)
        try:
            instance.full_clean(
                exclude=[*errors, "unit", "slug", "notified_commune", "search_text"],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def before_save_instance(self, instance, row, **kwargs):
        if not instance.slug:
            instance.slug = slugify(f"{fold(instance.name)} {instance.registration_code}")[:255]
        instance.refresh_search_text()


class GroupResource(CooperativeResource):
    """Cooperative groups (THT): the same key, plus leader, contract date and the commune notified."""

    group_leader = _field("group_leader", "Tổ trưởng")
    cooperation_contract_date = _field("cooperation_contract_date", "Ngày ký hợp đồng hợp tác", VNDateWidget())
    notified_on = _field("notified_on", "Ngày thông báo UBND xã", VNDateWidget())

    KINDS = (Cooperative.Kind.GROUP,)
    SYNONYMS = CooperativeResource.SYNONYMS | {
        "Tổ trưởng": ("Họ tên tổ trưởng", "Người đứng đầu"),
        "Ngày ký hợp đồng hợp tác": ("Ngày ký hợp đồng", "Ngày thành lập"),
        "Ngày thông báo UBND xã": ("Ngày thông báo", "Ngày thông báo UBND cấp xã"),
    }

    class Meta(CooperativeResource.Meta):
        fields = [
            "registration_code",
            "name",
            "address",
            "unit",
            "sector",
            "sub_sector",
            "group_leader",
            "cooperation_contract_date",
            "notified_on",
            "status",
            "status_since",
            "phone",
        ]

    def init_instance(self, row=None):
        return Cooperative(kind=Cooperative.Kind.GROUP)


class YearlyFigureResource(RegistryResource):
    """Yearly figures. Key: (registration code, year)."""

    cooperative = _field("cooperative", "Mã số đăng ký", CooperativeKeyWidget())
    cooperative_name = fields.Field(attribute="cooperative__name", column_name="Tên hợp tác xã", readonly=True)
    year = _field("year", "Năm", VNIntegerWidget())
    members_official = _field("members_official", "Thành viên chính thức", VNIntegerWidget())
    members_associate = _field("members_associate", "Thành viên liên kết", VNIntegerWidget())
    workers = _field("workers", "Lao động", VNIntegerWidget())
    revenue = _field("revenue", "Doanh thu (đồng)", VNNumberWidget())
    profit = _field("profit", "Lợi nhuận (đồng)", VNNumberWidget(allow_negative=True))
    avg_member_income = _field("avg_member_income", "Thu nhập bình quân thành viên (đồng/năm)", VNNumberWidget())
    assets = _field("assets", "Tổng tài sản (đồng)", VNNumberWidget())
    keeps_accounts = _field("keeps_accounts", "Có sổ sách kế toán", BoolWidget())

    class Meta:
        model = YearlyFigure
        import_id_fields = ["cooperative", "year"]
        fields = [
            "cooperative",
            "cooperative_name",
            "year",
            "members_official",
            "members_associate",
            "workers",
            "revenue",
            "profit",
            "avg_member_income",
            "assets",
            "keeps_accounts",
        ]
        use_bulk = True
        batch_size = 1000
        skip_diff = True

    HEADERS_REQUIRED = ["Mã số đăng ký", "Năm"]
    SYNONYMS = {
        "Mã số đăng ký": CooperativeResource.SYNONYMS["Mã số đăng ký"] + ("MST", "Mã số thuế"),
        "Tên hợp tác xã": CooperativeResource.SYNONYMS["Tên"],
        "Năm": ("Năm số liệu", "Năm báo cáo"),
        "Thành viên chính thức": ("Số thành viên", "Thành viên"),
        "Lao động": ("Số lao động",),
        "Doanh thu (đồng)": ("Doanh thu", "Tổng doanh thu"),
        "Lợi nhuận (đồng)": ("Lợi nhuận", "Lãi/lỗ"),
        "Thu nhập bình quân thành viên (đồng/năm)": ("Thu nhập bình quân", "Thu nhập bình quân thành viên"),
        "Tổng tài sản (đồng)": ("Tổng tài sản",),
        "Có sổ sách kế toán": ("Sổ sách kế toán",),
    }

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self._seen = {}
        key = CooperativeKeyWidget()
        codes = {cell_text(r) for r in dataset["Mã số đăng ký"]} if "Mã số đăng ký" in dataset.headers else set()
        self._existing = {
            (f.cooperative.registration_code, f.year): f
            for f in YearlyFigure.objects.filter(cooperative__registration_code__in=codes).select_related("cooperative")
        }
        self.fields["cooperative"].widget = key

    def get_instance(self, instance_loader, row):
        try:
            year = int(Decimal(cell_text(row.get("Năm"))))
        except (InvalidOperation, ValueError):
            return None
        return self._existing.get((cell_text(row.get("Mã số đăng ký")), year))

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if "year" not in errors and not (1990 <= (instance.year or 0) <= 2100):
            errors["year"] = "Năm không hợp lệ."
        if not errors:
            key = (instance.cooperative_id, instance.year)
            if key in self._seen:
                errors["year"] = f"Trùng số liệu năm {instance.year} với dòng {self._seen[key]}."
            self._seen[key] = getattr(self, "_row_number", None)
        if errors:
            raise ValidationError(errors)


class PilotInvestmentResource(resources.ModelResource):
    """Investments in pilot cooperatives, for export (the admin list); amounts stay numbers Excel can add up."""

    cooperative = _field("cooperative__registration_code", "Mã số đăng ký")
    cooperative_name = _field("cooperative__name", "Tên hợp tác xã")
    unit = _field("cooperative__unit__name", "Địa bàn")
    year = _field("year", "Năm", VNIntegerWidget())
    source = _field("source", "Nguồn vốn", ChoiceWidget(InvestmentSource.choices, "Nguồn vốn"))
    source_detail = _field("source_detail", "Chi tiết nguồn vốn")
    amount = _field("amount", "Số tiền (đồng)", VNNumberWidget())
    purpose = _field("purpose", "Nội dung đầu tư")
    decision_number = _field("decision_number", "Số quyết định")
    decision_date = _field("decision_date", "Ngày quyết định", VNDateWidget())

    class Meta:
        model = PilotInvestment
        fields = [
            "cooperative",
            "cooperative_name",
            "unit",
            "year",
            "source",
            "source_detail",
            "amount",
            "purpose",
            "decision_number",
            "decision_date",
        ]

    def get_export_queryset(self, request=None):
        return super().get_export_queryset(request).select_related("cooperative__unit")


class CongressResource(RegistryResource):
    """Congresses. Key: (registration code, kind, fiscal year or held date)."""

    cooperative = _field("cooperative", "Mã số đăng ký", CooperativeKeyWidget())
    cooperative_name = fields.Field(attribute="cooperative__name", column_name="Tên hợp tác xã", readonly=True)
    kind = _field("kind", "Loại đại hội", ChoiceWidget(Congress.Kind.choices, "Loại đại hội"))
    fiscal_year = _field("fiscal_year", "Năm tài chính", VNIntegerWidget(blank=None))
    planned_date = _field("planned_date", "Ngày dự kiến", VNDateWidget())
    held_date = _field("held_date", "Ngày tổ chức", VNDateWidget())
    notes = _field("notes", "Ghi chú")

    class Meta:
        model = Congress
        import_id_fields = ["cooperative", "kind", "fiscal_year", "held_date"]
        fields = ["cooperative", "cooperative_name", "kind", "fiscal_year", "planned_date", "held_date", "notes"]
        use_bulk = True
        batch_size = 1000
        skip_diff = True

    HEADERS_REQUIRED = ["Mã số đăng ký", "Loại đại hội"]
    SYNONYMS = {
        "Mã số đăng ký": YearlyFigureResource.SYNONYMS["Mã số đăng ký"],
        "Tên hợp tác xã": CooperativeResource.SYNONYMS["Tên"],
        "Loại đại hội": ("Loại", "Đại hội"),
        "Năm tài chính": ("Năm",),
        "Ngày dự kiến": ("Ngày dự kiến tổ chức", "Dự kiến"),
        "Ngày tổ chức": ("Ngày đại hội", "Ngày họp"),
    }

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self.fields["cooperative"].widget = CooperativeKeyWidget()

    def get_instance(self, instance_loader, row):
        return None  # congresses are appended; re-importing the same row is refused below as a duplicate

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if not errors and instance.kind == Congress.Kind.ANNUAL and not instance.fiscal_year:
            errors["fiscal_year"] = "Đại hội thường niên phải ghi năm tài chính."
        if not errors and instance.kind == Congress.Kind.ANNUAL and instance.held_date:
            exists = Congress.objects.filter(
                cooperative=instance.cooperative, kind=instance.kind, fiscal_year=instance.fiscal_year
            ).exists()
            if exists:
                errors["fiscal_year"] = f"Đã có đại hội thường niên năm tài chính {instance.fiscal_year}."
        if errors:
            raise ValidationError(errors)


RESOURCES = {
    "cooperatives": ("Hợp tác xã, liên hiệp HTX", CooperativeResource),
    "groups": ("Tổ hợp tác", GroupResource),
    "figures": ("Số liệu năm", YearlyFigureResource),
    "congresses": ("Đại hội", CongressResource),
}
