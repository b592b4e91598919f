from io import StringIO

from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import models

from portal.models import SiteSettings


def _row_counts():
    from django.apps import apps

    return {m._meta.label: m.objects.count() for m in apps.get_models() if not m._meta.abstract}


def test_load_demo_twice_changes_nothing(db):
    call_command("load_demo", stdout=StringIO())
    first = _row_counts()
    call_command("load_demo", stdout=StringIO())
    assert _row_counts() == first
    assert first["portal.AdministrativeUnit"] >= 1 + 7 + 7
    assert first["portal.User"] >= 6


def test_role_groups_exist_with_permissions(db):
    names = set(Group.objects.values_list("name", flat=True))
    assert {"Cán bộ Liên minh", "Cán bộ Quỹ", "Cán bộ đơn vị", "Biên tập viên"} <= names
    staff = Group.objects.get(name="Cán bộ Liên minh")
    assert staff.permissions.filter(codename="change_cooperative").exists()
    assert not staff.permissions.filter(codename="delete_user").exists()


def test_pages_render_the_site_settings(client, demo):
    SiteSettings.objects.update(phone="0291.9999999")
    SiteSettings(
        **{
            f.name: getattr(SiteSettings.objects.get(), f.name)
            for f in SiteSettings._meta.fields
            if not isinstance(f, models.AutoField)
        }
    ).save()  # save() refreshes the cache
    html = client.get("/").content.decode()
    assert "Liên minh Hợp tác xã tỉnh Bạc Liêu" in html
    assert "Ông Nguyễn Văn Vũ - Chủ tịch Liên minh Hợp tác xã tỉnh" in html
    assert "0291.9999999" in html


def test_an_unknown_page_answers_404_in_vietnamese(client, demo, settings):
    settings.DEBUG = False
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_admin_speaks_vietnamese(client, superuser):
    client.force_login(superuser)
    html = client.get("/admin/").content.decode()
    assert "Quản trị Cổng HTX" in html
    assert "Xem trang web" in html and "Thay đổi" in html


def test_the_admin_index_tables_speak_vietnamese_to_screen_readers_too(client, superuser):
    client.force_login(superuser)
    html = client.get("/admin/").content.decode()
    assert '<th scope="col">Tên mục</th>' in html and '<th scope="col">Liên kết thêm mới</th>' in html
    for english in ("Model name", "Add link", "Change or view list link", "Models in the"):
        assert english not in html


def test_login_page_keeps_the_username_and_explains_the_error(client, demo):
    response = client.post("/dang-nhap/", {"username": "hongdan", "password": "sai-mat-khau"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in html
    assert 'value="hongdan"' in html


def test_a_district_officer_can_log_in(client, demo, settings):
    response = client.post("/dang-nhap/", {"username": "hongdan", "password": settings.DEMO_PASSWORD})
    assert response.status_code == 302


def test_a_request_for_a_host_we_do_not_serve_answers_400_in_vietnamese(client, db, settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["htx.example.vn"]
    response = client.get("/", HTTP_HOST="evil.example.com")
    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ" in response.content.decode()
