"""Documents (văn bản), directives and their tasks, and the reports agencies send back.

Sources: Nghị định 30/2020/NĐ-CP on administrative documents (số, ký hiệu, trích yếu, người ký); the task status
vocabulary of the government's directive tracking (hoàn thành đúng hạn / quá hạn, đang thực hiện trong hạn / quá
hạn); the report workflow follows DHIS2 (request -> entry -> submit -> accept or return; accepted is locked).
"""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from simple_history.models import HistoricalRecords

from portal.access import user_scope
from portal.extract import TEXT_FIELDS, ExtractedText, search_text_of
from portal.models import Agency
from portal.search import Searchable
from portal.signatures import SignatureChecked

# PrivateStorage lives in portal.storage; it stays importable from here for migrations 0004+ that name
# "directives.models.PrivateStorage".
from portal.storage import PrivateFile, PrivateStorage, generated_name, private_file_field  # noqa: F401

from .indicators import indicators_for


def document_file_path(instance, filename):
    return generated_name("van-ban", filename)


def report_file_path(instance, filename):
    return generated_name("bao-cao", filename)


# ----------------------------------------------------------------------------------------------------------------
# Documents


class DocumentQuerySet(models.QuerySet):
    def public(self):
        return self.filter(is_public=True)


class Document(Searchable):
    """A legal or administrative document: Công văn, Quyết định, Kế hoạch, ... (Nghị định 30/2020/NĐ-CP)."""

    class Type(models.TextChoices):
        OFFICIAL_LETTER = "cong_van", "Công văn"
        DECISION = "quyet_dinh", "Quyết định"
        PLAN = "ke_hoach", "Kế hoạch"
        DIRECTIVE = "chi_thi", "Chỉ thị"
        RESOLUTION = "nghi_quyet", "Nghị quyết"
        NOTICE = "thong_bao", "Thông báo"
        REPORT = "bao_cao", "Báo cáo"
        GUIDANCE = "huong_dan", "Hướng dẫn"
        LAW = "luat", "Luật"
        DECREE = "nghi_dinh", "Nghị định"
        CIRCULAR = "thong_tu", "Thông tư"
        OTHER = "khac", "Văn bản khác"

    class Status(models.TextChoices):
        IN_FORCE = "in_force", "Còn hiệu lực"
        EXPIRED = "expired", "Hết hiệu lực"
        REPLACED = "replaced", "Đã được thay thế"

    doc_type = models.CharField("loại văn bản", max_length=20, choices=Type.choices)
    number = models.CharField("số, ký hiệu", max_length=60)
    slug = models.SlugField("đường dẫn", max_length=120, unique=True)
    issuer = models.CharField("cơ quan ban hành", max_length=200)
    signer = models.CharField("người ký", max_length=200, blank=True)
    issue_date = models.DateField("ngày ban hành")
    effective_date = models.DateField("ngày hiệu lực", null=True, blank=True)
    field = models.CharField("lĩnh vực", max_length=100, blank=True)
    summary = models.TextField("trích yếu")
    full_text = models.TextField("toàn văn", blank=True)
    status = models.CharField("tình trạng hiệu lực", max_length=10, choices=Status.choices, default=Status.IN_FORCE)
    is_public = models.BooleanField("công khai", default=True)
    replaced_by = models.ForeignKey(
        "self",
        verbose_name="được thay thế bởi",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replaces_documents",
    )

    objects = DocumentQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_text"])

    class Meta:
        verbose_name = "văn bản"
        verbose_name_plural = "văn bản"
        ordering = ["-issue_date", "number"]
        # The second index serves the default ordering, so a page of the list reads 20 rows, not sorts 20,000.
        indexes = [
            models.Index(fields=["doc_type", "issue_date"]),
            models.Index(fields=["-issue_date", "number"], name="document_issue_date_number"),
        ]

    def __str__(self):
        return f"{self.get_doc_type_display()} {self.number}"

    def get_absolute_url(self):
        return f"/van-ban/{self.slug}/"

    def search_parts(self):
        own = [self.get_doc_type_display(), self.number, self.issuer, self.signer, self.summary, self.full_text]
        # The attachments' text (portal.extract), capped; a new document has no files yet.
        return [*own, search_text_of(self.files.all())] if self.pk else own

    @property
    def status_label(self) -> str:
        if self.status == self.Status.REPLACED and self.replaced_by_id:
            return f"Đã được thay thế bởi {self.replaced_by.number}"
        return self.get_status_display()


class DocumentFile(ExtractedText, SignatureChecked, PrivateFile):
    """A file attached to a document, stored under a generated name; `original_name` is what people see."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="files")
    file = private_file_field(document_file_path)
    original_name = models.CharField("tên tệp", max_length=255, blank=True)
    size = models.PositiveBigIntegerField("dung lượng (byte)", default=0, editable=False)
    uploaded_at = models.DateTimeField("tải lên lúc", auto_now_add=True)

    history = HistoricalRecords(excluded_fields=TEXT_FIELDS)

    keeps_typed_name = True  # the admin's "tên tệp" field

    class Meta:
        verbose_name = "tệp đính kèm"
        verbose_name_plural = "tệp đính kèm"
        ordering = ["pk"]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return f"/van-ban/tep/{self.pk}/"


class DocumentRelation(models.Model):
    """One document replaces, amends or implements another."""

    class Kind(models.TextChoices):
        REPLACES = "replaces", "Thay thế"
        AMENDS = "amends", "Sửa đổi, bổ sung"
        IMPLEMENTS = "implements", "Hướng dẫn, triển khai thực hiện"

    source = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="relations_out")
    kind = models.CharField("quan hệ", max_length=12, choices=Kind.choices)
    target = models.ForeignKey(
        Document, verbose_name="văn bản liên quan", on_delete=models.CASCADE, related_name="relations_in"
    )

    class Meta:
        verbose_name = "văn bản liên quan"
        verbose_name_plural = "văn bản liên quan"
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "target"],
                name="document_relation_unique",
                violation_error_message="Quan hệ này đã được khai báo.",
            ),
            models.CheckConstraint(
                condition=~Q(source=models.F("target")),
                name="document_relation_not_self",
                violation_error_message="Văn bản không thể liên quan đến chính nó.",
            ),
        ]

    def __str__(self):
        return f"{self.source.number} {self.get_kind_display().lower()} {self.target.number}"


# ----------------------------------------------------------------------------------------------------------------
# Directives: tasks and their assignments


class Task(models.Model):
    """One task of a directive (văn bản chỉ đạo): a lead agency, supporting agencies, a deadline or "thường xuyên"."""

    class Cycle(models.TextChoices):
        MONTHLY = "monthly", "Hằng tháng"
        QUARTERLY = "quarterly", "Hằng quý"
        SEMIANNUAL = "semiannual", "6 tháng"
        ANNUAL = "annual", "Hằng năm"

    document = models.ForeignKey(
        Document, verbose_name="văn bản chỉ đạo", on_delete=models.CASCADE, related_name="tasks"
    )
    order = models.PositiveSmallIntegerField("thứ tự", default=1)
    text = models.TextField("nội dung nhiệm vụ")
    lead_agency = models.ForeignKey(
        Agency, verbose_name="cơ quan chủ trì", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    deadline = models.DateField("thời hạn", null=True, blank=True, help_text="Để trống nếu là nhiệm vụ thường xuyên.")
    cycle = models.CharField("kỳ báo cáo", max_length=12, choices=Cycle.choices, blank=True)
    progress_public = models.BooleanField("công khai tiến độ", default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "nhiệm vụ"
        verbose_name_plural = "nhiệm vụ"
        ordering = ["document", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__isnull=False) | ~Q(cycle=""),
                name="task_deadline_or_cycle",
                violation_error_message="Nhiệm vụ thường xuyên (không có thời hạn) phải có kỳ báo cáo.",
            )
        ]

    def __str__(self):
        return f"{self.document.number} - nhiệm vụ {self.order}"

    @property
    def is_ongoing(self) -> bool:
        return self.deadline is None

    @property
    def deadline_label(self) -> str:
        if self.deadline:
            return self.deadline.strftime("%d/%m/%Y")
        return f"Thường xuyên ({self.get_cycle_display().lower()})"


class AssignmentQuerySet(models.QuerySet):
    def for_user(self, user):
        scope = user_scope(user)
        return self if scope.everything else self.filter(agency_id__in=scope.agency_ids)


class TaskAssignment(models.Model):
    """A task given to one agency, lead or supporting, with its progress.

    Status (as the government tracks directives): completed on time / completed late / in progress within deadline /
    in progress overdue, judged against the deadline or a granted extension. The deadline day itself is on time.
    """

    class Role(models.TextChoices):
        LEAD = "lead", "Chủ trì"
        SUPPORT = "support", "Phối hợp"

    class Status(models.TextChoices):
        DONE_ON_TIME = "done_on_time", "Hoàn thành đúng hạn"
        DONE_LATE = "done_late", "Hoàn thành quá hạn"
        IN_PROGRESS = "in_progress", "Đang thực hiện trong hạn"
        OVERDUE = "overdue", "Đang thực hiện quá hạn"

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments")
    agency = models.ForeignKey(Agency, verbose_name="cơ quan", on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField("vai trò", max_length=8, choices=Role.choices, default=Role.SUPPORT)
    completed_on = models.DateField("ngày hoàn thành", null=True, blank=True)
    progress_note = models.TextField("kết quả thực hiện", blank=True)
    extended_deadline = models.DateField("gia hạn đến", null=True, blank=True)
    extension_reason = models.CharField("lý do gia hạn", max_length=300, blank=True)
    status_changed_on = models.DateField("ngày đổi trạng thái", null=True, blank=True)
    # Set by directives.services.assignment_sync_reports, never by hand: the accepted report that completed the
    # assignment (empty for a manual completion), the progress figure of the latest accepted report that gave one,
    # and the day an assignment its report had completed was reopened (that report returned), so it is reminded anew.
    completed_by_report = models.ForeignKey(
        "Report",
        verbose_name="hoàn thành theo báo cáo",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    progress_percent = models.PositiveSmallIntegerField("tiến độ (%)", null=True, blank=True, editable=False)
    reopened_on = models.DateField("mở lại ngày", null=True, blank=True, editable=False)

    objects = AssignmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "phân công nhiệm vụ"
        verbose_name_plural = "phân công nhiệm vụ"
        ordering = ["task", "role", "agency__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "agency"],
                name="assignment_one_per_agency",
                violation_error_message="Cơ quan này đã được giao nhiệm vụ này.",
            ),
            models.CheckConstraint(
                condition=Q(extended_deadline__isnull=True) | ~Q(extension_reason=""),
                name="assignment_extension_has_reason",
                violation_error_message="Gia hạn phải ghi lý do.",
            ),
            models.CheckConstraint(
                condition=Q(progress_percent__lte=100) | Q(progress_percent__isnull=True),
                name="assignment_progress_percent_at_most_100",
            ),
        ]

    def __str__(self):
        return f"{self.task} - {self.agency}"

    def get_absolute_url(self):
        return f"/bao-cao/nhiem-vu/{self.pk}/"

    @property
    def due_date(self) -> date | None:
        return self.extended_deadline or self.task.deadline

    def status(self, on: date | None = None) -> str:
        """The status on `on` (today by default): an assignment completed after `on` was still open that day."""
        on = on or timezone.localdate()
        due = self.due_date
        if self.completed_on and self.completed_on <= on:
            return self.Status.DONE_ON_TIME if due is None or self.completed_on <= due else self.Status.DONE_LATE
        return self.Status.IN_PROGRESS if due is None or on <= due else self.Status.OVERDUE

    def status_label(self, on=None) -> str:
        return self.Status(self.status(on)).label

    @cached_property
    def current_status(self) -> str:
        return self.status()

    @property
    def current_status_label(self) -> str:
        return self.Status(self.current_status).label

    @property
    def status_badge(self) -> str:
        return STATUS_BADGES[self.current_status]


STATUS_BADGES = {
    TaskAssignment.Status.DONE_ON_TIME: "badge-ok",
    TaskAssignment.Status.DONE_LATE: "badge-warn",
    TaskAssignment.Status.IN_PROGRESS: "badge-info",
    TaskAssignment.Status.OVERDUE: "badge-bad",
}


# ----------------------------------------------------------------------------------------------------------------
# Report requests and reports


class ReportRequest(models.Model):
    """Staff ask agencies for a report: on a directive's task, or a periodic collective-economy report."""

    class Kind(models.TextChoices):
        TASK = "task", "Báo cáo thực hiện nhiệm vụ"
        SEMIANNUAL = "semiannual", "Báo cáo 6 tháng về kinh tế tập thể"
        ANNUAL = "annual", "Báo cáo năm về kinh tế tập thể"
        OTHER = "other", "Báo cáo khác"

    title = models.CharField("tên báo cáo", max_length=255)
    kind = models.CharField("loại", max_length=12, choices=Kind.choices)
    task = models.ForeignKey(
        Task, verbose_name="nhiệm vụ", null=True, blank=True, on_delete=models.PROTECT, related_name="report_requests"
    )
    period_start = models.DateField("kỳ báo cáo từ ngày")
    period_end = models.DateField("đến ngày")
    deadline = models.DateField("hạn nộp")
    agencies = models.ManyToManyField(Agency, verbose_name="cơ quan được yêu cầu", related_name="report_requests")
    sections = models.TextField(
        "các phần báo cáo", blank=True, help_text="Mỗi dòng một đề mục phần thuyết minh (ví dụ: Kết quả đạt được)."
    )
    indicator_codes = models.JSONField("chỉ tiêu", default=list, blank=True)
    progress_code = models.CharField(
        "chỉ tiêu tiến độ",
        max_length=40,
        blank=True,
        help_text=(
            "Với báo cáo gắn nhiệm vụ: mã chỉ tiêu (trong các chỉ tiêu trên) ghi tiến độ thực hiện tính bằng %. "
            "Để trống thì báo cáo được chấp nhận là nhiệm vụ hoàn thành; có chỉ tiêu này thì nhiệm vụ hoàn thành "
            "khi báo cáo được chấp nhận ghi 100%."
        ),
    )
    instructions = models.TextField("hướng dẫn", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[agencies])

    class Meta:
        verbose_name = "yêu cầu báo cáo"
        verbose_name_plural = "yêu cầu báo cáo"
        ordering = ["-deadline", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="request_period_ordered",
                violation_error_message="Ngày kết thúc kỳ báo cáo phải sau ngày bắt đầu.",
            ),
            models.CheckConstraint(
                condition=~Q(kind="task") | Q(task__isnull=False),
                name="request_task_kind_has_task",
                violation_error_message="Báo cáo thực hiện nhiệm vụ phải chọn nhiệm vụ.",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def section_list(self) -> list[str]:
        return [line.strip() for line in self.sections.splitlines() if line.strip()]

    def indicators(self):
        return indicators_for(self.indicator_codes)

    def clean(self):
        if self.progress_code and self.progress_code not in (self.indicator_codes or []):
            raise ValidationError({"progress_code": "Chỉ tiêu tiến độ phải là một trong các chỉ tiêu của báo cáo."})
        if self.progress_code and not self.task_id:
            raise ValidationError({"progress_code": "Chỉ tiêu tiến độ chỉ dùng cho báo cáo gắn với nhiệm vụ."})


class ReportQuerySet(models.QuerySet):
    def for_user(self, user):
        scope = user_scope(user)
        return self if scope.everything else self.filter(agency_id__in=scope.agency_ids)


class Report(models.Model):
    """One agency's answer to a report request.

    A small state machine (see TRANSITIONS): draft -> submitted -> accepted | returned -> submitted ...; reopen
    takes an accepted report back to returned. Only draft and returned reports can be edited; accepted is locked.
    `version` is checked on every save so two officers never silently overwrite each other.
    """

    class State(models.TextChoices):
        DRAFT = "draft", "Đang soạn"
        SUBMITTED = "submitted", "Đã gửi"
        ACCEPTED = "accepted", "Đã chấp nhận"
        RETURNED = "returned", "Bị trả lại"

    class Action(models.TextChoices):
        SUBMIT = "submit", "Gửi báo cáo"
        ACCEPT = "accept", "Chấp nhận"
        RETURN = "return", "Trả lại"
        REOPEN = "reopen", "Mở lại"

    # (state, action) -> new state; who may act is decided by services.report_transition.
    TRANSITIONS = {
        (State.DRAFT, Action.SUBMIT): State.SUBMITTED,
        (State.RETURNED, Action.SUBMIT): State.SUBMITTED,
        (State.SUBMITTED, Action.ACCEPT): State.ACCEPTED,
        (State.SUBMITTED, Action.RETURN): State.RETURNED,
        (State.ACCEPTED, Action.REOPEN): State.RETURNED,
    }
    OFFICER_ACTIONS = {Action.SUBMIT}
    REVIEWER_ACTIONS = {Action.ACCEPT, Action.RETURN, Action.REOPEN}
    COMMENT_REQUIRED = {Action.RETURN, Action.REOPEN}
    EDITABLE_STATES = {State.DRAFT, State.RETURNED}

    request = models.ForeignKey(ReportRequest, on_delete=models.PROTECT, related_name="reports")
    agency = models.ForeignKey(Agency, verbose_name="cơ quan", on_delete=models.PROTECT, related_name="reports")
    state = models.CharField("trạng thái", max_length=10, choices=State.choices, default=State.DRAFT)
    narrative = models.JSONField("thuyết minh", default=dict, blank=True)
    version = models.PositiveIntegerField("phiên bản", default=1)
    first_submitted_at = models.DateTimeField("gửi lần đầu lúc", null=True, blank=True)
    submitted_at = models.DateTimeField("gửi lúc", null=True, blank=True)
    last_comment = models.TextField("ý kiến gần nhất", blank=True)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ReportQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = "báo cáo"
        verbose_name_plural = "báo cáo"
        ordering = ["request", "agency__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "agency"],
                name="report_one_per_agency",
                violation_error_message="Cơ quan này đã có báo cáo cho yêu cầu này.",
            )
        ]

    def __str__(self):
        return f"{self.request} - {self.agency}"

    def get_absolute_url(self):
        return f"/bao-cao/so/{self.pk}/"

    @property
    def is_editable(self) -> bool:
        return self.state in self.EDITABLE_STATES

    def can(self, action) -> bool:
        return (self.state, action) in self.TRANSITIONS

    def reviewer_actions(self) -> list["Report.Action"]:
        """What a reviewer may do with the report in its current state (none while the unit holds it)."""
        return [action for action in self.Action if action in self.REVIEWER_ACTIONS and self.can(action)]

    def submitted_on_time(self) -> bool | None:
        """Timeliness is judged by the first submission against the request's deadline (the day itself counts)."""
        if self.first_submitted_at is None:
            return None
        return timezone.localdate(self.first_submitted_at) <= self.request.deadline

    def cell_state(self) -> str:
        return report_cell_state(self)

    def narrative_sections(self) -> list[tuple[str, str]]:
        """(heading, text) in the request's order. `narrative` is a JSON object, and PostgreSQL's jsonb keeps its keys
        in its own order (shortest first), so the order comes from the request; headings the request no longer lists
        follow, as stored."""
        text = dict(self.narrative or {})
        ordered = [(heading, text.pop(heading, "")) for heading in self.request.section_list]
        return ordered + list(text.items())


class CellState(models.TextChoices):
    """What the province's matrix shows for an (agency, request) pair."""

    NOT_STARTED = "not_started", "Chưa thực hiện"
    DRAFT = "draft", "Đang soạn"
    SUBMITTED_ON_TIME = "on_time", "Đã gửi đúng hạn"
    SUBMITTED_LATE = "late", "Đã gửi muộn"
    ACCEPTED = "accepted", "Đã chấp nhận"
    RETURNED = "returned", "Bị trả lại"


CELL_BADGES = {
    CellState.NOT_STARTED: "",
    CellState.DRAFT: "badge-info",
    CellState.SUBMITTED_ON_TIME: "badge-ok",
    CellState.SUBMITTED_LATE: "badge-warn",
    CellState.ACCEPTED: "badge-ok",
    CellState.RETURNED: "badge-bad",
}


def report_cell_state(report: Report | None) -> str:
    if report is None:
        return CellState.NOT_STARTED
    if report.state == Report.State.DRAFT:
        return CellState.DRAFT
    if report.state == Report.State.RETURNED:
        return CellState.RETURNED
    if report.state == Report.State.ACCEPTED:
        return CellState.ACCEPTED
    return CellState.SUBMITTED_ON_TIME if report.submitted_on_time() else CellState.SUBMITTED_LATE


class ReportValue(models.Model):
    """One indicator of a report: what the registry suggested and what the officer confirmed."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="values")
    code = models.CharField("mã chỉ tiêu", max_length=40)
    value = models.DecimalField("số liệu", max_digits=18, decimal_places=0, null=True, blank=True)
    prefilled = models.DecimalField("số liệu từ sổ đăng ký", max_digits=18, decimal_places=0, null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "chỉ tiêu báo cáo"
        verbose_name_plural = "chỉ tiêu báo cáo"
        constraints = [
            models.UniqueConstraint(fields=["report", "code"], name="report_value_one_per_code"),
            models.CheckConstraint(condition=Q(value__gte=0) | Q(value__isnull=True), name="report_value_not_negative"),
        ]

    def __str__(self):
        return f"{self.code}: {self.value}"


class ReportDraft(models.Model):
    """What an officer is typing into a report form, saved as they type (autosave), so that a reload, another
    device, an expired session or a refused save never loses it.

    A draft is not a submission: it never changes the report itself, reviewers never see it (no admin, no page of
    theirs reads it), deadlines and reminders ignore it. One per (request, agency): the unit's officers share it.
    `data` holds the form's fields as typed (strings, even an invalid number). `base_version` is the report version
    the form was opened at (0: no report yet); a draft whose base is not the report's current version is stale and
    not shown. `version` counts the draft's own saves: a writer must name the version it last saw, so that two
    tabs or two officers do not silently overwrite each other.
    """

    request = models.ForeignKey(ReportRequest, on_delete=models.CASCADE, related_name="drafts")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="report_drafts")
    data = models.JSONField("nội dung", default=dict)
    base_version = models.PositiveIntegerField("phiên bản báo cáo", default=0)
    version = models.PositiveIntegerField("phiên bản nháp", default=1)
    saved_at = models.DateTimeField("lưu lúc", default=timezone.now)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "bản nháp tự lưu"
        verbose_name_plural = "bản nháp tự lưu"
        constraints = [models.UniqueConstraint(fields=["request", "agency"], name="report_draft_one_per_agency")]

    def __str__(self):
        return f"{self.request} - {self.agency} (nháp {self.version})"


class ReportTransition(models.Model):
    """The log of a report's workflow: who moved it, when, from what to what, and why."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField("thao tác", max_length=10, choices=Report.Action.choices)
    from_state = models.CharField("từ trạng thái", max_length=10, choices=Report.State.choices)
    to_state = models.CharField("sang trạng thái", max_length=10, choices=Report.State.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="người thực hiện", on_delete=models.PROTECT)
    at = models.DateTimeField("lúc", default=timezone.now)
    comment = models.TextField("ý kiến", blank=True)

    class Meta:
        verbose_name = "lịch sử xử lý báo cáo"
        verbose_name_plural = "lịch sử xử lý báo cáo"
        ordering = ["report", "at", "pk"]

    def __str__(self):
        return f"{self.report}: {self.get_action_display()}"


class ReportFile(ExtractedText, SignatureChecked, PrivateFile):
    """A file an agency attaches to its report; private to that agency and to province staff."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="files")
    file = private_file_field(report_file_path)
    original_name = models.CharField("tên tệp", max_length=255)
    size = models.PositiveBigIntegerField("dung lượng (byte)", default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField("tải lên lúc", auto_now_add=True)

    history = HistoricalRecords(excluded_fields=TEXT_FIELDS)

    class Meta:
        verbose_name = "tệp báo cáo"
        verbose_name_plural = "tệp báo cáo"
        ordering = ["pk"]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return f"/bao-cao/tep/{self.pk}/"


class Reminder(models.Model):
    """A reminder or digest sent to an agency, at most once per stage (the unique key says which stage).

    Keys: "request:<id>:before", "request:<id>:overdue", "task:<assignment id>:before", "task:<id>:overdue",
    "digest:<ISO year>-W<week>". Shown in the agency's workspace too.
    """

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="reminders")
    key = models.CharField("giai đoạn", max_length=60)
    subject = models.CharField("tiêu đề", max_length=255)
    body = models.TextField("nội dung")
    link = models.CharField("đường dẫn", max_length=200, blank=True)
    created_at = models.DateTimeField("gửi lúc", default=timezone.now)

    class Meta:
        verbose_name = "nhắc việc"
        verbose_name_plural = "nhắc việc"
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["agency", "key"], name="reminder_once_per_stage")]

    def __str__(self):
        return self.subject


def default_due_soon_days() -> int:
    return getattr(settings, "PORTAL_REMINDER_DAYS_BEFORE", 5)


def due_soon_window(on: date) -> date:
    return on + timedelta(days=default_due_soon_days())
