"""The client address behind a chain of our proxies (a balancer, then nginx): whatever a client writes into
X-Forwarded-For, the address counted is the one the first of our proxies saw."""

import ipaddress

import pytest
from django.test import RequestFactory, override_settings
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from portal import security
from tests.properties import examples

pytestmark = pytest.mark.security

TRUSTED = ["127.0.0.1", "::1", "10.0.0.0/8", "fd00:10::/64"]

clients = st.one_of(
    st.ip_addresses(network="203.0.113.0/24"),
    st.ip_addresses(network="198.51.100.0/24"),
    st.ip_addresses(network="2001:db8::/32"),
).map(str)
balancers = st.one_of(st.ip_addresses(network="10.0.0.0/8"), st.ip_addresses(network="fd00:10::/64")).map(str)
# What a client may write itself: any address (ours and the balancers' included) or garbage.
forged = st.lists(
    st.one_of(balancers, clients, st.just("127.0.0.1"), st.text(alphabet="0123456789abcdef.:<>x ", max_size=15)),
    max_size=5,
)


def _request(remote: str, hops: list[str]):
    meta = {"REMOTE_ADDR": remote}
    if hops:
        meta["HTTP_X_FORWARDED_FOR"] = ", ".join(hops)
    return RequestFactory().get("/", **meta)


@hsettings(max_examples=examples(300))
@given(
    forged=forged,
    client=clients,
    chain=st.lists(balancers, min_size=0, max_size=2),
    entry=st.integers(min_value=0, max_value=2),
)
def test_forged_entries_on_the_left_never_win(forged, client, chain, entry):
    """client -> balancers (chain) -> nginx (127.0.0.1) -> Django, trusting every hop we run: the client is found
    whether it came through every balancer or reached a later one (or nginx) directly."""
    # override_settings per example, not pytest-django's `settings`: each of its assignments stacks one more
    # override for the whole test, and thousands of examples (make fuzz) overflowed the stack.
    with override_settings(PORTAL_TRUSTED_PROXIES=TRUSTED, PORTAL_TRUSTED_PROXY_COUNT=len(chain) + 1):
        skipped = min(entry, len(chain))
        # Each proxy appends the address it saw: the first appends the client, each next one the proxy before it.
        hops = [*forged, client, *chain[skipped:]]
        assert security.client_ip(_request("127.0.0.1", hops)) == client


@hsettings(max_examples=examples(200))
@given(forged=forged, client=clients, balancer=balancers)
def test_a_balancer_then_nginx_with_a_count_of_two(forged, client, balancer):
    trusted = ["127.0.0.1", "::1", "10.0.0.0/8", "fd00:10::/64"]
    with override_settings(PORTAL_TRUSTED_PROXIES=trusted, PORTAL_TRUSTED_PROXY_COUNT=2):
        assert security.client_ip(_request("127.0.0.1", [*forged, client, balancer])) == client
        # Not through nginx at all (gunicorn on TCP reached straight): REMOTE_ADDR, whatever the header says.
        assert security.client_ip(_request(client, [*forged, balancer])) == client


def test_networks_are_accepted_in_the_list(settings):
    settings.PORTAL_TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.PORTAL_TRUSTED_PROXY_COUNT = 1
    assert security.client_ip(_request("10.20.30.40", ["203.0.113.9"])) == "203.0.113.9"
    assert security.client_ip(_request("11.0.0.1", ["203.0.113.9"])) == "11.0.0.1"
    assert ipaddress.ip_address(security.client_ip(_request("10.0.0.1", ["2001:db8::1"]))).version == 6
