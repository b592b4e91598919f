"""deploy/nginx/media-s3.conf, run by a real nginx in front of a real SeaweedFS: /media/ answers from the public
prefix of the media bucket, GET and HEAD only, with the headers the disk-served /media/ location sets, and nothing
outside that prefix (least of all the private bucket) is reachable through it."""

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from tests.infra.fixtures import MEDIA_BUCKET, MEDIA_PREFIX, PRIVATE_BUCKET

DEPLOY = Path(settings.BASE_DIR, "deploy", "nginx")
SNIPPET = DEPLOY / "media-s3.conf"
PICTURE = b"\x89PNG\r\n\x1a\n" + b"anh tin tuc" * 100


def _headers(block: str) -> list[str]:
    return sorted(re.findall(r"^\s*add_header (.*);$", block, re.M))


def test_the_snippet_sets_the_same_headers_as_the_disk_media_location():
    site = (DEPLOY / "cong-htx.conf").read_text()
    disk = re.search(r"location /media/ \{(.*?)\n    \}", site, re.S).group(1)
    assert _headers(SNIPPET.read_text()) == _headers(disk)
    assert "expires 7d;" in SNIPPET.read_text()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def nginx_media(tmp_path, s3_storages):
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if not nginx:
        pytest.skip("nginx is not installed (apt-get install nginx); .ci/run installs it")
    snippet = SNIPPET.read_text().replace(
        "https://s3.example.vn/cong-htx-media/media/", f"{s3_storages.endpoint_url}/{MEDIA_BUCKET}/{MEDIA_PREFIX}/"
    )
    assert s3_storages.endpoint_url in snippet
    (tmp_path / "media-s3.conf").write_text(snippet)
    port = _free_port()
    mime = "/etc/nginx/mime.types"
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\nhttp {{\n"
        f"  {'include ' + mime + ';' if os.path.exists(mime) else ''}\n  access_log off;\n"
        f"  server {{\n    listen 127.0.0.1:{port};\n    server_name _;\n"
        f"    include {tmp_path}/media-s3.conf;\n  }}\n}}\n"
    )
    result = subprocess.run([nginx, "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    pid = int((tmp_path / "nginx.pid").read_text())
    try:
        yield port, tmp_path / "error.log"
    finally:
        os.kill(pid, signal.SIGQUIT)
        for _ in range(50):
            if not (tmp_path / "nginx.pid").exists():
                break
            time.sleep(0.1)


def _request(port, method, path, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def test_a_public_picture_is_served_at_the_url_django_gives_with_the_media_headers(nginx_media):
    port, _ = nginx_media
    media = storages["default"]
    name = media.save("tin-tuc/Ảnh bìa 2025.png", ContentFile(PICTURE))
    url = media.url(name)
    assert url.startswith("/media/tin-tuc/")
    status, headers, body = _request(port, "GET", url)
    assert (status, body) == (200, PICTURE)
    assert headers["content-security-policy"] == "default-src 'none'; img-src 'self'; style-src 'none'; sandbox"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert "camera=()" in headers["permissions-policy"]
    assert not any(h.startswith("x-amz-") for h in headers)
    status, headers, body = _request(port, "HEAD", url)
    assert (status, body) == (200, b"")


def test_writes_are_refused_by_nginx_before_the_bucket(nginx_media):
    port, error_log = nginx_media
    media = storages["default"]
    name = media.save("tin-tuc/giu-nguyen.png", ContentFile(PICTURE))
    for method in ("PUT", "POST", "DELETE"):
        status, _, _ = _request(port, method, media.url(name), {"Content-Length": "4"} if method != "DELETE" else {})
        assert status == 403, method
    assert error_log.read_text().count("access forbidden by rule") == 3
    assert media.open(name).read() == PICTURE


def test_a_query_never_reaches_the_bucket_as_a_sub_resource(nginx_media):
    port, _ = nginx_media
    media = storages["default"]
    name = media.save("tin-tuc/acl.png", ContentFile(PICTURE))
    for query in ("?acl", "?tagging", "?list-type=2"):
        status, _, body = _request(port, "GET", media.url(name) + query)
        assert (status, body) == (200, PICTURE), query


def test_nothing_outside_the_public_prefix_is_reachable_through_media(nginx_media, s3_storages):
    port, _ = nginx_media
    client = s3_storages.client()
    client.put_object(Bucket=MEDIA_BUCKET, Key="noi-bo/x.txt", Body=b"outside the prefix")
    client.put_object(Bucket=PRIVATE_BUCKET, Key="vay-von/y.pdf", Body=b"private paper")
    attempts = [
        "/media/../noi-bo/x.txt",
        "/media/%2e%2e/noi-bo/x.txt",
        "/media/..%2fnoi-bo/x.txt",
        f"/media/../../{PRIVATE_BUCKET}/vay-von/y.pdf",
        f"/media/%2e%2e/%2e%2e/{PRIVATE_BUCKET}/vay-von/y.pdf",
        f"/media/..%2f..%2f{PRIVATE_BUCKET}/vay-von/y.pdf",
        "/media/",
    ]
    for path in attempts:
        status, _, body = _request(port, "GET", path)
        assert status != 200 or body == b"", (path, status)
        assert b"outside the prefix" not in body and b"private paper" not in body, path


def test_the_site_with_the_snippet_in_place_of_the_media_folder_passes_nginx_t(tmp_path):
    """What docs/deploy.md tells the operator to do: replace the /media/ block of cong-htx.conf with the include."""
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if not nginx or not shutil.which("openssl"):
        pytest.skip("nginx and openssl are needed (apt-get install nginx openssl); .ci/run installs them")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=htx.example.vn"]
        + ["-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
        check=True,
        capture_output=True,
    )
    # A resolvable endpoint: nginx -t looks the proxy_pass host up.
    (tmp_path / "media-s3.conf").write_text(SNIPPET.read_text().replace("https://s3.example.vn/", "https://127.0.0.1/"))
    site = (DEPLOY / "cong-htx.conf").read_text()
    site, replaced = re.subn(
        r"    location /media/ \{.*?\n    \}", f"    include {tmp_path}/media-s3.conf;", site, count=1, flags=re.S
    )
    assert replaced == 1
    site = site.replace("/etc/letsencrypt/live/htx.example.vn/fullchain.pem", str(tmp_path / "cert.pem"))
    site = site.replace("/etc/letsencrypt/live/htx.example.vn/privkey.pem", str(tmp_path / "key.pem"))
    (tmp_path / "site.conf").write_text(site)
    mime = "/etc/nginx/mime.types"
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  {'include ' + mime + ';' if os.path.exists(mime) else ''}\n"
        f"  access_log off;\n  include {tmp_path}/site.conf;\n}}\n"
    )
    result = subprocess.run([nginx, "-t", "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
