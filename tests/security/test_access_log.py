"""The access log keeps every request's line (ops/accesslog.py): the same line as gunicorn's own logger, written
within a couple of seconds, and all of it when gunicorn stops."""

import re
import time
from datetime import timedelta

import pytest
from gunicorn.config import Config
from gunicorn.glogging import Logger

from ops.accesslog import BufferedAccessLogger

from .conftest import gunicorn_serving

pytestmark = pytest.mark.security

QUOTED = r'"((?:[^"\\]|\\.)*)"'
COMBINED = re.compile(rf"^(\S+) - (\S+) \[[^\]]+\] {QUOTED} (\d{{3}}) (\d+|-) {QUOTED} {QUOTED}$")


class _Response:
    status = "200 OK"
    sent = 10712
    headers = [("Content-Type", "text/html; charset=utf-8")]


class _Request:
    headers = [("HOST", "htx.example.vn"), ("USER-AGENT", 'Mozilla/5.0 "quoted"')]


def _line(logger_class, path, environ) -> str:
    cfg = Config()
    cfg.set("accesslog", str(path))
    logger = logger_class(cfg)
    logger.access(_Response, _Request, environ, timedelta(microseconds=1234))
    if hasattr(logger, "flush"):
        logger.flush()
    return path.read_text()


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"HTTP_REFERER": "https://htx.example.vn/tin-tuc/", "QUERY_STRING": "page=2", "RAW_URI": "/tin-tuc/?page=2"},
        {"HTTP_USER_AGENT": "", "RAW_URI": '/tim-kiem/?q="x"'},
    ],
)
def test_our_line_is_gunicorns_line(tmp_path, extra):
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/tin-tuc/",
        "PATH_INFO": "/tin-tuc/",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_USER_AGENT": 'Mozilla/5.0 "quoted"',
        **extra,
    }
    for _ in range(3):  # the two lines must be written in the same second to compare their times
        ours = _line(BufferedAccessLogger, tmp_path / "ours.log", environ)
        theirs = _line(Logger, tmp_path / "theirs.log", environ)
        if ours[:40] == theirs[:40]:
            break
        (tmp_path / "ours.log").unlink()
        (tmp_path / "theirs.log").unlink()
    assert ours == theirs
    assert COMBINED.match(ours.rstrip("\n"))


def test_a_custom_format_is_left_to_gunicorns_logger(tmp_path):
    cfg = Config()
    cfg.set("accesslog", str(tmp_path / "a.log"))
    cfg.set("access_log_format", "%(h)s %(r)s %(D)s")
    logger = BufferedAccessLogger(cfg)
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1"}
    logger.access(_Response, _Request, environ, timedelta(microseconds=1234))
    assert (tmp_path / "a.log").read_text() == "127.0.0.1 GET / HTTP/1.1 1234\n"


def test_gunicorn_writes_every_request_to_the_access_log_within_seconds_and_at_stop(transactional_db, tmp_path_factory):
    log = tmp_path_factory.mktemp("access") / "access.log"
    with gunicorn_serving(
        tmp_path_factory.mktemp("static"), tmp_path_factory.mktemp("log") / "gunicorn.log", GUNICORN_ACCESS_LOG=str(log)
    ) as server:
        for path in ("/", "/tin-tuc/", "/khong-co-trang-nay/"):
            server.request(path)

        def requests():  # the start-up probes of /healthz aside
            lines = log.read_text().splitlines() if log.exists() else []
            return [COMBINED.match(line).group(3, 4) for line in lines if "/healthz" not in line]

        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and len(requests()) < 3:
            time.sleep(0.2)
        assert requests() == [
            ("GET / HTTP/1.1", "200"),
            ("GET /tin-tuc/ HTTP/1.1", "200"),
            ("GET /khong-co-trang-nay/ HTTP/1.1", "404"),
        ]
        server.request("/lien-he/")  # still in the worker's buffer when gunicorn is told to stop
    assert log.read_text().splitlines()[-1].split('"')[1] == "GET /lien-he/ HTTP/1.1"
