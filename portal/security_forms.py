from django import forms


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Mã xác thực (6 chữ số)",
        max_length=12,
        error_messages={"required": "Vui lòng nhập mã xác thực.", "max_length": "Mã xác thực gồm 6 chữ số."},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_token(self):
        token = "".join(self.cleaned_data["token"].split())
        if not (token.isascii() and token.isdigit() and len(token) == 6):
            raise forms.ValidationError("Mã xác thực gồm đúng 6 chữ số, ví dụ 123456.")
        return token
