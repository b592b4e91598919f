"""The public site's forms: Liên hệ, the site search, and the admin's article attachments."""

from django import forms

from portal.uploads import content_type_for

from .models import Attachment
from .site_search import KINDS


class ContactForm(forms.Form):
    """The Liên hệ form. `website` is a honeypot: hidden from people, filled in by bots."""

    name = forms.CharField(label="Họ và tên", max_length=120, error_messages={"required": "Vui lòng nhập họ và tên."})
    email = forms.EmailField(
        label="Thư điện tử",
        error_messages={"required": "Vui lòng nhập thư điện tử.", "invalid": "Địa chỉ thư điện tử không hợp lệ."},
    )
    phone = forms.CharField(label="Điện thoại", max_length=30, required=False)
    subject = forms.CharField(label="Tiêu đề", max_length=200, error_messages={"required": "Vui lòng nhập tiêu đề."})
    body = forms.CharField(
        label="Nội dung",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        error_messages={"required": "Vui lòng nhập nội dung.", "max_length": "Nội dung dài quá 5.000 ký tự."},
    )
    website = forms.CharField(
        label="Để trống ô này", required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"})
    )

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if phone and not all(ch.isdigit() or ch in " .+-()" for ch in phone):
            raise forms.ValidationError("Số điện thoại chỉ gồm chữ số và các dấu . + - ( ).")
        return phone

    def is_spam(self) -> bool:
        return bool(self.data.get("website"))


class SearchForm(forms.Form):
    q = forms.CharField(label="Từ khóa", max_length=200, required=False)
    kind = forms.ChoiceField(label="Loại", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Tất cả")] + list(KINDS.items())
        self.fields["kind"].error_messages["invalid_choice"] = "Loại kết quả không hợp lệ."
        self.fields["q"].widget.attrs.update({"type": "search"})
        self.fields["q"].widget.input_type = "search"


class AttachmentAdminForm(forms.ModelForm):
    """Records an attachment's type and size (its content is checked by the model field's UploadValidator)."""

    class Meta:
        model = Attachment
        fields = ["article", "name", "file", "order"]

    def save(self, commit=True):
        # The model field's UploadValidator has checked the content matches the extension.
        obj = super().save(commit=False)
        upload = self.cleaned_data.get("file")
        if upload and hasattr(upload, "content_type"):
            obj.content_type = content_type_for(upload.name)
            obj.size = upload.size
        if commit:
            obj.save()
        return obj
