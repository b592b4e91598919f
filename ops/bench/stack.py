"""What each middleware and the access log cost per request, measured in one process (docs/performance.md).

    DJANGO_DEBUG=0 PORTAL_BENCH_ENDPOINTS=1 ... python -m ops.bench.stack --path /_bench/bare --requests 5000

The WSGI application is built with a probe between every two middleware classes; a probe notes the clock when the
request passes it on the way in and when the response passes it on the way out, so each middleware's own time is
(in: next probe - this probe) + (out: this probe - next probe), its view and inner middleware excluded. What the
probes themselves cost is measured with a stack of probes alone and taken off. The figures are CPU time (the
process's, not the wall clock: other work on the machine does not count), median over rounds.

The access log line is timed apart: gunicorn's logger (deploy/gunicorn.conf.py's format) and ours
(ops.accesslog), each writing a realistic request's line to a file.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta

from gunicorn.config import Config

from ops import accesslog

PROBES: list = []
_stamps: list = []


def _probe(index: int):
    class Probe:
        def __init__(self, get_response):
            self.get_response = get_response

        def __call__(self, request):
            clock = time.process_time_ns
            _stamps.append((index, 0, clock()))
            response = self.get_response(request)
            _stamps.append((index, 1, clock()))
            return response

    Probe.__name__ = Probe.__qualname__ = f"Probe{index}"
    return Probe


class Passthrough:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)


def _environ(path: str, user_agent: str, cookie: str = "") -> dict:
    path, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "RAW_URI": path + (f"?{query}" if query else ""),
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8811",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8811",
        "HTTP_X_FORWARDED_PROTO": "https",
        "HTTP_X_FORWARDED_FOR": "203.0.113.7",
        "HTTP_ACCEPT": "text/html",
        "wsgi.url_scheme": "http",
        "wsgi.input": None,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if user_agent:
        environ["HTTP_USER_AGENT"] = user_agent
    if cookie:
        environ["HTTP_COOKIE"] = cookie
    return environ


def _app(middleware: list):
    """A WSGI handler over `middleware` with a probe before each class and one before the view."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.utils import override_settings

    module = sys.modules[__name__]
    chain = []
    for index, path in enumerate([*middleware, None]):
        name = f"Probe{index}"
        setattr(module, name, _probe(index))
        chain.append(f"{__name__}.{name}")
        if path:
            chain.append(path)
    with override_settings(MIDDLEWARE=chain):
        return WSGIHandler()


def _run(app, environ: dict, count: int) -> tuple[list[float], float]:
    """Per-layer CPU microseconds per request (the layer under probe i) and the total per request."""
    from io import BytesIO

    layers = None
    started = time.process_time_ns()
    for _ in range(count):
        _stamps.clear()
        env = dict(environ, **{"wsgi.input": BytesIO()})
        response = app(env, lambda status, headers, exc_info=None: None)
        b"".join(response)
        response.close()
        ins = {i: t for i, way, t in _stamps if way == 0}
        outs = {i: t for i, way, t in _stamps if way == 1}
        depth = len(ins)
        own = [(ins.get(i + 1, outs[i]) - ins[i]) + (outs[i] - outs.get(i + 1, outs[i])) for i in range(depth)]
        layers = own if layers is None else [a + b for a, b in zip(layers, own, strict=False)]
    total = (time.process_time_ns() - started) / count / 1000
    return [value / count / 1000 for value in layers or []], total


def middleware_costs(path: str, *, user_agent: str, cookie: str, requests: int, rounds: int) -> list[tuple]:
    from django.conf import settings

    middleware = list(settings.MIDDLEWARE)
    environ = _environ(path, user_agent, cookie)
    app = _app(middleware)
    _run(app, environ, 50)  # warm: first-request imports, cached templates, connections
    per_round, totals = [], []
    for _ in range(rounds):
        layers, total = _run(app, environ, requests)
        per_round.append(layers)
        totals.append(total)
    # What a probe adds to the layer it measures: the own time of middleware that does nothing.
    idle, bare = _app([f"{__name__}.Passthrough"] * 3), _environ("/_bench/bare", "")
    probe = statistics.median(x for _ in range(rounds) for x in _run(idle, bare, requests)[0][:3])
    layers = [statistics.median(r[i] for r in per_round) for i in range(len(middleware) + 1)]
    rows = [(name, max(layers[i] - probe, 0.0)) for i, name in enumerate(middleware)]
    rows.append(("view, URL resolving and the handler's own work", layers[-1]))
    rows.append(("total per request (probes included)", statistics.median(totals)))
    rows.append(("(a probe's own cost, taken off each middleware above)", probe))
    return rows


class _Response:
    """What gunicorn's logger reads from its response object."""

    def __init__(self, headers):
        self.status = "200 OK"
        self.sent = 10712
        self.headers = headers


def access_log_costs(requests: int, rounds: int) -> list[tuple]:
    environ = _environ("/tin-tuc/some-article/", "Mozilla/5.0 (X11; Linux x86_64) Chrome/124.0 Safari/537.36")
    request_headers = [(k[5:].replace("_", "-"), v) for k, v in environ.items() if k.startswith("HTTP_")]
    response = _Response([("Content-Type", "text/html; charset=utf-8"), ("Content-Length", "10712")] * 6)
    took = timedelta(microseconds=4321)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name, logger_class in (
            ("gunicorn's access log (its default logger, a line written per request)", None),
            ("ops.accesslog.BufferedAccessLogger (same line, written in blocks)", accesslog.BufferedAccessLogger),
        ):
            cfg = Config()
            cfg.set("accesslog", os.path.join(folder, f"{len(rows)}.log"))
            if logger_class is not None:
                cfg.set("logger_class", f"{logger_class.__module__}.{logger_class.__name__}")
            logger = cfg.logger_class(cfg)

            class Request:
                headers = request_headers

            times = []
            for _ in range(rounds):
                started = time.process_time_ns()
                for _ in range(requests):
                    logger.access(response, Request, environ, took)
                times.append((time.process_time_ns() - started) / requests / 1000)
            rows.append((name, statistics.median(times)))
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--path", default="/_bench/bare")
    parser.add_argument("--user-agent", default="", help="none by default: wrk sends none, so it is taken for a bot")
    parser.add_argument("--cookie", default="")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    rows = middleware_costs(
        args.path, user_agent=args.user_agent, cookie=args.cookie, requests=args.requests, rounds=args.rounds
    )
    print(f"GET {args.path} ({'agent ' + args.user_agent if args.user_agent else 'no user agent'})")
    print("| layer | µs CPU per request |\n|---|---:|")
    for name, micro in rows:
        print(f"| {name} | {micro:.1f} |")
    print("\n| access log | µs CPU per request |\n|---|---:|")
    for name, micro in access_log_costs(args.requests, args.rounds):
        print(f"| {name} | {micro:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
