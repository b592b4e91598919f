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
def test_two_releases_at_once_migrate_once_and_back_up_once(fresh_database, tmp_path):
    env, dest = _env(fresh_database, tmp_path), tmp_path / "backups"
    first, second = _run_release(env, dest), _run_release(env, dest)
    outputs = [process.communicate(timeout=600)[0] for process in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], "\n----\n".join(outputs)
    waited = [out for out in outputs if "Một tiến trình release khác đang chạy migrate; chờ nó xong" in out]
    assert len(waited) == 1, "\n----\n".join(outputs)
    assert "Không có migration nào cần chạy." in waited[0]  # the other had done it all
    assert sum("Đã migrate xong." in out for out in outputs) == 1
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


@pytest.mark.postgres
def test_release_waits_while_another_session_holds_the_lock(fresh_database, tmp_path):
    """The lock is the one a second release would hold: taken here, the release waits, and runs once it is let go."""
    import psycopg

    env, dest = _env(fresh_database, tmp_path), tmp_path / "backups"
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"] or "postgres",
        dbname=fresh_database.rsplit("/", 1)[1], autocommit=True,
    ) as holder:  # fmt: skip
        holder.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
        release = _run_release(env, dest)
        with pytest.raises(subprocess.TimeoutExpired):
            release.wait(timeout=8)
        holder.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
    out = release.communicate(timeout=600)[0]
    assert release.returncode == 0, out
    assert "chờ nó xong" in out and "Đã migrate xong." in out


def test_release_with_nothing_to_migrate_takes_no_backup(db, tmp_path):
    out = StringIO()
    call_command("release", "--backup", "--dest", str(tmp_path), stdout=out)
    assert "Không có migration nào cần chạy." in out.getvalue()
    assert list(tmp_path.iterdir()) == []
