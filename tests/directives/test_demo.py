from io import StringIO

from directives.models import Document, Report, ReportRequest, Task, TaskAssignment


def test_the_demo_has_cong_van_1047_with_five_tasks_for_departments_and_all_seven_districts(directives_demo):
    cv = Document.objects.get(slug="1047-ubnd-kt")
    assert (cv.number, cv.issuer, cv.issue_date.isoformat(), cv.doc_type) == (
        "1047/UBND-KT",
        "UBND tỉnh Bạc Liêu",
        "2022-04-06",
        "cong_van",
    )
    assert "tháo gỡ khó khăn" in cv.summary
    assert Task.objects.filter(document=cv).count() == 5
    for task in Task.objects.filter(document=cv):
        kinds = list(task.assignments.values_list("agency__kind", flat=True))
        assert kinds.count("district_pc") == 7 and "department" in kinds
    assert cv.files.count() == 1
    assert Document.objects.count() >= 20


def test_the_demo_h1_2022_request_is_in_mixed_states(directives_demo):
    request = ReportRequest.objects.get(title="Báo cáo kinh tế tập thể 6 tháng đầu năm 2022")
    states = set(Report.objects.filter(request=request).values_list("state", flat=True))
    assert {"accepted", "returned", "draft", "submitted"} <= states
    assert request.agencies.count() > Report.objects.filter(request=request).count()  # some have not started


def test_the_directives_demo_is_idempotent(directives_demo):
    counts = [Document.objects.count(), TaskAssignment.objects.count(), Report.objects.count()]
    directives_demo.load(StringIO())
    assert [Document.objects.count(), TaskAssignment.objects.count(), Report.objects.count()] == counts
