"""The broker down costs a user nothing: the action succeeds, the work waits in its row, a sweep sends it later.

The Celery app is the real one, not eager, pointed at a closed port (nothing listens there: every connection is
refused); then at a Redis database of this checkout's own, with a real worker consuming it. The worker writes its
e-mails to files, so the test counts what was sent.
"""

import logging
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from portal import tasks as portal_tasks

from .conftest import database_url, free_port

REDIS = os.environ.get("PORTAL_TEST_REDIS", "redis://127.0.0.1:6379")
CONTACT = {"name": "Nguyễn Thị Hoa", "email": "hoa@example.vn", "phone": "", "subject": "Hỏi vay vốn", "body": "Xin"}
IMPORTS = "/hop-tac-xa/quan-ly/nhap-du-lieu/"

pytestmark = pytest.mark.security


def _drop_connections(app):
    # The producer pool holds connections to the broker it was made for; the next publish makes new ones (as
    # Celery does after a fork). Kombu keeps the pools per broker URL, so they are not closed here.
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def broker(url):
    """The portal's Celery app publishing to `url` for real (not eager), as in production."""
    from config.celery import app

    saved = {"broker_url": app.conf.broker_url, "task_always_eager": app.conf.task_always_eager}
    app.conf.update(broker_url=url, task_always_eager=False)
    _drop_connections(app)
    portal_tasks._last_logged.update(at=float("-inf"), missed=0)
    try:
        yield app
    finally:
        _drop_connections(app)
        app.conf.update(saved)


def dead_broker():
    return broker(f"redis://127.0.0.1:{free_port()}/0")


def _redis(db):
    import redis

    client = redis.Redis.from_url(f"{REDIS}/{db}", socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is not reachable at {REDIS}")
    return client


@pytest.fixture
def worker(transactional_db, tmp_path):
    """A real worker on this checkout's broker database, writing e-mails to files in tmp_path/mail."""
    broker_db = int(os.environ.get("PORTAL_TEST_BROKER_DB", "13"))
    queue = _redis(broker_db)
    queue.flushdb()
    outbox = tmp_path / "mail"
    outbox.mkdir()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": f"{REDIS}/{broker_db}",
        "REDIS_URL": f"{REDIS}/{broker_db + 1}",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(outbox),
        # The uploads this test's requests stored (tests/conftest.py points the media roots at tmp_path).
        "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "PORTAL_PRIVATE_MEDIA_ROOT": str(settings.PORTAL_PRIVATE_MEDIA_ROOT),
    }
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-n", "broker-down@%h"]
        + ["--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )

    def idle():
        # Nothing queued and nothing taken but unfinished (acks_late: a message is acknowledged after its task).
        return queue.llen("celery") == 0 and queue.hlen("unacked") == 0

    def wait(condition, seconds=60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.2)
        raise AssertionError((tmp_path / "worker.log").read_text()[-3000:])

    try:
        yield {"url": f"{REDIS}/{broker_db}", "outbox": outbox, "idle": idle, "wait": wait}
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
        queue.flushdb()


def test_publishing_to_a_dead_broker_gives_up_within_a_second_and_logs_once(caplog):
    with dead_broker(), caplog.at_level(logging.ERROR, logger="portal.tasks"):
        results, seconds = [], []
        for i in range(3):
            started = time.monotonic()
            results.append(portal_tasks.publish(portal_tasks.ping, f"token-{i}"))
            seconds.append(time.monotonic() - started)
    assert results == [False, False, False]
    # Measured: 0.26 s each (kombu's default policy of the settings, meant for the worker: 2.1 s).
    assert max(seconds) < 1.0, seconds
    assert len([r for r in caplog.records if "Broker unreachable" in r.getMessage()]) == 1


@pytest.mark.worker
def test_a_contact_message_sent_while_the_broker_is_down_is_saved_and_emailed_once_by_the_sweep(
    client, alliance_staff, worker, caplog
):
    from public.models import ContactMessage
    from public.tasks import sweep_contact_messages

    with dead_broker(), caplog.at_level(logging.ERROR, logger="portal.tasks"):
        started = time.monotonic()
        response = client.post("/lien-he/", CONTACT)
        elapsed = time.monotonic() - started
        assert response.status_code == 302, response.content[:500]
        assert "Cảm ơn bạn, thư đã được gửi đến Liên minh HTX tỉnh" in client.get(response.url).content.decode()
        assert elapsed < 2, f"the visitor waited {elapsed:.2f} s"
        message = ContactMessage.objects.get()
        assert message.emailed_at is None
        ContactMessage.objects.update(created_at=timezone.now() - timedelta(minutes=10))
        # A sweep that cannot publish either does nothing and raises nothing.
        assert sweep_contact_messages() == 0
    assert ContactMessage.objects.get().emailed_at is None

    # The broker is back: beat's sweep (twice, as a slow worker could see it) reaches a real worker.
    with broker(worker["url"]) as app:
        app.send_task("portal.sweep_contact_messages")
        app.send_task("portal.sweep_contact_messages")
    worker["wait"](lambda: ContactMessage.objects.get().emailed_at is not None and worker["idle"]())
    sent = list(worker["outbox"].iterdir())
    assert len(sent) == 1
    assert "Tiêu đề: Hỏi vay vốn" in sent[0].read_text()


@pytest.mark.worker
def test_an_import_started_while_the_broker_is_down_waits_and_is_checked_and_applied_by_the_sweep(
    client, alliance_staff, worker
):
    from cooperatives.models import Cooperative, ImportJob
    from tests.cooperatives.test_import import _csv, row

    client.force_login(alliance_staff)
    before = Cooperative.objects.count()
    with dead_broker():
        upload = SimpleUploadedFile("htx.csv", _csv(row()))
        response = client.post(IMPORTS, {"resource": "cooperatives", "file": upload})
        assert response.status_code == 302, response.content[:500]
        page = client.get(response.url)
        assert page.status_code == 200
        assert "đang chờ xử lý" in page.content.decode()
        job = ImportJob.objects.get()
        assert job.status == ImportJob.Status.PENDING
    ImportJob.objects.update(created_at=timezone.now() - timedelta(minutes=10))

    with broker(worker["url"]) as app:
        app.send_task("cooperatives.tasks.sweep_import_jobs")
    worker["wait"](lambda: ImportJob.objects.get().status == ImportJob.Status.CHECKED and worker["idle"]())

    # Confirmed while the broker is down again: the confirmation holds, the page says the import is under way.
    with dead_broker():
        response = client.post(f"{IMPORTS}{job.pk}/xac-nhan/")
        assert response.status_code == 302
        assert client.get(response.url).status_code == 200
    assert ImportJob.objects.get().status == ImportJob.Status.IMPORTING

    with broker(worker["url"]) as app:
        app.send_task("cooperatives.tasks.sweep_import_jobs")
        app.send_task("cooperatives.tasks.sweep_import_jobs")
    worker["wait"](lambda: ImportJob.objects.get().status == ImportJob.Status.DONE and worker["idle"]())
    assert Cooperative.objects.count() == before + 1


def test_a_loan_change_while_the_broker_is_down_is_saved_and_the_sweep_stores_its_figures_again(
    fund_officer, django_capture_on_commit_callbacks
):
    from fund import services
    from fund.models import LoanSnapshot
    from fund.tasks import sweep_loan_snapshots
    from tests.fund.factories import booked_loan

    loan, other = booked_loan(by=fund_officer), booked_loan(by=fund_officer)
    for night in ("2024-05-31", "2024-06-30"):
        services.portfolio_snapshot(on=date.fromisoformat(night))
    with dead_broker(), django_capture_on_commit_callbacks(execute=True):
        loan.approved_rate += 1  # new terms: every stored night of the loan is dropped, its refresh not published
        loan.save()
        assert sweep_loan_snapshots() == 0  # the sweep cannot publish either, and raises nothing
    assert not LoanSnapshot.objects.filter(loan=loan).exists()
    assert sweep_loan_snapshots() == 1  # the broker is back (eager here: the refresh runs in-process)
    stored = LoanSnapshot.objects.get(loan=loan, on=date(2024, 6, 30))
    assert stored.outstanding_principal == services.snapshot_values(loan, date(2024, 6, 30))["outstanding_principal"]
    assert LoanSnapshot.objects.filter(loan=loan).count() == 2
    assert LoanSnapshot.objects.filter(loan=other).count() == 2
    assert sweep_loan_snapshots() == 0  # nothing left to store
