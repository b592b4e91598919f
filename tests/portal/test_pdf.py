import io

import pytest
from pypdf import PdfReader

from portal.pdf import ForbiddenResource, render_pdf_bytes, safe_url_fetcher


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_a_pdf_keeps_every_vietnamese_diacritic(db, tmp_path, settings):
    engine = dict(settings.TEMPLATES[0])
    engine["DIRS"] = [*engine["DIRS"], tmp_path]
    settings.TEMPLATES = [engine]  # assignment (not mutation) makes Django rebuild its template engines
    (tmp_path / "sample.html").write_text(
        '{% extends "pdf/base.html" %}{% block content %}<h1>Hợp tác xã Nông nghiệp Ninh Quới</h1>'
        "<p>Đại hội thành viên thường niên; Huyện Đông Hải; Thị xã Giá Rai.</p>{% endblock %}",
        encoding="utf-8",
    )
    text = _text(render_pdf_bytes("sample.html", {"org": None}))
    assert "Hợp tác xã Nông nghiệp Ninh Quới" in text
    assert "Đại hội thành viên thường niên; Huyện Đông Hải; Thị xã Giá Rai." in text


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:8000/admin/",
        "http://169.254.169.254/latest/meta-data/",
        "https://pdf.invalid/../../etc/passwd",
        "https://example.com/static/css/pdf.css",
        "/static/../../config/settings.py",
    ],
)
def test_the_pdf_fetcher_refuses_local_files_and_other_hosts(url):
    with pytest.raises(ForbiddenResource):
        safe_url_fetcher(url)


def test_the_pdf_fetcher_serves_our_own_static_files():
    result = safe_url_fetcher("https://pdf.invalid/static/css/pdf.css")
    assert b"DejaVu Sans" in result.read()
