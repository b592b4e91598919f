import os
import subprocess
import sys

from django.conf import settings

PROJECT = settings.BASE_DIR
REDIS_URL = "redis://127.0.0.1:1/0"  # only named: loading the settings and the checks connect to nothing


def _run_python(code: str, **env) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT, env=full_env, capture_output=True, text=True, timeout=60
    )


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = _run_python(
        "import django; import os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; django.setup()",
        DJANGO_DEBUG="0",
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_settings_refuse_to_start_without_a_shared_cache():
    code = "import django; import os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; django.setup()"
    result = _run_python(code, DJANGO_DEBUG="0", DJANGO_SECRET_KEY="x" * 60, DJANGO_ALLOWED_HOSTS="htx.example.vn")
    assert result.returncode != 0
    assert "REDIS_URL must be set when DJANGO_DEBUG is off" in result.stderr
    # The same process starts once it is given one, and a newcomer (DEBUG on) needs none.
    assert _run_python(code, DJANGO_DEBUG="0", DJANGO_SECRET_KEY="x" * 60, REDIS_URL=REDIS_URL).returncode == 0
    assert (
        _run_python(
            code + "; from django.conf import settings as s; assert 'locmem' in s.CACHES['default']['BACKEND']"
        ).returncode
        == 0
    )


def test_production_settings_are_secure():
    code = (
        "import os, django; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_HSTS_SECONDS >= 31536000, s.SESSION_COOKIE_HTTPONLY, s.SECURE_PROXY_SSL_HEADER)"
    )
    result = _run_python(
        code, DJANGO_DEBUG="0", DJANGO_SECRET_KEY="x" * 60, DJANGO_ALLOWED_HOSTS="htx.example.vn", REDIS_URL=REDIS_URL
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False True True True True True ('HTTP_X_FORWARDED_PROTO', 'https')"


def test_check_deploy_is_clean_in_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "k" * 30 + "Q%9!zX" * 10,
            "DJANGO_ALLOWED_HOSTS": "htx.example.vn",
            "PORTAL_SITE_URL": "https://htx.example.vn",
            "REDIS_URL": REDIS_URL,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_speaks_vietnamese_in_asia_ho_chi_minh_time():
    assert settings.LANGUAGE_CODE == "vi"
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
