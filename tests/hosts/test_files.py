"""Files and imports across hosts: what one host stores, the other host (web or worker) reads."""

import re
import time
import urllib.request

from .client import Browser
from .cluster import DEMO_PASSWORD

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
PDF += b"trailer<</Root 1 0 R>>\n%%EOF\n"


def _file_links(html: str) -> list[str]:
    return re.findall(r'href="(/bao-cao/tep/\d+/)"', html)


def test_a_report_file_uploaded_through_a_downloads_through_b(cluster, scenario):
    officer = Browser()
    officer.login(cluster.web("A"), "hongdan", DEMO_PASSWORD)
    path = f"/bao-cao/yeu-cau/{scenario['requests']['file']}/"
    content = PDF + f"% {time.time_ns()}\n".encode()  # bytes no other file has
    saved = officer.submit(cluster.web("A"), path, files={"attachment": ("bien-ban.pdf", content, "application/pdf")})
    assert saved.status == 302, f"the upload on A answered {saved.status}"
    links = []
    deadline = time.monotonic() + 10
    while not links and time.monotonic() < deadline:  # the report page may read the replica, 2 s behind
        links = _file_links(officer.get(cluster.web("A"), path).text)
        time.sleep(0.3)
    assert len(links) == 1, "the report page on A does not list the uploaded file"
    download = officer.get(cluster.web("B"), links[0])
    if download.status in (302, 307) and download.location.startswith("http"):
        # Handed to the object store as a short-lived signed URL (a download that costs the host nothing).
        assert "Signature" in download.location, f"not a signed URL: {download.location}"
        with urllib.request.urlopen(download.location, timeout=20) as signed:
            body, disposition = signed.read(), signed.headers.get("Content-Disposition", "")
    else:
        assert download.status == 200, f"{links[0]} on B answered {download.status}"
        body, disposition = download.body, download.headers.get("Content-Disposition", "")
    assert body == content
    assert "attachment" in disposition
    # Still permission-checked on B: a person of another district gets nothing.
    other = Browser()
    other.login(cluster.web("B"), "donghai", DEMO_PASSWORD)
    assert other.get(cluster.web("B"), links[0]).status == 404


def test_an_import_uploaded_through_a_is_checked_and_applied_by_the_worker_of_b(cluster, tmp_path):
    sample = tmp_path / "htx.xlsx"
    cluster.manage("make_import_sample", "--rows", "3", "--out", str(sample))
    cluster.stop_worker("A")  # only B's worker takes tasks now
    try:
        staff = Browser()
        staff.login(cluster.web("A"), "lienminh", DEMO_PASSWORD)
        xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        started = staff.submit(
            cluster.web("A"),
            "/hop-tac-xa/quan-ly/nhap-du-lieu/",
            {"resource": "cooperatives"},
            files={"file": ("so-dang-ky.xlsx", sample.read_bytes(), xlsx)},
        )
        assert started.status == 302, f"the import form on A answered {started.status}"
        job = int(re.search(r"/nhap-du-lieu/(\d+)/", started.location).group(1))
        status, errors = _wait_job(cluster, job, {"checked", "invalid", "failed"})
        assert (status, errors) == ("checked", []), f"the check ended {status}: {errors}"
        # Straight to the confirmation (the job page reads the replica, which may not show "checked" yet).
        confirm = staff.request(
            cluster.web("A"), "POST", f"/hop-tac-xa/quan-ly/nhap-du-lieu/{job}/xac-nhan/", fields=staff.csrf_fields()
        )
        assert confirm.status == 302, f"the confirmation on A answered {confirm.status}"
        status, errors = _wait_job(cluster, job, {"done", "failed"})
        assert (status, errors) == ("done", []), f"the import ended {status}: {errors}"
        log = cluster.log("worker-B")
        for task in ("import_check", "import_apply"):
            assert re.search(rf"Task cooperatives\.tasks\.{task}\[[0-9a-f-]+\] succeeded", log), f"B did not run {task}"
        assert not re.search(r"Task cooperatives\.tasks\.import_(check|apply)\[", cluster.log("worker-A"))
        names = cluster.query("SELECT count(*) FROM cooperatives_cooperative WHERE registration_code LIKE '77%%'")
        assert names[0][0] == 3
    finally:
        cluster.start_worker("A")


def _wait_job(cluster, job: int, final: set[str], timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, errors = cluster.query("SELECT status, errors FROM cooperatives_importjob WHERE id = %s", [job])[0]
        if status in final:
            return status, errors
        time.sleep(0.5)
    raise AssertionError(f"import {job} still {status} after {timeout} s")
