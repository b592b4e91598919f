"""manage.py release: migrate under a PostgreSQL advisory lock, one backup, run by every host's deploy at once."""

import os
import subprocess
import sys
import uuid
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from ops.management.commands.release import LOCK_KEY


def _run_release(env, dest):
    return subprocess.Popen(
        [sys.executable, "manage.py", "release", "--backup", "--dest", str(dest), "--no-color"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.fixture
def fresh_database():
    """An empty PostgreSQL database of its own beside the test database, dropped afterwards."""
    if connection.vendor != "postgresql":
        pytest.skip("the migration lock is PostgreSQL's (pg_advisory_lock); SQLite just migrates")
    import psycopg

    db = connection.settings_dict
    name = f"{db['NAME']}_release_{uuid.uuid4().hex[:8]}"
    server = dict(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"] or "postgres")
    if db.get("PASSWORD"):
        server["password"] = db["PASSWORD"]
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://{server['user']}@{server['host']}:{server['port']}/{name}"
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _env(database_url, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "CELERY_"))}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_MEDIA_ROOT=str(tmp_path / "media"),
        PORTAL_PRIVATE_MEDIA_ROOT=str(tmp_path / "private"),
    )
    return env


@pytest.mark.postgres
def test_releases_wait_for_the_lock_then_one_migrates_and_backs_up_once(fresh_database, tmp_path):
    """Every host's deploy runs `release` at once. The lock is the one a release holds while it migrates: held here,
    two releases started together both wait for it; let go, one migrates and takes the one backup, and the other
    finds nothing left to do."""
    import psycopg

    env, dest = {**_env(fresh_database, tmp_path), "PYTHONUNBUFFERED": "1"}, tmp_path / "backups"
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"] or "postgres",
        dbname=fresh_database.rsplit("/", 1)[1], autocommit=True,
    ) as holder:  # fmt: skip
        holder.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
        releases = [_run_release(env, dest), _run_release(env, dest)]
        before = [_read_until(release, WAITING, seconds=120) for release in releases]
        assert all(release.poll() is None for release in releases)  # both still waiting
        holder.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
    outputs = [head + release.communicate(timeout=600)[0] for head, release in zip(before, releases, strict=True)]
    assert [release.returncode for release in releases] == [0, 0], "\n----\n".join(outputs)
    assert all(WAITING in out for out in outputs), "\n----\n".join(outputs)
    assert sum("Đã migrate xong." in out for out in outputs) == 1
    assert sum("Không có migration nào cần chạy." in out for out in outputs) == 1  # the other had done it all
    assert len([p for p in dest.iterdir() if p.is_dir()]) == 1  # one backup, by the one that migrated
    # The schema is complete: nothing left for migrate to do.
    check = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert check.returncode == 0, check.stdout + check.stderr


WAITING = "Một tiến trình release khác đang chạy migrate; chờ nó xong"


def _read_until(process, text: str, seconds: float) -> str:
    """The process's output up to the line holding `text`; fails if it does not come within `seconds`. A thread
    reads, so a line held in a buffer is never missed and a silent process never blocks the test."""
    import threading

    seen: list[str] = []
    found = threading.Event()

    def read():
        for line in iter(process.stdout.readline, ""):
            seen.append(line)
            if text in line:
                found.set()
                return
        found.set()  # ended without it

    threading.Thread(target=read, daemon=True).start()
    assert found.wait(seconds), f"no {text!r} within {seconds} s:\n{''.join(seen)}"
    assert text in "".join(seen), f"the release ended before waiting:\n{''.join(seen)}"
    return "".join(seen)


def test_release_with_nothing_to_migrate_takes_no_backup(db, tmp_path):
    out = StringIO()
    call_command("release", "--backup", "--dest", str(tmp_path), stdout=out)
    assert "Không có migration nào cần chạy." in out.getvalue()
    assert list(tmp_path.iterdir()) == []
