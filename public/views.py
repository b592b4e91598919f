from math import ceil

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_POST, require_safe

from portal import siteurl
from portal.contentcache import CachedCountPaginator, cached, content_version
from portal.models import SiteSettings
from portal.pagecache import NOTHING, anonymous_page, understands
from portal.pdf import pdf_bytes_response, render_pdf_bytes

from . import polls, selectors, services, site_search
from .counters import article_view_total, article_views, client_ip, is_bot
from .forms import ContactForm, SearchForm
from .models import Article, Category, Page, Poll, Tag

PER_PAGE = 10


@anonymous_page(query=NOTHING)
def home(request):
    data = selectors.home_data(use_cache=not request.user.is_authenticated)
    return render(request, "public/home.html", data)


def _article_list(request, queryset, *, title, category=None, tag=None):
    listing = queryset.for_listing().order_by("-publish_at", "-pk")
    # The count is cached; keyed on the newest visible article too (one index lookup), so a scheduled article
    # whose time has come changes the key by itself, with no save to bump the content version.
    newest = listing.values_list("pk", flat=True).first()
    key = _news_count_key(category, tag, newest)
    page_obj = CachedCountPaginator(listing, PER_PAGE, count_key=key).get_page(request.GET.get("page"))
    ctx = {"page_obj": page_obj, "articles": page_obj.object_list, "title": title, "category": category, "tag": tag}
    return render(request, "public/article_list.html", ctx)


def _news_count_key(category, tag, newest) -> str:
    return f"news:{category.pk if category else ''}:{tag.pk if tag else ''}:{newest}"


_news_pages_memo: dict = {}  # (content version, newest visible article) -> pages, in this process


def _news_pages(request) -> int:
    """The news list's number of pages, from the count its paginator caches (no query while content is unchanged),
    so that every page of it is served from the page cache. Each process remembers it while the content version
    and the newest visible article, which key the count, stay the same: a deep page then costs no round trip."""
    newest = selectors.newest_visible_article_id()
    key = (content_version(), newest)
    pages = _news_pages_memo.get(key)
    if pages is None:
        listing = Article.objects.published().for_listing()
        count = cached(f"count:{_news_count_key(None, None, newest)}", listing.count)
        pages = ceil(count / PER_PAGE)
        _news_pages_memo.clear()
        _news_pages_memo[key] = pages
    return pages


def forget_news_pages() -> None:
    _news_pages_memo.clear()


def _newest_visible(request, *args, **kwargs) -> str:
    """Keys the cached news lists: a scheduled article whose time has come changes it."""
    return selectors.newest_visible_article_id()


@anonymous_page(query=understands(page=True, last_page=_news_pages), vary=_newest_visible)
def article_list(request):
    return _article_list(request, Article.objects.published(), title="Tin tức")


@anonymous_page(query=understands(page=True), vary=_newest_visible)
def category_detail(request, slug):
    category = get_object_or_404(Category, slug=slug)
    return _article_list(request, Article.objects.published().filter(category=category), title=category.name,
                         category=category)  # fmt: skip


@anonymous_page(query=understands(page=True), vary=_newest_visible)
def tag_detail(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    qs = Article.objects.published().filter(tags=tag)
    return _article_list(request, qs, title=f"Từ khóa: {tag.name}", tag=tag)


def _article_context(article) -> dict:
    related = list(
        Article.objects.published().for_listing().filter(category_id=article.category_id).exclude(pk=article.pk)[:5]
    )
    return {
        "article": article,
        "attachments": list(article.attachments.defer("text")),
        "tags": list(article.tags.all()),
        "documents": list(article.related_documents.filter(is_public=True)),
        "related": related,
        "view_total": article.view_count + article_views.pending(article.pk),
    }


def _published_article(slug) -> Article:
    return get_object_or_404(Article.objects.published().select_related("category"), slug=slug)


@anonymous_page(query=NOTHING)
def article_detail(request, slug):
    """Anonymous readers get the article's content from the cache; the view is counted on every read anyway."""
    ctx = selectors.cached_article_context(slug, build=lambda: _article_context(_published_article(slug)),
                                           use_cache=not request.user.is_authenticated)  # fmt: skip
    article = ctx["article"]
    # Stored plus still buffered: live even when the rest came from the cache.
    total = article_view_total(article.pk, count=not is_bot(request) and not request.user.is_staff)
    ctx = {**ctx, "view_total": total}
    return render(request, "public/article_detail.html", ctx)


def article_preview_response(request, article, *, tags, documents, attachments, problems=()) -> HttpResponse:
    """The public article page for an article as an editor has it now, saved or not (a draft, a scheduled article,
    or the unsaved content of the admin's form): marked as a preview, never indexed, never cached, counting no view
    and no visit. The caller has checked that the user may change the article."""
    related = Article.objects.published().for_listing().filter(category_id=article.category_id)
    if article.pk:
        related = related.exclude(pk=article.pk)
    ctx = {
        "article": article,
        "attachments": list(attachments),
        "tags": list(tags),
        "documents": [doc for doc in documents if doc.is_public],
        "related": list(related[:5]),
        "view_total": article.view_count + (article_views.pending(article.pk) if article.pk else 0),
        "preview": True,
        "preview_problems": list(problems),
    }
    response = render(request, "public/article_detail.html", ctx)
    response["X-Robots-Tag"] = "noindex, nofollow"
    add_never_cache_headers(response)
    return response


def article_print(request, slug):
    article = _published_article(slug)
    return render(request, "public/article_print.html", _article_context(article))


def article_pdf(request, slug):
    """Rendering takes ~40 ms of CPU (WeasyPrint): the bytes are cached until content changes (the view count
    printed in it may then lag by up to portal.contentcache.HOME_TTL seconds)."""

    def build():
        article = _published_article(slug)  # a 404 raises here and is never cached
        return render_pdf_bytes("public/article_pdf.html", {**_article_context(article), "org": SiteSettings.current()})

    return pdf_bytes_response(cached(f"article-pdf:{slug}", build), filename=slug)


def page_detail(request, slug):
    page = get_object_or_404(Page.objects.published(), slug=slug)
    if page.get_absolute_url() != request.path:
        return redirect(page.get_absolute_url(), permanent=True)
    return render(request, "public/page_detail.html", {"page": page})


def about(request):
    return page_detail(request, "gioi-thieu")


def contact(request):
    page = Page.objects.published().filter(slug="lien-he").first()
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.is_spam():
            messages.success(request, "Cảm ơn bạn, thư đã được gửi.")
            return redirect("public:contact")
        data = {k: form.cleaned_data[k] for k in ("name", "email", "phone", "subject", "body")}
        try:
            services.contact_message_create(**data, ip=client_ip(request))
        except services.RateLimited as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Cảm ơn bạn, thư đã được gửi đến Liên minh HTX tỉnh. Chúng tôi sẽ trả lời sớm.")
            return redirect("public:contact")
    return render(request, "public/contact.html", {"page": page, "form": form})


def poll_list(request):
    page_obj = Paginator(Poll.objects.all(), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "public/poll_list.html", {"page_obj": page_obj, "polls": page_obj.object_list})


def poll_detail(request, slug):
    poll = get_object_or_404(Poll, slug=slug)
    voted = polls.has_voted(poll=poll, user=request.user, token=polls.voter_token(request))
    ctx = {"poll": poll, "voted": voted, "choices": list(poll.choices.all())}
    if poll.results_visible():
        ctx["results"] = polls.poll_results(poll)
    return render(request, "public/poll_detail.html", ctx)


@require_POST
def poll_vote(request, slug):
    poll = get_object_or_404(Poll, slug=slug)
    try:
        _vote, token = polls.vote_from_request(request, poll, request.POST.get("choice", ""))
    except polls.VoteRefused as exc:
        messages.error(request, str(exc))
        return redirect(poll.get_absolute_url())
    messages.success(request, "Cảm ơn bạn đã bình chọn.")
    response = redirect(poll.get_absolute_url())
    polls.set_voter_cookie(response, token)
    return response


@anonymous_page(query=understands(page=True, form=SearchForm, free_text=("q",)))
def search(request):
    form = SearchForm(request.GET or None)
    q, kind, page_obj, hits, capped = "", "", None, [], False
    if form.is_valid():
        q, kind = form.cleaned_data["q"].strip(), form.cleaned_data["kind"]
        if q:
            rows = site_search.cached_rows(q, kind or None)
            page_obj = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
            hits, capped = site_search.hydrate(page_obj.object_list, q), site_search.capped(rows)
    return render(request, "public/search.html", {"form": form, "q": q, "kind": kind, "page_obj": page_obj,
                                                  "hits": hits, "capped": capped})  # fmt: skip


FAVICON = settings.BASE_DIR / "static" / "img" / "favicon.ico"


@require_safe
def favicon(request):
    """/favicon.ico, where browsers and feed readers look for it whatever the page links to."""
    response = HttpResponse(FAVICON.read_bytes(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=604800"
    return response


@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /dang-nhap/",
        "Disallow: /bao-cao/",
        "Disallow: /tim-kiem/",
        f"Sitemap: {siteurl.absolute('/sitemap.xml')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
