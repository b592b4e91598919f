"""The balancer's probe: /healthz through nginx and at each host says every part, the replica too, is reachable;
with the replica down the site still answers from the primary, and the probe says "degraded", not "error"."""

import json

from .client import Browser


def _health(base: str) -> tuple[int, dict]:
    answer = Browser().get(base, "/healthz")
    return answer.status, json.loads(answer.text)


def test_healthz_reports_every_part_ok_on_both_hosts_and_through_nginx(cluster):
    for base in (cluster.web("A"), cluster.web("B"), cluster.nginx):
        status, body = _health(base)
        assert status == 200 and body["status"] == "ok" and body.get("replica") == "ok", (base, status, body)


def test_with_the_replica_down_pages_come_from_the_primary_and_the_probe_says_degraded(cluster, scenario):
    cluster.pair.stop_replica()
    try:
        for base in (cluster.web("A"), cluster.web("B")):
            status, body = _health(base)
            assert (status, body["status"], body.get("replica")) == (200, "degraded", "error"), (base, body)
        reader = Browser(ip="203.0.113.51")
        for path in ("/", "/tin-tuc/", scenario["articles"][0], "/hop-tac-xa/"):
            assert reader.get(cluster.nginx, path).status == 200, path
    finally:
        cluster.pair.start_replica()
        cluster.pair.wait_replicated()
