import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import Resolver404, resolve

from ops import bench_views


def _run_python(code: str, **env) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PORTAL_", "DATABASE_"))}
    full_env.update(env)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, django; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; django.setup();" + code,
        ],
        cwd=settings.BASE_DIR,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_bare_benchmark_view_is_not_routed_by_default(client, db):
    assert settings.PORTAL_BENCH_ENDPOINTS is False
    with pytest.raises(Resolver404):
        resolve("/_bench/bare")
    assert client.get("/_bench/bare").status_code == 404


def test_the_bare_benchmark_view_answers_when_switched_on():
    code = (
        "from django.test import Client; from django.urls import resolve;"
        "r = Client().get('/_bench/bare'); print(resolve('/_bench/bare').url_name, r.status_code, r.content.decode())"
    )
    result = _run_python(code, PORTAL_BENCH_ENDPOINTS="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["bench-bare", "200", "ok"]


def test_the_bare_view_does_no_work(rf):
    response = bench_views.bare(rf.get("/_bench/bare"))
    assert (response.status_code, response.content) == (200, b"ok")
