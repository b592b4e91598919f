"""Cache versions are bumped when the change commits: a rolled-back change bumps nothing, and nothing built inside
the changing transaction is cached, under any version."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from portal import contentcache, versioned
from portal.models import AdministrativeUnit
from public.models import Page
from tests.public.factories import ArticleFactory

pytestmark = pytest.mark.django_db(transaction=True)


class Rollback(Exception):
    pass


def _stored_version():
    return cache.get(contentcache.VERSION_KEY)


def test_a_saved_page_bumps_the_content_version_only_when_its_transaction_commits(reader):
    before = contentcache.content_version()
    with transaction.atomic():
        page = Page.objects.create(title="Điều lệ", slug="dieu-le")
        assert _stored_version() == before  # another host must not rebuild from rows not yet committed
        built = contentcache.cached("titles", lambda: list(Page.objects.values_list("title", flat=True)))
        assert built == ["Điều lệ"]  # this transaction reads its own rows
        assert "Điều lệ" in reader.get(page.get_absolute_url()).content.decode()
    assert _stored_version() > before
    assert cache.get(f"portal:titles:v{before}") is None  # nothing built inside was kept under the old version
    assert cache.get(f"portal:titles:v{_stored_version()}") is None  # nor under the new one


def test_a_rolled_back_save_bumps_nothing_and_caches_nothing(reader):
    ArticleFactory(title="Tin đã đăng")  # the newest article, before and after, so the list's key stays the same
    before = contentcache.content_version()
    with pytest.raises(Rollback), transaction.atomic():
        Page.objects.create(title="Bản nháp bỏ đi", slug="ban-nhap")
        ArticleFactory(title="Tin bị hủy", publish_at=timezone.now() - timedelta(days=1))
        contentcache.cached("titles", lambda: list(Page.objects.values_list("title", flat=True)))
        assert "Tin bị hủy" in reader.get("/tin-tuc/").content.decode()
        raise Rollback
    assert _stored_version() == before
    assert contentcache.cached("titles", lambda: list(Page.objects.values_list("title", flat=True))) == []
    html = reader.get("/tin-tuc/").content.decode()
    assert "Tin đã đăng" in html and "Tin bị hủy" not in html


def test_a_named_version_is_bumped_on_commit_and_not_on_rollback():
    before = versioned.version("units")
    with pytest.raises(Rollback), transaction.atomic():
        AdministrativeUnit.objects.create(code="99999", name="Xã Thử", level=AdministrativeUnit.Level.COMMUNE)
        assert versioned.cached("units", "portal:test-units", lambda: "inside") == "inside"
        raise Rollback
    assert versioned.version("units") == before
    assert versioned.cached("units", "portal:test-units", lambda: "after") == "after"  # "inside" was never stored
    with transaction.atomic():
        AdministrativeUnit.objects.create(code="99998", name="Xã Thử Hai", level=AdministrativeUnit.Level.COMMUNE)
        assert versioned.version("units") == before
    assert versioned.version("units") > before
