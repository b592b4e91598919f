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


@pytest.mark.parametrize(
    "template",
    ["pdf/base.html", "pdf/official/document.html", "pdf/cooperatives/registry_report.html"],
)
def test_pdf_templates_name_their_styles_without_the_collected_manifest(template, settings, tmp_path):
    """A worker or `load_demo` may render before `collectstatic` has written the manifest: the PDF's stylesheet
    is named by its plain static path (read by the fetcher from the source folders), never by a hashed name."""
    from django.template.loader import get_template

    settings.STATIC_ROOT = tmp_path  # empty: no manifest
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    source = get_template(template).template.source
    assert "{% static" not in source
    assert "{% get_static_prefix %}css/" in source or template.endswith("registry_report.html")


def test_an_official_document_renders_before_collectstatic(demo, settings, tmp_path):
    from portal.models import Agency
    from portal.official import DocumentDraft, render_draft_pdf

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    agency = Agency.objects.get(name="Ủy ban nhân dân Huyện Hồng Dân")
    draft = DocumentDraft(agency=agency, kind="CV", subject="Thử", body_html="<p>Nội dung thư</p>")
    text = _text(render_draft_pdf(draft))
    assert "Nội dung thư" in text
