"""The province's registry of cooperatives (HTX), unions (liên hiệp HTX) and cooperative groups (THT).

Legal sources: Luật HTX 2012 (23/2012/QH13), Luật HTX 2023 (17/2023/QH15, in force 01/7/2024),
Nghị định 77/2019/NĐ-CP on cooperative groups.
"""

from datetime import date

from dateutil.relativedelta import relativedelta
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from portal.models import AdministrativeUnit
from portal.search import Searchable

# Luật HTX 2023 applies to fiscal years ending on or after the day it came into force.
LAW_2023_IN_FORCE = date(2024, 7, 1)
# Months after fiscal year end by which the annual member congress must be held.
ANNUAL_CONGRESS_MONTHS_2012 = 3  # Luật HTX 2012, Điều 31
ANNUAL_CONGRESS_MONTHS_2023 = 4  # Luật HTX 2023, Điều 59
# Luật HTX 2012, Điều 54: compulsory dissolution after 18 months without an annual congress.
MONTHS_WITHOUT_CONGRESS_LIMIT = 18


def annual_congress_deadline(fiscal_year_end: date) -> date:
    """Last day to hold the annual congress for the fiscal year ending on `fiscal_year_end`."""
    months = ANNUAL_CONGRESS_MONTHS_2023 if fiscal_year_end >= LAW_2023_IN_FORCE else ANNUAL_CONGRESS_MONTHS_2012
    return fiscal_year_end + relativedelta(months=months)


class Sector(models.TextChoices):
    """Sectors as the collective-economy reports group them."""

    CROPS = "crops", "Trồng trọt"
    LIVESTOCK = "livestock", "Chăn nuôi"
    AQUACULTURE = "aquaculture", "Thủy sản"
    SALT = "salt", "Diêm nghiệp"
    AGRI_SERVICES = "agri_services", "Dịch vụ nông nghiệp"
    TRADE = "trade", "Thương mại - dịch vụ"
    TRANSPORT = "transport", "Vận tải"
    CONSTRUCTION = "construction", "Xây dựng"
    INDUSTRY = "industry", "Công nghiệp - tiểu thủ công nghiệp"
    ENVIRONMENT = "environment", "Môi trường"
    CREDIT = "credit", "Quỹ tín dụng nhân dân"


AGRICULTURE_SECTORS = {Sector.CROPS, Sector.LIVESTOCK, Sector.AQUACULTURE, Sector.SALT, Sector.AGRI_SERVICES}


class CooperativeQuerySet(models.QuerySet):
    def for_user(self, user):
        """Rows whose unit the user's scope covers (portal.access decides)."""
        from portal.access import user_scope

        scope = user_scope(user)
        return self if scope.everything else self.filter(unit_id__in=scope.unit_ids)

    def active(self):
        return self.filter(status=Cooperative.Status.ACTIVE)


class Cooperative(Searchable):
    """A registered cooperative, union of cooperatives, or cooperative group (THT)."""

    class Kind(models.TextChoices):
        COOPERATIVE = "htx", "Hợp tác xã"
        UNION = "union", "Liên hiệp hợp tác xã"
        GROUP = "tht", "Tổ hợp tác"

    class Status(models.TextChoices):
        ACTIVE = "active", "Đang hoạt động"
        SUSPENDED = "suspended", "Tạm ngừng hoạt động"
        INACTIVE = "inactive", "Ngừng hoạt động không thông báo"
        DISSOLVED = "dissolved", "Đã giải thể"
        BANKRUPT = "bankrupt", "Phá sản"

    kind = models.CharField("loại hình", max_length=10, choices=Kind.choices, default=Kind.COOPERATIVE)
    name = models.CharField("tên", max_length=255)
    short_name = models.CharField("tên viết tắt", max_length=100, blank=True)
    slug = models.SlugField("đường dẫn", max_length=255, unique=True)
    registration_code = models.CharField("mã số đăng ký", max_length=30, blank=True)
    certificate_date = models.DateField("ngày cấp đăng ký", null=True, blank=True)
    tax_code = models.CharField("mã số thuế", max_length=20, blank=True)
    address = models.CharField("địa chỉ", max_length=300, blank=True)
    unit = models.ForeignKey(
        AdministrativeUnit, verbose_name="địa bàn", on_delete=models.PROTECT, related_name="cooperatives"
    )
    sector = models.CharField("lĩnh vực", max_length=20, choices=Sector.choices)
    charter_capital = models.DecimalField("vốn điều lệ (đồng)", max_digits=18, decimal_places=0, default=0)
    status = models.CharField("tình trạng", max_length=12, choices=Status.choices, default=Status.ACTIVE)
    status_since = models.DateField("tình trạng từ ngày", null=True, blank=True)
    is_pilot = models.BooleanField("HTX điểm", default=False)

    objects = CooperativeQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_text"])

    class Meta:
        verbose_name = "hợp tác xã, tổ hợp tác"
        verbose_name_plural = "hợp tác xã, tổ hợp tác"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration_code"],
                condition=~Q(registration_code=""),
                name="cooperative_registration_code_unique",
                violation_error_message="Mã số đăng ký này đã có trong sổ đăng ký.",
            ),
            models.CheckConstraint(
                condition=Q(charter_capital__gte=0),
                name="cooperative_capital_not_negative",
                violation_error_message="Vốn điều lệ không được âm.",
            ),
        ]
        indexes = [models.Index(fields=["unit", "sector", "status"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return f"/hop-tac-xa/{self.slug}/"

    def search_parts(self):
        return [self.name, self.short_name, self.registration_code, self.address, self.unit.name]

    # Congress rules -------------------------------------------------------------------------------------------

    def last_annual_congress(self):
        return self.congresses.filter(kind=Congress.Kind.ANNUAL, held_date__isnull=False).order_by("-held_date").first()

    def next_annual_congress_due(self, on: date) -> date | None:
        """Deadline of the earliest fiscal year (ended before `on`) whose annual congress is not yet held.

        Fiscal years are calendar years (Luật Kế toán 2015, Điều 12). A cooperative registered after a fiscal
        year ended owes nothing for it.
        """
        held_years = set(
            self.congresses.filter(kind=Congress.Kind.ANNUAL, held_date__isnull=False).values_list(
                "fiscal_year", flat=True
            )
        )
        first_year = self.certificate_date.year if self.certificate_date else on.year - 1
        year = max(first_year, on.year - 2)
        while True:
            fiscal_end = date(year, 12, 31)
            if year not in held_years and fiscal_end < on:
                return annual_congress_deadline(fiscal_end)
            if fiscal_end >= on:
                return annual_congress_deadline(fiscal_end)
            year += 1

    def is_annual_congress_overdue(self, on: date) -> bool:
        due = self.next_annual_congress_due(on)
        return due is not None and due < on

    def months_without_annual_congress_exceeded(self, on: date) -> bool:
        """Luật HTX 2012, Điều 54: 18 months with no annual congress is a ground for compulsory dissolution."""
        last = self.last_annual_congress()
        since = last.held_date if last else self.certificate_date
        return since is not None and since + relativedelta(months=MONTHS_WITHOUT_CONGRESS_LIMIT) < on


class YearlyFigure(models.Model):
    """A cooperative's figures for one year, read by periodic reports and the fund."""

    cooperative = models.ForeignKey(Cooperative, on_delete=models.CASCADE, related_name="figures")
    year = models.PositiveSmallIntegerField("năm")
    members_official = models.PositiveIntegerField("thành viên chính thức", default=0)
    members_associate = models.PositiveIntegerField("thành viên liên kết", default=0)
    workers = models.PositiveIntegerField("lao động", default=0)
    revenue = models.DecimalField("doanh thu (đồng)", max_digits=18, decimal_places=0, default=0)
    profit = models.DecimalField("lợi nhuận (đồng)", max_digits=18, decimal_places=0, default=0)
    avg_member_income = models.DecimalField(
        "thu nhập bình quân thành viên (đồng/năm)", max_digits=15, decimal_places=0, default=0
    )
    assets = models.DecimalField("tổng tài sản (đồng)", max_digits=18, decimal_places=0, default=0)
    keeps_accounts = models.BooleanField("có sổ sách kế toán", default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "số liệu năm"
        verbose_name_plural = "số liệu năm"
        ordering = ["cooperative", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["cooperative", "year"],
                name="figure_one_per_year",
                violation_error_message="Hợp tác xã này đã có số liệu của năm này.",
            )
        ]

    def __str__(self):
        return f"{self.cooperative} - {self.year}"

    @property
    def members(self) -> int:
        return self.members_official + self.members_associate


class Congress(models.Model):
    """A member congress: annual, term, extraordinary or founding."""

    class Kind(models.TextChoices):
        ANNUAL = "annual", "Đại hội thành viên thường niên"
        TERM = "term", "Đại hội nhiệm kỳ"
        EXTRAORDINARY = "extraordinary", "Đại hội bất thường"
        FOUNDING = "founding", "Hội nghị thành lập"

    cooperative = models.ForeignKey(Cooperative, on_delete=models.CASCADE, related_name="congresses")
    kind = models.CharField("loại đại hội", max_length=15, choices=Kind.choices)
    fiscal_year = models.PositiveSmallIntegerField("năm tài chính", null=True, blank=True)
    planned_date = models.DateField("ngày dự kiến", null=True, blank=True)
    held_date = models.DateField("ngày tổ chức", null=True, blank=True)
    notes = models.TextField("ghi chú", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "đại hội"
        verbose_name_plural = "đại hội"
        ordering = ["cooperative", "-held_date"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="annual") | Q(fiscal_year__isnull=False),
                name="annual_congress_has_fiscal_year",
                violation_error_message="Đại hội thường niên phải ghi năm tài chính.",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} - {self.cooperative}"
