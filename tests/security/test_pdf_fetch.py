"""A rendered PDF cannot make the server read local files or call internal addresses, end to end.

An article whose body points images, style sheets and imports at a listening local server, at file:// and at the
cloud metadata address is rendered through the real PDF view; the local server must see no request at all.
"""

import http.server
import threading

import pytest

from public.models import Article
from tests.public.factories import ArticleFactory

pytestmark = pytest.mark.security


@pytest.fixture
def listener():
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


def test_an_article_pdf_fetches_nothing_but_our_static_files(client, db, listener):
    base, hits = listener
    body = (
        f'<p>Ảnh</p><img src="{base}/anh.png" alt="a"><img src="file:///etc/passwd" alt="b">'
        f'<img src="http://169.254.169.254/latest/meta-data/" alt="c"><img src="/static/../../../etc/passwd" alt="d">'
        f'<link rel="stylesheet" href="{base}/x.css"><style>@import url("{base}/y.css");</style>'
        f'<p style="background:url({base}/z.png)">nền</p><iframe src="{base}/frame"></iframe>'
    )
    saved = ArticleFactory(body=body)
    raw = ArticleFactory()
    Article.objects.filter(pk=raw.pk).update(body=body)  # not cleaned on save: display-time cleaning must hold
    for article in (saved, raw):
        response = client.get(f"{article.get_absolute_url()}pdf/")
        assert response.status_code == 200
        assert response.content.startswith(b"%PDF-")
    assert hits == []
