"""Gunicorn settings for Cổng HTX (docs/deploy.md). Every value can be overridden from the environment.

    gunicorn -c deploy/gunicorn.conf.py config.wsgi

nginx in front terminates TLS and sets X-Forwarded-Proto / X-Forwarded-For (deploy/nginx/cong-htx.conf).
"""

import multiprocessing
import os

from ops import gunicorn_response

# A response's head and body in one write: a host killed mid-answer leaves nginx nothing it passed on, so nginx
# retries the request on the other host (ops/gunicorn_response.py).
gunicorn_response.install()

wsgi_app = "config.wsgi:application"
# A unix socket in production (nginx proxies to it); CI and tests bind a loopback port. A load balancer that speaks
# to gunicorn itself (no nginx on the host): the host's private address, e.g. GUNICORN_BIND=10.0.0.5:8000 (or
# 0.0.0.0:8000 behind a firewall that lets only the balancer in), with GUNICORN_FORWARDED_ALLOW_IPS and
# PORTAL_TRUSTED_PROXIES listing the balancer (docs/deploy.md, "Load balancer").
bind = os.getenv("GUNICORN_BIND", "unix:/run/cong-htx/gunicorn.sock")
# Synchronous workers: the app is database-bound; 2 x cores + 1 is the usual start.
workers = int(os.getenv("GUNICORN_WORKERS", str(multiprocessing.cpu_count() * 2 + 1)))
threads = int(os.getenv("GUNICORN_THREADS", "1"))
# PDF batches and imports run in Celery; a web request taking longer than this is a fault.
timeout = int(os.getenv("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so a slow leak cannot grow for ever. Not often: a recycled worker serves nothing
# for ~0.3 s (the old process exits, the master forks a new one), and at 2,000 requests a worker serving cached
# pages at a few hundred req/s restarted every few seconds; measured at 16 connections, 2 workers, bare view:
# p99 449 ms with 2,000, 12-23 ms with recycling off (docs/performance.md).
max_requests = int(os.getenv("GUNICORN_MAX_REQUESTS", "100000"))
max_requests_jitter = max_requests // 10
# Only the local nginx (or the balancer, when it speaks to gunicorn itself) may say the request was HTTPS.
forwarded_allow_ips = os.getenv("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Refuse absurd request lines and headers before Django sees them.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
accesslog = os.getenv("GUNICORN_ACCESS_LOG", "-") or None  # empty: no access log
# The same combined-format lines as gunicorn's own logger, for a fifth of its CPU: formatted from the few fields
# they name and written in blocks at least every second (ops/accesslog.py; docs/performance.md).
logger_class = "ops.accesslog.BufferedAccessLogger"
errorlog = "-"
loglevel = os.getenv("GUNICORN_LOG_LEVEL", "info")
proc_name = "cong-htx"
# Load the app before forking: a broken configuration fails at start, not on the first request.
preload_app = True


def worker_exit(server, worker):
    """A worker that stops writes the access-log lines it still holds (ops/accesslog.py)."""
    flush = getattr(server.log, "flush", None)
    if flush is not None:
        flush()
