"""Two beat processes (one per host) send each periodic task once: one holds the scheduler's lock, the other waits.

The reminder task dedupes itself (one Reminder row per agency and stage, a unique constraint), so even a task sent
twice e-mails each agency once: counting e-mails alone would not see a second scheduler. The test counts what the
schedulers sent: with PORTAL_BEAT_SCHEDULE the reminders are due every REMINDER_EVERY seconds, so over a window one
scheduler sends about window / REMINDER_EVERY of them, two send twice as many. It also checks the e-mails.
"""

import email
import email.policy
import json
import time

from .cluster import REMINDER_EVERY

SENT = "Sending due task directives-deadline-reminders"
WINDOW = 15

NEW_REQUEST = """
import json
from datetime import timedelta
from django.utils import timezone
from portal.models import Agency
from tests.directives.factories import report_request

agencies = list(Agency.objects.exclude(email="").order_by("pk")[:2])
due = timezone.localdate() + timedelta(days=2)
request = report_request(agencies, title="Nhắc hạn thử nghiệm hai lịch chạy", deadline=due)
print(json.dumps({"agencies": len(agencies)}))
"""


def _mails(cluster) -> list:
    found = []
    for path in sorted(cluster.mail_dir.glob("*.log")):
        for part in path.read_text(errors="replace").split("\n" + "-" * 79 + "\n"):
            if part.strip():
                found.append(email.message_from_string(part.strip() + "\n", policy=email.policy.default))
    return found


def test_two_beats_send_each_reminder_once(cluster):
    beats = [cluster.processes[f"beat-{host}"] for host in ("A", "B")]
    assert all(beat.running() for beat in beats)
    expected = json.loads(cluster.python(NEW_REQUEST).strip().splitlines()[-1])["agencies"]
    marks = [beat.text().count(SENT) for beat in beats]
    time.sleep(WINDOW)
    sent = [beat.text().count(SENT) - mark for beat, mark in zip(beats, marks, strict=True)]
    one_scheduler = WINDOW / REMINDER_EVERY
    assert 0 < sum(sent) <= one_scheduler + 1, f"reminders sent in {WINDOW} s by beats A, B: {sent}"
    assert 0 in sent, f"both beats sent reminders: {sent}"

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        mails = [m for m in _mails(cluster) if "Nhắc hạn thử nghiệm hai lịch chạy" in str(m["Subject"])]
        if len(mails) >= expected:
            break
        time.sleep(1)
    time.sleep(REMINDER_EVERY * 2)  # a second sender would have sent again by now
    mails = [m for m in _mails(cluster) if "Nhắc hạn thử nghiệm hai lịch chạy" in str(m["Subject"])]
    assert len(mails) == expected, [str(m["Subject"]) + " " + str(m["To"]) for m in mails]
