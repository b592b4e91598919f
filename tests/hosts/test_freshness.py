"""What one host saves, the next page shows, on any host, although the replica applies the change 2 s late."""

import html
import re
import time

from portal.contentcache import VERSION_MEMO_SECONDS

from .client import Browser
from .cluster import DEMO_PASSWORD


def _title(page_html: str) -> str:
    found = re.search(r"<h1[^>]*>(.*?)</h1>", page_html, re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip() if found else ""


def test_an_admin_edit_on_host_a_is_fresh_on_host_b(cluster, scenario):
    url, pk = scenario["articles"][1], scenario["article_pks"][1]
    reader = Browser(ip="203.0.113.21")
    before = reader.get(cluster.web("B"), url)
    assert before.status == 200
    assert reader.get(cluster.web("B"), url).status == 200  # this one comes from the page cache
    old_title = _title(before.text)
    assert old_title

    editor = Browser(ip="203.0.113.22")
    editor.login(cluster.web("A"), "bientap", DEMO_PASSWORD)
    new_title = f"{old_title} (sửa lúc {time.strftime('%H:%M:%S')})"
    saved = editor.submit(cluster.web("A"), f"/admin/public/article/{pk}/change/", {"title": new_title})
    assert saved.status == 302, f"the admin on A answered {saved.status}: {saved.text[:3000]}"

    # B's processes remember the content version for VERSION_MEMO_SECONDS (portal.contentcache), so B may serve the
    # page it had for that long. Then it must show the new title, while the replica is still about 2 s behind (a
    # page built from the replica now would be cached under the new version, with the old title, for minutes); and
    # once more after the replica caught up.
    saved_at = time.monotonic()
    while True:
        first = reader.get(cluster.web("B"), url)
        late = time.monotonic() - saved_at
        if _title(first.text) == new_title or late > VERSION_MEMO_SECONDS + 0.5:
            break
        time.sleep(0.1)
    assert (first.status, _title(first.text)) == (200, new_title), f"still the old title {late:.1f} s after the save"
    cluster.pair.wait_replicated()
    again = reader.get(cluster.web("B"), url)
    assert (again.status, _title(again.text)) == (200, new_title)


def test_a_save_then_the_redirected_page_shows_the_saved_value_through_nginx(cluster, scenario):
    officer = Browser(ip="203.0.113.31")
    officer.login(cluster.nginx, "hongdan", DEMO_PASSWORD)
    path = f"/bao-cao/yeu-cau/{scenario['requests']['redirect']}/"
    for n in range(3):  # a first save creates the report, the next ones change it
        text = f"Lần lưu {n}: {time.time_ns()}"
        saved = officer.submit(cluster.nginx, path, {"section_0": text})
        assert saved.status == 302, f"save {n} answered {saved.status}"
        assert saved.location.endswith(path)
        page = officer.get(cluster.nginx, saved.location)
        assert page.status == 200
        assert text in html.unescape(page.text), f"save {n}: the redirected page does not show the saved text"
