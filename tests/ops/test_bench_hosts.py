"""The nginx upstream example (deploy/nginx/upstream-example.conf) and the two-host phase of `make bench` made from it:
`nginx -t` accepts both, the bench's nginx balances over two loopback hosts and hands a request to the other host
when one is gone, and the report shows the three setups."""

import csv
import http.client
import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings

from ops.bench import hosts, report

DEPLOY = Path(settings.BASE_DIR, "deploy", "nginx")
EXAMPLE = DEPLOY / "upstream-example.conf"


def _nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if not found:
        pytest.skip("nginx is not installed (apt-get install nginx); .ci/run installs it")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_nginx_t_accepts_the_upstream_example(tmp_path):
    nginx = _nginx()
    if not shutil.which("openssl"):
        pytest.skip("openssl is needed to make a throwaway certificate for nginx -t")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=htx.example.vn"]
        + ["-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
        check=True,
        capture_output=True,
    )
    site = EXAMPLE.read_text()
    site = site.replace("/etc/letsencrypt/live/htx.example.vn/fullchain.pem", str(tmp_path / "cert.pem"))
    site = site.replace("/etc/letsencrypt/live/htx.example.vn/privkey.pem", str(tmp_path / "key.pem"))
    # The public-media snippet as docs/deploy.md has the operator copy it, with the example's placeholders.
    media = (EXAMPLE.parent / "media-s3.conf").read_text().replace("https://s3.example.vn/", "http://127.0.0.1:9/")
    media = "\n".join(line for line in media.splitlines() if "proxy_ssl_" not in line)
    (tmp_path / "media-s3.conf").write_text(media)
    assert hosts.MEDIA_INCLUDE in site
    site = site.replace(hosts.MEDIA_INCLUDE, f"include {tmp_path}/media-s3.conf;")
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  include {tmp_path}/site.conf;\n}}\n"
    )
    result = subprocess.run([nginx, "-t", "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_upstream_example_balances_two_hosts_and_keeps_the_site_limits():
    text = EXAMPLE.read_text()
    upstream = next(b for b in hosts.blocks(text) if b.startswith("upstream cong_htx"))
    assert hosts.upstream_servers(upstream) == ["10.0.0.11:8000", "10.0.0.12:8000"]
    assert len(re.findall(r"max_fails=\d+ fail_timeout=\d+s;", upstream)) == 2
    assert re.search(r"keepalive \d+;", upstream)
    # Retries on a dead or restarting host, never for a POST that reached one (no `non_idempotent`).
    assert "proxy_next_upstream error timeout http_502 http_503;" in text
    assert "non_idempotent" not in hosts.blocks(text)[-1]
    # Keepalive to the hosts needs HTTP/1.1 without "Connection: close".
    assert "proxy_http_version 1.1;" in text and 'proxy_set_header Connection "";' in text
    site = (DEPLOY / "cong-htx.conf").read_text()
    limit = re.compile(r"client_max_body_size\s+\S+;")
    assert limit.search(text).group(0) == limit.search(site).group(0)


class _Named(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the standard library's name
        body = self.server.name.encode()
        self.send_response(self.server.status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _host(name: str) -> http.server.ThreadingHTTPServer:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Named)
    server.name = name
    server.status = 200
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _get(port: int) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", "/_bench/bare")
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


def test_the_bench_nginx_made_from_the_example_balances_and_retries_on_the_other_host(tmp_path):
    nginx = _nginx()
    host_a, host_b = _host("A"), _host("B")
    two, one = _free_port(), _free_port()
    addresses = [f"127.0.0.1:{server.server_address[1]}" for server in (host_a, host_b)]
    conf = hosts.write_config(EXAMPLE.read_text(), hosts=addresses, listen_two=two, listen_one=one, workdir=tmp_path)
    checked = subprocess.run([nginx, "-t", "-c", str(conf)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    subprocess.run([nginx, "-c", str(conf)], check=True, capture_output=True, timeout=30)
    pid = None
    try:
        for _ in range(40):
            if (tmp_path / "nginx.pid").exists() and (tmp_path / "nginx.pid").read_text().strip():
                break
            time.sleep(0.25)
        pid = int((tmp_path / "nginx.pid").read_text())

        answers = [_get(two) for _ in range(20)]
        assert {status for status, _ in answers} == {200}
        assert {body for _, body in answers} == {"A", "B"}
        assert {body for _, body in (_get(one) for _ in range(5))} == {"A"}

        # Host B restarting behind its own nginx answers 502: the reader gets host A's answer instead.
        host_b.status = 502
        assert [_get(two) for _ in range(10)] == [(200, "A")] * 10
        time.sleep(5.5)  # B's fail_timeout: nginx tries it again
        host_b.shutdown()
        host_b.server_close()  # host B is gone: its port refuses connections
        assert [_get(two) for _ in range(10)] == [(200, "A")] * 10
    finally:
        if pid:
            os.kill(pid, 15)
            for _ in range(40):
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.25)
        host_a.shutdown()
        host_a.server_close()
        if host_b.socket.fileno() != -1:
            host_b.server_close()

    split = hosts.upstream_split(tmp_path / "upstreams.log")
    assert split[str(two)]["hosts"] == {addresses[0]: 10 + 10 + 10, addresses[1]: 10}
    assert split[str(two)]["retried"] >= 2  # tried on B first, then on A: once while it answered 502, once gone
    assert split[str(two)]["5xx"] == 0
    assert split[str(one)]["hosts"] == {addresses[0]: 5}


def _run(rps, p99=10.0, errors=0):
    return {"rps": float(rps), "p50_ms": 2.0, "p99_ms": p99, "errors": errors, "requests": int(rps * 5)}


def test_the_report_shows_one_host_direct_one_behind_nginx_and_two_behind_nginx(tmp_path):
    out, results = tmp_path / "out", tmp_path / "results"
    out.mkdir()
    results.mkdir()
    runs = {
        "1 host direct": {"1": _run(1000), "16": _run(2000)},
        "1 host behind nginx": {"1": _run(800), "16": _run(1800)},
        "2 hosts behind nginx": {"1": _run(790), "16": _run(1900, errors=3)},
    }
    hosts_file = {
        "setups": list(hosts.SETUPS),
        "workers_per_host": 2,
        "cores": 2,
        "pages": [{"name": "home", "path": "/", "cached": True, "runs": runs}],
        "upstreams": {
            "2 hosts behind nginx": {"hosts": {"127.0.0.1:1": 30, "127.0.0.1:2": 29}, "retried": 0, "5xx": 0}
        },
    }
    (out / "hosts.json").write_text(json.dumps(hosts_file))
    report.main(["--out", str(out), "--results", str(results), "--duration", "5"])

    text = (results / "RESULTS.md").read_text()
    assert "## Two hosts behind nginx" in text
    assert "cannot double the requests per second" in text
    assert "| home `/` | 16 | 2 hosts behind nginx | 1900.0 | 0.95 |" in text
    assert "| home `/` | 1 | 1 host behind nginx | 800.0 | 0.8 |" in text
    assert "127.0.0.1:1 30, 127.0.0.1:2 29" in text
    with open(results / "results.csv", encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["kind"] == "hosts"]
    assert [(r["setup"], r["connections"], r["result"]) for r in rows] == [
        ("1 host direct", "1", "pass"),
        ("1 host behind nginx", "1", "pass"),
        ("2 hosts behind nginx", "1", "pass"),
        ("1 host direct", "16", "pass"),
        ("1 host behind nginx", "16", "pass"),
        ("2 hosts behind nginx", "16", "FAIL"),
    ]
