"""ops/gunicorn_response.py on the installed gunicorn: a page's head and body leave in one write, and every kind of
answer is byte for byte what gunicorn alone sends.

Each request is parsed by gunicorn's own parser and answered by its own Response, the way its sync worker does
(gunicorn.workers.sync.SyncWorker.handle_request), into a socket that records each write.
"""

import io

import pytest
from gunicorn.config import Config
from gunicorn.http import wsgi
from gunicorn.http.parser import RequestParser

from ops import gunicorn_response


class RecordingSocket:
    def __init__(self):
        self.writes: list[bytes] = []

    def sendall(self, data: bytes) -> None:
        self.writes.append(bytes(data))

    def sendfile(self, file, offset=0, count=None):
        file.seek(offset)
        self.writes.append(file.read(count))
        return count

    def fileno(self):  # gunicorn asks, never uses it on this path
        return -1


def answer(app, request: bytes, *, response: list | None = None) -> list[bytes]:
    cfg = Config()
    sock = RecordingSocket()
    req = next(iter(RequestParser(cfg, [request], ("127.0.0.1", 40000))))
    resp, environ = wsgi.create(req, sock, ("127.0.0.1", 40000), ("127.0.0.1", 8000), cfg)
    if response is not None:
        response.append((resp, sock))
    body = app(environ, resp.start_response)
    try:
        if isinstance(body, environ["wsgi.file_wrapper"]):
            resp.write_file(body)
        else:
            for item in body:
                resp.write(item)
        resp.close()
    finally:
        if hasattr(body, "close"):
            body.close()
    return sock.writes


@pytest.fixture
def installed():
    gunicorn_response.install()


@pytest.fixture
def gunicorn_alone(monkeypatch):
    gunicorn_response.install()
    for name, method in gunicorn_response._original.items():
        monkeypatch.setattr(wsgi.Response, name, method)


PAGE = "Trang chủ".encode() * 2000


def page(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(PAGE)))])
    return [PAGE]


def not_modified(environ, start_response):
    start_response("304 Not Modified", [("ETag", '"abc"')])
    return [b""]


def streamed(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/csv")])
    return iter([b"a,b\r\n", b"", b"1,2\r\n"])


def empty_then_closed(environ, start_response):
    start_response("204 No Content", [])
    return []


def a_file(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/pdf"), ("Content-Length", "4096")])
    return environ["wsgi.file_wrapper"](RealFile(b"%PDF" + b"x" * 4092))


class RealFile(io.BytesIO):
    """A BytesIO with a file descriptor, so gunicorn takes its sendfile path."""

    def __init__(self, data):
        super().__init__(data)
        import tempfile

        self._disk = tempfile.TemporaryFile()
        self._disk.write(data)
        self._disk.seek(0)

    def fileno(self):
        return self._disk.fileno()

    def close(self):
        self._disk.close()
        super().close()


GET = b"GET /tin-tuc/ HTTP/1.1\r\nHost: htx.example.vn\r\n\r\n"
HEAD = b"HEAD /tin-tuc/ HTTP/1.1\r\nHost: htx.example.vn\r\n\r\n"


def test_a_page_leaves_in_one_write_head_and_body_together(installed):
    writes = answer(page, GET)
    assert len(writes) == 1
    head, body = writes[0].split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 200 OK") and f"Content-Length: {len(PAGE)}".encode() in head
    assert body == PAGE


@pytest.mark.parametrize(
    ("app", "request_bytes"),
    [(page, GET), (page, HEAD), (not_modified, GET), (streamed, GET), (empty_then_closed, GET), (a_file, GET)],
    ids=["page", "head-request", "not-modified", "streamed", "no-content", "sendfile"],
)
def test_every_kind_of_answer_is_byte_for_byte_what_gunicorn_alone_sends(app, request_bytes, monkeypatch):
    gunicorn_response.install()
    ours = b"".join(answer(app, request_bytes))
    for name, method in gunicorn_response._original.items():
        monkeypatch.setattr(wsgi.Response, name, method)
    alone = b"".join(answer(app, request_bytes))
    assert _without_date(ours) == _without_date(alone)
    assert ours.startswith(b"HTTP/1.1 ")


def test_gunicorn_alone_sends_the_head_on_its_own_which_is_the_gap_this_closes(gunicorn_alone):
    writes = answer(page, GET)
    assert len(writes) == 2 and writes[0].endswith(b"\r\n\r\n") and writes[1] == PAGE


def test_a_streamed_answer_and_a_file_still_send_their_head_first(installed):
    writes = answer(streamed, GET)
    assert writes[0].endswith(b"\r\n\r\n") and b"Transfer-Encoding: chunked" in writes[0]
    writes = answer(a_file, GET)
    assert writes[0].endswith(b"\r\n\r\n") and writes[1].startswith(b"%PDF")


def test_a_real_portal_page_leaves_in_one_write(installed, db, settings):
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from config.wsgi import application

    settings.ALLOWED_HOSTS = ["htx.example.vn"]
    # As Django's test client does: the request's start and end must not close the test's database connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        writes = answer(application, b"GET /lien-he/ HTTP/1.1\r\nHost: htx.example.vn\r\n\r\n")
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    assert len(writes) == 1
    assert writes[0].startswith(b"HTTP/1.1 200 OK") and "Liên hệ".encode() in writes[0]


def _without_date(raw: bytes) -> bytes:
    return b"\r\n".join(line for line in raw.split(b"\r\n") if not line.startswith(b"Date: "))


def fails_before_its_body(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", "9")])

    def body():
        yield b""
        raise RuntimeError("the template failed")

    return body()


def changes_its_mind(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/html"), ("Content-Length", "2")])
    try:
        raise ValueError("late")
    except ValueError:
        import sys

        start_response("500 Internal Server Error", [("Content-Length", "3")], sys.exc_info())
    return [b"err"]


def test_an_app_that_fails_before_its_first_body_byte_has_sent_nothing_so_gunicorn_can_answer_500(installed):
    """gunicorn's sync and gthread workers write their own 500 page when `headers_sent` is False and only close the
    connection when it is True; gunicorn alone had sent the head already, leaving a cut answer."""
    made = []
    with pytest.raises(RuntimeError):
        answer(fails_before_its_body, GET, response=made)
    resp, sock = made[0]
    assert sock.writes == [] and resp.headers_sent is False


def test_a_second_start_response_before_the_body_replaces_the_head(installed):
    writes = answer(changes_its_mind, GET)
    assert len(writes) == 1
    assert writes[0].startswith(b"HTTP/1.1 500 Internal Server Error") and writes[0].endswith(b"err")
