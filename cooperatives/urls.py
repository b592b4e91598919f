from django.urls import path

from . import views

app_name = "cooperatives"

urlpatterns = [
    path("hop-tac-xa/", views.directory, name="directory"),
    path("hop-tac-xa/thong-ke/", views.statistics, name="statistics"),
    path("hop-tac-xa/thong-bao/", views.notices, name="notices"),
    path("hop-tac-xa/thong-bao/da-doc/", views.notices_mark_read, name="notices_mark_read"),
    path("hop-tac-xa/quan-ly/", views.dashboard, name="dashboard"),
    path("hop-tac-xa/quan-ly/danh-sach/", views.registry_list, name="registry_list"),
    path("hop-tac-xa/quan-ly/bao-cao.pdf", views.report_pdf, name="report_pdf"),
    path("hop-tac-xa/quan-ly/nhap-du-lieu/", views.import_start, name="import_start"),
    path("hop-tac-xa/quan-ly/nhap-du-lieu/<int:pk>/", views.import_job, name="import_job"),
    path("hop-tac-xa/quan-ly/nhap-du-lieu/<int:pk>/tep/", views.import_file, name="import_file"),
    path("hop-tac-xa/quan-ly/tai-lieu-dai-hoi/<int:pk>/", views.congress_document, name="congress_document"),
    path("hop-tac-xa/quan-ly/nhap-du-lieu/<int:pk>/xac-nhan/", views.import_confirm, name="import_confirm"),
    path("hop-tac-xa/quan-ly/mau/<str:resource>.<str:fmt>", views.import_template, name="import_template"),
    path("hop-tac-xa/quan-ly/xuat/<str:resource>.<str:fmt>", views.export, name="export"),
    path("hop-tac-xa/quan-ly/htx-diem/", views.pilot_cooperatives, name="pilot_cooperatives"),
    path("hop-tac-xa/quan-ly/htx-diem/dau-tu/", views.pilot_investments, name="pilot_investments"),
    path("hop-tac-xa/quan-ly/<slug:slug>/", views.internal_profile, name="internal_profile"),
    path("hop-tac-xa/<slug:slug>/", views.profile, name="profile"),
    path("hop-tac-xa/<slug:slug>/ho-so.pdf", views.profile_pdf, name="profile_pdf"),
]
