"""Every Celery task of the portal is reliable: run twice it has one effect, it is enqueued only
after its transaction commits, and it is declared with retries, late acknowledgement and time limits.

A new task without a case below fails `test_every_task_of_our_apps_has_a_case_here`.
"""

import ast
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import OperationalError, transaction
from django.utils import timezone

from config.celery import app as celery_app

pytestmark = pytest.mark.security

OUR_APPS = ("portal", "cooperatives", "directives", "fund", "opendata")


def our_tasks() -> dict:
    celery_app.loader.import_default_modules()  # autodiscovery: every app's tasks.py
    return {name: task for name, task in celery_app.tasks.items() if name.split(".")[0] in OUR_APPS}


class Rollback(Exception):
    pass


# --- one case per task: set up, then (args, effect) where effect() counts what the task did ---------------------


def _ping(request):
    token = uuid.uuid4().hex
    return [token], lambda: int(cache.get(f"portal:ping:{token}") == "pong")


def _flush_counters(request):
    from public.counters import record_article_view
    from public.models import Article
    from tests.public.factories import ArticleFactory

    article = ArticleFactory()
    for _ in range(3):
        record_article_view(article.pk)
    return [], lambda: Article.objects.get(pk=article.pk).view_count  # 3 views, written once: 3


def _email_contact_message(request):
    from public.models import ContactMessage

    request.getfixturevalue("alliance_staff")  # a recipient
    message = ContactMessage.objects.create(name="Lê Văn Tám", email="tam@example.vn", subject="Hỏi", body="Vay vốn")
    return [message.pk], lambda: len(mail.outbox)


def _email_login_locks(request):
    from django.utils import timezone

    from portal.models import User

    request.getfixturevalue("alliance_staff")  # a recipient
    User.objects.filter(username="hongdan").update(login_locked_at=timezone.now(), login_lock_notified=False)
    return [], lambda: len(mail.outbox)


def _redelivery_probe(request):
    token = uuid.uuid4().hex
    return [token, 0], lambda: int(cache.get(f"portal:probe:{token}:effects") or 0)


def _snapshot_portfolio(request):
    from fund.models import LoanSnapshot
    from tests.fund.factories import booked_loan

    staff = request.getfixturevalue("fund_officer")
    booked_loan(by=staff)
    booked_loan(by=staff)
    return ["2024-06-30"], lambda: LoanSnapshot.objects.filter(on=date(2024, 6, 30)).count()  # 2 loans: 2 rows


def _refresh_loan_snapshots(request):
    from fund.models import LoanSnapshot
    from tests.fund.factories import booked_loan

    loan = booked_loan(by=request.getfixturevalue("fund_officer"))
    days = ["2024-05-31", "2024-06-30"]  # the days a back-dated change dropped
    return [loan.pk, days], lambda: LoanSnapshot.objects.filter(loan=loan).count()  # 2 days: 2 rows


def _deadline_reminders(request):
    from portal.models import Agency
    from tests.directives.factories import report_request

    request.getfixturevalue("officer_hong_dan")  # a recipient with an e-mail address
    report_request([Agency.objects.get(officers__username="hongdan")], deadline=date(2022, 1, 15))  # overdue
    return [], lambda: len(mail.outbox)


def _weekly_digests(request):
    return _deadline_reminders(request)  # the same open report request makes one digest


def _staff_digests(request):
    from directives.services import report_transition
    from portal.models import Agency
    from tests.directives.factories import filled_report, report_request

    request.getfixturevalue("alliance_staff")  # a recipient with an e-mail address
    officer = request.getfixturevalue("officer_hong_dan")
    hong_dan = Agency.objects.get(officers__username="hongdan")
    report = filled_report(report_request([hong_dan]), hong_dan)
    report_transition(report=report, action="submit", by=officer)  # a report to review: one digest
    return [], lambda: len(mail.outbox)


def _congress_reminders(request):
    from cooperatives.models import Congress, CongressReminder
    from portal.models import AdministrativeUnit
    from tests.cooperatives.factories import CongressFactory, CooperativeFactory

    request.getfixturevalue("officer_hong_dan")
    coop = CooperativeFactory(unit=AdministrativeUnit.objects.get(code="956-02"))
    CongressFactory(cooperative=coop, kind=Congress.Kind.TERM, held_date=date(2024, 1, 10))
    CongressFactory(cooperative=coop, fiscal_year=2024, held_date=date(2025, 3, 1))  # fiscal 2025 due 30/04/2026
    # One reminder, e-mailed to the 2022 district's officer, today's commune officer and the alliance staff: 4.
    return [], lambda: CongressReminder.objects.count() + len(mail.outbox)


def _import_job(request, status):
    from cooperatives.models import Cooperative, ImportJob
    from tests.cooperatives.test_import import _csv, row

    request.getfixturevalue("demo")
    job = ImportJob.objects.create(resource="cooperatives", original_name="htx.csv", status=status)
    job.file.save("htx.csv", ContentFile(_csv(row())))
    return job, Cooperative


def _import_check(request):
    from cooperatives.models import ImportJob

    job, cooperatives = _import_job(request, ImportJob.Status.PENDING)

    def effect():
        job.refresh_from_db()
        return int(job.status == ImportJob.Status.CHECKED) + cooperatives.objects.count()  # checked, nothing written

    return [job.pk], effect


def _import_apply(request):
    from cooperatives.models import ImportJob

    job, cooperatives = _import_job(request, ImportJob.Status.IMPORTING)
    # A second write of the same row would update it: its history would show two records.
    return [job.pk], lambda: cooperatives.history.count()


def _sweep_contact_messages(request):
    from public.models import ContactMessage

    request.getfixturevalue("alliance_staff")  # a recipient
    message = ContactMessage.objects.create(name="Lê Văn Tám", email="tam@example.vn", subject="Hỏi", body="Vay vốn")
    ContactMessage.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(minutes=10))
    return [], lambda: len(mail.outbox)


def _sweep_import_jobs(request):
    from cooperatives.models import ImportJob

    job, cooperatives = _import_job(request, ImportJob.Status.PENDING)
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=10))

    def effect():
        job.refresh_from_db()
        return int(job.status == ImportJob.Status.CHECKED) + cooperatives.objects.count()

    return [], effect


def _sweep_loan_snapshots(request):
    from fund import services
    from fund.models import LoanSnapshot
    from tests.fund.factories import booked_loan

    staff = request.getfixturevalue("fund_officer")
    dropped, kept = booked_loan(by=staff), booked_loan(by=staff)
    for night in (date(2024, 5, 31), date(2024, 6, 30)):
        services.portfolio_snapshot(on=night)
    # A back-dated change dropped the loan's rows and its refresh was never published (the broker was down).
    LoanSnapshot.objects.filter(loan=dropped).delete()
    return [], lambda: LoanSnapshot.objects.filter(loan__in=[dropped, kept]).count()  # 2 nights back: 2 rows


def _extract_text(request):
    from directives.models import Document, DocumentFile
    from tests.attachment_files import docx_bytes

    request.getfixturevalue("demo")
    doc = Document.objects.create(doc_type="cong_van", number="5/LM", slug="5-lm", issuer="Liên minh HTX tỉnh",
                                  issue_date=date(2026, 1, 5), summary="Về việc đại hội")  # fmt: skip
    row = DocumentFile.objects.create(document=doc, file=ContentFile(docx_bytes(), name="bien-ban.docx"))
    # Done once, and the document's search_text holds the file's words once, however often it runs.
    return (
        ["directives.DocumentFile", row.pk],
        lambda: (
            DocumentFile.objects.filter(pk=row.pk, text_state="done").count()
            + Document.objects.get(pk=doc.pk).search_text.count("ninh quoi")
        ),
    )


def _signed_document_file(request, state):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from directives.models import DocumentFile
    from tests.directives.factories import DocumentFactory
    from tests.portal.signing_ca import make_ca, plain_pdf

    request.getfixturevalue("demo")
    ca = make_ca()
    item = DocumentFile(document=DocumentFactory(), file=SimpleUploadedFile("ky-so.pdf", ca.sign(plain_pdf())))
    item.save()  # pending; its check is enqueued on commit, which a test's transaction never reaches
    DocumentFile.objects.filter(pk=item.pk).update(signature_state=state)
    return ca, item


def _check_file_signature(request):
    from directives.models import DocumentFile

    _, item = _signed_document_file(request, "pending")
    return ["document", item.pk], lambda: DocumentFile.objects.exclude(signature_state="pending").count()


def _recheck_signatures(request):
    from directives.models import DocumentFile
    from portal.models import TrustedRoot

    ca, _ = _signed_document_file(request, "untrusted")
    TrustedRoot.objects.create(name="CA thử nghiệm", certificate_pem=ca.root_pem)  # its recheck waits for a commit
    return [], lambda: DocumentFile.objects.filter(signature_state="valid").count()


def _issued_document(request):
    from datetime import timedelta

    from django.utils import timezone

    from portal.models import Agency, IssuedDocument, User
    from portal.official import DocumentDraft, document_issue

    request.getfixturevalue("demo")
    agency = Agency.objects.get(name="Ủy ban nhân dân Huyện Hồng Dân")
    draft = DocumentDraft(agency=agency, kind="BC", subject="Báo cáo thử", body_html="<p>Nội dung</p>")
    doc = document_issue(draft=draft, by=User.objects.get(username="hongdan"))  # its render waits for a commit
    IssuedDocument.objects.filter(pk=doc.pk).update(issued_at=timezone.now() - timedelta(minutes=10))
    return doc


def _render_issued(request):
    from portal.models import IssuedDocument

    doc = _issued_document(request)
    return [doc.pk], lambda: IssuedDocument.objects.exclude(pdf="").count()


def _sweep_issued_documents(request):
    from portal.models import IssuedDocument

    _issued_document(request)
    return [], lambda: IssuedDocument.objects.exclude(pdf="").count()


def _refresh_open_data(request):
    from django.core.files.storage import default_storage

    from opendata.models import DatasetFile

    request.getfixturevalue("demo")

    def effect():  # the rows that say which files are current, and the files themselves
        names = default_storage.listdir("du-lieu-mo")[1] if default_storage.exists("du-lieu-mo") else []
        return DatasetFile.objects.count() + len(names)

    return [], effect


CASES = {
    "opendata.refresh": (_refresh_open_data, 8 * 3),  # each dataset: its row, its CSV and its JSON
    "portal.render_issued": (_render_issued, 1),
    "portal.sweep_issued_documents": (_sweep_issued_documents, 1),
    "directives.check_file_signature": (_check_file_signature, 1),
    "directives.recheck_signatures": (_recheck_signatures, 1),
    "portal.ping": (_ping, 1),
    "portal.extract_text": (_extract_text, 2),
    "portal.flush_counters": (_flush_counters, 3),
    "portal.email_contact_message": (_email_contact_message, 1),
    "portal.email_login_locks": (_email_login_locks, 1),
    "portal.redelivery_probe": (_redelivery_probe, 1),
    "portal.sweep_contact_messages": (_sweep_contact_messages, 1),
    "cooperatives.tasks.sweep_import_jobs": (_sweep_import_jobs, 1),
    "fund.tasks.snapshot_portfolio": (_snapshot_portfolio, 2),
    "fund.tasks.refresh_loan_snapshots": (_refresh_loan_snapshots, 2),
    "fund.tasks.sweep_loan_snapshots": (_sweep_loan_snapshots, 2),
    "directives.send_deadline_reminders": (_deadline_reminders, 1),
    "directives.send_weekly_digests": (_weekly_digests, 1),
    "directives.send_staff_digests": (_staff_digests, 1),
    "cooperatives.tasks.send_congress_reminders": (_congress_reminders, 4),
    "cooperatives.tasks.import_check": (_import_check, 1),
    "cooperatives.tasks.import_apply": (_import_apply, 1),
}


def test_every_task_of_our_apps_has_a_case_here():
    assert set(our_tasks()) == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_task_run_twice_has_one_effect(name, request, db, django_capture_on_commit_callbacks):
    setup, expected = CASES[name]
    args, effect = setup(request)
    task = our_tasks()[name]
    before = effect()
    with django_capture_on_commit_callbacks(execute=True):  # e-mails leave on commit
        task.delay(*args)  # eager: no broker in tests
    once = effect()
    with django_capture_on_commit_callbacks(execute=True):
        task.delay(*args)
    assert once - before == expected
    assert effect() == once, f"{name}: the second run had an effect of its own"


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_task_enqueued_in_a_rolled_back_transaction_never_runs(name, request, db, django_capture_on_commit_callbacks):
    setup, _ = CASES[name]
    args, effect = setup(request)
    before = effect()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                our_tasks()[name].delay_on_commit(*args)
                raise Rollback
        except Rollback:
            pass
    assert callbacks == []
    assert effect() == before


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_task_acknowledges_late_retries_transient_faults_and_has_time_limits(name):
    task = our_tasks()[name]
    assert task.acks_late and task.reject_on_worker_lost
    assert OperationalError in task.autoretry_for and task.max_retries == 5 and task.retry_backoff
    assert 0 < task.soft_time_limit < task.time_limit <= 30 * 60


def test_no_code_enqueues_a_task_but_through_the_publish_helpers():
    """Our apps call portal.tasks.publish_on_commit (or publish, in a sweep): a bare .delay()/.apply_async() would
    run on rolled-back data, and it or delay_on_commit would answer 500 when the broker is down."""
    offenders = []
    for app in (*OUR_APPS, "public"):
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py"):
            if path == Path(settings.BASE_DIR) / "portal" / "tasks.py":
                continue  # the helpers themselves
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                    if node.func.attr in {"delay", "apply_async", "delay_on_commit", "apply_async_on_commit"}:
                        offenders.append(f"{path.relative_to(settings.BASE_DIR)}:{node.lineno}")
    assert offenders == []


def test_a_contact_message_in_a_rolled_back_transaction_is_never_emailed(
    db, alliance_staff, django_capture_on_commit_callbacks
):
    from public.models import ContactMessage
    from public.services import contact_message_create

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                contact_message_create(name="A", email="a@example.vn", phone="", subject="S", body="B", ip="192.0.2.1")
                raise Rollback
        except Rollback:
            pass
    assert (callbacks, mail.outbox, ContactMessage.objects.count()) == ([], [], 0)


def test_an_import_confirmed_in_a_rolled_back_transaction_is_never_applied(
    client, request, alliance_staff, django_capture_on_commit_callbacks
):
    from cooperatives.models import Cooperative, ImportJob

    job, _ = _import_job(request, ImportJob.Status.CHECKED)
    client.force_login(alliance_staff)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                client.post(f"/hop-tac-xa/quan-ly/nhap-du-lieu/{job.pk}/xac-nhan/")
                raise Rollback
        except Rollback:
            pass
    job.refresh_from_db()
    assert (callbacks, job.status, Cooperative.objects.count()) == ([], ImportJob.Status.CHECKED, 0)


def test_a_check_interrupted_by_a_killed_worker_is_done_again_on_redelivery(request, db):
    """The killed worker left the job CHECKING; the redelivered task must not take that for 'someone else has it'."""
    from cooperatives.importing import job_check
    from cooperatives.models import ImportJob

    job, _ = _import_job(request, ImportJob.Status.CHECKING)
    job_check(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED
