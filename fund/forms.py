"""Forms of the fund's pages: they only validate; the services apply the rules."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError

from portal.forms import ModelMultipleChoiceField
from portal.models import Agency
from portal.unitmap import TODAY_MAP
from portal.uploads import UploadField

from .models import Appraisal

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


class MoneyField(forms.DecimalField):
    """Whole đồng; accepts '1.500.000', '1 500 000' or '1500000 ₫'."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        super().__init__(max_digits=18, decimal_places=0, **kwargs)
        self.widget = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})
        self.error_messages["invalid"] = "Nhập số tiền bằng chữ số, ví dụ 150.000.000."

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace(".", "").replace(" ", "").replace("₫", "").replace("đ", "").strip()
            if "," in value:
                raise ValidationError("Số tiền tính bằng đồng, không có phần lẻ.")
        try:
            return super().to_python(value)
        except InvalidOperation as exc:  # pragma: no cover - DecimalField already maps this
            raise ValidationError(self.error_messages["invalid"]) from exc


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def date_field(label="Ngày", **kwargs):
    return forms.DateField(
        label=label,
        input_formats=DATE_FORMATS,
        widget=DateInput(),
        error_messages={"invalid": "Nhập ngày theo dạng dd/mm/yyyy."},
        **kwargs,
    )


class AppraisalRequestForm(forms.Form):
    agencies = ModelMultipleChoiceField(
        label="Cơ quan thẩm định",
        queryset=Agency.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Chọn ít nhất một cơ quan thẩm định."},
        help_text="Đã chọn sẵn UBND nơi bên vay hoạt động và các sở, ngành theo lĩnh vực; có thể thêm cơ quan khác.",
    )
    on = date_field("Ngày gửi")


class AppraisalOpinionForm(forms.Form):
    recommendation = forms.ChoiceField(
        label="Ý kiến",
        choices=[c for c in Appraisal.Recommendation.choices if c[0] != Appraisal.Recommendation.PENDING],
        widget=forms.RadioSelect,
        error_messages={"required": "Chọn ý kiến thẩm định."},
    )
    opinion = forms.CharField(
        label="Nội dung ý kiến",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        error_messages={"required": "Nhập nội dung ý kiến thẩm định."},
    )


class ApproveForm(forms.Form):
    amount = MoneyField(label="Số tiền phê duyệt (đồng)")
    term_months = forms.IntegerField(label="Thời hạn (tháng)", min_value=1, max_value=120)
    rate = forms.DecimalField(
        label="Lãi suất (%/năm)", min_value=0, max_value=50, max_digits=5, decimal_places=2, localize=True
    )
    on = date_field("Ngày phê duyệt")


class RejectForm(forms.Form):
    reason = forms.CharField(label="Lý do từ chối", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    on = date_field("Ngày")


class ContractForm(forms.Form):
    number = forms.CharField(label="Số hợp đồng", max_length=50)
    on = date_field("Ngày ký")


class DisburseForm(forms.Form):
    amount = MoneyField(label="Số tiền giải ngân (đồng)")
    on = date_field("Ngày giải ngân")
    note = forms.CharField(label="Ghi chú", max_length=255, required=False)


class PaymentForm(forms.Form):
    amount = MoneyField(label="Số tiền trả (đồng)")
    on = date_field("Ngày trả")
    note = forms.CharField(label="Ghi chú", max_length=255, required=False)


class ReverseForm(forms.Form):
    payment = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label="Lý do hủy", max_length=1000)


class RestructureForm(forms.Form):
    term_months = forms.IntegerField(label="Thời hạn mới (tháng)", min_value=1, max_value=120)
    on = date_field("Ngày cơ cấu")
    reason = forms.CharField(label="Lý do", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class WriteOffForm(forms.Form):
    on = date_field("Ngày xóa nợ")
    reason = forms.CharField(label="Lý do xóa nợ", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ReportForm(forms.Form):
    ngay = date_field("Số liệu đến ngày", required=False)
    tu_ngay = date_field("Giải ngân từ ngày", required=False)
    ban_do = forms.ChoiceField(
        label="Bảng theo địa bàn",
        required=False,
        choices=[("", "Theo huyện (địa giới đến 30/6/2025)"), (TODAY_MAP, "Theo xã, phường hiện nay")],
    )

    def clean(self):
        data = super().clean()
        if data.get("ngay") and data.get("tu_ngay") and data["tu_ngay"] > data["ngay"]:
            raise ValidationError("“Từ ngày” phải trước “đến ngày”.")
        return data


class ImportForm(forms.Form):
    file = UploadField(label="Tệp Excel (.xlsx) sổ cho vay", accepts="xlsx")


def parse_money(value) -> Decimal:
    """For imports: a number cell or a text like '150.000.000'."""
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
    else:
        text = str(value or "").replace(".", "").replace(" ", "").replace("₫", "").strip()
        number = Decimal(text)
    if number != number.to_integral_value():
        raise InvalidOperation
    return number
