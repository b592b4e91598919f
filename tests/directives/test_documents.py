from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from directives.models import Document, DocumentFile

from .factories import PDF_BYTES, DocumentFactory


def test_searching_without_diacritics_finds_cong_van_1047(client, directives_demo):
    response = client.get("/van-ban/", {"q": "thao go kho khan"})
    assert response.status_code == 200
    assert [d.number for d in response.context["page_obj"]] == ["1047/UBND-KT"]


def test_search_matches_the_number_too(client, directives_demo):
    response = client.get("/van-ban/", {"q": "45/2021"})
    assert [d.number for d in response.context["page_obj"]] == ["45/2021/NĐ-CP"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"doc_type": "luat"}, {"23/2012/QH13", "17/2023/QH15"}),
        ({"issuer": "Quốc hội"}, {"23/2012/QH13", "17/2023/QH15"}),
        ({"year": "2021", "field": "Quỹ hỗ trợ phát triển HTX"}, {"45/2021/NĐ-CP", "12/QĐ-UBND"}),
        ({"status": "replaced"}, {"23/2012/QH13", "193/2013/NĐ-CP"}),
    ],
)
def test_the_public_list_filters_by_type_issuer_field_year_and_status(client, directives_demo, params, expected):
    response = client.get("/van-ban/", params)
    assert {d.number for d in response.context["page_obj"]} == expected


def test_bad_filter_values_answer_with_a_vietnamese_message_not_an_error(client, directives_demo):
    response = client.get("/van-ban/", {"year": "abc", "doc_type": "<script>", "page": "x"})
    assert response.status_code == 200
    assert "Hãy chọn một lựa chọn hợp lệ" in response.content.decode() or "hợp lệ" in response.content.decode()


def test_internal_documents_are_neither_listed_nor_reachable_by_the_public(client, directives_demo):
    internal = Document.objects.get(slug="40-kh-lmhtx-2022")
    assert internal not in client.get("/van-ban/").context["page_obj"].paginator.object_list
    assert client.get(internal.get_absolute_url()).status_code == 404


def test_the_detail_page_shows_the_tasks_and_public_progress_only(client, directives_demo):
    page = client.get("/van-ban/1047-ubnd-kt/").content.decode()
    assert "Nhiệm vụ 5" in page and "Đẩy mạnh công tác tuyên truyền" in page
    assert "Hoàn thành đúng hạn" in page  # task 2's progress is public
    assert page.count('<table class="data task-table">') == 3  # tasks 1-3 public, 4-5 not


def test_a_document_file_downloads_as_an_attachment_with_nosniff_under_its_original_name(
    client, directives_demo, settings
):
    doc = DocumentFactory()
    item = DocumentFile(document=doc, file=SimpleUploadedFile("Kế hoạch 01.pdf", PDF_BYTES))
    item.save()
    assert item.original_name == "Kế hoạch 01.pdf"
    assert "Kế hoạch" not in item.file.name and item.file.name.endswith(".pdf")
    assert item.file.path.startswith(str(settings.PORTAL_PRIVATE_MEDIA_ROOT))  # never served by the web server
    response = client.get(item.get_absolute_url())
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "K%E1%BA%BF%20ho%E1%BA%A1ch%2001.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_a_file_of_an_internal_document_is_a_404_for_the_public(client, directives_demo, alliance_staff):
    doc = DocumentFactory(is_public=False)
    item = DocumentFile(document=doc, file=SimpleUploadedFile("noi-bo.pdf", PDF_BYTES))
    item.save()
    assert client.get(item.get_absolute_url()).status_code == 404
    client.force_login(alliance_staff)
    assert client.get(item.get_absolute_url()).status_code == 200


def test_a_replaced_document_links_to_its_replacement(client, directives_demo):
    page = client.get("/van-ban/23-2012-qh13/").content.decode()
    assert "Đã được thay thế bởi" in page and "/van-ban/17-2023-qh15/" in page


@pytest.mark.parametrize("size", [5, 30])
def test_the_public_list_costs_the_same_queries_at_two_sizes(client, demo, django_assert_num_queries, size):
    documents = [
        Document(
            doc_type="ke_hoach",
            number=f"{i}/KH-UBND",
            slug=f"kh-{i}",
            issuer="UBND tỉnh Bạc Liêu",
            issue_date=date(2022, 1, 1),
            summary="Kế hoạch",
        )
        for i in range(size)
    ]
    for document in documents:
        document.refresh_search_text()  # bulk_create skips save(): fold the text so the search finds them
    Document.objects.bulk_create(documents)
    client.get("/van-ban/")  # new documents refresh the cached sidebar once; measure the list, not that
    with django_assert_num_queries(2):  # count and page (site settings, sidebar, filter choices are cached)
        response = client.get("/van-ban/", {"q": "ke hoach"})
    assert "0/KH-UBND" in response.content.decode()
    with django_assert_num_queries(1):  # the same list again: its count is cached with the content version
        client.get("/van-ban/", {"q": "ke hoach", "page": 1})


def test_a_pdf_opens_in_the_browser_from_xem_and_keeps_nosniff_and_the_sandbox(client, directives_demo):
    item = DocumentFile(document=DocumentFactory(), file=SimpleUploadedFile("Kế hoạch 02.pdf", PDF_BYTES))
    item.save()
    response = client.get(item.get_view_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert b"".join(response.streaming_content) == PDF_BYTES
    # The plain link still saves it.
    assert client.get(item.get_absolute_url())["Content-Disposition"].startswith("attachment;")


def test_a_file_that_is_not_a_pdf_is_a_download_even_when_asked_to_show_it(client, directives_demo):
    from .factories import xlsx_bytes

    item = DocumentFile(document=DocumentFactory(), file=SimpleUploadedFile("bang.xlsx", xlsx_bytes()))
    item.save()
    response = client.get(f"{item.get_absolute_url()}?xem=1")
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/octet-stream"
    page = client.get(item.document.get_absolute_url()).content.decode()
    assert f'href="{item.get_absolute_url()}" download>Tải về' in page
    assert f"{item.get_absolute_url()}?xem=1" not in page


def test_the_document_page_offers_xem_beside_tai_ve_for_a_pdf(client, directives_demo):
    item = DocumentFile(document=DocumentFactory(), file=SimpleUploadedFile("Kế hoạch 03.pdf", PDF_BYTES))
    item.save()
    page = client.get(item.document.get_absolute_url()).content.decode()
    assert f'href="{item.get_absolute_url()}?xem=1" target="_blank" rel="noopener">Xem' in page
    assert f'href="{item.get_absolute_url()}" download>Tải về' in page


def test_an_internal_documents_pdf_is_a_404_for_the_public_when_shown_too(client, directives_demo):
    item = DocumentFile(document=DocumentFactory(is_public=False), file=SimpleUploadedFile("nb.pdf", PDF_BYTES))
    item.save()
    assert client.get(item.get_view_url()).status_code == 404
