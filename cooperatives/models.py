"""The province's registry of cooperatives (HTX), unions (liên hiệp HTX) and cooperative groups (THT).

Legal sources: Luật HTX 2012 (23/2012/QH13), Luật HTX 2023 (17/2023/QH15, in force 01/7/2024),
Nghị định 77/2019/NĐ-CP on cooperative groups.
"""

from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from portal import dated
from portal.access import user_scope
from portal.extract import ExtractedText
from portal.models import AdministrativeUnit, Agency
from portal.search import Searchable
from portal.storage import PrivateFile, PrivateStorage, generated_name, private_file_field
from portal.unitmap import UNKNOWN, area_today
from portal.uploads import UploadValidator

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


class GovernanceForm(models.TextChoices):
    """Luật HTX 2023, Điều 56: full form, or reduced form (no board, one controller) for micro cooperatives."""

    FULL = "full", "Đầy đủ"
    REDUCED = "reduced", "Rút gọn"


# Fields a cooperative may choose to show on its public profile. Personal phone and ID numbers are never public.
PUBLIC_FIELD_CHOICES = [
    ("address", "Địa chỉ"),
    ("phone", "Điện thoại liên hệ"),
    ("email", "Thư điện tử"),
    ("website", "Trang web"),
    ("legal_representative", "Người đại diện theo pháp luật"),
    ("charter_capital", "Vốn điều lệ"),
    ("tax_code", "Mã số thuế"),
    ("figures", "Số liệu hoạt động"),
]
NEVER_PUBLIC = {"representative_phone", "representative_id_number"}


def same_name(name: str, names) -> bool:
    """Whether `name` is one of `names`, whatever the case and spacing."""
    key = " ".join(name.split()).casefold()
    return key in {" ".join(n.split()).casefold() for n in names}


def default_public_fields():
    return ["address", "phone", "email", "website", "legal_representative", "charter_capital", "tax_code"]


class CooperativeQuerySet(models.QuerySet):
    def for_user(self, user):
        """Rows whose unit the user's scope covers (portal.access decides)."""
        scope = user_scope(user)
        return self if scope.everything else self.filter(unit_id__in=scope.unit_ids)

    def active(self):
        return self.filter(status=Cooperative.Status.ACTIVE)

    def operating(self):
        """Active or temporarily suspended: the ones that still owe congresses and reports."""
        return self.filter(status__in=[Cooperative.Status.ACTIVE, Cooperative.Status.SUSPENDED])

    def with_annual_years(self):
        """Prefetch held annual congresses so congress rules cost no query per row."""
        return self.prefetch_related(
            models.Prefetch(
                "congresses",
                queryset=Congress.objects.filter(held_date__isnull=False).only(
                    "id", "cooperative_id", "kind", "fiscal_year", "held_date"
                ),
                to_attr="held_congresses",
            )
        )

    def pilots(self):
        """Pilot cooperatives (HTX điểm): designated, or with at least one recorded investment."""
        return self.filter(Q(is_pilot=True) | Q(Exists(PilotInvestment.objects.filter(cooperative=OuterRef("pk")))))

    def congress_rules_only(self):
        """Only the columns the congress rules read (kind, certificate date) and the held annual congresses: at
        10,000 cooperatives, loading every column of every row cost more than the rules themselves."""
        return (
            self.prefetch_related(None).select_related(None).only("id", "kind", "certificate_date").with_annual_years()
        )

    def annual_congress_overdue(self, on: date):
        """Operating rows whose annual congress is overdue on `on` (a fixed number of queries)."""
        # next_annual_congress_due reads only annual congresses of fiscal years from two years before `on`: the
        # older ones (most of the rows at scale) need not be loaded.
        recent = Congress.objects.filter(
            held_date__isnull=False, kind=Congress.Kind.ANNUAL, fiscal_year__gte=on.year - 2
        ).only("id", "cooperative_id", "kind", "fiscal_year", "held_date")
        rows = self.operating().prefetch_related(None).select_related(None).only("id", "kind", "certificate_date")
        rows = rows.prefetch_related(models.Prefetch("congresses", queryset=recent, to_attr="held_congresses"))
        ids = [c.pk for c in rows if c.is_annual_congress_overdue(on)]
        return self.filter(pk__in=ids)


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
    charter_capital = models.DecimalField(
        "vốn điều lệ (đồng)",
        max_digits=18,
        decimal_places=0,
        default=0,
        validators=[MinValueValidator(0, "Vốn điều lệ không được âm.")],
    )
    status = models.CharField("tình trạng", max_length=12, choices=Status.choices, default=Status.ACTIVE)
    status_since = models.DateField("tình trạng từ ngày", null=True, blank=True)
    # Designated a pilot cooperative (HTX điểm). A cooperative with a recorded investment is a pilot too, flag or not:
    # `CooperativeQuerySet.pilots()` and `is_pilot_cooperative()` say both.
    is_pilot = models.BooleanField("HTX điểm", default=False)

    # Registration details added with the full registry.
    sub_sector = models.CharField("ngành nghề cụ thể", max_length=200, blank=True)
    governance_form = models.CharField(
        "mô hình quản trị", max_length=10, choices=GovernanceForm.choices, default=GovernanceForm.FULL
    )
    suspended_until = models.DateField("tạm ngừng đến ngày", null=True, blank=True)
    legal_representative = models.CharField("người đại diện theo pháp luật", max_length=150, blank=True)
    representative_title = models.CharField("chức danh người đại diện", max_length=100, blank=True)
    representative_phone = models.CharField("điện thoại cá nhân người đại diện", max_length=30, blank=True)
    representative_id_number = models.CharField("số CCCD người đại diện", max_length=20, blank=True)
    phone = models.CharField("điện thoại liên hệ", max_length=30, blank=True)
    email = models.EmailField("thư điện tử", blank=True)
    website = models.URLField("trang web", blank=True)
    reregistered_2023 = models.BooleanField("đã đăng ký lại theo Luật HTX 2023", default=False)
    board_term_years = models.PositiveSmallIntegerField(
        "nhiệm kỳ Hội đồng quản trị (năm)",
        default=5,
        validators=[MinValueValidator(2, "Nhiệm kỳ ít nhất 2 năm."), MaxValueValidator(5, "Nhiệm kỳ tối đa 5 năm.")],
        help_text="Theo điều lệ: 2-5 năm (Luật HTX 2012, Điều 30); tối đa 5 năm theo Luật HTX 2023.",
    )
    public_fields = models.JSONField("thông tin được công khai", default=default_public_fields, blank=True)
    # Cooperative groups (THT), Nghị định 77/2019/NĐ-CP.
    group_leader = models.CharField("tổ trưởng", max_length=150, blank=True)
    cooperation_contract_date = models.DateField("ngày ký hợp đồng hợp tác", null=True, blank=True)
    notified_commune = models.ForeignKey(
        AdministrativeUnit,
        verbose_name="UBND xã đã được thông báo",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notified_groups",
        limit_choices_to={"level": "commune"},
    )
    notified_on = models.DateField("ngày thông báo UBND xã", null=True, blank=True)

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
        # name: the default ordering of the directory and the admin list (10,000 rows at scale).
        indexes = [models.Index(fields=["unit", "sector", "status"]), models.Index(fields=["name"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return f"/hop-tac-xa/{self.slug}/"

    def search_parts(self):
        # The district's name too, so "hong dan" finds the cooperatives of Huyện Hồng Dân's communes.
        parent = self.unit.parent if self.unit.parent_id else None
        return [self.name, self.short_name, self.registration_code, self.address, self.unit.name, parent]

    # Congress rules -------------------------------------------------------------------------------------------

    def _held_congresses(self) -> list["Congress"]:
        # Lists prefetch with `with_annual_years()`; a single object asks the database every time (never stale).
        held = getattr(self, "held_congresses", None)
        return held if held is not None else list(self.congresses.filter(held_date__isnull=False))

    def last_annual_congress(self):
        annual = [c for c in self._held_congresses() if c.kind == Congress.Kind.ANNUAL]
        return max(annual, key=lambda c: c.held_date, default=None)

    def next_annual_congress_due(self, on: date) -> date | None:
        """Deadline of the earliest fiscal year (ended before `on`) whose annual congress is not yet held.

        Fiscal years are calendar years (Luật Kế toán 2015, Điều 12). A cooperative registered after a fiscal
        year ended owes nothing for it. A cooperative group (THT) holds no member congress: None.
        """
        if self.kind == self.Kind.GROUP:
            return None
        held_years = {c.fiscal_year for c in self._held_congresses() if c.kind == Congress.Kind.ANNUAL}
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
        if self.kind == self.Kind.GROUP:
            return False
        last = self.last_annual_congress()
        since = last.held_date if last else self.certificate_date
        return since is not None and since + relativedelta(months=MONTHS_WITHOUT_CONGRESS_LIMIT) < on

    def next_term_congress_due(self, on: date) -> date | None:
        """The board's term ends `board_term_years` after the last term (or founding) congress.

        Luật HTX 2012, Điều 30: a term of 2 to 5 years set by the charter; Luật HTX 2023: at most 5 years.
        None when no term or founding congress is on record (nothing to count from).
        """
        if self.kind == self.Kind.GROUP:
            return None
        electing = [c for c in self._held_congresses() if c.kind in (Congress.Kind.TERM, Congress.Kind.FOUNDING)]
        last = max(electing, key=lambda c: c.held_date, default=None)
        if last is None:
            return None
        return last.held_date + relativedelta(years=self.board_term_years)

    def is_term_congress_overdue(self, on: date) -> bool:
        due = self.next_term_congress_due(on)
        return due is not None and due < on

    def place(self, areas: dict | None = None) -> dict:
        """Where the cooperative is today (its commune on today's map, portal.unitmap), and the unit it was
        registered in with that unit's last day when it has since been merged away (empty otherwise). A list passes
        `areas` (portal.unitmap.today_areas(), read once for the page)."""
        area = areas.get(self.unit_id, UNKNOWN) if areas is not None else area_today(self.unit_id)
        unit = self.unit
        registered = ", ".join(u.name for u in (unit, unit.parent) if u is not None and u.level != "province")
        if area.id == unit.pk:
            return {"today": area.address, "before": "", "until": None}
        return {"today": area.address if area.id else "", "before": registered, "until": unit.valid_to}

    def shows(self, field: str) -> bool:
        """Whether `field` may appear on the public profile (personal phone and ID numbers never do)."""
        return field not in NEVER_PUBLIC and field in (self.public_fields or [])

    def clean(self):
        errors = {}
        if self.kind == self.Kind.COOPERATIVE and self.name and not self.name.lower().startswith("hợp tác xã"):
            # Luật HTX 2023, Điều 25: the name of a cooperative begins with "Hợp tác xã".
            errors["name"] = "Tên hợp tác xã phải bắt đầu bằng cụm từ “Hợp tác xã”."
        if self.status != self.Status.ACTIVE and not self.status_since:
            # Without its date a status would count from the day it was typed in: the figures of the year it
            # really happened in would be wrong.
            errors["status_since"] = f"Hãy ghi ngày bắt đầu của tình trạng “{self.get_status_display()}”."
        if self.status == self.Status.SUSPENDED and self.status_since and self.suspended_until:
            # Luật HTX 2023, Điều 66 / Nghị định 92/2024: one suspension notice covers at most 12 months.
            if self.suspended_until > self.status_since + relativedelta(months=12):
                errors["suspended_until"] = "Mỗi lần tạm ngừng hoạt động không quá 12 tháng."
            if self.suspended_until < self.status_since:
                errors["suspended_until"] = "Ngày kết thúc tạm ngừng phải sau ngày bắt đầu."
        bad_public = set(self.public_fields or []) - {key for key, _ in PUBLIC_FIELD_CHOICES}
        if bad_public:
            errors["public_fields"] = "Chỉ được công khai các thông tin trong danh sách cho phép."
        if errors:
            raise ValidationError(errors)

    def is_pilot_cooperative(self) -> bool:
        """Designated a pilot, or has a recorded investment (see `CooperativeQuerySet.pilots`)."""
        return self.is_pilot or self.investments.exists()

    # Board and legal representative ---------------------------------------------------------------------------

    def board_names(self) -> set[str]:
        """Names of the people who hold or held a post that may represent the cooperative (REPRESENTATIVE_POSTS)."""
        if not self.pk:
            return set()
        return set(
            Position.objects.filter(person__cooperative=self, post__in=REPRESENTATIVE_POSTS).values_list(
                "person__full_name", flat=True
            )
        )

    def legal_representative_error(self, board_names: set[str]) -> str | None:
        """Why the legal representative cannot stand, or None.

        The legal representative of a cooperative or union is one of its board's people: the chairman (or a member)
        of the Hội đồng quản trị, or the Giám đốc, as the charter says (Luật HTX 2023, on the board's chairman and the
        director). Names compare without regard to case or spacing. A cooperative group (THT) is represented by its
        leader; a cooperative whose board is not on record yet (just registered) has nothing to check against.
        """
        if self.kind == self.Kind.GROUP or not self.legal_representative.strip() or not board_names:
            return None
        if same_name(self.legal_representative, board_names):
            return None
        listed = ", ".join(sorted(board_names))
        return (
            f"Người đại diện theo pháp luật “{self.legal_representative.strip()}” phải là Chủ tịch, thành viên "
            f"Hội đồng quản trị hoặc Giám đốc của hợp tác xã (đang có: {listed})."
        )

    def size_class(self, year: int | None = None):
        """Size class from the yearly figures (Nghị định 113/2024/NĐ-CP, Điều 6), via SizeThreshold rows."""
        figures = sorted(self.figures.all(), key=lambda f: f.year, reverse=True)
        if year is not None:
            figures = [f for f in figures if f.year == year]
        if not figures:
            return None
        return SizeThreshold.classify(self.sector, figures[0])


class YearlyFigure(models.Model):
    """A cooperative's figures for one year, read by periodic reports and the fund."""

    cooperative = models.ForeignKey(Cooperative, on_delete=models.CASCADE, related_name="figures")
    year = models.PositiveSmallIntegerField("năm")
    members_official = models.PositiveIntegerField("thành viên chính thức", default=0)
    members_associate = models.PositiveIntegerField("thành viên liên kết", default=0)
    workers = models.PositiveIntegerField("lao động", default=0)
    revenue = models.DecimalField(
        "doanh thu (đồng)",
        max_digits=18,
        decimal_places=0,
        default=0,
        validators=[MinValueValidator(0, "Không được âm.")],
    )
    profit = models.DecimalField("lợi nhuận (đồng)", max_digits=18, decimal_places=0, default=0)
    avg_member_income = models.DecimalField(
        "thu nhập bình quân thành viên (đồng/năm)", max_digits=15, decimal_places=0, default=0
    )
    assets = models.DecimalField(
        "tổng tài sản (đồng)",
        max_digits=18,
        decimal_places=0,
        default=0,
        validators=[MinValueValidator(0, "Không được âm.")],
    )
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


class InvestmentSource(models.TextChoices):
    """Where the money for a pilot cooperative came from."""

    CENTRAL = "central", "Ngân sách trung ương"
    PROVINCE = "province", "Ngân sách tỉnh"
    DISTRICT = "district", "Ngân sách huyện"
    FUND = "fund", "Quỹ hỗ trợ phát triển HTX"
    OTHER = "other", "Nguồn khác"


class PilotInvestment(models.Model):
    """Money invested in a pilot cooperative (HTX điểm) in one year from one source, and what it bought.

    Công văn 1047 asks for pilot investment "có trọng tâm, trọng điểm, tránh tình trạng không hiệu quả": the
    cooperative's yearly figures before and after the investment (`cooperatives.selectors.investment_outcomes`)
    show whether it worked.
    """

    cooperative = models.ForeignKey(
        Cooperative, verbose_name="hợp tác xã", on_delete=models.CASCADE, related_name="investments"
    )
    year = models.PositiveSmallIntegerField(
        "năm",
        validators=[MinValueValidator(1990, "Năm không hợp lệ."), MaxValueValidator(2100, "Năm không hợp lệ.")],
    )
    source = models.CharField("nguồn vốn", max_length=10, choices=InvestmentSource.choices)
    source_detail = models.CharField(
        "chi tiết nguồn vốn", max_length=200, blank=True, help_text="Ví dụ: chương trình, dự án cấp vốn."
    )
    amount = models.DecimalField(
        "số tiền (đồng)",
        max_digits=18,
        decimal_places=0,
        validators=[MinValueValidator(0, "Số tiền không được âm.")],
    )
    purpose = models.TextField("nội dung đầu tư", help_text="Số tiền đã dùng để mua, xây dựng, hỗ trợ những gì.")
    decision_number = models.CharField("số quyết định", max_length=50, blank=True)
    decision_date = models.DateField("ngày quyết định", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "khoản đầu tư HTX điểm"
        verbose_name_plural = "đầu tư HTX điểm"
        ordering = ["cooperative", "year", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="pilot_investment_amount_not_negative",
                violation_error_message="Số tiền không được âm.",
            ),
        ]
        indexes = [models.Index(fields=["year", "source"])]

    def __str__(self):
        return f"{self.cooperative} - {self.year} - {self.get_source_display()}"

    def source_label(self) -> str:
        label = self.get_source_display()
        return f"{label} ({self.source_detail})" if self.source_detail else label


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


def validate_attachment(upload):
    """Kept for migrations 0004 and 0006; the field now uses portal.uploads.UploadValidator."""
    UploadValidator("documents")(upload)


def congress_document_path(instance, filename):
    return generated_name("dai-hoi", filename)


class CongressDocument(ExtractedText, PrivateFile):
    """A resolution (nghị quyết) or the minutes (biên bản) of a congress.

    Internal papers: stored privately (portal.storage) and served by `cooperatives:congress_document` only to users
    whose scope (portal.access.user_scope) sees the cooperative's unit.
    """

    class Kind(models.TextChoices):
        RESOLUTION = "resolution", "Nghị quyết"
        MINUTES = "minutes", "Biên bản"
        OTHER = "other", "Tài liệu khác"

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField("loại tài liệu", max_length=12, choices=Kind.choices)
    title = models.CharField("tiêu đề", max_length=200)
    file = private_file_field(congress_document_path)
    original_name = models.CharField("tên tệp gốc", max_length=255, blank=True)
    uploaded_at = models.DateTimeField("ngày tải lên", auto_now_add=True)

    class Meta:
        verbose_name = "tài liệu đại hội"
        verbose_name_plural = "tài liệu đại hội"
        ordering = ["congress", "kind"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("cooperatives:congress_document", args=[self.pk])


# People ---------------------------------------------------------------------------------------------------------


class Person(Searchable):
    """A person who holds or held a post in a cooperative. Phone and ID number are private."""

    cooperative = models.ForeignKey(Cooperative, on_delete=models.CASCADE, related_name="people")
    full_name = models.CharField("họ và tên", max_length=150)
    birth_year = models.PositiveSmallIntegerField("năm sinh", null=True, blank=True)
    gender = models.CharField("giới tính", max_length=5, choices=[("nam", "Nam"), ("nu", "Nữ")], blank=True)
    phone = models.CharField("điện thoại", max_length=30, blank=True)
    id_number = models.CharField("số CCCD", max_length=20, blank=True)

    history = HistoricalRecords(excluded_fields=["search_text"])

    class Meta:
        verbose_name = "nhân sự"
        verbose_name_plural = "nhân sự"
        ordering = ["cooperative", "full_name"]

    def __str__(self):
        return self.full_name

    def search_parts(self):
        return [self.full_name]


class Post(models.TextChoices):
    BOARD_CHAIR = "board_chair", "Chủ tịch Hội đồng quản trị"
    BOARD_MEMBER = "board_member", "Thành viên Hội đồng quản trị"
    DIRECTOR = "director", "Giám đốc"
    DEPUTY_DIRECTOR = "deputy_director", "Phó Giám đốc"
    CONTROL_HEAD = "control_head", "Trưởng Ban kiểm soát"
    CONTROL_MEMBER = "control_member", "Thành viên Ban kiểm soát"
    CONTROLLER = "controller", "Kiểm soát viên"
    CHIEF_ACCOUNTANT = "chief_accountant", "Kế toán trưởng"
    TREASURER = "treasurer", "Thủ quỹ"


BOARD_POSTS = {Post.BOARD_CHAIR, Post.BOARD_MEMBER}
# Posts whose holder may be the legal representative (see Cooperative.legal_representative_error).
REPRESENTATIVE_POSTS = BOARD_POSTS | {Post.DIRECTOR}
CONTROL_POSTS = {Post.CONTROL_HEAD, Post.CONTROL_MEMBER, Post.CONTROLLER}
# Luật HTX 2023, Điều 56/67/70 (Luật HTX 2012, Điều 35/39): who may not also hold which post.
CONFLICTS = {
    **{post: CONTROL_POSTS | {Post.CHIEF_ACCOUNTANT, Post.TREASURER} for post in BOARD_POSTS},
    **{post: BOARD_POSTS | {Post.DIRECTOR, Post.CHIEF_ACCOUNTANT, Post.TREASURER} for post in CONTROL_POSTS},
    Post.DIRECTOR: CONTROL_POSTS,
    Post.CHIEF_ACCOUNTANT: BOARD_POSTS | CONTROL_POSTS,
    Post.TREASURER: BOARD_POSTS | CONTROL_POSTS,
}


def conflict_message(post: str, other: str) -> str:
    return f"Một người không được vừa là {Post(post).label} vừa là {Post(other).label} (Luật HTX 2023, Điều 56)."


def periods_overlap(start_a, end_a, start_b, end_b) -> bool:
    return (end_b is None or start_a is None or start_a <= end_b) and (
        end_a is None or start_b is None or start_b <= end_a
    )


class Position(models.Model):
    """A post held by a person for a term. Conflicting posts in overlapping terms are refused (see CONFLICTS)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="positions")
    post = models.CharField("chức danh", max_length=20, choices=Post.choices)
    term_start = models.DateField("từ ngày", null=True, blank=True)
    term_end = models.DateField("đến ngày", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "chức danh"
        verbose_name_plural = "chức danh"
        ordering = ["person", "post"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__isnull=True)
                | Q(term_start__isnull=True)
                | Q(term_end__gte=models.F("term_start")),
                name="position_term_ordered",
                violation_error_message="Ngày kết thúc nhiệm kỳ phải sau ngày bắt đầu.",
            )
        ]

    def __str__(self):
        return f"{self.person} - {self.get_post_display()}"

    def is_current(self, on: date) -> bool:
        return periods_overlap(self.term_start, self.term_end, on, on)

    def conflicting(self, others) -> "Position | None":
        """The first of `others` that this post may not be held together with in an overlapping term."""
        forbidden = CONFLICTS.get(self.post, set())
        for other in others:
            if other.pk and other.pk == self.pk:
                continue
            if other.post in forbidden and periods_overlap(
                self.term_start, self.term_end, other.term_start, other.term_end
            ):
                return other
        return None

    def clean(self):
        if self.term_start and self.term_end and self.term_end < self.term_start:
            raise ValidationError({"term_end": "Ngày kết thúc nhiệm kỳ phải sau ngày bắt đầu."})
        if self.person_id:
            other = self.conflicting(Position.objects.filter(person_id=self.person_id))
            if other:
                raise ValidationError({"post": conflict_message(self.post, other.post)})


class Training(models.Model):
    """A course a cooperative's officer attended (Công văn 1047/UBND-KT, item 3: train competent boards)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="trainings")
    course = models.CharField("khóa đào tạo, bồi dưỡng", max_length=200)
    held_on = models.DateField("ngày")
    organiser = models.CharField("đơn vị tổ chức", max_length=200)

    class Meta:
        verbose_name = "đào tạo, bồi dưỡng"
        verbose_name_plural = "đào tạo, bồi dưỡng"
        ordering = ["-held_on"]

    def __str__(self):
        return f"{self.course} ({self.held_on:%d/%m/%Y})"


# Congress reminders ---------------------------------------------------------------------------------------------


class CongressReminder(models.Model):
    """One reminder per congress due date and stage (Công văn 1047/UBND-KT, item 2: hold congresses on time).

    The unique constraint is what makes the beat task safe to run twice: the second run finds the row and sends
    nothing.
    """

    class Stage(models.TextChoices):
        UPCOMING = "upcoming", "Sắp đến hạn (30 ngày)"
        OVERDUE = "overdue", "Quá hạn"

    cooperative = models.ForeignKey(Cooperative, on_delete=models.CASCADE, related_name="congress_reminders")
    congress_kind = models.CharField("loại đại hội", max_length=15, choices=Congress.Kind.choices)
    due_date = models.DateField("hạn tổ chức")
    stage = models.CharField("giai đoạn", max_length=10, choices=Stage.choices)
    sent_at = models.DateTimeField("thời điểm nhắc", auto_now_add=True)
    recipients = models.PositiveIntegerField("số người nhận", default=0)

    class Meta:
        verbose_name = "nhắc đại hội"
        verbose_name_plural = "nhắc đại hội"
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["cooperative", "congress_kind", "due_date", "stage"],
                name="congress_reminder_once_per_stage",
                violation_error_message="Đã nhắc đại hội này ở giai đoạn này.",
            )
        ]

    def __str__(self):
        return f"{self.cooperative} - {self.get_congress_kind_display()} - {self.get_stage_display()}"

    @property
    def text(self) -> str:
        due = self.due_date.strftime("%d/%m/%Y")
        kind = self.get_congress_kind_display()
        if self.stage == self.Stage.OVERDUE:
            return f"{self.cooperative.name}: {kind} đã quá hạn (hạn {due})."
        return f"{self.cooperative.name}: {kind} phải tổ chức trước ngày {due}."


class NoticeQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(recipient=user) if user.is_authenticated else self.none()


class Notice(models.Model):
    """An in-app notice to one officer, shown on /hop-tac-xa/thong-bao/."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="registry_notices")
    reminder = models.ForeignKey(CongressReminder, on_delete=models.CASCADE, related_name="notices")
    created_at = models.DateTimeField("thời điểm", auto_now_add=True)
    read_at = models.DateTimeField("đã đọc lúc", null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = "thông báo"
        verbose_name_plural = "thông báo"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "reminder"], name="notice_once_per_recipient")]

    def __str__(self):
        return self.reminder.text


# Yearly evaluation (Thông tư 01/2020/TT-BKHĐT) -------------------------------------------------------------------


class Grade(models.TextChoices):
    GOOD = "tot", "Tốt"
    FAIR = "kha", "Khá"
    AVERAGE = "trung_binh", "Trung bình"
    WEAK = "yeu", "Yếu"
    NOT_GRADED = "khong_xep_loai", "Không xếp loại"


# Thông tư 01/2020/TT-BKHĐT, Điều 5: Tốt 80-100, Khá 65 to under 80, Trung bình 50 to under 65, Yếu under 50.
GRADE_THRESHOLDS = [(Decimal(80), Grade.GOOD), (Decimal(65), Grade.FAIR), (Decimal(50), Grade.AVERAGE)]


def grade_for(score: Decimal) -> str:
    for threshold, grade in GRADE_THRESHOLDS:
        if score >= threshold:
            return grade
    return Grade.WEAK


class EvaluationCriterion(models.Model):
    """One of the 15 criteria of Thông tư 01/2020/TT-BKHĐT (Phụ lục), with its maximum points; staff may edit."""

    code = models.CharField("mã", max_length=10, unique=True)
    title = models.CharField("tiêu chí", max_length=300)
    max_points = models.DecimalField("điểm tối đa", max_digits=5, decimal_places=2)
    order = models.PositiveSmallIntegerField("thứ tự", default=0)
    is_active = models.BooleanField("đang áp dụng", default=True)

    class Meta:
        verbose_name = "tiêu chí đánh giá"
        verbose_name_plural = "tiêu chí đánh giá"
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(max_points__gt=0), name="criterion_points_positive"),
        ]

    def __str__(self):
        return f"{self.code}. {self.title}"


class Evaluation(models.Model):
    """A cooperative's yearly classification (Thông tư 01/2020/TT-BKHĐT): a 100-point score and a grade.

    Not graded (Điều 4): operating under 12 months in the year, or suspended more than 3 months in it.
    The cooperative scores itself by 15/12, the district summarises by 18/12, the province reports by 21/12.
    """

    class NotGraded(models.TextChoices):
        NONE = "", "Được xếp loại"
        UNDER_12_MONTHS = "under_12_months", "Hoạt động chưa đủ 12 tháng"
        SUSPENDED = "suspended", "Tạm ngừng hoạt động quá 3 tháng trong năm"

    cooperative = models.ForeignKey(Cooperative, on_delete=models.CASCADE, related_name="evaluations")
    year = models.PositiveSmallIntegerField("năm đánh giá")
    months_suspended = models.PositiveSmallIntegerField(
        "số tháng tạm ngừng trong năm", default=0, validators=[MaxValueValidator(12)]
    )
    total_score = models.DecimalField("tổng điểm", max_digits=5, decimal_places=2, default=0)
    grade = models.CharField("xếp loại", max_length=15, choices=Grade.choices, blank=True)
    not_graded_reason = models.CharField(
        "lý do không xếp loại", max_length=20, choices=NotGraded.choices, blank=True, default=""
    )
    evaluated_on = models.DateField("ngày đánh giá", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "đánh giá, xếp loại"
        verbose_name_plural = "đánh giá, xếp loại"
        ordering = ["cooperative", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["cooperative", "year"],
                name="evaluation_one_per_year",
                violation_error_message="Hợp tác xã này đã được đánh giá năm này.",
            ),
            models.CheckConstraint(
                condition=Q(total_score__gte=0) & Q(total_score__lte=100),
                name="evaluation_score_0_100",
                violation_error_message="Tổng điểm phải từ 0 đến 100.",
            ),
        ]

    def __str__(self):
        return f"{self.cooperative} - {self.year}"

    def compute_not_graded_reason(self) -> str:
        year_end = date(self.year, 12, 31)
        cert = self.cooperative.certificate_date
        if cert and cert + relativedelta(months=12) > year_end + relativedelta(days=1):
            return self.NotGraded.UNDER_12_MONTHS
        if self.months_suspended > 3:
            return self.NotGraded.SUSPENDED
        return self.NotGraded.NONE

    def recompute(self, scores=None) -> None:
        """Total the criterion scores and derive the grade; not-graded cases get Grade.NOT_GRADED."""
        scores = list(self.scores.all()) if scores is None else scores
        self.total_score = sum((s.points for s in scores), Decimal(0))
        self.not_graded_reason = self.compute_not_graded_reason()
        self.grade = Grade.NOT_GRADED if self.not_graded_reason else grade_for(self.total_score)

    @property
    def is_weak(self) -> bool:
        return self.grade == Grade.WEAK


class EvaluationScore(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(EvaluationCriterion, on_delete=models.PROTECT, related_name="scores")
    points = models.DecimalField("điểm", max_digits=5, decimal_places=2, validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = "điểm tiêu chí"
        verbose_name_plural = "điểm tiêu chí"
        ordering = ["evaluation", "criterion__order"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "criterion"], name="score_one_per_criterion"),
            models.CheckConstraint(condition=Q(points__gte=0), name="score_not_negative"),
        ]

    def __str__(self):
        return f"{self.criterion.code}: {self.points}"

    def clean(self):
        if self.criterion_id and self.points is not None and self.points > self.criterion.max_points:
            raise ValidationError({"points": f"Điểm tối đa của tiêu chí này là {self.criterion.max_points}."})


class ImprovementPlan(models.Model):
    """A plan to strengthen a weak cooperative (Công văn 1047/UBND-KT, item 2: củng cố HTX)."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="plans")
    title = models.CharField("nội dung kế hoạch", max_length=300)
    actions = models.TextField("giải pháp", blank=True)
    responsible = models.CharField("người, đơn vị phụ trách", max_length=200, blank=True)
    deadline = models.DateField("thời hạn", null=True, blank=True)

    class Meta:
        verbose_name = "kế hoạch củng cố"
        verbose_name_plural = "kế hoạch củng cố"
        ordering = ["evaluation", "deadline"]

    def __str__(self):
        return self.title


class PlanProgress(models.Model):
    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="progress")
    on = models.DateField("ngày")
    note = models.TextField("kết quả thực hiện")
    percent_done = models.PositiveSmallIntegerField(
        "mức hoàn thành (%)", default=0, validators=[MaxValueValidator(100)]
    )

    class Meta:
        verbose_name = "tiến độ thực hiện"
        verbose_name_plural = "tiến độ thực hiện"
        ordering = ["plan", "on"]
        constraints = [models.CheckConstraint(condition=Q(percent_done__lte=100), name="progress_percent_max_100")]

    def __str__(self):
        return f"{self.on:%d/%m/%Y}: {self.percent_done}%"


# Size class (Nghị định 113/2024/NĐ-CP) ------------------------------------------------------------------------------


class SizeClass(models.TextChoices):
    LARGE = "large", "Lớn"
    MEDIUM = "medium", "Vừa"
    SMALL = "small", "Nhỏ"
    MICRO = "micro", "Siêu nhỏ"


DECREE_113_IN_FORCE = date(2024, 11, 1)


class SizeThreshold(models.Model):
    """Nghị định 113/2024/NĐ-CP (from 01/11/2024): a size class needs at least `min_members` and either
    `min_revenue` of revenue or `min_capital` of total capital. Agriculture rows come from the decree;
    other sector groups are rows staff enter. A cooperative matching no row is micro (siêu nhỏ).

    Rows are dated: a figure uses the rows in force at the end of its year (`valid_from` on or before it); a
    class with no row in force yet takes its earliest row, since nothing earlier is recorded."""

    class SectorGroup(models.TextChoices):
        AGRICULTURE = "agriculture", "Nông, lâm nghiệp, thủy sản"
        INDUSTRY = "industry", "Công nghiệp, xây dựng"
        TRADE = "trade", "Thương mại, dịch vụ"

    sector_group = models.CharField("nhóm lĩnh vực", max_length=15, choices=SectorGroup.choices)
    size_class = models.CharField("quy mô", max_length=10, choices=SizeClass.choices)
    min_members = models.PositiveIntegerField("số thành viên tối thiểu")
    min_revenue = models.DecimalField("doanh thu tối thiểu (đồng)", max_digits=18, decimal_places=0)
    min_capital = models.DecimalField("tổng nguồn vốn tối thiểu (đồng)", max_digits=18, decimal_places=0)
    valid_from = models.DateField("áp dụng từ ngày", default=DECREE_113_IN_FORCE)
    legal_source = models.CharField("căn cứ pháp lý", max_length=255, default="Nghị định 113/2024/NĐ-CP")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "ngưỡng quy mô"
        verbose_name_plural = "ngưỡng quy mô"
        ordering = ["sector_group", "-valid_from", "-min_members"]
        constraints = [
            models.UniqueConstraint(
                fields=["sector_group", "size_class", "valid_from"],
                name="one_threshold_per_class_and_date",
                violation_error_message="Quy mô này đã có ngưỡng áp dụng từ ngày này.",
            )
        ]

    def __str__(self):
        return f"{self.get_sector_group_display()} - {self.get_size_class_display()} từ {self.valid_from:%d/%m/%Y}"

    @staticmethod
    def group_of(sector: str) -> str:
        if sector in AGRICULTURE_SECTORS:
            return SizeThreshold.SectorGroup.AGRICULTURE
        if sector in {Sector.INDUSTRY, Sector.CONSTRUCTION}:
            return SizeThreshold.SectorGroup.INDUSTRY
        return SizeThreshold.SectorGroup.TRADE

    @staticmethod
    def in_force(rows, on: date) -> list["SizeThreshold"]:
        """For each (sector group, class) the row in force on `on`, or its earliest row."""
        return list(dated.in_force(rows, on, key=lambda r: (r.sector_group, r.size_class)).values())

    @classmethod
    def classify(cls, sector: str, figure: "YearlyFigure", rows=None, on: date | None = None) -> str | None:
        """The largest class whose thresholds the figure meets, by the rows in force on `on` (the end of the
        figure's year when it has one, else today); micro when none; None when no rows exist."""
        if on is None:
            on = date(figure.year, 12, 31) if getattr(figure, "year", None) else timezone.localdate()
        group = cls.group_of(sector)
        rows = [r for r in (rows if rows is not None else cls.objects.all()) if r.sector_group == group]
        rows = cls.in_force(rows, on)
        if not rows:
            return None
        for row in sorted(rows, key=lambda r: r.min_members, reverse=True):
            if figure.members >= row.min_members and (
                figure.revenue >= row.min_revenue or figure.assets >= row.min_capital
            ):
                return row.size_class
        return SizeClass.MICRO


class UnitTarget(models.Model):
    """How many new cooperatives a district plans to found in a year (the province's development plan)."""

    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE, related_name="cooperative_targets")
    year = models.PositiveSmallIntegerField("năm")
    new_cooperatives = models.PositiveIntegerField("số HTX thành lập mới (chỉ tiêu)")

    class Meta:
        verbose_name = "chỉ tiêu phát triển HTX"
        verbose_name_plural = "chỉ tiêu phát triển HTX"
        ordering = ["year", "unit"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="one_target_per_unit_year")]

    def __str__(self):
        return f"{self.unit} - {self.year}: {self.new_cooperatives}"


class SectorDepartment(models.Model):
    """A provincial department that oversees a sector, and so appraises the loan projects of cooperatives in it
    (Công văn 1047/UBND-KT, item 4: departments take part in appraising loan projects). Which department answers
    for which sector is the province's organisation, so it is data staff edit, not code."""

    sector = models.CharField("lĩnh vực", max_length=20, choices=Sector.choices)
    agency = models.ForeignKey(
        Agency,
        verbose_name="sở, ngành",
        on_delete=models.CASCADE,
        related_name="sectors",
        limit_choices_to={"kind": Agency.Kind.DEPARTMENT},
    )

    class Meta:
        verbose_name = "sở, ngành theo lĩnh vực"
        verbose_name_plural = "sở, ngành theo lĩnh vực"
        ordering = ["sector", "agency__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["sector", "agency"],
                name="one_department_row_per_sector",
                violation_error_message="Sở, ngành này đã được gán cho lĩnh vực này.",
            )
        ]

    def __str__(self):
        return f"{self.get_sector_display()}: {self.agency}"

    @classmethod
    def departments_for(cls, sector: str):
        return Agency.objects.filter(sectors__sector=sector, is_active=True).order_by("name")


# Imports ---------------------------------------------------------------------------------------------------------


def import_file_path(instance, filename):
    return generated_name("nhap-du-lieu", filename)


class ImportJob(models.Model):
    """An uploaded file being checked (dry run) and then imported, run as a Celery task with visible progress."""

    class Status(models.TextChoices):
        PENDING = "pending", "Đang chờ"
        CHECKING = "checking", "Đang kiểm tra"
        CHECKED = "checked", "Đã kiểm tra, chờ xác nhận"
        INVALID = "invalid", "Có dòng lỗi, không nhập gì"
        IMPORTING = "importing", "Đang nhập"
        DONE = "done", "Đã nhập xong"
        FAILED = "failed", "Lỗi"

    resource = models.CharField("loại dữ liệu", max_length=20)
    # Spreadsheets with personal data (Nghị định 13/2023/NĐ-CP): private storage, generated name.
    file = models.FileField("tệp", upload_to=import_file_path, storage=PrivateStorage)
    original_name = models.CharField("tên tệp", max_length=255)
    status = models.CharField("trạng thái", max_length=10, choices=Status.choices, default=Status.PENDING)
    total_rows = models.PositiveIntegerField("số dòng", default=0)
    processed_rows = models.PositiveIntegerField("đã xử lý", default=0)
    new_rows = models.PositiveIntegerField("dòng mới", default=0)
    updated_rows = models.PositiveIntegerField("dòng cập nhật", default=0)
    errors = models.JSONField("lỗi", default=list, blank=True)
    preview = models.JSONField("xem trước", default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    finished_at = models.DateTimeField("xong lúc", null=True, blank=True)
    seconds = models.FloatField("thời gian (giây)", null=True, blank=True)

    class Meta:
        verbose_name = "lượt nhập dữ liệu"
        verbose_name_plural = "lượt nhập dữ liệu"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.original_name} ({self.get_status_display()})"

    def get_file_url(self):
        return reverse("cooperatives:import_file", args=[self.pk])

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.CHECKING, self.Status.IMPORTING)

    def progress_cache_key(self) -> str:
        return f"cooperatives:import:{self.pk}:progress"

    def current_progress(self) -> int:
        """Rows processed so far: the cache sees inside the running transaction, the row only after it."""
        from django.core.cache import cache

        return max(cache.get(self.progress_cache_key(), 0), self.processed_rows)

    @property
    def percent(self) -> int:
        return int(100 * self.current_progress() / self.total_rows) if self.total_rows else 0
