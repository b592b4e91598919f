"""Permissions-Policy: the browser features the site does not use are denied on every response."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from portal.middleware_security import PERMISSIONS_POLICY

pytestmark = pytest.mark.security

DENIED = ("camera", "microphone", "geolocation", "payment", "usb", "serial", "bluetooth", "display-capture")

# The script APIs behind the denied features: if our code starts using one, the policy must change with it.
APIS = re.compile(
    r"getUserMedia|getDisplayMedia|navigator\.(geolocation|usb|serial|bluetooth|hid|xr|requestMIDIAccess)"
    r"|PaymentRequest|navigator\.credentials|DeviceMotionEvent|DeviceOrientationEvent|Accelerometer|Gyroscope"
)


def _features(header: str) -> dict[str, str]:
    return dict(part.strip().split("=", 1) for part in header.split(","))


@pytest.mark.parametrize("path", ["/", "/healthz", "/dang-nhap/", "/admin/login/", "/khong-co-trang-nay/"])
def test_every_response_denies_the_features_the_site_does_not_use(client, db, path):
    features = _features(client.get(path)["Permissions-Policy"])
    for feature in DENIED:
        assert features[feature] == "()", feature


def test_the_policy_denies_everything_it_names():
    assert set(_features(PERMISSIONS_POLICY).values()) == {"()"}


def test_no_template_or_script_of_ours_uses_a_denied_feature():
    root = Path(settings.BASE_DIR)
    ours = [*root.glob("templates/**/*.html"), *root.glob("static/js/**/*.js")]
    assert ours
    users = [str(path.relative_to(root)) for path in ours if APIS.search(path.read_text(errors="replace"))]
    assert users == []
