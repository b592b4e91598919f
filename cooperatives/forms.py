from django import forms

from portal.unitmap import TODAY_MAP

from .importing import validate_import_file
from .resources import RESOURCES


class ImportForm(forms.Form):
    resource = forms.ChoiceField(
        label="Loại dữ liệu", choices=[(key, label) for key, (label, _cls) in RESOURCES.items()]
    )
    file = forms.FileField(
        label="Tệp dữ liệu (.xlsx hoặc .csv)",
        help_text="Dùng tệp mẫu để có đúng tên cột. Số viết 1.500.000, ngày viết dd/mm/yyyy.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        validate_import_file(upload)
        return upload


class ReportForm(forms.Form):
    year = forms.IntegerField(label="Năm số liệu", min_value=2000, max_value=2100)
    ban_do = forms.ChoiceField(
        label="Địa bàn",
        required=False,
        choices=[("", "Theo địa giới tại thời điểm báo cáo"), (TODAY_MAP, "Theo địa giới hiện nay")],
    )
