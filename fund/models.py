"""The provincial Cooperative Development Support Fund (Nghị định 45/2021/NĐ-CP, amended by 253/2025/NĐ-CP).

Only facts are stored: products, applications (loans) and their workflow events, appraisals, disbursements,
payments (a reversal keeps the row), restructurings, the fund's charter capital with its history, yearly plans
and nightly snapshots. Schedules, allocations, arrears and debt groups are derived by `fund.ledger.replay`.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.db.models.signals import post_delete, post_save
from django.urls import reverse
from django.utils import timezone
from redis.exceptions import RedisError
from simple_history.models import HistoricalRecords

from cooperatives.models import Cooperative
from portal import dated, versioned
from portal.access import user_scope
from portal.extract import ExtractedText
from portal.formatting import plain_number
from portal.history import request_user_or_by
from portal.models import Agency
from portal.search import Searchable
from portal.storage import PrivateFile, generated_name, private_file_field

from . import ledger, schedule

MONEY = {"max_digits": 18, "decimal_places": 0}


def money_field(label, **kwargs):
    return models.DecimalField(label, **MONEY, **kwargs)


class FundCapital(models.Model):
    """The fund's actual charter capital from a date (Nghị định 45/2021, Điều 23: lending limits are shares of it)."""

    effective_from = models.DateField("áp dụng từ ngày", unique=True)
    amount = money_field("vốn điều lệ thực có (đồng)", validators=[MinValueValidator(1)])
    note = models.CharField("căn cứ", max_length=255, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "vốn điều lệ thực có của Quỹ"
        verbose_name_plural = "vốn điều lệ thực có của Quỹ"
        ordering = ["-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="fund_capital_positive", violation_error_message="Vốn phải lớn hơn 0."
            )
        ]

    def __str__(self):
        return f"{self.amount:,.0f} đ từ {self.effective_from:%d/%m/%Y}".replace(",", ".")

    @classmethod
    def amount_on(cls, on: date) -> Decimal | None:
        row = cls.objects.filter(effective_from__lte=on).order_by("-effective_from").first()
        return row.amount if row else None


class FundThreshold(models.Model):
    """One figure the law or the province may change, from a date, with its legal source: the debt-group day
    limits, the lending caps, the ceiling of overdue interest. A figure for a date uses the rows in force then
    (`thresholds_on`); a key with no row yet in force takes its earliest row, or the value in `ledger.Thresholds`."""

    class Key(models.TextChoices):
        GROUP2_DAYS = "group2_days", "Nợ nhóm 2 từ (số ngày quá hạn)"
        GROUP3_DAYS = "group3_days", "Nợ nhóm 3 từ (số ngày quá hạn)"
        GROUP4_DAYS = "group4_days", "Nợ nhóm 4 từ (số ngày quá hạn)"
        GROUP5_DAYS = "group5_days", "Nợ nhóm 5 từ (số ngày quá hạn)"
        RESTRUCTURED_GROUP5_DAYS = (
            "restructured_group5_days",
            "Nợ cơ cấu lại lần đầu chuyển nhóm 5 khi quá hạn từ (số ngày, theo lịch đã cơ cấu)",
        )
        SINGLE_BORROWER_CAP_PCT = "single_borrower_cap_pct", "Dư nợ tối đa của một bên vay (% vốn điều lệ thực có)"
        RELATED_GROUP_CAP_PCT = (
            "related_group_cap_pct",
            "Dư nợ tối đa của bên vay cùng người có liên quan (% vốn điều lệ thực có)",
        )
        OVERDUE_MULTIPLE_MAX = "overdue_multiple_max", "Lãi quá hạn tối đa (bội số lãi suất trong hạn)"

    DAY_KEYS = [Key.GROUP2_DAYS, Key.GROUP3_DAYS, Key.GROUP4_DAYS, Key.GROUP5_DAYS, Key.RESTRUCTURED_GROUP5_DAYS]

    key = models.CharField("ngưỡng", max_length=30, choices=Key.choices)
    value = models.DecimalField("giá trị", max_digits=9, decimal_places=2, validators=[MinValueValidator(0)])
    valid_from = models.DateField("áp dụng từ ngày")
    legal_source = models.CharField("căn cứ pháp lý", max_length=255)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "ngưỡng theo quy định"
        verbose_name_plural = "ngưỡng theo quy định (nhóm nợ, giới hạn cho vay, lãi quá hạn)"
        ordering = ["key", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "valid_from"],
                name="threshold_one_per_key_and_date",
                violation_error_message="Ngưỡng này đã có giá trị áp dụng từ ngày này.",
            ),
            models.CheckConstraint(
                condition=Q(value__gt=0), name="threshold_positive", violation_error_message="Giá trị phải lớn hơn 0."
            ),
        ]

    def __str__(self):
        return f"{self.get_key_display()}: {plain_number(self.value)} từ {self.valid_from:%d/%m/%Y}"

    def clean(self):
        if self.key in self.DAY_KEYS and self.value is not None and self.value != self.value.to_integral_value():
            raise ValidationError({"value": "Số ngày phải là số nguyên."})
        if self.key and self.value is not None and self.valid_from:
            rows = [r for r in FundThreshold.objects.exclude(pk=self.pk)] + [self]
            dates = {self.valid_from} | {r.valid_from for r in rows if r.valid_from > self.valid_from}
            for on in sorted(dates):
                t = _thresholds_from(rows, on)
                if not t.group2_days < t.group3_days < t.group4_days < t.group5_days:
                    raise ValidationError(
                        f"Các mốc ngày quá hạn của nhóm 2, 3, 4, 5 phải tăng dần (áp dụng ngày {on:%d/%m/%Y}: "
                        f"{t.group2_days}, {t.group3_days}, {t.group4_days}, {t.group5_days})."
                    )
                if t.single_borrower_cap_pct > t.related_group_cap_pct:
                    raise ValidationError(
                        "Giới hạn của một bên vay không được lớn hơn giới hạn cùng người có liên quan "
                        f"(áp dụng ngày {on:%d/%m/%Y})."
                    )


def _thresholds_from(rows, on: date) -> ledger.Thresholds:
    """The values in force on `on`: for each key its latest row from on or before `on`, else its earliest row."""
    rows = dated.in_force(rows, on, key=lambda r: r.key)
    return ledger.Thresholds(**{k: int(r.value) if k in FundThreshold.DAY_KEYS else r.value for k, r in rows.items()})


# The rows change once in years and are read for every loan of a report: each process keeps them under the version
# in the shared cache, which every save or delete bumps, so no process computes with rows another one has replaced.
THRESHOLDS_VERSION = "fund-thresholds"
_threshold_memo: dict = {"version": None, "rows": None, "by_date": {}}


def forget_thresholds(**kwargs) -> None:
    _threshold_memo.update(version=None, rows=None, by_date={})


def thresholds_changed(**kwargs) -> None:
    forget_thresholds()
    try:
        versioned.bump(THRESHOLDS_VERSION)
    except (RedisError, OSError):
        pass  # with the cache down every process reads the rows themselves (thresholds_on)


post_save.connect(thresholds_changed, sender=FundThreshold, dispatch_uid="fund-thresholds-saved")
post_delete.connect(thresholds_changed, sender=FundThreshold, dispatch_uid="fund-thresholds-deleted")


def thresholds_on(on: date) -> ledger.Thresholds:
    """The debt-group days, lending caps and overdue-interest ceiling in force on `on` (the built-in
    `ledger.Thresholds` for a key with no row)."""
    try:
        version = versioned.version(THRESHOLDS_VERSION)
    except (RedisError, OSError):
        # No shared cache: read the rows, remember nothing that another process could have changed.
        return _thresholds_from(list(FundThreshold.objects.all()), on)
    if version is None or _threshold_memo["version"] != version or _threshold_memo["rows"] is None:
        _threshold_memo.update(version=version, rows=list(FundThreshold.objects.all()), by_date={})
    by_date = _threshold_memo["by_date"]
    if on not in by_date:
        by_date[on] = _thresholds_from(_threshold_memo["rows"], on)
    return by_date[on]


class DisbursementPlan(models.Model):
    """The year's disbursement plan approved for the fund, against which progress is reported."""

    year = models.PositiveSmallIntegerField("năm", unique=True)
    amount = money_field("kế hoạch giải ngân (đồng)", validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = "kế hoạch giải ngân năm"
        verbose_name_plural = "kế hoạch giải ngân năm"
        ordering = ["-year"]

    def __str__(self):
        return f"Kế hoạch giải ngân {self.year}"


class LoanProduct(models.Model):
    """A lending product under the fund's internal lending rules (Nghị định 45/2021, Điều 24-27)."""

    class Frequency(models.TextChoices):
        MONTHLY = schedule.MONTHLY, "Hằng tháng"
        QUARTERLY = schedule.QUARTERLY, "Hằng quý"

    class Amortization(models.TextChoices):
        EQUAL_PRINCIPAL = schedule.EQUAL_PRINCIPAL, "Gốc đều"
        ANNUITY = schedule.ANNUITY, "Gốc và lãi đều (niên kim)"
        BULLET = schedule.BULLET, "Gốc trả cuối kỳ"

    class RateMethod(models.TextChoices):
        DECLINING = schedule.DECLINING, "Dư nợ giảm dần"
        FLAT = schedule.FLAT, "Trên dư nợ ban đầu (lãi phẳng)"

    class DayCount(models.TextChoices):
        MONTHLY_RATE = schedule.MONTHLY_RATE, "Theo tháng (lãi suất năm / 12 mỗi tháng)"
        ACTUAL_365 = schedule.ACTUAL_365, "Theo số ngày thực tế / 365"

    code = models.SlugField("mã sản phẩm", max_length=30, unique=True)
    name = models.CharField("tên sản phẩm", max_length=200)
    description = models.TextField("mô tả (công khai)", blank=True)
    for_cooperatives = models.BooleanField("cho hợp tác xã vay", default=True)
    for_unions = models.BooleanField("cho liên hiệp HTX vay", default=True)
    for_members = models.BooleanField("cho thành viên HTX, THT vay", default=False)
    max_amount = money_field("mức vay tối đa (đồng)", validators=[MinValueValidator(1_000_000)])
    max_term_months = models.PositiveSmallIntegerField(
        "thời hạn tối đa (tháng)", validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    annual_rate = models.DecimalField(
        "lãi suất (%/năm)", max_digits=5, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(50)]
    )
    rate_method = models.CharField("cách tính lãi", max_length=12, choices=RateMethod.choices, default="declining")
    day_count = models.CharField(
        "cách tính số ngày",
        max_length=12,
        choices=DayCount.choices,
        default=schedule.MONTHLY_RATE,
        help_text="Theo tháng: mỗi tháng 1/12 lãi suất năm. Theo ngày thực tế: lãi suất năm × số ngày / 365 "
        "(Thông tư 14/2017/TT-NHNN). Kỳ cuối ngắn hơn kỳ trả nợ chỉ tính lãi cho độ dài thực của nó.",
    )
    frequency = models.CharField("kỳ trả nợ", max_length=12, choices=Frequency.choices, default="monthly")
    amortization = models.CharField(
        "cách trả gốc", max_length=16, choices=Amortization.choices, default="equal_principal"
    )
    grace_months = models.PositiveSmallIntegerField("ân hạn gốc (tháng)", default=0)
    overdue_multiplier = models.DecimalField(
        "lãi quá hạn (bội số lãi trong hạn)",
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.5"),
        validators=[MinValueValidator(1), MaxValueValidator(3)],
    )
    min_own_contribution_pct = models.DecimalField(
        "vốn đối ứng tối thiểu (%)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("20"),
        validators=[MinValueValidator(20), MaxValueValidator(100)],
        help_text="Nghị định 45/2021/NĐ-CP: tối thiểu 20% tổng vốn dự án.",
    )
    collateral_rules = models.TextField("quy định tài sản bảo đảm", blank=True)
    is_active = models.BooleanField("đang áp dụng", default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "sản phẩm cho vay"
        verbose_name_plural = "sản phẩm cho vay"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(grace_months__lt=models.F("max_term_months")),
                name="product_grace_shorter_than_term",
                violation_error_message="Thời gian ân hạn phải ngắn hơn thời hạn vay tối đa.",
            ),
            models.CheckConstraint(
                condition=Q(min_own_contribution_pct__gte=20),
                name="product_own_contribution_at_least_20",
                violation_error_message="Vốn đối ứng tối thiểu không được dưới 20% (Nghị định 45/2021/NĐ-CP).",
            ),
        ]

    def __str__(self):
        return self.name

    def overdue_multiplier_on(self, on: date) -> Decimal:
        """The overdue-interest multiple a loan approved on `on` carries: the product's, within the ceiling then
        in force (Thông tư 39/2016/TT-NHNN, Điều 13 khoản 4)."""
        return min(self.overdue_multiplier, thresholds_on(on).overdue_multiple_max)

    def clean(self):
        ceiling = thresholds_on(timezone.localdate()).overdue_multiple_max
        if self.overdue_multiplier is not None and self.overdue_multiplier > ceiling:
            raise ValidationError(
                {
                    "overdue_multiplier": f"Lãi quá hạn không vượt quá {plain_number(ceiling)} lần lãi suất trong hạn "
                    "(ngưỡng đang áp dụng)."
                }
            )

    def borrower_kinds_display(self) -> list[str]:
        kinds = []
        if self.for_cooperatives:
            kinds.append("Hợp tác xã")
        if self.for_unions:
            kinds.append("Liên hiệp hợp tác xã")
        if self.for_members:
            kinds.append("Thành viên HTX, tổ hợp tác")
        return kinds


class MemberBorrower(models.Model):
    """A member of an HTX or THT borrowing in their own name. The ID number is personal data: never public."""

    cooperative = models.ForeignKey(
        Cooperative, verbose_name="là thành viên của", on_delete=models.PROTECT, related_name="fund_members"
    )
    full_name = models.CharField("họ và tên", max_length=120)
    id_number = models.CharField("số CCCD", max_length=12, unique=True)
    address = models.CharField("địa chỉ", max_length=255, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "thành viên vay vốn"
        verbose_name_plural = "thành viên vay vốn"
        ordering = ["full_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(id_number__regex=r"^[0-9]{9}$|^[0-9]{12}$"),
                name="member_id_number_digits",
                violation_error_message="Số CCCD/CMND gồm 12 (hoặc 9) chữ số.",
            )
        ]

    def __str__(self):
        return f"{self.full_name} (thành viên {self.cooperative})"


class RelatedCooperative(models.Model):
    """Two borrowers the fund treats as related persons for the 25 % limit (Nghị định 45/2021, Điều 23)."""

    cooperative = models.ForeignKey(Cooperative, on_delete=models.CASCADE, related_name="+", verbose_name="HTX")
    related = models.ForeignKey(
        Cooperative, on_delete=models.CASCADE, related_name="+", verbose_name="có liên quan với"
    )
    reason = models.CharField("lý do", max_length=255)

    class Meta:
        verbose_name = "người có liên quan"
        verbose_name_plural = "người có liên quan"
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "related"], name="related_pair_unique"),
            models.CheckConstraint(
                condition=~Q(cooperative=models.F("related")),
                name="related_not_self",
                violation_error_message="Không thể liên quan với chính mình.",
            ),
        ]

    def __str__(self):
        return f"{self.cooperative} ↔ {self.related}"


class LoanQuerySet(models.QuerySet):
    def for_user(self, user):
        """Fund and alliance staff see every loan; an officer sees the loans of borrowers in their area."""
        scope = user_scope(user)
        return self if scope.everything else self.filter(cooperative__unit_id__in=scope.unit_ids)

    def with_events(self):
        return self.select_related("product", "cooperative__unit", "member").prefetch_related(
            "disbursements", "payments", "restructurings"
        )

    def booked(self):
        """Loans with money out at some time."""
        return self.filter(status__in=Loan.BOOKED)


class Loan(Searchable):
    """An application for a loan and, once approved and disbursed, the loan itself (Nghị định 45/2021, Điều 24-29)."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Đã tiếp nhận"
        APPRAISAL = "appraisal", "Đang thẩm định"
        APPROVED = "approved", "Đã phê duyệt"
        REJECTED = "rejected", "Từ chối"
        CONTRACTED = "contracted", "Đã ký hợp đồng"
        DISBURSING = "disbursing", "Đang giải ngân"
        REPAYING = "repaying", "Đang trả nợ"
        SETTLED = "settled", "Đã tất toán"
        WRITTEN_OFF = "written_off", "Đã xóa nợ"

    BOOKED = [Status.DISBURSING, Status.REPAYING, Status.SETTLED, Status.WRITTEN_OFF]
    # What the fund has lent or promised to lend: counted against the lending caps.
    COMMITTED = [Status.APPROVED, Status.CONTRACTED, Status.DISBURSING, Status.REPAYING]

    code = models.CharField("số hồ sơ", max_length=30, unique=True)
    product = models.ForeignKey(LoanProduct, verbose_name="sản phẩm", on_delete=models.PROTECT, related_name="loans")
    cooperative = models.ForeignKey(
        Cooperative,
        verbose_name="HTX, THT (bên vay hoặc nơi thành viên tham gia)",
        on_delete=models.PROTECT,
        related_name="fund_loans",
    )
    member = models.ForeignKey(
        MemberBorrower,
        verbose_name="thành viên vay (nếu bên vay là cá nhân)",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="loans",
    )
    project_name = models.CharField("tên dự án, phương án", max_length=255)
    purpose = models.TextField("mục đích sử dụng vốn")
    total_cost = money_field("tổng vốn dự án (đồng)", validators=[MinValueValidator(1)])
    own_contribution = money_field("vốn đối ứng (đồng)", validators=[MinValueValidator(0)])
    requested_amount = money_field("số tiền đề nghị vay (đồng)", validators=[MinValueValidator(1_000_000)])
    requested_term_months = models.PositiveSmallIntegerField(
        "thời hạn đề nghị (tháng)", validators=[MinValueValidator(1)]
    )
    collateral = models.TextField("tài sản bảo đảm", blank=True)
    received_on = models.DateField("ngày tiếp nhận")
    status = models.CharField("trạng thái", max_length=12, choices=Status.choices, default=Status.RECEIVED)

    approved_amount = money_field("số tiền phê duyệt (đồng)", null=True, blank=True)
    approved_term_months = models.PositiveSmallIntegerField("thời hạn phê duyệt (tháng)", null=True, blank=True)
    approved_rate = models.DecimalField(
        "lãi suất phê duyệt (%/năm)", max_digits=5, decimal_places=2, null=True, blank=True
    )
    # Copied from the product at approval, so a later product change never alters a signed loan.
    frequency = models.CharField("kỳ trả nợ", max_length=12, choices=LoanProduct.Frequency.choices, blank=True)
    amortization = models.CharField("cách trả gốc", max_length=16, choices=LoanProduct.Amortization.choices, blank=True)
    rate_method = models.CharField("cách tính lãi", max_length=12, choices=LoanProduct.RateMethod.choices, blank=True)
    day_count = models.CharField("cách tính số ngày", max_length=12, choices=LoanProduct.DayCount.choices, blank=True)
    grace_months = models.PositiveSmallIntegerField("ân hạn gốc (tháng)", default=0)
    overdue_multiplier = models.DecimalField(
        "lãi quá hạn (bội số)", max_digits=4, decimal_places=2, default=Decimal("1.5")
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người phê duyệt",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_on = models.DateField("ngày phê duyệt", null=True, blank=True)
    rejection_reason = models.TextField("lý do từ chối", blank=True)
    contract_number = models.CharField("số hợp đồng", max_length=50, blank=True)
    contract_signed_on = models.DateField("ngày ký hợp đồng", null=True, blank=True)
    closed_on = models.DateField("ngày tất toán / xóa nợ", null=True, blank=True)
    write_off_reason = models.TextField("lý do xóa nợ", blank=True)

    objects = LoanQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_text"])

    class Meta:
        verbose_name = "hồ sơ vay, khoản vay"
        verbose_name_plural = "hồ sơ vay, khoản vay"
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["status"]),
            models.Index(fields=["-received_on", "-id"], name="loan_received_on_id"),  # the default ordering
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(own_contribution__lte=models.F("total_cost")),
                name="loan_contribution_within_cost",
                violation_error_message="Vốn đối ứng không thể lớn hơn tổng vốn dự án.",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="loan_rejection_has_reason",
                violation_error_message="Từ chối phải ghi lý do.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["received", "appraisal", "rejected"])
                | (
                    Q(approved_amount__gt=0)
                    & Q(approved_term_months__gt=0)
                    & Q(approved_rate__isnull=False)
                    & Q(approved_by__isnull=False)
                ),
                name="loan_approved_has_terms",
                violation_error_message="Khoản vay đã phê duyệt phải có số tiền, thời hạn, lãi suất và người duyệt.",
            ),
            models.CheckConstraint(
                condition=~Q(status="written_off") | ~Q(write_off_reason=""),
                name="loan_write_off_has_reason",
                violation_error_message="Xóa nợ phải ghi lý do.",
            ),
        ]

    def __str__(self):
        return f"{self.code} - {self.borrower_name}"

    def get_absolute_url(self):
        return reverse("fund:loan_detail", args=[self.pk])

    def search_parts(self):
        parts = [self.code, self.project_name, self.cooperative.name, self.contract_number]
        if self.member_id:
            parts.append(self.member.full_name)
        return parts

    @property
    def borrower_name(self) -> str:
        return self.member.full_name if self.member_id else self.cooperative.name

    @property
    def amount(self) -> Decimal:
        return self.approved_amount or self.requested_amount

    @property
    def own_contribution_pct(self) -> Decimal:
        return (
            (self.own_contribution * 100 / self.total_cost).quantize(Decimal("0.01")) if self.total_cost else Decimal(0)
        )

    def terms(self) -> schedule.Terms:
        return schedule.Terms(
            annual_rate=self.approved_rate if self.approved_rate is not None else self.product.annual_rate,
            term_months=self.approved_term_months or self.requested_term_months,
            frequency=self.frequency or self.product.frequency,
            amortization=self.amortization or self.product.amortization,
            rate_method=self.rate_method or self.product.rate_method,
            grace_months=self.grace_months,
            # Once approved the loan's own copy alone counts: editing the product never changes a signed loan.
            day_count=self.day_count if self.approved_amount is not None else self.product.day_count,
        )

    def events(self) -> list[ledger.Event]:
        """The stored facts the ledger replays (uses prefetched relations when present)."""
        events = [ledger.Event(d.disbursed_on, "disbursement", d.amount, d.pk) for d in self.disbursements.all()]
        events += [ledger.Event(p.paid_on, "payment", p.amount, p.pk) for p in self.payments.all() if not p.reversed]
        events += [
            ledger.Event(
                r.restructured_on, "restructuring", ref=r.pk, term_months=r.new_term_months, restructure_kind=r.kind
            )
            for r in self.restructurings.all()
        ]
        if self.status == self.Status.WRITTEN_OFF and self.closed_on:
            events.append(ledger.Event(self.closed_on, "write_off"))
        return events

    def state(self, on: date) -> ledger.LoanState:
        """Schedule, allocations, arrears and debt group at the end of day `on`, by the thresholds then in force."""
        return ledger.replay(self.terms(), self.overdue_multiplier, self.events(), on, thresholds_on(on))

    def days_past_due(self, on: date) -> int:
        return self.state(on).days_past_due

    def debt_group(self, on: date) -> int:
        return self.state(on).debt_group

    def planned_schedule(self) -> list[schedule.Row]:
        """The schedule from the disbursements (or, before any, from the approved amount from the contract date)."""
        tranches = [(d.disbursed_on, d.amount) for d in self.disbursements.all()]
        if not tranches and self.approved_amount:
            tranches = [(self.contract_signed_on or self.approved_on or self.received_on, self.approved_amount)]
        return schedule.loan_schedule(tranches, self.terms())

    def exposure(self, on: date) -> Decimal:
        """What counts against the lending caps (Nghị định 45/2021/NĐ-CP, Điều 23) at the end of `on`: the
        outstanding principal plus the part of the approved amount not yet disbursed; nothing once settled,
        written off, rejected or not yet approved."""
        if self.status not in self.COMMITTED:
            return Decimal(0)
        if self.status in (self.Status.APPROVED, self.Status.CONTRACTED):
            return self.approved_amount
        state = self.state(on)
        return state.outstanding_principal + self.approved_amount - state.disbursed

    def disbursed_total(self) -> Decimal:
        return sum((d.amount for d in self.disbursements.all()), Decimal(0))


class LoanEvent(models.Model):
    """Every workflow transition of a loan: from, to, who, when, and a note."""

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="workflow")
    from_status = models.CharField("từ", max_length=12, choices=Loan.Status.choices, blank=True)
    to_status = models.CharField("sang", max_length=12, choices=Loan.Status.choices)
    on = models.DateField("ngày")
    at = models.DateTimeField("ghi lúc", auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="người thực hiện", on_delete=models.PROTECT)
    note = models.TextField("ghi chú", blank=True)

    class Meta:
        verbose_name = "bước xử lý"
        verbose_name_plural = "các bước xử lý"
        ordering = ["loan", "at", "id"]

    def __str__(self):
        return f"{self.loan.code}: {self.get_from_status_display()} → {self.get_to_status_display()}"


class AppraisalQuerySet(models.QuerySet):
    def for_user(self, user):
        """Fund staff see every appraisal; an agency officer only those addressed to their agency."""
        scope = user_scope(user)
        return self if scope.everything else self.filter(agency_id__in=scope.agency_ids)


class Appraisal(models.Model):
    """An agency's appraisal opinion on a loan project (Công văn 1047/UBND-KT, item 4; Nghị định 45/2021, Điều 28)."""

    class Recommendation(models.TextChoices):
        PENDING = "pending", "Chưa có ý kiến"
        APPROVE = "approve", "Đồng ý cho vay"
        CONDITIONS = "conditions", "Đồng ý có điều kiện"
        REJECT = "reject", "Không đồng ý"

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="appraisals")
    agency = models.ForeignKey(Agency, verbose_name="cơ quan thẩm định", on_delete=models.PROTECT, related_name="+")
    requested_on = models.DateField("ngày đề nghị")
    recommendation = models.CharField(
        "ý kiến", max_length=12, choices=Recommendation.choices, default=Recommendation.PENDING
    )
    opinion = models.TextField("nội dung ý kiến", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người thẩm định",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fund_appraisals",
    )
    recorded_at = models.DateTimeField("thời điểm cho ý kiến", null=True, blank=True)

    objects = AppraisalQuerySet.as_manager()

    class Meta:
        verbose_name = "ý kiến thẩm định"
        verbose_name_plural = "ý kiến thẩm định"
        ordering = ["-requested_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["loan", "agency"], name="appraisal_one_per_agency"),
            models.CheckConstraint(
                condition=Q(recommendation="pending") | Q(recorded_by__isnull=False, recorded_at__isnull=False),
                name="appraisal_opinion_has_author",
                violation_error_message="Ý kiến thẩm định phải ghi người và thời điểm.",
            ),
        ]

    def __str__(self):
        return f"{self.loan.code} - {self.agency}"

    def get_absolute_url(self):
        return reverse("fund:appraisal_detail", args=[self.pk])

    @property
    def is_pending(self) -> bool:
        return self.recommendation == self.Recommendation.PENDING


class Disbursement(models.Model):
    """One tranche paid out under a signed contract."""

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="disbursements")
    disbursed_on = models.DateField("ngày giải ngân")
    amount = money_field("số tiền (đồng)")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField("ghi chú", max_length=255, blank=True)

    history = HistoricalRecords(get_user=request_user_or_by)

    class Meta:
        verbose_name = "lần giải ngân"
        verbose_name_plural = "các lần giải ngân"
        ordering = ["disbursed_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="disbursement_positive", violation_error_message="Số tiền phải > 0."
            )
        ]

    def __str__(self):
        return f"{self.loan.code}: {self.amount:,.0f} đ ngày {self.disbursed_on:%d/%m/%Y}".replace(",", ".")


class Payment(models.Model):
    """Money received from the borrower. Never deleted: a wrong entry is reversed with a reason."""

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="payments")
    paid_on = models.DateField("ngày trả")
    amount = money_field("số tiền (đồng)")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField("ghi chú", max_length=255, blank=True)
    reversed = models.BooleanField("đã hủy", default=False)
    reversed_at = models.DateTimeField("hủy lúc", null=True, blank=True)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reversal_reason = models.TextField("lý do hủy", blank=True)

    history = HistoricalRecords(get_user=request_user_or_by)

    class Meta:
        verbose_name = "lần trả nợ"
        verbose_name_plural = "các lần trả nợ"
        ordering = ["paid_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="payment_positive", violation_error_message="Số tiền phải > 0."
            ),
            models.CheckConstraint(
                condition=Q(reversed=False) | ~Q(reversal_reason=""),
                name="payment_reversal_has_reason",
                violation_error_message="Hủy giao dịch phải ghi lý do.",
            ),
        ]

    def __str__(self):
        return f"{self.loan.code}: {self.amount:,.0f} đ ngày {self.paid_on:%d/%m/%Y}".replace(",", ".")


class Restructuring(models.Model):
    """A new schedule for the unpaid principal; each one counts towards the debt group (TT 11/2021, Điều 10)."""

    class Kind(models.TextChoices):
        ADJUSTMENT = ledger.ADJUSTMENT, "Điều chỉnh kỳ hạn trả nợ"
        EXTENSION = ledger.EXTENSION, "Gia hạn nợ"

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="restructurings")
    restructured_on = models.DateField("ngày cơ cấu")
    new_term_months = models.PositiveSmallIntegerField("thời hạn mới (tháng)", validators=[MinValueValidator(1)])
    kind = models.CharField(
        "hình thức",
        max_length=12,
        choices=Kind.choices,
        default=Kind.EXTENSION,
        help_text="Điều chỉnh kỳ hạn trả nợ nếu ngày đáo hạn cuối không lùi; gia hạn nợ nếu lùi (tính khi ghi nhận).",
    )
    reason = models.TextField("lý do")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords(get_user=request_user_or_by)

    class Meta:
        verbose_name = "cơ cấu lại thời hạn trả nợ"
        verbose_name_plural = "cơ cấu lại thời hạn trả nợ"
        ordering = ["restructured_on", "id"]
        constraints = [models.UniqueConstraint(fields=["loan", "restructured_on"], name="restructuring_one_per_day")]

    def __str__(self):
        return f"{self.loan.code}: cơ cấu ngày {self.restructured_on:%d/%m/%Y}"


def document_upload_to(instance, filename):
    return generated_name("quy-ho-tro", filename)


class LoanDocument(ExtractedText, PrivateFile):
    """A document of the application (project plan, financial statements, collateral papers).

    Borrowers' papers are private (Luật Bảo vệ dữ liệu cá nhân, Nghị định 13/2023/NĐ-CP): stored outside MEDIA_ROOT
    under a generated name, served only to fund and alliance staff by `fund:loan_document`.
    """

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField("tên tài liệu", max_length=200)
    file = private_file_field(document_upload_to)
    original_name = models.CharField("tên tệp gốc", max_length=255, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "tài liệu hồ sơ"
        verbose_name_plural = "tài liệu hồ sơ"

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("fund:loan_document", args=[self.pk])


class LoanSnapshot(models.Model):
    """A loan's figures at the end of a day, stored nightly: a cache of `Loan.state(on)`, never a second truth.

    Any change to a loan's events (or to its terms) drops its rows from the earliest date it affects
    (`fund.services.loan_snapshots_invalidate`, called from `fund.signals`); the report replays a loan whose row
    for the date is missing, so a report for any date equals the live replay.
    """

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="snapshots")
    on = models.DateField("ngày")
    status = models.CharField(max_length=12, choices=Loan.Status.choices)
    disbursed = money_field("đã giải ngân")
    outstanding_principal = money_field("dư nợ gốc")
    overdue_principal = money_field("gốc quá hạn")
    overdue_interest = money_field("lãi quá hạn chưa trả")
    penalty_due = money_field("lãi phạt")
    days_past_due = models.PositiveIntegerField("số ngày quá hạn")
    debt_group = models.PositiveSmallIntegerField("nhóm nợ")
    provision = money_field("dự phòng")
    restructure_count = models.PositiveSmallIntegerField(default=0)
    # Off-balance figures of a written-off loan: the principal written off, and what was collected after.
    written_off_principal = money_field("gốc đã xóa nợ", default=0)
    recovered = money_field("đã thu hồi sau xóa nợ", default=0)

    class Meta:
        verbose_name = "số liệu khoản vay cuối ngày"
        verbose_name_plural = "số liệu khoản vay cuối ngày"
        ordering = ["-on", "loan"]
        constraints = [models.UniqueConstraint(fields=["loan", "on"], name="snapshot_one_per_loan_per_day")]
        # One row per loan per night: the newest night first without sorting the whole table.
        indexes = [models.Index(fields=["-on", "loan"], name="snapshot_on_loan")]

    def __str__(self):
        return f"{self.loan_id} @ {self.on}"


def disbursed_in(year: int) -> Decimal:
    return Disbursement.objects.filter(disbursed_on__year=year).aggregate(s=Sum("amount"))["s"] or Decimal(0)
