"""Public media on the bucket, served same-origin: a picture uploaded through one host is at /media/ of the site,
whichever host took the upload (nginx reads the bucket's public prefix, not a host's folder)."""

import io
import re
import time

from .client import Browser
from .cluster import DEMO_PASSWORD

COVER = re.compile(r'<figure class="article-cover"><img src="([^"]+)"')


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (time.time_ns() % 256, 120, 60)).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_picture_uploaded_through_b_is_served_by_nginx_at_media(cluster, scenario):
    url, pk = scenario["articles"][0], scenario["article_pks"][0]
    picture = _png()
    editor = Browser(ip="203.0.113.41")
    editor.login(cluster.web("B"), "bientap", DEMO_PASSWORD)
    saved = editor.submit(
        cluster.web("B"),
        f"/admin/public/article/{pk}/change/",
        {"cover_alt": "Ảnh thử nghiệm"},
        files={"cover": ("anh-bia.png", picture, "image/png")},
    )
    assert saved.status == 302, f"the admin on B answered {saved.status}"
    # The page as its editor sees it (the anonymous page's freshness is test_freshness's subject).
    found, deadline = None, time.monotonic() + 10
    while found is None and time.monotonic() < deadline:
        found = COVER.search(editor.get(cluster.nginx, url).text)
        time.sleep(0.3)
    assert found, "the article page does not show the new cover"
    src = found.group(1)
    assert src.startswith("/media/"), f"the cover is not linked on the site itself: {src}"
    served = Browser(ip="203.0.113.42").get(cluster.nginx, src)
    assert served.status == 200, f"nginx answered {served.status} for {src}"
    assert served.body == picture
    assert "sandbox" in served.headers.get("Content-Security-Policy", "")
    assert "Set-Cookie" not in served.headers
