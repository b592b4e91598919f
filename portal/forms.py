from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

from .text import normalise, normalise_multiline

DB_INT_MAX = 2**63 - 1

_char_to_python = forms.CharField.to_python


def _normalised_to_python(self, value):
    value = _char_to_python(self, value)
    if not isinstance(value, str) or not self.strip or isinstance(self.widget, forms.PasswordInput):
        return value
    value = normalise_multiline(value) if isinstance(self.widget, forms.Textarea) else normalise(value)
    return self.empty_value if value in self.empty_values else value


def install_text_normalisation() -> None:
    """Every CharField of every form (ours, the admin's, the import-export admin's) cleans to normalised text
    (portal.text.normalise; a Textarea, rich text included, to normalise_multiline, which keeps its line breaks).

    A hook on Django's CharField rather than a mixin on each form, so a form added tomorrow, or one built by the
    admin from a model, cannot forget it. Fields with strip=False (passwords) are left exactly as typed. The form
    shown again still holds what was typed: BoundField shows the submitted data, not the cleaned value."""
    forms.CharField.to_python = _normalised_to_python


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's field, but a key outside the database's integer range is an invalid choice rather than a server
    error: Django checks each key with an exact lookup (range-safe) and then queries `pk__in`, where SQLite raises
    OverflowError for 2**63 (found by tests/security/test_fuzz_forms.py)."""

    default_error_messages = {
        "invalid_list": "Hãy chọn từ danh sách.",
        "invalid_choice": "Lựa chọn “%(value)s” không có trong danh sách.",
        "invalid_pk_value": "“%(pk)s” không phải là lựa chọn hợp lệ.",
    }

    def _check_values(self, value):
        if self.to_field_name is None:
            for key in value:
                try:
                    number = int(str(key))
                except ValueError:
                    continue  # not a number at all: Django reports it as an invalid key
                if not -DB_INT_MAX - 1 <= number <= DB_INT_MAX:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": key}
                    )
        return super()._check_values(value)


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Tên đăng nhập hoặc mật khẩu không đúng. Lưu ý: mật khẩu phân biệt chữ hoa, chữ thường.",
        "inactive": "Tài khoản này đã bị khóa.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Tên đăng nhập"
        # Django sets max_length after building the field, so no validator enforces it: a 10,000-character name
        # reached authenticate() and axes' failure log (varchar 255), a server error on PostgreSQL.
        self.fields["username"].validators.append(MaxLengthValidator(self.fields["username"].max_length or 150))
        self.fields["password"].label = "Mật khẩu"
        self.fields["password"].widget = forms.PasswordInput(attrs={"autocomplete": "current-password"})


def _usable_keys(field, values) -> list:
    """The submitted keys a lookup on `field` can take: well-formed and, for integers, inside the database range."""
    usable = []
    for value in values:
        try:
            key = field.to_python(value)
        except (ValidationError, ValueError, TypeError):
            continue
        if isinstance(key, int) and not -DB_INT_MAX - 1 <= key <= DB_INT_MAX:
            continue
        usable.append(value)
    return usable


class _SafeOptgroups:
    """Django's autocomplete widgets look the submitted keys up with `pk__in` to show them again, and a key that is
    not a number (or is past 2**63) makes that query raise: a form shown again with bad input answered 500
    (found by tests/security/test_fuzz_forms.py). Keys that cannot be looked up are simply not shown."""

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        target = remote.model._meta.get_field(getattr(remote, "field_name", None) or remote.model._meta.pk.name)
        return super().optgroups(name, _usable_keys(target, value), attr)


def _autocomplete_widgets():
    from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple

    class SafeAutocompleteSelect(_SafeOptgroups, AutocompleteSelect):
        pass

    class SafeAutocompleteSelectMultiple(_SafeOptgroups, AutocompleteSelectMultiple):
        pass

    return SafeAutocompleteSelect, SafeAutocompleteSelectMultiple


class SafeRelationsAdminMixin:
    """For every ModelAdmin or inline with relation fields: many-to-many keys range-checked (ModelMultipleChoiceField
    above) and autocomplete widgets that are safe to show bad input again."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = _autocomplete_widgets()[0](db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", ModelMultipleChoiceField)
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = _autocomplete_widgets()[1](db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)
