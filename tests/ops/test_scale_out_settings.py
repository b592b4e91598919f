"""The scale-out switches of docs/performance.md load, each on its own and all at once."""

import os
import subprocess
import sys

from django.conf import settings

from config.routers import PrimaryReplicaRouter
from cooperatives.models import Cooperative
from portal.models import User

PROD = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "s" * 30 + "Q%9!zX" * 10,
    "DJANGO_ALLOWED_HOSTS": "htx.example.vn",
    "PORTAL_SITE_URL": "https://htx.example.vn",
}
REPLICA = {
    "DATABASE_URL": "postgres://portal@db-primary:5432/htx",
    "DATABASE_REPLICA_URL": "postgres://portal_ro@db-replica:5432/htx",
}
S3 = {
    "AWS_STORAGE_BUCKET_NAME": "htx-media",
    "AWS_S3_ENDPOINT_URL": "https://s3.example.vn",
    "AWS_ACCESS_KEY_ID": "key",
    "AWS_SECRET_ACCESS_KEY": "secret",
    "PORTAL_PRIVATE_BUCKET_NAME": "htx-private",
}
REDIS = {
    "REDIS_URL": "redis://cache:6379/0",
    "CELERY_BROKER_URL": "redis://cache:6379/1",
    "DJANGO_SESSIONS_IN_CACHE": "1",
}

SHOW = (
    "import os, django; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; django.setup();"
    "from django.conf import settings as s; from django.core.files.storage import storages;"
    "print(sorted(s.DATABASES), s.DATABASE_ROUTERS, type(storages['default']).__name__,"
    " type(storages['private']).__name__, s.SESSION_ENGINE,"
    " s.CACHES['default']['BACKEND'].rsplit('.', 1)[1])"
)


def _run(*args, **env):
    keep = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "AWS_", "REDIS_", "CELERY_"))
    }
    return subprocess.run(
        [sys.executable, *args], cwd=settings.BASE_DIR, env={**keep, **env}, capture_output=True, text=True, timeout=90
    )


def test_with_no_switch_there_is_one_database_and_files_on_disk():
    result = _run("-c", SHOW)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "['default'] [] FileSystemStorage PrivateFileSystemStorage django.contrib.sessions.backends.db LocMemCache"
    )


def test_a_replica_url_adds_the_replica_alias_and_its_router():
    result = _run("-c", SHOW, **REPLICA)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("['default', 'replica'] ['config.routers.PrimaryReplicaRouter'] FileSystemStorage")


def test_a_bucket_name_puts_media_on_s3_and_redis_shares_cache_and_sessions_between_web_hosts():
    result = _run("-c", SHOW, **S3, **REDIS)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[2:] == [
        "PublicMediaStorage",
        "PrivateS3Storage",
        "django.contrib.sessions.backends.cached_db",
        "RedisCache",
    ]


def test_every_switch_on_at_once_passes_the_deployment_checks():
    result = _run("manage.py", "check", "--deploy", "--fail-level", "WARNING", **PROD, **REPLICA, **S3, **REDIS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_public_media_on_a_bucket_with_private_files_on_one_disk_is_a_deployment_warning():
    public_only = {k: v for k, v in S3.items() if k != "PORTAL_PRIVATE_BUCKET_NAME"}
    result = _run("manage.py", "check", "--deploy", "--fail-level", "WARNING", **PROD, **public_only, **REDIS)
    assert result.returncode != 0
    assert "portal.W010" in result.stderr


def test_private_files_in_the_public_media_bucket_are_refused():
    result = _run("manage.py", "check", **{**S3, "PORTAL_PRIVATE_BUCKET_NAME": S3["AWS_STORAGE_BUCKET_NAME"]})
    assert result.returncode != 0
    assert "portal.E011" in result.stderr and "/media/" in result.stderr


def test_the_router_writes_to_and_migrates_only_the_primary():
    # Reads of a registry model go to the replica when one is configured and reachable: tests/replica checks that
    # on a real primary and standby (this process has no replica, so the router rightly answers "default").
    router = PrimaryReplicaRouter()
    assert router.db_for_write(Cooperative) == "default"
    assert router.allow_migrate("replica", "cooperatives") is False
    assert router.allow_migrate("default", "cooperatives") is True


def test_accounts_and_sessions_are_read_from_the_primary():
    from django.contrib.sessions.models import Session

    router = PrimaryReplicaRouter()
    assert router.db_for_read(User) == "default"
    assert router.db_for_read(Session) == "default"


def test_reads_inside_a_transaction_stay_on_the_primary(db):
    # The test itself runs inside a transaction on the primary, as a service's atomic block would.
    assert PrimaryReplicaRouter().db_for_read(Cooperative) == "default"
