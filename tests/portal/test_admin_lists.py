"""Changelists of the big tables (portal.admin_lists): a year filter instead of date_hierarchy, no long text."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.directives.factories import DocumentFactory
from tests.public.factories import ArticleFactory


@pytest.fixture
def staff(client, alliance_staff):
    client.force_login(alliance_staff)
    return client


def test_the_document_changelist_filters_by_year_of_issue(db, staff):
    DocumentFactory(number="1/2019", issue_date=date(2019, 5, 1))
    DocumentFactory(number="2/2022", issue_date=date(2022, 5, 1))
    html = staff.get("/admin/directives/document/", {"issue_date_nam": "2019"}).content.decode()
    assert "1/2019" in html and "2/2022" not in html
    assert 'href="?issue_date_nam=2022"' in html  # every year from the first to the last is offered


@pytest.mark.parametrize("value", ["abc", "99999", "-1"])
def test_a_bad_year_in_the_changelist_filter_is_ignored_not_a_500(db, staff, value):
    DocumentFactory(number="1/2019", issue_date=date(2019, 5, 1))
    response = staff.get("/admin/directives/document/", {"issue_date_nam": value})
    assert response.status_code == 200 and "1/2019" in response.content.decode()


def test_the_article_changelist_does_not_read_bodies_but_the_change_form_does(db, staff):
    article = ArticleFactory(body="<p>Nội dung rất dài</p>")
    with CaptureQueriesContext(connection) as listing:
        assert staff.get("/admin/public/article/").status_code == 200
    sql = " ".join(q["sql"] for q in listing.captured_queries)
    assert '"portal_article"."title"' in sql and '"portal_article"."body"' not in sql
    assert "Nội dung rất dài" in staff.get(f"/admin/public/article/{article.pk}/change/").content.decode()


def test_the_row_checkboxes_are_the_ones_django_renders_and_select_rows_for_an_action(db, staff):
    from django.contrib import admin

    from directives.models import Document

    document = DocumentFactory(number="7/<b>2020</b>", issue_date=date(2020, 5, 1))
    html = staff.get("/admin/directives/document/").content.decode()
    stock = admin.ModelAdmin.action_checkbox(admin.site._registry[Document], document)
    assert str(stock) in html  # same name, value, class and escaped label as Django's widget
    response = staff.post(
        "/admin/directives/document/", {"action": "delete_selected", "_selected_action": [document.pk]}
    )
    assert response.status_code == 200 and "7/&lt;b&gt;2020&lt;/b&gt;" in response.content.decode()
