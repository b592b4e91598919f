"""A web host killed in the middle of a load: the balancer retries on the other host, and the view counter
(buffered in Redis, public/counters.py) loses nothing.

Every anonymous read of an article counts one view (no per-visitor dedupe: public.views.article_detail and
public.live.article_views_part count each non-bot read), buffered in Redis until `portal.flush_counters` writes it.
So after a flush the article's stored count must have risen by the number of 200 answers, with one honest margin:
nginx retries a GET on B when A died before answering, and A may have counted that read before it died (the count
is made before the response is sent). Those retries are in nginx's log (two upstream addresses), so the rise must
lie between the 200s and the 200s plus the retried requests: a count kept in a process's memory would fall below.
"""

import threading
import time
from collections import Counter

from .client import Browser

THREADS = 6
SECONDS = 8
KILL_AFTER = 3


def _stored_views(cluster, pk: int) -> int:
    cluster.python("from public.tasks import flush_counters; flush_counters()")
    return cluster.query("SELECT view_count FROM portal_article WHERE id = %s", [pk])[0][0]


def test_killing_host_a_mid_load_loses_no_request_and_no_view(cluster, scenario):
    url, pk = scenario["articles"][2], scenario["article_pks"][2]
    before = _stored_views(cluster, pk)
    statuses: Counter = Counter()
    errors: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def read(n: int) -> None:
        reader = Browser(ip=f"198.51.100.{n + 10}")
        while not stop.is_set():
            try:
                status = reader.get(cluster.nginx, url).status
            except Exception as exc:  # noqa: BLE001 - every failure is counted, none ends a reader silently
                with lock:
                    errors.append(repr(exc))
                continue
            with lock:
                statuses[status] += 1

    log_mark = len(cluster.nginx_access())
    threads = [threading.Thread(target=read, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(KILL_AFTER)
        served_before_kill = sum(statuses.values())
        cluster.kill_web("A")
        time.sleep(SECONDS - KILL_AFTER)
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
    try:
        lines = [line for line in cluster.nginx_access()[log_mark:] if f" {url} " in line]
        on_a = sum(1 for line in lines if f":{cluster.ports['web-A']}" in line.split("upstream=")[1])
        retried = sum(1 for line in lines if "," in line.split("upstream=")[1])
        assert errors == []
        assert set(statuses) == {200}, f"answers: {dict(statuses)}"
        assert served_before_kill > 0 and on_a > 0, "the load never reached host A before the kill"
        assert sum(statuses.values()) > served_before_kill, "nothing was served after the kill"
        after = _stored_views(cluster, pk)
        answered = sum(statuses.values())
        print(f"\n{answered} answers, {served_before_kill} before the kill, {retried} retried; +{after - before} views")
        assert statuses[200] <= after - before <= statuses[200] + retried
    finally:
        cluster.start_web("A")
