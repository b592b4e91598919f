"""Random sequences of autosaves, saves, submissions, returns and resubmissions by two officers of one unit, each
in their own browser: no autosave ever changes the report, and the form shows the latest draft the server accepted
(or, when there is none, the report as last saved)."""

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from directives import services
from directives.models import Report
from portal.models import User
from tests.properties import examples

WORDS = ["Kết quả", "Khó khăn", "Đề xuất", "Thành lập mới", "Vốn vay", "Đại hội"]
TEXT = st.builds(lambda word, n: f"{word} {n}", st.sampled_from(WORDS), st.integers(0, 999))
WRITER = st.sampled_from([0, 1])
FIGURES = {"ind_htx_total": "3", "ind_members": "40", "ind_boards_trained": "2"}


class Tab:
    """One officer's open form: the versions it was read at, as the page's hidden fields carry them."""

    def __init__(self, user):
        self.client = Client()
        self.client.force_login(user)
        self.version = 0
        self.draft_version = 0


class ReportDraftMachine(RuleBasedStateMachine):
    officers: list = []
    reviewer = None
    request = None

    def __init__(self):
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()  # each run starts from the test's database and leaves it as it found it
        cache.clear()  # the autosave's rate limit counts per minute across runs
        self.tabs = [Tab(user) for user in self.officers]
        self.url = f"/bao-cao/yeu-cau/{self.request.pk}/"
        self.report_text = ""  # section 0 as the report holds it (the model's view)
        self.draft_text = None  # the latest autosave the server accepted, until the report is saved
        for tab in self.tabs:
            self._open(tab)

    def teardown(self):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    def _report(self):
        return Report.objects.filter(request=self.request).first()

    def _open(self, tab):
        response = tab.client.get(self.url)
        if response.status_code == 200:
            tab.version = int(response.context["form"]["version"].value())
            tab.draft_version = response.context["draft_version"]
        return response

    @rule(writer=WRITER)
    def reload(self, writer):
        self._open(self.tabs[writer])

    @rule(writer=WRITER, text=TEXT)
    def autosave(self, writer, text):
        tab = self.tabs[writer]
        before = self._report()
        seen = None if before is None else (before.version, before.state, before.narrative, before.updated_at)
        data = {"version": tab.version, "draft_version": tab.draft_version, "section_0": text, **FIGURES}
        response = tab.client.post(f"{self.url}nhap/", data)
        after = self._report()
        assert (None if after is None else (after.version, after.state, after.narrative, after.updated_at)) == seen
        if response.status_code == 200:
            tab.draft_version = response.json()["draft_version"]
            self.draft_text = text
        else:
            assert response.status_code == 409, response.content
            assert before is not None or tab.draft_version != 0 or self.draft_text is not None

    @rule(writer=WRITER, text=TEXT, submit=st.booleans())
    def save_or_submit(self, writer, text, submit):
        tab = self.tabs[writer]
        data = {"version": tab.version, "action": "submit" if submit else "save", "section_0": text, **FIGURES}
        response = tab.client.post(self.url, data)
        if response.status_code == 302:
            self.report_text = text
            self.draft_text = None
            self._open(tab)
        else:
            assert response.status_code == 400
            assert text in response.content.decode()  # refused, and what was typed is still in the form

    @precondition(lambda self: self._report() is not None)
    @rule(accept=st.booleans())
    def review(self, accept):
        report = self._report()
        action = "accept" if accept else "return"
        if report.can(action):
            services.report_transition(report=report, action=action, by=self.reviewer, comment="Bổ sung số liệu")

    @precondition(lambda self: self._report() is not None and self._report().state == "accepted")
    @rule()
    def reopen(self):
        services.report_transition(report=self._report(), action="reopen", by=self.reviewer, comment="Mở lại")

    @invariant()
    def the_report_holds_what_was_last_saved(self):
        report = self._report()
        assert (report.narrative.get("Kết quả đạt được", "") if report else "") == self.report_text

    @invariant()
    def the_form_shows_the_latest_accepted_draft_or_else_the_report(self):
        report = self._report()
        response = Client()
        response.force_login(self.officers[0])
        page = response.get(self.url)
        if report is not None and not report.is_editable:
            assert page.status_code == 302
            return
        expected = self.draft_text if self.draft_text is not None else self.report_text
        assert page.context["form"]["section_0"].value() == expected


@pytest.mark.property
def test_autosaves_never_change_the_report_and_the_latest_accepted_draft_shows(
    officer_hong_dan, alliance_staff, h1_request, hong_dan
):
    colleague = User.objects.create_user("hongdan2", password="x", agency=hong_dan)
    colleague.groups.set(officer_hong_dan.groups.all())
    ReportDraftMachine.officers = [officer_hong_dan, colleague]
    ReportDraftMachine.reviewer = alliance_staff
    ReportDraftMachine.request = h1_request
    run_state_machine_as_test(ReportDraftMachine, settings=settings(max_examples=examples(15), stateful_step_count=12))
