"""Forms: they validate and keep what the user typed; services do the work."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone

from portal.unitmap import TODAY_MAP
from portal.uploads import UploadField

from . import official
from .indicators import Source
from .models import Report, TaskAssignment

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


@dataclass(frozen=True)
class IndicatorRow:
    """One indicator of the form as the template shows it: the field, the registry's figure and where it comes
    from, and whether the value now in the box differs from it."""

    field: forms.BoundField
    prefilled: Decimal | None
    source: Source | None
    changed: bool


def _as_number(value) -> Decimal | None:
    if isinstance(value, Decimal | int):
        return Decimal(value)
    text = str(value if value is not None else "").strip().replace(".", "").replace(" ", "")
    try:
        return Decimal(text) if text else None
    except InvalidOperation:
        return None


class ReportForm(forms.Form):
    """The officer's report: one text box per narrative section, one number per indicator, an optional file.

    `version` carries the report version the user started from (optimistic locking, see services.report_save).
    `draft` (the autosaved text, services.report_draft_save) takes the place of the saved report's text when the
    form is opened; `sources` says where each prefilled figure comes from (indicators.prefill_sources).
    """

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    attachment = UploadField(label="Đính kèm tệp", required=False, help_text="PDF, Word, Excel, ODT/ODS hoặc ảnh.")

    def __init__(
        self,
        *args,
        request_obj,
        report: Report | None,
        prefilled: dict,
        draft: dict | None = None,
        sources: dict | None = None,
        agency=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.request_obj = request_obj
        self.no_signatory = False
        if agency is not None:
            self.no_signatory = not _add_signatory_field(self, agency)
        # Read by the template instead of the bound field's truth, which would run the choices' query once more.
        self.has_signatory = "signatory" in self.fields
        self.sections = request_obj.section_list
        self.indicators = request_obj.indicators()
        self.prefilled = prefilled
        self.sources = sources or {}
        narrative = report.narrative if report else {}
        saved = {v.code: v.value for v in report.values.all()} if report else {}
        draft = draft or {}
        self.fields["version"].initial = report.version if report else 0
        self.section_fields = []
        for index, heading in enumerate(self.sections):
            name = f"section_{index}"
            self.fields[name] = forms.CharField(
                label=f"{index + 1}. {heading}", required=False, widget=forms.Textarea(attrs={"rows": 5})
            )
            self.fields[name].initial = draft.get(name, narrative.get(heading, ""))
            self.section_fields.append(name)
        self.indicator_fields = []
        for item in self.indicators:
            name = f"ind_{item.code}"
            known = prefilled.get(item.code)
            attrs = {"min": 0, "step": 1, "inputmode": "numeric"}
            if known is not None:
                attrs["data-prefilled"] = str(known)
            self.fields[name] = forms.DecimalField(
                label=f"{item.label} ({item.unit})",
                required=False,
                max_digits=18,
                decimal_places=0,
                # Django %-formats a validator's message with its params: a bare "%" would be a server error.
                validators=[MinValueValidator(Decimal(0), message="Số liệu không được âm.")]
                + ([MaxValueValidator(Decimal(100), message="Tỷ lệ không quá 100%%.")] if item.unit == "%" else []),
                widget=forms.NumberInput(attrs=attrs),
            )
            value = saved.get(item.code)
            self.fields[name].initial = draft.get(name, value if value is not None else known)
            self.indicator_fields.append(name)

    def section_items(self):
        return [self[name] for name in self.section_fields]

    def indicator_items(self):
        return [self[name] for name in self.indicator_fields]

    def indicator_rows(self) -> list[IndicatorRow]:
        rows = []
        for item, name in zip(self.indicators, self.indicator_fields, strict=True):
            field = self[name]
            known = self.prefilled.get(item.code)
            now = _as_number(field.value())
            changed = known is not None and now is not None and now != known
            rows.append(IndicatorRow(field, known, self.sources.get(item.code), changed))
        return rows

    def require_all_indicators(self) -> bool:
        """For submission: every indicator confirmed or entered. Adds field errors; the text stays in the form."""
        ok = True
        for item in self.indicators:
            if self.cleaned_data.get(f"ind_{item.code}") is None:
                self.add_error(f"ind_{item.code}", "Hãy xác nhận hoặc nhập số liệu trước khi gửi.")
                ok = False
        return ok

    def narrative(self) -> dict:
        return {heading: self.cleaned_data.get(f"section_{i}", "") for i, heading in enumerate(self.sections)}

    def values(self) -> dict:
        return {item.code: self.cleaned_data.get(f"ind_{item.code}") for item in self.indicators}


SIGNATORY_ERRORS = {"invalid_choice": "Người ký không thuộc cơ quan ban hành văn bản: hãy chọn lại."}


def _add_signatory_field(form: forms.Form, agency, *, label="Người ký văn bản") -> bool:
    """A choice of the agency's active signatories, the head first and chosen; False when it has none. The choices
    are read once (the widget otherwise reads them again for its `required` attribute and for rendering)."""
    field = forms.ModelChoiceField(
        label=label,
        queryset=official.active_signatories(agency),
        required=False,
        empty_label=None,
        error_messages=SIGNATORY_ERRORS,
    )
    choices = list(field.choices)
    if not choices:
        return False
    field.widget.choices = choices
    field.initial = choices[0][0].value
    form.fields["signatory"] = field
    return True


class ReviewForm(forms.Form):
    """Staff accept or return a report (a comment is required to return or reopen).

    Only the actions the report's state allows are offered, and none is chosen for the reviewer: accepting locks
    the unit's data, so it must be a deliberate click."""

    action = forms.ChoiceField(
        label="Thao tác",
        widget=forms.RadioSelect,
        error_messages={"required": "Hãy chọn thao tác.", "invalid_choice": "Thao tác này không hợp lệ lúc này."},
    )
    comment = forms.CharField(label="Ý kiến", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    letter = forms.BooleanField(
        label="Khi trả lại: gửi công văn trả lại báo cáo cho đơn vị, kèm ý kiến trên",
        required=False,
        help_text="Công văn vào sổ văn bản đi của Liên minh; đơn vị nhận được thông báo kèm liên kết.",
    )

    def __init__(self, *args, report: Report, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [(a.value, a.label) for a in report.reviewer_actions()]
        if Report.Action.RETURN not in report.reviewer_actions():
            del self.fields["letter"]

    def clean(self):
        data = super().clean()
        if data.get("action") in Report.COMMENT_REQUIRED and not (data.get("comment") or "").strip():
            self.add_error("comment", "Hãy ghi ý kiến để đơn vị biết cần sửa gì.")
        return data


class ProgressForm(forms.ModelForm):
    class Meta:
        model = TaskAssignment
        fields = ["progress_note", "completed_on"]
        widgets = {"completed_on": DATE_INPUT, "progress_note": forms.Textarea(attrs={"rows": 5})}
        help_texts = {"completed_on": "Để trống nếu nhiệm vụ chưa hoàn thành."}


class ExtensionForm(forms.ModelForm):
    class Meta:
        model = TaskAssignment
        fields = ["extended_deadline", "extension_reason"]
        widgets = {"extended_deadline": DATE_INPUT}

    def clean(self):
        data = super().clean()
        if not data.get("extended_deadline"):
            self.add_error("extended_deadline", "Hãy chọn ngày gia hạn.")
        if not (data.get("extension_reason") or "").strip():
            self.add_error("extension_reason", "Gia hạn phải ghi lý do.")
        return data


class ScorecardForm(forms.Form):
    """The scorecard's date (dd/mm/yyyy), and for its lists the district and the condition."""

    ngay = forms.DateField(
        label="Tính đến ngày",
        required=False,
        input_formats=["%d/%m/%Y"],
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "ngày/tháng/năm", "inputmode": "numeric"}),
        error_messages={"invalid": "Ngày chưa đúng: hãy nhập theo dạng ngày/tháng/năm, ví dụ 05/12/2026."},
    )

    ban_do = forms.ChoiceField(
        label="Chia theo",
        required=False,
        choices=[("", "Huyện (địa giới tại ngày tính)"), (TODAY_MAP, "Xã, phường hiện nay")],
    )

    def clean_ngay(self):
        value = self.cleaned_data["ngay"]
        if value and value.year < 2000:
            raise forms.ValidationError("Chỉ có số liệu từ năm 2000 trở đi.")
        if value and value > timezone.localdate():
            raise forms.ValidationError("Không xem được số liệu của một ngày chưa tới: hãy chọn hôm nay hoặc trước đó.")
        return value

    def day(self):
        return (self.cleaned_data.get("ngay") if self.is_valid() else None) or timezone.localdate()

    def today_map(self) -> bool:
        return self.is_valid() and self.cleaned_data.get("ban_do") == TODAY_MAP


class SignatureCheckForm(forms.Form):
    """The public signature check: one PDF, read and forgotten."""

    pdf = forms.FileField(label="Tệp PDF đã ký số", help_text="Tối đa 10 MB. Tệp không được lưu lại.")

    def clean_pdf(self):
        upload = self.cleaned_data["pdf"]
        if upload.size > settings.PORTAL_SIGNATURE_CHECK_MAX_BYTES:
            raise forms.ValidationError("Tệp lớn hơn 10 MB; hãy chọn tệp nhỏ hơn.")
        data = upload.read()
        if not data.lstrip()[:5] == b"%PDF-":
            raise forms.ValidationError("Tệp không phải PDF.")
        return data


class IssueForm(forms.Form):
    """What every issuing form of the alliance carries: a one-time token (a second POST of the same form finds the
    document issued by the first), the subject and the signatory."""

    token = forms.UUIDField(
        widget=forms.HiddenInput, error_messages={"invalid": "Biểu mẫu không hợp lệ: hãy tải lại trang."}
    )
    subject = forms.CharField(
        label="Trích yếu",
        max_length=500,
        error_messages={"required": "Hãy nhập trích yếu của văn bản.", "max_length": "Trích yếu dài quá 500 ký tự."},
    )

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.no_signatory = not _add_signatory_field(self, agency)
        self.no_signatory_message = official.NO_SIGNATORY_MESSAGE

    def signatory(self):
        return self.cleaned_data.get("signatory")


BODY_ERRORS = {"max_length": f"Nội dung dài quá {official.BODY_MAX_CHARS:,} ký tự.".replace(",", ".")}


class SummaryIssueForm(IssueForm):
    field_order = ["subject", "signatory", "recipients", "intro"]
    recipients = forms.CharField(
        label="Nơi nhận",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Mỗi dòng một nơi nhận.",
        error_messages={"required": "Hãy ghi ít nhất một nơi nhận."},
    )
    intro = forms.CharField(
        label="Đoạn mở đầu (không bắt buộc)",
        required=False,
        max_length=official.BODY_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages=BODY_ERRORS,
    )

    def recipient_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["recipients"].splitlines() if line.strip()]


class LetterForm(IssueForm):
    """A reminder (công văn đôn đốc) of a report request to the agencies that have not sent their report."""

    field_order = ["addressees", "subject", "body", "drafting_code", "signatory"]
    addressees = forms.ModelMultipleChoiceField(
        label="Kính gửi",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Hãy chọn ít nhất một cơ quan nhận.",
            "invalid_choice": "Có cơ quan không thuộc danh sách được yêu cầu báo cáo: hãy chọn lại.",
            "invalid_pk_value": "Có cơ quan không hợp lệ: hãy chọn lại.",
        },
    )
    body = forms.CharField(
        label="Nội dung",
        max_length=official.BODY_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Mỗi đoạn một dòng.",
        error_messages={"required": "Hãy nhập nội dung công văn.", **BODY_ERRORS},
    )
    drafting_code = forms.RegexField(
        label="Đơn vị soạn thảo (trong ký hiệu)",
        regex=r"^[A-Za-z0-9]{1,10}$",
        required=False,
        help_text="Ví dụ: VP trong 12/LMHTX-VP.",
        error_messages={"invalid": "Chỉ dùng chữ cái không dấu và chữ số, tối đa 10 ký tự."},
    )

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["addressees"].queryset = agencies
