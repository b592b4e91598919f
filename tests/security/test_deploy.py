"""The deploy/ folder: nginx site accepted by `nginx -t`, limits in step with the settings, gunicorn config valid,
systemd units and environment template complete."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from .conftest import production_env

pytestmark = pytest.mark.security

DEPLOY = Path(settings.BASE_DIR, "deploy")
SITE = DEPLOY / "nginx" / "cong-htx.conf"
# The site behind a load balancer (no TLS here, the balancer's scheme trusted): tests/security/test_behind_balancer.py
BEHIND_LB = DEPLOY / "nginx" / "cong-htx-behind-lb.conf"
SITES = pytest.mark.parametrize("site", [SITE, BEHIND_LB], ids=["tls", "behind-lb"])


@SITES
def test_nginx_accepts_uploads_just_above_the_portal_limit(site):
    size = re.search(r"client_max_body_size\s+(\d+)m;", site.read_text())
    assert size, "client_max_body_size missing"
    limit = int(size.group(1)) * 1024 * 1024
    assert settings.PORTAL_MAX_UPLOAD_BYTES < limit <= settings.PORTAL_MAX_UPLOAD_BYTES + 2 * 1024 * 1024


def test_nginx_passes_the_headers_django_trusts():
    text = SITE.read_text()
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in text
    # Appending (not replacing) is what portal.security.client_ip expects: the last hop is nginx's own view.
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in text
    assert "location /static/" in text and "location /media/" in text
    assert re.search(r"location /media/private/ \{\s*internal;", text)


def test_nginx_t_accepts_the_site(tmp_path):
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if not nginx:
        pytest.skip("nginx is not installed (apt-get install nginx); .ci/run installs it")
    if not shutil.which("openssl"):
        pytest.skip("openssl is needed to make a throwaway certificate for nginx -t")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=htx.example.vn"]
        + ["-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
        check=True,
        capture_output=True,
    )
    site = SITE.read_text()
    site = site.replace("/etc/letsencrypt/live/htx.example.vn/fullchain.pem", str(tmp_path / "cert.pem"))
    site = site.replace("/etc/letsencrypt/live/htx.example.vn/privkey.pem", str(tmp_path / "key.pem"))
    (tmp_path / "site.conf").write_text(site)
    mime = "/etc/nginx/mime.types"
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  {'include ' + mime + ';' if os.path.exists(mime) else ''}\n"
        f"  access_log {tmp_path}/access.log;\n  include {tmp_path}/site.conf;\n}}\n"
    )
    result = subprocess.run([nginx, "-t", "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def test_the_gunicorn_configuration_loads_with_production_settings(transactional_db):
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--check-config", "-c", "deploy/gunicorn.conf.py"],
        cwd=settings.BASE_DIR,
        env=production_env(GUNICORN_BIND="127.0.0.1:0"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_systemd_units_run_web_worker_beat_and_the_nightly_backup():
    units = {p.name: p.read_text() for p in (DEPLOY / "systemd").iterdir()}
    assert "gunicorn -c deploy/gunicorn.conf.py" in units["cong-htx-web.service"]
    assert "celery -A config worker" in units["cong-htx-worker.service"]
    assert "celery -A config beat" in units["cong-htx-beat.service"]
    # The schedule and its lock live in Redis (celery-redbeat), so the same unit runs on two hosts: no local file.
    assert "--schedule" not in units["cong-htx-beat.service"] and "StateDirectory" not in units["cong-htx-beat.service"]
    assert "manage.py backup" in units["cong-htx-backup.service"]
    assert "OnCalendar=" in units["cong-htx-backup.timer"]
    for name, text in units.items():
        if name.endswith(".service"):
            assert "EnvironmentFile=/etc/cong-htx/env" in text, name
            assert "NoNewPrivileges=true" in text, name
            assert "User=cong-htx" in text, name


def test_the_environment_template_names_every_variable_the_settings_read():
    source = Path(settings.BASE_DIR, "config", "settings.py").read_text()
    read = set(re.findall(r'(?:env(?:bool|int|list)?|os\.getenv)\(\s*"([A-Z_]+)"', source))
    template = (DEPLOY / "cong-htx.env.example").read_text()
    listed = set(re.findall(r"^([A-Z_]+)=", template, re.M))
    assert read, "no variables found in settings.py"
    assert read - listed == set()


def test_the_environment_template_has_no_comment_after_a_value():
    # systemd's EnvironmentFile= takes a "#" after a value as part of the value: PORTAL_SITE_URL would become
    # "https://htx.example.vn   # every absolute link ...". Comments go on lines of their own.
    template = (DEPLOY / "cong-htx.env.example").read_text()
    trailing = [line for line in template.splitlines() if re.match(r"^[A-Z_][A-Z0-9_]*=.*\s#", line)]
    assert trailing == []


# Which unit writes each folder a setting names (docs/deploy.md, "Who writes what"). Public uploads, private uploads:
# the web. The worker only reads import files and keeps the public media it always had. Backups: the backup unit.
# Static files: collectstatic, run by hand, so no unit.
WRITERS = {
    "DJANGO_MEDIA_ROOT": {"cong-htx-web.service", "cong-htx-worker.service"},
    "PORTAL_PRIVATE_MEDIA_ROOT": {"cong-htx-web.service"},
    "PORTAL_BACKUP_DIR": {"cong-htx-backup.service"},
    "DJANGO_STATIC_ROOT": set(),
}


def _read_write_paths(unit_text: str) -> set[str]:
    paths = set()
    for line in re.findall(r"^ReadWritePaths=(.*)$", unit_text, re.M):
        paths |= {path.lstrip("-+").rstrip("/") for path in line.split()}
    return paths


def test_every_folder_a_unit_writes_is_writable_in_that_unit():
    source = Path(settings.BASE_DIR, "config", "settings.py").read_text()
    folders = set(re.findall(r'Path\(os\.getenv\(\s*"([A-Z_]+)"', source))
    assert folders == set(WRITERS), "place each folder setting in WRITERS (and in docs/deploy.md's table)"
    template = (DEPLOY / "cong-htx.env.example").read_text()
    value = dict(re.findall(r"^([A-Z_]+)=(\S+)", template, re.M))
    units = {p.name: p.read_text() for p in (DEPLOY / "systemd").glob("*.service")}
    # Under a read-only system, ReadWritePaths is the whole list of what a unit may write.
    assert all("ProtectSystem=strict" in text for text in units.values())
    for variable, writers in WRITERS.items():
        folder = value[variable].rstrip("/")
        for name, text in units.items():
            writable = folder in _read_write_paths(text)
            assert writable == (name in writers), f"{name}: ReadWritePaths and {variable}={folder}"


def test_the_private_media_folder_is_created_for_the_service_account_and_never_served_by_nginx():
    private = dict(re.findall(r"^([A-Z_]+)=(\S+)", (DEPLOY / "cong-htx.env.example").read_text(), re.M))[
        "PORTAL_PRIVATE_MEDIA_ROOT"
    ]
    docs = Path(settings.BASE_DIR, "docs", "deploy.md").read_text()
    assert re.search(r"mkdir -p /srv/cong-htx/\{[^}]*\bmedia-private\b", docs)
    assert re.search(r"chown cong-htx:cong-htx /srv/cong-htx/\{[^}]*\bmedia-private\b", docs)
    assert f"chmod 0750 {private}" in docs
    for site in (SITE, BEHIND_LB):
        assert private not in site.read_text() and "media-private" not in site.read_text()


def test_the_backup_timer_and_unit_say_what_the_docs_say():
    timer = (DEPLOY / "systemd" / "cong-htx-backup.timer").read_text()
    unit = (DEPLOY / "systemd" / "cong-htx-backup.service").read_text()
    docs = Path(settings.BASE_DIR, "docs", "deploy.md").read_text()
    at = re.search(r"^OnCalendar=\*-\*-\* (\d\d:\d\d):00$", timer, re.M).group(1)
    kept = re.search(r"-mtime \+(\d+)", unit).group(1)
    assert f"`manage.py backup` at {at} every night, keeping {kept} days" in docs
    assert (
        "ExecStart=/srv/cong-htx/app/.venv/bin/python manage.py backup\n" in unit
    )  # both media folders: no --no-media
    backups = dict(re.findall(r"^([A-Z_]+)=(\S+)", (DEPLOY / "cong-htx.env.example").read_text(), re.M))
    assert f"find {backups['PORTAL_BACKUP_DIR']} " in unit


def test_both_sites_serve_static_files_and_media_alike():
    """The site behind a balancer copies the TLS site's /static/ and /media/ locations: keep them the same."""

    def blocks(text):
        return re.findall(r"\n    location /(?:static|media)[^{]*\{.*?\n    \}", text, re.S)

    assert len(blocks(SITE.read_text())) == 3
    assert blocks(BEHIND_LB.read_text()) == blocks(SITE.read_text())
    assert BEHIND_LB.read_text().count("return 301") == 0  # Django redirects plain HTTP, nginx would loop


@SITES
def test_files_nginx_serves_itself_carry_the_same_permissions_policy_as_djangos_pages(site):
    """nginx answers /static/ and /media/ without Django, and a location's own add_header drops the server's: each
    location that serves files names the policy itself, the same as portal.middleware_security's."""
    import re

    from portal.middleware_security import PERMISSIONS_POLICY

    text = site.read_text()
    for location in ("/static/", "/media/"):
        block = re.search(rf"location {re.escape(location)} \{{(.*?)\n    \}}", text, re.S).group(1)
        assert f'add_header Permissions-Policy "{PERMISSIONS_POLICY}" always;' in block, location
