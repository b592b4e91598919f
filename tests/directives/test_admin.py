import pytest

from directives.models import Document, Report, Task, TaskAssignment
from portal.models import Agency

from .factories import DocumentFactory, TaskFactory, filled_report, report_request


def _inline_management(prefix, total=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_staff_split_a_directive_into_tasks_inline_and_assign_all_districts_in_one_step(client, alliance_staff):
    doc = DocumentFactory(doc_type="cong_van")
    lead = Agency.objects.get(short_name="Sở KH&ĐT")
    data = {
        "doc_type": doc.doc_type,
        "number": doc.number,
        "slug": doc.slug,
        "issuer": doc.issuer,
        "issue_date": "01/03/2022",
        "summary": doc.summary,
        "status": "in_force",
        "is_public": "on",
        **_inline_management("files"),
        **_inline_management("relations_out"),
        **_inline_management("tasks", 2),
        "tasks-0-order": "1",
        "tasks-0-text": "Tuyên truyền về kinh tế tập thể",
        "tasks-0-cycle": "quarterly",
        "tasks-0-lead_agency": str(lead.pk),
        "tasks-0-all_districts": "on",
        "tasks-1-order": "2",
        "tasks-1-text": "Tổ chức đại hội thường niên",
        "tasks-1-deadline": "30/06/2022",
        "tasks-1-lead_agency": str(lead.pk),
        "_save": "Lưu",
    }
    client.force_login(alliance_staff)
    response = client.post(f"/admin/directives/document/{doc.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    first, second = Task.objects.filter(document=doc).order_by("order")
    assert first.assignments.count() == 8  # the lead department and the seven district committees
    assert first.assignments.get(agency=lead).role == "lead"
    assert list(second.assignments.values_list("agency", flat=True)) == [lead.pk]


def test_the_task_admin_action_assigns_a_task_to_every_district_once(client, alliance_staff):
    task = TaskFactory()
    client.force_login(alliance_staff)
    for _ in range(2):
        client.post("/admin/directives/task/", {"action": "assign_all_districts", "_selected_action": [task.pk]})
    assert TaskAssignment.objects.filter(task=task).count() == 7


def test_an_accepted_report_is_read_only_in_the_admin(client, alliance_staff, h1_request, hong_dan):
    report = filled_report(h1_request, hong_dan)
    Report.objects.filter(pk=report.pk).update(state="accepted")
    client.force_login(alliance_staff)
    response = client.post(f"/admin/directives/report/{report.pk}/change/", {"narrative": "{}"})
    assert response.status_code == 403


@pytest.mark.parametrize("size", [2, 10])
@pytest.mark.parametrize(
    ("url", "queries"),
    [
        # No second COUNT(*) for "show all" (show_full_result_count); documents: a year filter (one MIN/MAX query)
        # in place of date_hierarchy's MIN/MAX and DISTINCT over every date.
        ("/admin/directives/document/", 7),
        ("/admin/directives/report/", 6),
        ("/admin/directives/taskassignment/", 5),
        ("/admin/directives/task/", 5),
    ],
)
def test_admin_changelists_cost_the_same_queries_at_two_sizes(
    client, superuser, django_assert_num_queries, size, url, queries
):
    agencies = list(Agency.objects.all())
    request = report_request(agencies[:size])
    for agency in agencies[:size]:
        filled_report(request, agency)
        TaskAssignment.objects.create(task=TaskFactory(), agency=agency)
    assert Document.objects.count() >= size
    client.force_login(superuser)
    client.get(url)
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200
