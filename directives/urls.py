from django.urls import path

from . import staff_views, views

app_name = "directives"

urlpatterns = [
    path("van-ban/", views.document_list, name="document_list"),
    path("van-ban/tep/<int:pk>/", views.document_file, name="document_file"),
    path("van-ban/tep/<int:pk>/ocr/", views.document_file_ocr, name="document_file_ocr"),
    path("van-ban/<slug:slug>/", views.document_detail, name="document_detail"),
    path("kiem-tra-chu-ky/", views.signature_check, name="signature_check"),
    path("bao-cao/", views.workspace, name="workspace"),
    path("lam-viec/viec-cho-xu-ly/", staff_views.staff_home, name="staff_home"),
    path("bao-cao/dia-ban/", views.scorecard_page, name="scorecard"),
    path("bao-cao/dia-ban/chi-so.xlsx", views.scorecard_xlsx, name="scorecard_xlsx"),
    path("bao-cao/dia-ban/chi-so.pdf", views.scorecard_pdf, name="scorecard_pdf"),
    path("bao-cao/dia-ban/bao-cao-nop/", views.scorecard_reports, name="scorecard_reports"),
    path("bao-cao/dia-ban/nhiem-vu/", views.scorecard_tasks, name="scorecard_tasks"),
    path("bao-cao/yeu-cau/<int:request_pk>/", views.report_edit, name="report_edit"),
    path("bao-cao/yeu-cau/<int:request_pk>/nhap/", views.report_autosave, name="report_autosave"),
    path("bao-cao/so/<int:pk>/", views.report_detail, name="report_detail"),
    path("bao-cao/so/<int:pk>/duyet/", views.report_review, name="report_review"),
    path("bao-cao/so/<int:pk>/pdf/", views.report_pdf, name="report_pdf"),
    path("bao-cao/tep/<int:pk>/", views.report_file, name="report_file"),
    path("bao-cao/tep/<int:pk>/xoa/", views.report_file_delete, name="report_file_delete"),
    path("bao-cao/nhiem-vu/<int:pk>/", views.assignment_detail, name="assignment_detail"),
    path("bao-cao/tong-hop/", views.province_matrix, name="province_matrix"),
    path("bao-cao/tong-hop/<int:pk>/", views.province_request, name="province_request"),
    path("bao-cao/tong-hop/<int:pk>/xlsx/", views.province_request_xlsx, name="province_request_xlsx"),
    path("bao-cao/tong-hop/<int:pk>/pdf/", views.province_request_pdf, name="province_request_pdf"),
    path("bao-cao/tong-hop/<int:pk>/phat-hanh/", views.summary_issue, name="summary_issue"),
    path("bao-cao/tong-hop/<int:pk>/don-doc/", views.reminder_letter, name="reminder_letter"),
    path("bao-cao/van-ban-di/<int:pk>/", views.issued_file, name="issued_file"),
    path("bao-cao/chi-dao/<slug:slug>/", views.province_directive, name="province_directive"),
]
