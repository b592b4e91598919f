"""The one text normaliser (portal.text) and the form hook that sends every CharField through it."""

import unicodedata

from django.contrib import admin
from django.test import RequestFactory
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cooperatives.models import Cooperative
from portal.text import control_characters, normalise, normalise_multiline
from public.forms import ContactForm
from tests.properties import examples

# Text rich in what goes wrong: controls, every kind of space, decomposed Vietnamese, zero-width and bidi marks.
NOISY = st.lists(
    st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(["\x00", "\x1b", "\x7f", "\x85", "\x9f", "\t", "\r", "\n", "\x0b", "\xa0", "\u3000"]),
        st.sampled_from(["\u200b", "\ufeff", "\u202e", "\u2066", "\u200d", "e\u0301", "o\u031b\u0323", "Đ", " "]),
    ),
    max_size=60,
).map("".join)


def _invisible(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\u200c\u200d"


@settings(max_examples=examples(300))
@given(NOISY)
@example("e\x00\u0301")  # removing the NUL lets e and its accent compose: NFC must come after the removal
@example(" 5201000101\u00a0")
def test_normalised_text_is_stable_nfc_one_line_and_has_no_controls(text):
    clean = normalise(text)
    assert normalise(clean) == clean
    assert unicodedata.is_normalized("NFC", clean)
    assert not any(_invisible(ch) for ch in clean)
    assert clean == clean.strip() and "  " not in clean
    assert not any(ch.isspace() and ch != " " for ch in clean)


@settings(max_examples=examples(300))
@given(NOISY)
@example("Dòng 1\r\n\tDòng 2\x00\r")
def test_multiline_text_keeps_its_line_breaks_and_tabs_and_nothing_else_invisible(text):
    clean = normalise_multiline(text)
    assert normalise_multiline(clean) == clean
    assert unicodedata.is_normalized("NFC", clean)
    assert clean == clean.strip()
    assert "\r" not in clean
    assert not any(_invisible(ch) and ch not in "\n\t" for ch in clean)
    assert normalise(clean) == normalise(clean.replace("\n", " "))  # only the line breaks set it apart


def test_multiline_text_keeps_its_paragraphs():
    assert normalise_multiline("\x08\r0") == "0"
    assert normalise_multiline(" Một\r\n\r\n\tHai\x00\rBa ") == "Một\n\n\tHai\nBa"


def test_a_registration_code_with_stray_spaces_is_the_same_code():
    assert normalise(" 5201000101 ") == normalise("5201000101\u00a0") == "5201000101"
    assert normalise("Hợp tác xã  Ninh\u200b Quới") == "Hợp tác xã Ninh Quới"
    assert normalise(unicodedata.normalize("NFD", "Hợp tác xã")) == "Hợp tác xã"
    assert control_characters("a\x00b\tc\x1b") == ["\x00", "\x1b"]


def test_every_form_cleans_its_text_fields_and_keeps_line_breaks_in_long_text():
    form = ContactForm(
        {
            "name": "  Nguyễn\u00a0 Văn\x00 A ",
            "email": " hoi@example.vn ",
            "subject": unicodedata.normalize("NFD", "Hỏi về quỹ"),
            "body": " Dòng một\r\n\r\n  Dòng hai\x1b ",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["name"] == "Nguyễn Văn A"
    assert form.cleaned_data["email"] == "hoi@example.vn"
    assert form.cleaned_data["subject"] == "Hỏi về quỹ"
    assert form.cleaned_data["body"] == "Dòng một\n\n  Dòng hai"


def test_the_admin_form_of_a_cooperative_stores_its_code_normalised(alliance_staff):
    request = RequestFactory().get("/admin/")
    request.user = alliance_staff
    form_class = admin.site._registry[Cooperative].get_form(request)
    form = form_class({"registration_code": " 5201000101\u00a0", "name": "Hợp tác xã\tMới\x00"})
    form.is_valid()
    assert form.cleaned_data["registration_code"] == "5201000101"
    assert form.cleaned_data["name"] == "Hợp tác xã Mới"


def test_a_password_is_kept_exactly_as_typed(db):
    from django.contrib.auth.forms import AuthenticationForm

    form = AuthenticationForm(data={"username": " demo ", "password": "  mật  khẩu\u00a0"})
    form.is_valid()
    assert form.cleaned_data["password"] == "  mật  khẩu\u00a0"
