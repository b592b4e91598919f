"""The fund's pages: public /quy-ho-tro/, staff /quy-ho-tro/quan-ly/ and /quy-ho-tro/bao-cao/,
agencies /quy-ho-tro/tham-dinh/."""

from django.urls import path

from . import views

app_name = "fund"

urlpatterns = [
    path("quy-ho-tro/", views.fund_home, name="home"),
    path("quy-ho-tro/quan-ly/", views.loan_list, name="loan_list"),
    path("quy-ho-tro/quan-ly/ho-so/<int:pk>/", views.loan_detail, name="loan_detail"),
    path("quy-ho-tro/quan-ly/ho-so/<int:pk>/lich-tra-no.pdf", views.schedule_pdf, name="schedule_pdf"),
    path("quy-ho-tro/quan-ly/tai-lieu/<int:pk>/", views.loan_document, name="loan_document"),
    path("quy-ho-tro/quan-ly/ho-so/<int:pk>/<slug:action>/", views.loan_action, name="loan_action"),
    path("quy-ho-tro/quan-ly/nhap-so-vay/", views.import_loan_book, name="import"),
    path("quy-ho-tro/bao-cao/", views.report, name="report"),
    path("quy-ho-tro/tham-dinh/", views.appraisal_list, name="appraisal_list"),
    path("quy-ho-tro/tham-dinh/<int:pk>/", views.appraisal_detail, name="appraisal_detail"),
]
