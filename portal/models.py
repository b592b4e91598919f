"""Who is who in the province (units, agencies, accounts), the site settings and the security log."""

from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.core.cache import cache
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .certificates import fingerprint, load_certificates
from .storage import PrivateStorage, generated_name
from .uploads import UploadValidator


class AdministrativeUnit(models.Model):
    """A province, district-level or commune-level unit, with its period of validity.

    Since 01/7/2025 Vietnam has two tiers (Nghị quyết 202/2025/QH15); districts were abolished, so a unit keeps
    `valid_to` and its `successors` instead of being deleted: old tasks and reports still point at it.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", "Tỉnh"
        DISTRICT = "district", "Cấp huyện"
        COMMUNE = "commune", "Cấp xã"

    code = models.CharField("mã", max_length=20, unique=True)
    name = models.CharField("tên", max_length=120)
    level = models.CharField("cấp", max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name="đơn vị cấp trên", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    valid_from = models.DateField("hiệu lực từ", null=True, blank=True)
    valid_to = models.DateField("hiệu lực đến", null=True, blank=True)
    successors = models.ManyToManyField(
        "self", verbose_name="đơn vị kế thừa", symmetrical=False, blank=True, related_name="predecessors"
    )

    class Meta:
        verbose_name = "đơn vị hành chính"
        verbose_name_plural = "đơn vị hành chính"
        ordering = ["level", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="unit_valid_period_ordered",
                violation_error_message="Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.",
            )
        ]

    def __str__(self):
        return self.name

    def is_valid_on(self, day) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    def descendant_ids(self) -> set[int]:
        """This unit and every unit below it (three levels at most, so a few queries)."""
        ids = {self.pk}
        frontier = {self.pk}
        while frontier:
            frontier = set(AdministrativeUnit.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            frontier -= ids
            ids |= frontier
        return ids


class AgencyQuerySet(models.QuerySet):
    def committee_of(self, unit: AdministrativeUnit) -> "Agency | None":
        """The People's Committee of the area `unit` lies in: the nearest on the way up (a commune's own committee,
        else its district's); when none of those is active (the district tier ended on 30/6/2025), the committee
        of the commune the unit lies in today (its UnitMapping). The provincial committee is not an area's
        committee: None when none is found."""
        start, chain = unit, []
        while unit is not None and unit.level != AdministrativeUnit.Level.PROVINCE:
            chain.append(unit.pk)
            unit = unit.parent
        kinds = [Agency.Kind.DISTRICT_PC, Agency.Kind.COMMUNE_PC]
        found = {a.unit_id: a for a in self.filter(is_active=True, kind__in=kinds, unit_id__in=chain).order_by("pk")}
        committee = next((found[pk] for pk in chain if pk in found), None)
        if committee is None and start is not None:
            mapping = getattr(start, "mapping", None)
            if mapping is not None and mapping.new_unit_id != start.pk:
                return self.committee_of(mapping.new_unit)
        return committee


class UnitChange(models.Model):
    """A merge, a split or a change of boundaries between administrative units, recorded as one event with its legal
    source and the day it takes effect (portal.unitchanges): the units before it end the day before, each names the
    units after it as its successors, and the units after it begin that day. Kept as history: never edited."""

    class Kind(models.TextChoices):
        MERGE = "merge", "Sáp nhập"
        SPLIT = "split", "Chia tách"
        ADJUST = "adjust", "Điều chỉnh địa giới"

    kind = models.CharField("loại", max_length=10, choices=Kind.choices)
    effective_on = models.DateField("có hiệu lực từ")
    legal_source = models.CharField(
        "căn cứ", max_length=300, help_text="Ví dụ: Nghị quyết số 1655/NQ-UBTVQH15 ngày 16/6/2025."
    )
    before = models.ManyToManyField(AdministrativeUnit, verbose_name="đơn vị trước", related_name="changes_ending")
    after = models.ManyToManyField(AdministrativeUnit, verbose_name="đơn vị sau", related_name="changes_starting")
    recorded_by = models.ForeignKey(
        "User", verbose_name="người ghi", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("ghi lúc", default=timezone.now)

    class Meta:
        verbose_name = "thay đổi đơn vị hành chính"
        verbose_name_plural = "thay đổi đơn vị hành chính"
        ordering = ["-effective_on", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} từ {self.effective_on:%d/%m/%Y} ({self.legal_source})"


class UnitMapping(models.Model):
    """Which of today's communes a commune retired by the reorganisation lies in now (portal.unitmap): proposed from
    the conversion table of the `vietnamadminunits` package, corrected by staff from a spreadsheet or in the admin.
    Records keep their old unit (a cooperative registered in 2022 keeps its 2022 address); pages that ask for
    today's map ("theo địa giới hiện nay") and today's commune officers read through this table."""

    class Source(models.TextChoices):
        PROPOSED = "proposed", "Đề xuất theo bảng chuyển đổi"
        IMPORTED = "imported", "Nhập từ bảng tính"
        MANUAL = "manual", "Nhập tay"

    old_unit = models.OneToOneField(
        AdministrativeUnit, verbose_name="đơn vị cũ", on_delete=models.CASCADE, related_name="mapping"
    )
    new_unit = models.ForeignKey(
        AdministrativeUnit, verbose_name="đơn vị hiện nay", on_delete=models.PROTECT, related_name="mapped_from"
    )
    source = models.CharField("nguồn", max_length=10, choices=Source.choices, default=Source.MANUAL)
    note = models.CharField("ghi chú", max_length=300, blank=True)
    updated_by = models.ForeignKey(
        "User", verbose_name="người cập nhật", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "chuyển đổi địa bàn"
        verbose_name_plural = "bảng chuyển đổi địa bàn (cũ → hiện nay)"
        ordering = ["old_unit__parent__code", "old_unit__code"]

    def __str__(self):
        return f"{self.old_unit} → {self.new_unit}"


class Agency(models.Model):
    """A body that receives tasks and reports: the alliance, the fund, a department, a district or commune committee."""

    class Kind(models.TextChoices):
        ALLIANCE = "alliance", "Liên minh Hợp tác xã"
        FUND = "fund", "Quỹ hỗ trợ phát triển HTX"
        PROVINCIAL_PC = "provincial_pc", "UBND tỉnh"
        DEPARTMENT = "department", "Sở, ngành cấp tỉnh"
        DISTRICT_PC = "district_pc", "UBND cấp huyện"
        COMMUNE_PC = "commune_pc", "UBND cấp xã"
        OTHER = "other", "Cơ quan khác"

    name = models.CharField("tên cơ quan", max_length=200, unique=True)
    short_name = models.CharField("tên viết tắt", max_length=50, blank=True)
    kind = models.CharField("loại", max_length=20, choices=Kind.choices)
    unit = models.ForeignKey(
        AdministrativeUnit, verbose_name="địa bàn", on_delete=models.PROTECT, related_name="agencies"
    )
    email = models.EmailField("thư điện tử", blank=True)
    is_active = models.BooleanField("đang hoạt động", default=True)
    # How the body appears on the documents it issues (Nghị định 30/2020/NĐ-CP, Phụ lục I; portal.official).
    governing_body = models.CharField(
        "cơ quan chủ quản",
        max_length=200,
        blank=True,
        help_text="Dòng trên tên cơ quan ở góc trái văn bản, ví dụ: UBND TỈNH BẠC LIÊU. Để trống nếu không có.",
    )
    letterhead_name = models.CharField(
        "tên cơ quan ghi trên văn bản",
        max_length=200,
        blank=True,
        help_text="Tên in dưới cơ quan chủ quản, ví dụ: SỞ NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN (dòng trên đã có "
        "UBND TỈNH BẠC LIÊU). Để trống thì dùng tên cơ quan.",
    )
    doc_code = models.CharField(
        "chữ viết tắt tên cơ quan",
        max_length=20,
        blank=True,
        help_text="Dùng trong ký hiệu văn bản, ví dụ: UBND trong 15/BC-UBND, LMHTX trong 12/LMHTX-VP.",
    )
    place_name = models.CharField(
        "địa danh ghi trên văn bản", max_length=60, blank=True, help_text="Ví dụ: Hồng Dân, Bạc Liêu."
    )
    collective_name = models.CharField(
        "tên tập thể lãnh đạo (ký thay mặt)",
        max_length=120,
        blank=True,
        help_text="Với cơ quan làm việc theo chế độ tập thể, người ký ghi TM. và tên này, ví dụ: ỦY BAN NHÂN DÂN.",
    )
    head_title = models.CharField("chức vụ người đứng đầu", max_length=120, default="Chủ tịch")
    # Set by portal.agencychanges when the agency is merged into another or renamed, never by hand.
    valid_to = models.DateField("hoạt động đến ngày", null=True, blank=True, editable=False)
    successor = models.ForeignKey(
        "self",
        verbose_name="cơ quan kế thừa",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = "cơ quan, đơn vị"
        verbose_name_plural = "cơ quan, đơn vị"
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name

    @property
    def is_provincial(self) -> bool:
        return self.unit.level == AdministrativeUnit.Level.PROVINCE

    @property
    def is_area_committee(self) -> bool:
        return self.kind in (self.Kind.DISTRICT_PC, self.Kind.COMMUNE_PC)


class AgencyChange(models.Model):
    """Agencies merged into one (a department merged with another, committees of merged communes) or one agency
    renamed, recorded once with its legal source and date (portal.agencychanges). The agencies before it retire the
    day before, naming the agency after it as their successor; their officers' accounts and their open work move to
    it, each move kept as an AgencyMove. Closed work keeps its original agency. Kept as history: never edited."""

    class Kind(models.TextChoices):
        MERGE = "merge", "Hợp nhất, sáp nhập"
        RENAME = "rename", "Đổi tên, tổ chức lại"

    kind = models.CharField("loại", max_length=10, choices=Kind.choices)
    effective_on = models.DateField("có hiệu lực từ")
    legal_source = models.CharField(
        "căn cứ", max_length=300, help_text="Ví dụ: Quyết định số 1234/QĐ-UBND ngày 30/6/2025 của UBND tỉnh."
    )
    before = models.ManyToManyField(Agency, verbose_name="cơ quan trước", related_name="changes_ending")
    after = models.ForeignKey(
        Agency, verbose_name="cơ quan kế thừa", on_delete=models.PROTECT, related_name="changes_starting"
    )
    recorded_by = models.ForeignKey(
        "User", verbose_name="người ghi", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("ghi lúc", default=timezone.now)

    class Meta:
        verbose_name = "thay đổi cơ quan"
        verbose_name_plural = "thay đổi cơ quan"
        ordering = ["-effective_on", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} vào {self.after} từ {self.effective_on:%d/%m/%Y}"


class AgencyMove(models.Model):
    """One account or one piece of open work moved from a retired agency to its successor by an AgencyChange."""

    change = models.ForeignKey(AgencyChange, verbose_name="thay đổi", on_delete=models.PROTECT, related_name="moves")
    what = models.CharField("loại việc", max_length=60)
    label = models.CharField("việc", max_length=300)
    object_id = models.CharField("mã bản ghi", max_length=40)
    from_agency = models.ForeignKey(Agency, verbose_name="từ cơ quan", on_delete=models.PROTECT, related_name="+")
    to_agency = models.ForeignKey(Agency, verbose_name="sang cơ quan", on_delete=models.PROTECT, related_name="+")
    note = models.CharField("ghi chú", max_length=300, blank=True)

    class Meta:
        verbose_name = "việc chuyển sang cơ quan kế thừa"
        verbose_name_plural = "việc chuyển sang cơ quan kế thừa"
        ordering = ["change", "what", "pk"]

    def __str__(self):
        return f"{self.what}: {self.label}"


class User(AbstractUser):
    """A portal account. Officers belong to exactly one agency; what they may see follows from it (portal.access)."""

    agency = models.ForeignKey(
        Agency, verbose_name="cơ quan", null=True, blank=True, on_delete=models.PROTECT, related_name="officers"
    )
    phone = models.CharField("điện thoại", max_length=30, blank=True)
    # Set when too many failed password logins for this account arrived from any addresses (portal.account_lock);
    # cleared only by an administrator.
    login_locked_at = models.DateTimeField("khóa đăng nhập từ", null=True, blank=True)
    login_lock_notified = models.BooleanField("đã báo quản trị viên về lần khóa", default=False)

    class Meta:
        verbose_name = "tài khoản"
        verbose_name_plural = "tài khoản"

    def __str__(self):
        return self.get_full_name() or self.username

    def get_full_name(self):
        # Vietnamese order: family and middle names (last_name) before the given name (first_name).
        return f"{self.last_name} {self.first_name}".strip()


def logo_path(instance, filename):
    return generated_name("site", filename)


class SiteSettings(models.Model):
    """The one row of organisation details shown in the header and footer."""

    SINGLETON_ID = 1
    CACHE_KEY = "portal:site-settings"

    org_name = models.CharField("tên cơ quan", max_length=200)
    short_name = models.CharField("tên viết tắt", max_length=80)
    portal_title = models.CharField("tên cổng thông tin", max_length=200, blank=True)
    responsible_person = models.CharField("chịu trách nhiệm chính", max_length=200, blank=True)
    address = models.CharField("địa chỉ", max_length=300, blank=True)
    phone = models.CharField("điện thoại", max_length=50, blank=True)
    fax = models.CharField("fax", max_length=50, blank=True)
    email = models.EmailField("thư điện tử", blank=True)
    logo = models.ImageField("biểu trưng", upload_to=logo_path, blank=True, validators=[UploadValidator("images")])

    class Meta:
        verbose_name = "thông tin cổng"
        verbose_name_plural = "thông tin cổng"

    def __str__(self):
        return self.org_name

    def save(self, *args, **kwargs):
        self.pk = self.SINGLETON_ID
        super().save(*args, **kwargs)
        cache.delete(self.CACHE_KEY)

    @classmethod
    def current(cls) -> "SiteSettings":
        """The settings row, cached; an unsaved default when none exists yet (a fresh database)."""
        found = cache.get(cls.CACHE_KEY)
        if found is None:
            found = cls.objects.filter(pk=cls.SINGLETON_ID).first() or cls(
                org_name="Liên minh Hợp tác xã tỉnh", short_name="Liên minh HTX"
            )
            cache.set(cls.CACHE_KEY, found, 300)
        return found


# --- security log -------------------------------------------------------------------------------------
class SecurityEvent(models.Model):
    """One login, logout, failed login, lock-out, refused access or second-factor event.

    Kept for inspection by the administrators (Nghị định 53/2022/NĐ-CP, Điều 26: logs of access to the system);
    written only by portal.security, read-only in the admin.
    """

    class Kind(models.TextChoices):
        LOGIN = "login", "Đăng nhập"
        LOGOUT = "logout", "Đăng xuất"
        LOGIN_FAILED = "login_failed", "Đăng nhập thất bại"
        LOCKED_OUT = "locked_out", "Bị tạm khóa đăng nhập"
        PERMISSION_DENIED = "permission_denied", "Bị từ chối truy cập"
        OTP_FAILED = "otp_failed", "Sai mã xác thực hai bước"
        OTP_VERIFIED = "otp_verified", "Xác thực hai bước thành công"
        OTP_ENROLLED = "otp_enrolled", "Đăng ký xác thực hai bước"
        SESSION_EXPIRED = "session_expired", "Hết thời hạn phiên"
        ACCOUNT_LOCKED = "account_locked", "Khóa tài khoản vì quá nhiều lần đăng nhập sai"
        ACCOUNT_UNLOCKED = "account_unlocked", "Mở khóa đăng nhập"

    created_at = models.DateTimeField("thời điểm", auto_now_add=True, db_index=True)
    kind = models.CharField("sự kiện", max_length=20, choices=Kind.choices, db_index=True)
    user = models.ForeignKey(
        User, verbose_name="tài khoản", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField("tên đăng nhập", max_length=150, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField("địa chỉ IP", null=True, blank=True)
    path = models.CharField("đường dẫn", max_length=300, blank=True)
    user_agent = models.CharField("trình duyệt", max_length=300, blank=True)
    detail = models.CharField("chi tiết", max_length=300, blank=True)

    class Meta:
        verbose_name = "nhật ký bảo mật"
        verbose_name_plural = "nhật ký bảo mật"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} - {self.username}"


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user) if user.is_authenticated else self.none()

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One message in a user's inbox (/thong-bao/): every reminder the apps send to a person lands here too, so a
    user reads deadline reminders, digests and congress reminders in one place, e-mail or not."""

    user = models.ForeignKey(User, verbose_name="người nhận", on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField("tiêu đề", max_length=255)
    body = models.TextField("nội dung", blank=True)
    link = models.CharField("đường dẫn", max_length=300, blank=True)
    created_at = models.DateTimeField("thời điểm", default=timezone.now, db_index=True)
    read_at = models.DateTimeField("đã đọc lúc", null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = "thông báo"
        verbose_name_plural = "thông báo"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]

    def __str__(self):
        return self.title


def __getattr__(name: str):
    """`Article` lived here before the public site became its own app; tools outside the project (the side-by-side
    benchmark's script) still import it from here. Looked up through the app registry, so the kernel imports
    nothing above it."""
    if name == "Article":
        from django.apps import apps

        return apps.get_model("public", "Article")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class Signatory(models.Model):
    """A person who signs the documents an agency issues: its head, or a deputy who signs "KT." for the head."""

    agency = models.ForeignKey(Agency, verbose_name="cơ quan", on_delete=models.CASCADE, related_name="signatories")
    full_name = models.CharField("họ và tên", max_length=120)
    title = models.CharField("chức vụ", max_length=120, help_text="Ví dụ: Chủ tịch, Phó Chủ tịch.")
    is_head = models.BooleanField(
        "là người đứng đầu",
        default=False,
        help_text="Cấp phó ký thay (KT.) người đứng đầu; người đứng đầu ký trực tiếp.",
    )
    is_active = models.BooleanField("đang đảm nhiệm", default=True)

    class Meta:
        verbose_name = "người ký văn bản"
        verbose_name_plural = "người ký văn bản"
        ordering = ["agency", "-is_head", "full_name"]

    def __str__(self):
        return f"{self.title} {self.full_name}"


class RegisterCounter(models.Model):
    """The last number given in one agency's register of outgoing documents (sổ đăng ký văn bản đi) for one year.

    portal.official.document_issue takes the next number while holding this row, so two issues at once cannot get
    the same number, and a number once given is never given again (IssuedDocument rows are never deleted)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("năm")
    last_number = models.PositiveIntegerField("số cuối đã cấp", default=0)

    class Meta:
        verbose_name = "bộ đếm số văn bản đi"
        verbose_name_plural = "bộ đếm số văn bản đi"
        constraints = [models.UniqueConstraint(fields=["agency", "year"], name="register_counter_one_per_year")]

    def __str__(self):
        return f"{self.agency} {self.year}: {self.last_number}"


def issued_path(instance, filename):
    return generated_name("issued", filename)


class IssuedDocument(models.Model):
    """An outgoing document (văn bản đi) in the form of Nghị định 30/2020/NĐ-CP, as it was issued: every element
    printed on it is kept here as printed, so the register and the PDF stay what they were when the agency's name,
    its signatories or the source object change later. Rows are never deleted: the number stays taken."""

    class Kind(models.TextChoices):
        # value: the abbreviation of the type in the symbol (Phụ lục III); a letter (công văn) has none.
        REPORT = "BC", "Báo cáo"
        LETTER = "CV", "Công văn"
        NOTICE = "TB", "Thông báo"
        PLAN = "KH", "Kế hoạch"

    agency = models.ForeignKey(
        Agency, verbose_name="cơ quan ban hành", on_delete=models.PROTECT, related_name="issued_documents"
    )
    kind = models.CharField("loại văn bản", max_length=5, choices=Kind.choices)
    year = models.PositiveSmallIntegerField("năm")
    number = models.PositiveIntegerField("số")
    symbol = models.CharField("ký hiệu", max_length=40, help_text="Phần sau dấu /, ví dụ: BC-UBND.")
    issued_on = models.DateField("ngày ban hành")
    place = models.CharField("địa danh", max_length=60)
    governing_body = models.CharField("cơ quan chủ quản", max_length=200, blank=True)
    issuer_name = models.CharField("tên cơ quan ban hành", max_length=200)
    subject = models.CharField("trích yếu", max_length=500)
    addressees = models.JSONField("kính gửi", default=list, blank=True)
    body_html = models.TextField("nội dung")
    signature = models.JSONField("thể thức ký", default=dict, blank=True)
    recipients = models.JSONField("nơi nhận", default=list, blank=True)
    # Written by the worker once the number is taken (portal.official.issued_render): empty means "being made".
    pdf = models.FileField("bản PDF", upload_to=issued_path, storage=PrivateStorage, blank=True)
    # Why the last attempt to write `pdf` failed, for the register's admin (which offers to try again).
    render_error = models.TextField("lỗi tạo bản PDF", blank=True, editable=False)
    signed_pdf = models.FileField("bản đã ký số", upload_to=issued_path, storage=PrivateStorage, blank=True)
    signed_at = models.DateTimeField("ký số lúc", null=True, blank=True)
    signed_by = models.ForeignKey(
        "User", verbose_name="người ký số", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_by = models.ForeignKey("User", verbose_name="người phát hành", on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField("phát hành lúc", default=timezone.now)
    source_type = models.ForeignKey(
        "contenttypes.ContentType", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    replaces = models.ForeignKey(
        "self",
        verbose_name="thay thế văn bản",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )
    # The agencies a letter is addressed to (Kính gửi): their officers find it among their incoming letters.
    addressed_to = models.ManyToManyField(
        Agency, verbose_name="cơ quan nhận", blank=True, related_name="letters_received"
    )
    # The issuing form's one-time token: a second POST of the same form (a double click) finds this row again
    # instead of taking another number.
    issue_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = "văn bản đi"
        verbose_name_plural = "sổ đăng ký văn bản đi"
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "year", "number"], name="issued_number_once_per_agency_year")
        ]
        indexes = [models.Index(fields=["source_type", "source_id"], name="issued_source_idx")]
        permissions = [("sign_issueddocument", "Có thể ký số văn bản đi")]

    def __str__(self):
        return f"{self.reference} – {self.subject}"

    @property
    def reference(self) -> str:
        """'05/BC-UBND': the decree writes numbers below 10 with a leading zero."""
        return f"{self.number:02d}/{self.symbol}"

    @property
    def is_rendered(self) -> bool:
        return bool(self.pdf)

    @property
    def current_file(self):
        """The file people get: the signed one once it is signed."""
        return self.signed_pdf if self.signed_pdf else self.pdf


class SigningCertificate(models.Model):
    """An agency's certificate for digital signatures (chứng thư số) with its private key, as a PKCS#12 file.

    At rest the file is kept as uploaded (encrypted by its passphrase) and wrapped once more with Fernet under the
    keystore key (portal.keystore): a copy of the database alone opens nothing. The passphrase is never stored; the
    officer types it each time they sign. The other columns are read from the certificate on upload, for the list."""

    agency = models.ForeignKey(
        Agency, verbose_name="cơ quan", on_delete=models.PROTECT, related_name="signing_certificates"
    )
    label = models.CharField("tên gọi", max_length=120)
    pkcs12_encrypted = models.BinaryField("tệp PKCS#12 (đã mã hóa)", editable=False)
    subject_cn = models.CharField("chủ thể (CN)", max_length=200, editable=False)
    subject_o = models.CharField("tổ chức (O)", max_length=200, blank=True, editable=False)
    serial = models.CharField("số hiệu", max_length=80, editable=False)
    issuer = models.CharField("cơ quan cấp", max_length=300, editable=False)
    not_before = models.DateTimeField("hiệu lực từ", editable=False)
    not_after = models.DateTimeField("hiệu lực đến", editable=False)
    fingerprint = models.CharField("dấu vân tay SHA-256", max_length=64, unique=True, editable=False)
    is_active = models.BooleanField("đang dùng để ký", default=True)
    uploaded_by = models.ForeignKey(
        "User", verbose_name="người tải lên", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField("tải lên lúc", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "chứng thư số ký văn bản"
        verbose_name_plural = "chứng thư số ký văn bản"
        ordering = ["agency", "-is_active", "-not_after"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency"], condition=Q(is_active=True), name="signing_certificate_one_active_per_agency"
            )
        ]

    def __str__(self):
        return f"{self.label} ({self.subject_cn})"

    def is_valid_at(self, moment) -> bool:
        return self.not_before <= moment <= self.not_after


class TrustedRoot(models.Model):
    """A root certificate whose chains the portal trusts when it verifies a signed PDF (portal.verify): the demo's own
    CA, or a root of the national public CA system (Bộ Thông tin và Truyền thông, Trung tâm Chứng thực điện tử quốc
    gia) that staff upload. Files in PORTAL_TRUST_ROOTS_DIR are trusted as well."""

    class Source(models.TextChoices):
        UPLOAD = "upload", "Tải lên"
        DEMO = "demo", "CA thử nghiệm của bản demo"

    name = models.CharField("tên", max_length=200)
    certificate_pem = models.TextField("chứng thư (PEM)")
    fingerprint = models.CharField("dấu vân tay SHA-256", max_length=64, unique=True, editable=False)
    is_active = models.BooleanField("đang tin cậy", default=True)
    source = models.CharField("nguồn", max_length=20, choices=Source.choices, default=Source.UPLOAD)
    added_at = models.DateTimeField("thêm lúc", auto_now_add=True)

    class Meta:
        verbose_name = "chứng thư gốc tin cậy"
        verbose_name_plural = "chứng thư gốc tin cậy"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # The fingerprint is derived from the certificate so the unique key cannot disagree with it.
        self.fingerprint = fingerprint(load_certificates(self.certificate_pem.encode("ascii"))[0])
        super().save(*args, **kwargs)
