"""The register's numbers (sổ đăng ký văn bản đi): per agency and year from 1, never reused, never given twice. The
PDF is written by the worker after the number is taken: a rendering that fails leaves the number taken, the failure
recorded, and the document rendered again on request."""

import threading
from datetime import date

import pytest
from django.db import connection, connections
from django.test import TestCase
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from portal import official
from portal.models import Agency, IssuedDocument, RegisterCounter, User
from portal.official import DocumentDraft, document_issue, issued_render_again, issued_render_pending
from tests.properties import examples

FAKE_PDF = b"%PDF-1.7\n%fake\n"


class RenderFailed(RuntimeError):
    pass


def _draft(agency, day, subject="Báo cáo thử"):
    return DocumentDraft(agency=agency, kind="BC", subject=subject, body_html="<p>Nội dung</p>", issued_on=day)


@pytest.fixture
def fast_render(monkeypatch):
    """Rendering stands in for itself (the numbers are what is tested); `fail` makes the next renders raise."""
    state = {"fail": False}

    def render(html, *, pdf_variant=None):
        if state["fail"]:
            raise RenderFailed("rendering failed on purpose")
        return FAKE_PDF

    monkeypatch.setattr(official, "render_html_pdf", render)
    return state


def test_numbers_start_at_one_per_agency_and_year(demo, fast_render):
    a, b = Agency.objects.filter(kind="district_pc").order_by("pk")[:2]
    by = User.objects.get(username="lienminh")
    refs = [document_issue(draft=_draft(agency, day), by=by) for agency, day in [
        (a, date(2024, 3, 1)), (a, date(2024, 5, 1)), (b, date(2024, 5, 2)), (a, date(2025, 1, 2)),
    ]]  # fmt: skip
    assert [(d.agency_id, d.year, d.number) for d in refs] == [
        (a.pk, 2024, 1), (a.pk, 2024, 2), (b.pk, 2024, 1), (a.pk, 2025, 1),
    ]  # fmt: skip
    assert refs[0].reference == "01/BC-UBND"


def _issue_committed(draft, by):
    """document_issue as a request would run it: the worker's render runs once the transaction commits."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        doc = document_issue(draft=draft, by=by)
    doc.refresh_from_db()
    return doc


def test_the_pdf_is_written_once_the_issue_commits(demo, fast_render):
    agency = Agency.objects.get(name="Ủy ban nhân dân Huyện Hồng Dân")
    by = User.objects.get(username="hongdan")
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        doc = document_issue(draft=_draft(agency, date(2024, 1, 5)), by=by)
        assert not IssuedDocument.objects.get(pk=doc.pk).pdf  # not inside the issuing transaction
    for callback in callbacks:
        callback()
    doc.refresh_from_db()
    assert doc.pdf.read() == FAKE_PDF and doc.render_error == ""


def test_a_failed_render_keeps_its_number_says_why_and_is_rendered_again(demo, fast_render):
    agency = Agency.objects.get(name="Ủy ban nhân dân Huyện Hồng Dân")
    by = User.objects.get(username="hongdan")
    _issue_committed(_draft(agency, date(2024, 1, 5)), by)
    fast_render["fail"] = True
    failed = _issue_committed(_draft(agency, date(2024, 1, 6)), by)
    fast_render["fail"] = False
    assert failed.number == 2 and not failed.pdf
    assert failed.render_error == "RenderFailed: rendering failed on purpose"
    # The sweep leaves a failure to the staff (it would fail the same way every five minutes).
    IssuedDocument.objects.filter(pk=failed.pk).update(issued_at=failed.issued_at.replace(year=2020))
    assert issued_render_pending() == 0
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert issued_render_again([failed.pk]) == 1
    failed.refresh_from_db()
    assert failed.number == 2 and failed.pdf.read() == FAKE_PDF and failed.render_error == ""
    assert _issue_committed(_draft(agency, date(2024, 1, 7)), by).number == 3
    assert RegisterCounter.objects.get(agency=agency, year=2024).last_number == 3


def test_the_sweep_hands_over_documents_left_without_a_pdf(demo, fast_render):
    """The broker was down when it was issued: nothing rendered it; the sweep does, once it is two minutes old."""
    agency = Agency.objects.get(name="Ủy ban nhân dân Huyện Hồng Dân")
    by = User.objects.get(username="hongdan")
    doc = document_issue(draft=_draft(agency, date(2024, 2, 1)), by=by)  # its commit callback never runs here
    assert issued_render_pending() == 0  # too recent: its own task may still be on the way
    IssuedDocument.objects.filter(pk=doc.pk).update(issued_at=doc.issued_at.replace(year=2020))
    assert issued_render_pending() == 1  # eager here: rendered in-process
    doc.refresh_from_db()
    assert doc.pdf.read() == FAKE_PDF


class Register(RuleBasedStateMachine):
    """Issues across two agencies and two years, some failing in rendering, and the failed ones rendered again:
    each (agency, year) holds exactly the numbers 1..n, n the number of issues there; every document has its PDF or
    the reason it has none."""

    state = None  # the fast_render switch, set by the test

    @initialize()
    def setup(self):
        self.agencies = list(Agency.objects.filter(kind="district_pc").order_by("pk")[:2])
        self.by = User.objects.get(username="lienminh")
        IssuedDocument.objects.all().delete()
        RegisterCounter.objects.all().delete()
        self.expected = {}

    @rule(which=st.integers(0, 1), year=st.sampled_from([2024, 2025]), fails=st.booleans())
    def issue(self, which, year, fails):
        agency = self.agencies[which]
        Register.state["fail"] = fails
        try:
            doc = _issue_committed(_draft(agency, date(year, 6, 1)), self.by)
        finally:
            Register.state["fail"] = False
        key = (agency.pk, year)
        self.expected[key] = self.expected.get(key, 0) + 1
        assert doc.number == self.expected[key]
        assert bool(doc.pdf) is not fails and bool(doc.render_error) is fails

    @rule()
    def render_failed_again(self):
        failed = list(IssuedDocument.objects.exclude(render_error="").values_list("pk", flat=True))
        with TestCase.captureOnCommitCallbacks(execute=True):
            assert issued_render_again(failed) == len(failed)
        assert not IssuedDocument.objects.filter(pdf="").exists()

    @invariant()
    def numbers_are_one_to_n(self):
        if not hasattr(self, "expected"):
            return
        for agency in self.agencies:
            for year in (2024, 2025):
                numbers = sorted(
                    IssuedDocument.objects.filter(agency=agency, year=year).values_list("number", flat=True)
                )
                assert numbers == list(range(1, self.expected.get((agency.pk, year), 0) + 1))

    @invariant()
    def each_document_has_its_pdf_or_its_reason(self):
        assert not IssuedDocument.objects.filter(pdf="", render_error="").exists()


def test_register_state_machine(demo, fast_render):
    Register.state = fast_render
    Register.TestCase.settings = settings(max_examples=examples(25), stateful_step_count=12)
    Register.TestCase().runTest()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_get_distinct_consecutive_numbers(demo, monkeypatch):
    """N threads, each in its own connection and transaction, issue for the same agency at the same moment."""
    import time

    def slow_render(html, *, pdf_variant=None):
        time.sleep(0.05)  # widen the window between taking a number and committing
        return FAKE_PDF

    monkeypatch.setattr(official, "render_html_pdf", slow_render)
    agency = Agency.objects.get(name="Ủy ban nhân dân Huyện Hồng Dân")
    by = User.objects.get(username="hongdan")
    threads_count = 8
    barrier = threading.Barrier(threads_count)
    numbers, errors = [], []

    def work(index):
        try:
            barrier.wait()
            doc = document_issue(draft=_draft(agency, date(2024, 9, 1), f"Báo cáo {index}"), by=by)
            numbers.append(doc.number)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(numbers) == list(range(1, threads_count + 1))
    assert RegisterCounter.objects.get(agency=agency, year=2024).last_number == threads_count
