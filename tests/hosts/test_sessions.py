"""A person logged in through one host stays logged in on the other: sessions live in the shared database (on the
primary, never read from the lagging replica) and every host signs with the same key."""

from .client import Browser
from .cluster import DEMO_PASSWORD


def test_a_login_on_host_a_holds_on_host_b(cluster):
    officer = Browser()
    officer.login(cluster.web("A"), "hongdan", DEMO_PASSWORD)
    # At once, well inside the replica's 2 s delay: B must read the session written on A.
    page = officer.get(cluster.web("B"), "/bao-cao/")
    assert page.status == 200, f"the workspace on B answered {page.status} {page.location}"
    assert "dang-xuat" in page.text


def test_a_logout_on_host_b_ends_the_session_on_host_a(cluster):
    officer = Browser()
    officer.login(cluster.web("A"), "hongdan", DEMO_PASSWORD)
    page = officer.get(cluster.web("B"), "/bao-cao/")
    assert page.status == 200
    kept = dict(officer.cookies)
    officer.submit(cluster.web("B"), "/bao-cao/", form=_logout_form(page.text))
    officer.cookies = kept  # a stolen copy of the cookie is worth nothing once its owner logged out
    page = officer.get(cluster.web("A"), "/bao-cao/")
    assert page.status == 302 and "/dang-nhap/" in page.location


def _logout_form(html):
    from .client import forms

    return next(f for f in forms(html) if "dang-xuat" in f.action)
