"""Each role's start page (/lam-viec/) and the one staff navigation (portal.navigation), walked for every demo role."""

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from cooperatives.models import ImportJob
from portal import navigation, roles, staffcache
from portal.access import user_scope
from portal.models import User

DEMO_LOGINS = ["quantri", "lienminh", "quy", "bientap", "hongdan", "donghai", "sonn"]

START = {
    "quantri": "/lam-viec/viec-cho-xu-ly/",
    "lienminh": "/lam-viec/viec-cho-xu-ly/",
    "quy": "/quy-ho-tro/quan-ly/",
    "bientap": "/lam-viec/bien-tap/",
    "hongdan": "/bao-cao/",
    "donghai": "/bao-cao/",
    "sonn": "/bao-cao/",
}


@pytest.fixture
def whole_demo(whole_demo_for_module, demo):
    """Every app's demo (the registry, the fund, directives, the news), as `manage.py load_demo` makes it: loaded
    once for the module, each test's changes rolled back (tests/conftest.py)."""
    return demo


def _figure(html: str, key: str) -> int:
    """The number on the staff start page's card `key`."""
    found = re.search(r'id="cho-' + key + r'">\s*<a [^>]*><span class="stat-number">([\d.]+)</span>', html)
    assert found, key
    return int(found.group(1).replace(".", ""))


def _login(client, username):
    client.force_login(User.objects.get(username=username))
    return client


# --- start pages --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", DEMO_LOGINS)
def test_each_demo_account_starts_on_the_page_of_its_role(client, whole_demo, username):
    _login(client, username)
    response = client.get("/lam-viec/")
    assert response.status_code == 302
    assert response["Location"] == START[username]
    assert client.get(response["Location"]).status_code == 200


def test_a_user_with_no_role_starts_on_the_public_home_page(client, demo):
    User.objects.create_user("khach", password="x-Khach-2026")
    client.login(username="khach", password="x-Khach-2026")
    response = client.get("/lam-viec/")
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_an_anonymous_visitor_is_asked_to_sign_in_first(client, db):
    response = client.get("/lam-viec/")
    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap/?next=/lam-viec/")


def _sign_in(client, username, next_url=None):
    from django.conf import settings

    url = "/dang-nhap/" + (f"?next={next_url}" if next_url is not None else "")
    return client.post(url, {"username": username, "password": settings.DEMO_PASSWORD})


def test_signing_in_leads_to_the_start_page(client, demo):
    assert _sign_in(client, "quy")["Location"] == "/lam-viec/"


def test_a_safe_next_wins_over_the_start_page(client, demo):
    assert _sign_in(client, "quy", "/van-ban/")["Location"] == "/van-ban/"


def test_a_next_to_another_site_is_ignored(client, demo):
    assert _sign_in(client, "quy", "https://evil.example/")["Location"] == "/lam-viec/"


@pytest.mark.parametrize(("username", "queries"), [("lienminh", 30), ("bientap", 20), ("quy", 20), ("hongdan", 30)])
def test_each_start_page_costs_a_fixed_number_of_queries(
    client, whole_demo, username, queries, django_assert_max_num_queries
):
    _login(client, username)
    url = START[username]
    client.get(url)  # warm the per-process caches (units, thresholds)
    with django_assert_max_num_queries(queries):
        assert client.get(url).status_code == 200


# --- the alliance staff's figures equal the lists behind them --------------------------------------------------


def _listed(client, url) -> int:
    """How many rows the list at `url` holds, read from the page's own count."""
    response = client.get(url)
    assert response.status_code == 200, url
    ctx = response.context
    if "cl" in ctx:  # an admin changelist
        return ctx["cl"].result_count
    if "waiting" in ctx:  # the workspace's reports waiting for review
        return ctx["waiting"].paginator.count
    return ctx["page_obj"].paginator.count


def _one_weak_cooperative_without_plan():
    """The demo plans for every weak cooperative: take the plan of one away."""
    from cooperatives.models import Grade, ImprovementPlan

    plan = ImprovementPlan.objects.filter(evaluation__grade=Grade.WEAK).order_by("-evaluation__year", "pk").first()
    ImprovementPlan.objects.filter(evaluation=plan.evaluation).delete()
    return plan.evaluation.cooperative


def test_every_figure_on_the_staff_start_page_equals_the_rows_of_its_list(client, whole_demo):
    _one_weak_cooperative_without_plan()
    ImportJob.objects.create(resource="cooperative", original_name="loi.xlsx", status=ImportJob.Status.FAILED)
    _login(client, "lienminh")
    items = client.get("/lam-viec/viec-cho-xu-ly/").context["items"]
    assert [item["key"] for item in items] == ["reports", "dai-hoi-qua-han", "yeu-chua-co-ke-hoach", "loans", "imports"]
    for item in items:
        assert item["count"] == _listed(client, item["url"]), item["label"]
    assert all(item["count"] > 0 for item in items), items  # the demo has something in every list


def test_a_weak_cooperative_leaves_the_list_once_it_has_a_plan(client, whole_demo):
    from cooperatives.models import Evaluation, ImprovementPlan

    _login(client, "lienminh")
    url = reverse("cooperatives:registry_list") + "?can_xu_ly=yeu-chua-co-ke-hoach"
    assert _listed(client, url) == 0
    weak = _one_weak_cooperative_without_plan()
    assert [c.pk for c in client.get(url).context["page_obj"]] == [weak.pk]
    latest = Evaluation.objects.filter(cooperative=weak).order_by("-year").first()
    ImprovementPlan.objects.create(evaluation=latest, title="Củng cố bộ máy quản lý")
    assert _listed(client, url) == 0


def test_only_reviewers_have_the_staff_start_page(client, whole_demo):
    for username in ("quy", "bientap", "hongdan"):
        _login(client, username)
        assert client.get("/lam-viec/viec-cho-xu-ly/").status_code == 404, username


def test_the_editor_start_page_is_refused_to_those_who_cannot_edit_articles(client, whole_demo):
    for username in ("quy", "hongdan"):
        _login(client, username)
        assert client.get("/lam-viec/bien-tap/").status_code == 403, username


# --- the staff navigation ----------------------------------------------------------------------------------------


def _may_use(user) -> set[str]:
    """The tools a user may use, read from their permissions and scope (not from portal.navigation's list)."""
    scope = user_scope(user)
    groups = set(user.groups.values_list("name", flat=True))
    officer = not scope.everything and roles.AGENCY_OFFICER in groups and user.agency_id is not None
    reviewer = scope.everything and user.has_perm("directives.change_reportrequest")
    tools = {reverse("notifications:inbox")}
    if user.is_staff:
        tools.add(reverse("admin:index"))
    if scope.everything or scope.unit_ids:
        tools |= {reverse(n) for n in ("cooperatives:dashboard", "cooperatives:registry_list", "directives:scorecard")}
    if scope.everything or officer:
        tools.add(reverse("fund:appraisal_list"))
    if officer or reviewer:
        tools.add(reverse("directives:workspace"))
    if reviewer:
        tools.add(reverse("directives:staff_home"))
    if scope.everything and user.has_perm("directives.view_reportrequest"):
        tools.add(reverse("directives:province_matrix"))
    if user.is_staff and user.has_perm("cooperatives.add_cooperative"):
        tools.add(reverse("cooperatives:import_start"))
    if user.is_staff and user.has_perm("directives.view_document"):
        tools.add(reverse("admin:directives_document_changelist"))
    if user.has_perm("fund.view_loan"):
        tools |= {reverse("fund:loan_list"), reverse("fund:report")}
    if user.has_perm("fund.add_loan"):
        tools.add(reverse("fund:import"))
    if user.has_perm("public.change_article"):
        tools.add(reverse("public:editor_home"))
    if user.is_staff and user.has_perm("public.view_article"):
        tools.add(reverse("admin:public_article_changelist"))
    return tools


def _menu(client) -> list[tuple[str, str]]:
    """The staff menu as the header shows it: [(label, href)]."""
    html = client.get("/").content.decode()
    nav = re.search(r'<ul id="menu-cong-cu" class="staff-nav-list">(.*?)</ul>', html, re.S)
    assert nav, "no staff menu on the page"
    return [(label, href) for href, label in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav.group(1))]


@pytest.mark.parametrize("username", DEMO_LOGINS)
def test_every_role_s_menu_lists_exactly_the_tools_it_may_use_and_each_opens(client, whole_demo, username):
    user = User.objects.get(username=username)
    _login(client, username)
    menu = _menu(client)
    paths = {href.split("?")[0].split("#")[0] for _label, href in menu}
    assert paths == _may_use(user)
    for label, href in menu:
        assert client.get(href).status_code == 200, (username, label, href)


def test_the_admin_index_lists_the_same_tools_as_the_header(client, whole_demo):
    _login(client, "lienminh")
    html = client.get(reverse("admin:index")).content.decode()
    block = re.search(r'id="cong-cu-lam-viec">(.*?)</div>', html, re.S).group(1)
    assert re.findall(r'<a href="([^"]+)">', block) == [href for _label, href in _menu(client)]


def test_the_fund_officer_is_not_shown_reports_to_review_and_the_editor_no_registry_dashboard(client, whole_demo):
    _login(client, "quy")
    labels = [label for label, _href in _menu(client)]
    assert "Báo cáo chờ duyệt" not in labels and "Báo cáo của đơn vị" not in labels
    assert "Báo cáo chờ duyệt" not in client.get("/bao-cao/").content.decode()
    _login(client, "bientap")
    labels = [label for label, _href in _menu(client)]
    assert "Bảng theo dõi HTX" not in labels and "Báo cáo của đơn vị" not in labels


@pytest.mark.parametrize(("username", "waiting"), [("sonn", 3), ("hongdan", 0)])
def test_officers_find_the_appraisals_that_wait_for_their_opinion(client, whole_demo, username, waiting):
    """In the demo the department of agriculture owes 3 opinions; Hồng Dân has given all of its own."""
    from fund.models import Appraisal

    user = User.objects.get(username=username)
    pending = Appraisal.objects.filter(agency=user.agency, recommendation=Appraisal.Recommendation.PENDING)
    assert pending.count() == waiting
    _login(client, username)
    html = client.get("/bao-cao/").content.decode()
    link = re.search(r'<a href="/quy-ho-tro/tham-dinh/" id="tham-dinh">(.*?)</a>', html).group(1)
    expected = f"Thẩm định hồ sơ vay: <strong>{waiting} hồ sơ chờ ý kiến</strong>" if waiting else "Thẩm định hồ sơ vay"
    assert link == expected
    assert ("Thẩm định hồ sơ vay", "/quy-ho-tro/tham-dinh/") in _menu(client)
    listed = client.get("/quy-ho-tro/tham-dinh/").context["page_obj"].object_list
    assert sum(a.is_pending for a in listed) == waiting


def test_every_registered_tool_answers_for_someone(client, whole_demo):
    """No tool in the registry is left unreachable for every demo role (a tool nobody gets is a dead entry)."""
    reached = set()
    for username in DEMO_LOGINS:
        _login(client, username)
        reached |= {label for label, _href in _menu(client)}
    assert {tool.label for tool in navigation.tools()} <= reached


def test_a_user_with_no_role_is_offered_their_inbox_alone(client, demo):
    User.objects.create_user("khach2", password="x-Khach-2026")
    client.login(username="khach2", password="x-Khach-2026")
    assert _menu(client) == [("Thông báo", "/thong-bao/")]


def test_the_directory_offers_the_registry_dashboard_only_to_those_it_opens_for(client, whole_demo):
    dashboard = 'href="/hop-tac-xa/quan-ly/"'
    _login(client, "bientap")
    assert dashboard not in client.get("/hop-tac-xa/").content.decode()
    assert client.get("/hop-tac-xa/quan-ly/").status_code == 404
    _login(client, "hongdan")
    assert dashboard in client.get("/hop-tac-xa/").content.decode()


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm the per-process caches
    staffcache.bump()  # measure the page built, not the copy kept for this user (portal.staffcache)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_start_pages_cost_the_same_queries_with_more_rows(client, whole_demo, django_assert_max_num_queries):
    from public.models import Article, Category

    _login(client, "lienminh")
    staff_before = _queries(client, "/lam-viec/viec-cho-xu-ly/")
    desk_before = _queries(client, "/lam-viec/bien-tap/")
    ImportJob.objects.bulk_create(
        ImportJob(resource="cooperative", original_name=f"loi-{i}.xlsx", status=ImportJob.Status.FAILED)
        for i in range(5)
    )
    _one_weak_cooperative_without_plan()
    category = Category.objects.first()
    for i in range(12):
        Article.objects.create(category=category, title=f"Bản nháp số {i}", slug=f"ban-nhap-{i}")
    assert _queries(client, "/lam-viec/viec-cho-xu-ly/") == staff_before
    assert _queries(client, "/lam-viec/bien-tap/") == desk_before
    client.get("/lam-viec/viec-cho-xu-ly/")
    with django_assert_max_num_queries(3):  # kept (portal.staffcache): the session, the user, their groups
        assert client.get("/lam-viec/viec-cho-xu-ly/").status_code == 200


def test_the_staff_start_page_is_built_again_when_a_figure_behind_it_changes(client, whole_demo):
    _login(client, "lienminh")
    before = client.get("/lam-viec/viec-cho-xu-ly/").content.decode()
    ImportJob.objects.create(resource="cooperative", original_name="loi.xlsx", status=ImportJob.Status.FAILED)
    after = client.get("/lam-viec/viec-cho-xu-ly/").content.decode()
    assert after != before
    assert _figure(after, "imports") == _figure(before, "imports") + 1


def test_the_menu_follows_a_change_of_role_at_once(client, whole_demo):
    """Menus are cached per user: a new group must show in the very next page."""
    user = User.objects.get(username="bientap")
    _login(client, "bientap")
    assert "Sổ cho vay" not in [label for label, _href in _menu(client)]
    user.groups.add(Group.objects.get(name=roles.FUND_OFFICER))
    user = User.objects.get(pk=user.pk)  # a fresh request's user, without the permissions it cached
    assert "Sổ cho vay" in [label for label, _href in _menu(client)]
    user.groups.clear()
    assert [label for label, _href in _menu(client)] == ["Thông báo", "Quản trị"]


def test_the_workspace_is_named_for_what_each_finds_there(client, whole_demo):
    _login(client, "lienminh")
    assert "<h1>Báo cáo chờ duyệt</h1>" in client.get("/bao-cao/").content.decode()
    _login(client, "hongdan")
    assert "<h1>Báo cáo của đơn vị</h1>" in client.get("/bao-cao/").content.decode()


def test_article_still_imports_from_the_kernel_for_tools_outside_the_project():
    from portal.models import Article
    from public.models import Article as PublicArticle

    assert Article is PublicArticle
    with pytest.raises(ImportError):
        from portal.models import Nothing  # noqa: F401


def test_the_demo_gives_the_editors_desk_a_draft_and_a_scheduled_article(client, whole_demo):
    _login(client, "bientap")
    page = client.get("/lam-viec/bien-tap/").content.decode()
    assert "Dự thảo: kết quả củng cố các hợp tác xã xếp loại yếu" in page
    assert "Lịch tập huấn kế toán cho cán bộ hợp tác xã" in page
    assert "Không có bản nháp nào" not in page
    public = client.get("/tin-tuc/").content.decode()
    assert "Lịch tập huấn kế toán" not in public and "Dự thảo" not in public
