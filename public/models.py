"""The public site's content: news, pages, polls, web links, visit statistics, contact messages.

The tables keep the names they had when these models lived in the kernel app (`portal_*`), so moving them here
changed no row (public 0001 adopts the existing tables; see docs/architecture.md).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from portal.extract import ExtractedText, ocr_copy_path, search_text_of
from portal.search import Searchable, fold
from portal.storage import generated_name
from portal.text import clean_html, html_to_text
from portal.uploads import KIND_LABELS, UploadValidator


def cover_path(instance, filename):
    return generated_name("news/covers", filename)


class Category(models.Model):
    """A news section (Tin hoạt động, Chính sách - pháp luật, ...), each with its own RSS feed."""

    name = models.CharField("tên chuyên mục", max_length=120, unique=True)
    slug = models.SlugField("đường dẫn", max_length=120, unique=True)
    description = models.CharField("mô tả", max_length=300, blank=True)
    order = models.PositiveSmallIntegerField("thứ tự", default=0)
    show_on_home = models.BooleanField("hiện ở trang chủ", default=True)

    class Meta:
        db_table = "portal_category"
        verbose_name = "chuyên mục tin"
        verbose_name_plural = "chuyên mục tin"
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return f"/tin-tuc/chuyen-muc/{self.slug}/"


class Tag(models.Model):
    """A free keyword linking articles across sections."""

    name = models.CharField("từ khóa", max_length=80, unique=True)
    slug = models.SlugField("đường dẫn", max_length=80, unique=True)

    class Meta:
        db_table = "portal_tag"
        verbose_name = "từ khóa"
        verbose_name_plural = "từ khóa"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return f"/tin-tuc/tu-khoa/{self.slug}/"


class ArticleQuerySet(models.QuerySet):
    def published(self, now=None):
        """Visible to the public: not a draft and its publish time has come.

        A scheduled article needs no job to appear: this filter compares its time with the clock on every read.
        """
        return self.exclude(status=Article.Status.DRAFT).filter(publish_at__lte=now or timezone.now())

    def next_publish_at(self, now):
        """When the next scheduled article appears (None if none is waiting): public caches live until then."""
        return (
            self.exclude(status=Article.Status.DRAFT)
            .filter(publish_at__gt=now)
            .order_by("publish_at")
            .values_list("publish_at", flat=True)
            .first()
        )

    def for_listing(self):
        return self.select_related("category").only(
            "id",
            "title",
            "slug",
            "lead",
            "cover",
            "cover_alt",
            "publish_at",
            "featured",
            "category__name",
            "category__slug",
            "source",
            "status",
        )


class Article(Searchable):
    """A news article. Body HTML is sanitised with nh3 when saved and again when shown.

    Staff save articles through public.services.article_save, which applies the publishing rule."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Bản nháp"
        SCHEDULED = "scheduled", "Hẹn giờ đăng"
        PUBLISHED = "published", "Đã đăng"

    category = models.ForeignKey(Category, verbose_name="chuyên mục", on_delete=models.PROTECT, related_name="articles")
    title = models.CharField("tiêu đề", max_length=255)
    slug = models.SlugField(
        "đường dẫn", max_length=255, unique=True, blank=True, help_text="Để trống: tự tạo từ tiêu đề, bỏ dấu."
    )
    lead = models.TextField("tóm tắt", blank=True)
    body = models.TextField("nội dung", blank=True)
    cover = models.ImageField("ảnh đại diện", upload_to=cover_path, blank=True, validators=[UploadValidator("images")])
    cover_alt = models.CharField(
        "mô tả ảnh (alt)", max_length=255, blank=True, help_text="Bắt buộc khi có ảnh: mô tả ảnh cho người khiếm thị."
    )
    source = models.CharField("nguồn", max_length=120, blank=True, default="Liên minh HTX tỉnh")
    author_initials = models.CharField("tác giả (viết tắt)", max_length=20, blank=True)
    status = models.CharField("trạng thái", max_length=10, choices=Status.choices, default=Status.DRAFT)
    publish_at = models.DateTimeField("thời điểm đăng", null=True, blank=True, db_index=True)
    featured = models.BooleanField("tin nổi bật", default=False)
    tags = models.ManyToManyField(Tag, verbose_name="từ khóa", blank=True, related_name="articles")
    related_documents = models.ManyToManyField(
        "directives.Document", verbose_name="văn bản liên quan", blank=True, related_name="articles"
    )
    view_count = models.PositiveIntegerField("số lượt xem", default=0, editable=False)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("sửa lúc", auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người tạo",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người sửa",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ArticleQuerySet.as_manager()
    history = HistoricalRecords(table_name="portal_historicalarticle", excluded_fields=["search_text", "view_count"])

    class Meta:
        db_table = "portal_article"
        verbose_name = "bài viết"
        verbose_name_plural = "bài viết"
        ordering = ["-publish_at", "-id"]
        # The second index serves the default ordering (the news list, the admin list: 50,000 rows at scale).
        indexes = [
            models.Index(fields=["category", "status", "publish_at"]),
            models.Index(fields=["-publish_at", "-id"], name="article_publish_at_id"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(publish_at__isnull=False),
                name="article_publish_time_unless_draft",
                violation_error_message="Bài hẹn giờ hoặc đã đăng phải có thời điểm đăng.",
            ),
            models.CheckConstraint(
                condition=Q(cover="") | ~Q(cover_alt=""),
                name="article_cover_has_alt",
                violation_error_message="Ảnh đại diện phải có mô tả (alt).",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # Stored data only: sanitised HTML and a slug. When an article goes out is public.services.article_save's.
        self.body = clean_html(self.body)
        if not self.slug:
            self.slug = self.unique_slug()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return f"/tin-tuc/{self.slug}/"

    def search_parts(self):
        own = [self.title, self.lead, html_to_text(self.body), self.source]
        # The attachments' text (portal.extract), capped; a new article has no attachments yet.
        return [*own, search_text_of(self.attachments.all())] if self.pk else own

    def unique_slug(self) -> str:
        """'Đại hội thành viên' -> 'dai-hoi-thanh-vien' (Django's slugify would drop đ and the marked vowels)."""
        base = slugify(fold(self.title))[:240] or "bai-viet"
        slug, n = base, 1
        while Article.objects.filter(slug=slug).exclude(pk=self.pk).exists():
            n += 1
            slug = f"{base}-{n}"
        return slug

    def is_published(self, now=None) -> bool:
        return (
            self.status != self.Status.DRAFT
            and self.publish_at is not None
            and self.publish_at <= (now or timezone.now())
        )

    def display_status(self) -> str:
        if self.status == self.Status.SCHEDULED and self.is_published():
            return self.Status.PUBLISHED.label
        return self.get_status_display()


def attachment_path(instance, filename):
    return generated_name("news/attachments", filename)


class Attachment(ExtractedText):
    """A file attached to an article (Công văn, kế hoạch, ...); name, size and type are shown to readers."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField("tên tệp", max_length=255)
    file = models.FileField("tệp", upload_to=attachment_path, validators=[UploadValidator("documents")])
    size = models.PositiveBigIntegerField("dung lượng (byte)", default=0, editable=False)
    content_type = models.CharField("loại tệp", max_length=100, blank=True, editable=False)
    order = models.PositiveSmallIntegerField("thứ tự", default=0)
    # The file is public media: so is its copy with a text layer.
    ocr_file = models.FileField("bản có lớp chữ (OCR)", upload_to=ocr_copy_path, blank=True, editable=False)

    class Meta:
        db_table = "portal_attachment"
        verbose_name = "tệp đính kèm"
        verbose_name_plural = "tệp đính kèm"
        ordering = ["order", "id"]

    def __str__(self):
        return self.name

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.content_type, "Tệp")

    @property
    def is_pdf(self) -> bool:
        """A PDF opens in the reader's browser (public media carry no attachment header); anything else is saved."""
        return self.content_type == "application/pdf"


class PageQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


class Page(Searchable):
    """A standing page: Giới thiệu, Liên hệ, or any page staff add."""

    title = models.CharField("tiêu đề", max_length=200)
    slug = models.SlugField("đường dẫn", max_length=120, unique=True)
    lead = models.TextField("tóm tắt", blank=True)
    body = models.TextField("nội dung", blank=True)
    is_published = models.BooleanField("công khai", default=True)
    order = models.PositiveSmallIntegerField("thứ tự", default=0)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    objects = PageQuerySet.as_manager()
    history = HistoricalRecords(table_name="portal_historicalpage", excluded_fields=["search_text"])

    class Meta:
        db_table = "portal_page"
        verbose_name = "trang"
        verbose_name_plural = "trang"
        ordering = ["order", "title"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.body = clean_html(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        special = {"gioi-thieu": "/gioi-thieu/", "lien-he": "/lien-he/"}
        return special.get(self.slug, f"/trang/{self.slug}/")

    def search_parts(self):
        return [self.title, self.lead, html_to_text(self.body)]


class Poll(models.Model):
    """A public poll (Thăm dò ý kiến). One vote per visitor; results may stay hidden until it closes."""

    question = models.CharField("câu hỏi", max_length=300)
    slug = models.SlugField("đường dẫn", max_length=120, unique=True)
    opens_at = models.DateTimeField("mở từ")
    closes_at = models.DateTimeField("đóng lúc", null=True, blank=True)
    hide_results_until_closed = models.BooleanField("ẩn kết quả đến khi đóng", default=False)
    show_on_home = models.BooleanField("hiện ở trang chủ", default=True)

    class Meta:
        db_table = "portal_poll"
        verbose_name = "thăm dò ý kiến"
        verbose_name_plural = "thăm dò ý kiến"
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__isnull=True) | Q(closes_at__gt=models.F("opens_at")),
                name="poll_closes_after_opening",
                violation_error_message="Thời điểm đóng phải sau thời điểm mở.",
            )
        ]

    def __str__(self):
        return self.question

    def get_absolute_url(self):
        return f"/tham-do/{self.slug}/"

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now and (self.closes_at is None or now < self.closes_at)

    def is_closed(self, now=None) -> bool:
        return self.closes_at is not None and (now or timezone.now()) >= self.closes_at

    def results_visible(self, now=None) -> bool:
        return not self.hide_results_until_closed or self.is_closed(now)


class Choice(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField("phương án", max_length=200)
    order = models.PositiveSmallIntegerField("thứ tự", default=0)

    class Meta:
        db_table = "portal_choice"
        verbose_name = "phương án"
        verbose_name_plural = "phương án"
        ordering = ["order", "id"]

    def __str__(self):
        return self.text


class Vote(models.Model):
    """One vote. The tally is counted from these rows, so concurrent clicks can neither lose nor double a vote.

    `voter_key` is "u<user id>" for an account or "c<token>" for the signed voter cookie; the unique
    constraints make a second vote by the same account or cookie impossible even under a race.
    """

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="votes")
    choice = models.ForeignKey(Choice, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    voter_key = models.CharField(max_length=80)
    ip_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "portal_vote"
        verbose_name = "lượt bình chọn"
        verbose_name_plural = "lượt bình chọn"
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "user"],
                condition=Q(user__isnull=False),
                name="vote_one_per_user",
                violation_error_message="Tài khoản này đã bình chọn.",
            ),
            models.UniqueConstraint(fields=["poll", "voter_key"], name="vote_one_per_voter"),
        ]

    def __str__(self):
        return f"{self.poll_id}: {self.choice}"


class WebLinkGroup(models.Model):
    name = models.CharField("nhóm liên kết", max_length=120, unique=True)
    order = models.PositiveSmallIntegerField("thứ tự", default=0)

    class Meta:
        db_table = "portal_weblinkgroup"
        verbose_name = "nhóm liên kết web"
        verbose_name_plural = "nhóm liên kết web"
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class WebLink(models.Model):
    """A link in the "Liên kết web" box shown on every page."""

    group = models.ForeignKey(WebLinkGroup, verbose_name="nhóm", on_delete=models.CASCADE, related_name="links")
    title = models.CharField("tên", max_length=160)
    url = models.URLField("địa chỉ")
    order = models.PositiveSmallIntegerField("thứ tự", default=0)
    is_active = models.BooleanField("hiển thị", default=True)

    class Meta:
        db_table = "portal_weblink"
        verbose_name = "liên kết web"
        verbose_name_plural = "liên kết web"
        ordering = ["group__order", "order", "title"]
        constraints = [models.UniqueConstraint(fields=["group", "title"], name="weblink_unique_title_in_group")]

    def __str__(self):
        return self.title


class DailyVisit(models.Model):
    """Visits of one day, flushed from cache counters by a beat task (public.tasks.flush_counters)."""

    day = models.DateField("ngày", unique=True)
    visits = models.PositiveIntegerField("lượt truy cập", default=0)

    class Meta:
        db_table = "portal_dailyvisit"
        verbose_name = "thống kê truy cập ngày"
        verbose_name_plural = "thống kê truy cập ngày"
        ordering = ["-day"]

    def __str__(self):
        return f"{self.day:%d/%m/%Y}: {self.visits}"


class ContactMessage(models.Model):
    """A message sent through the Liên hệ form; e-mailed to staff by a Celery task (once: `emailed_at`)."""

    name = models.CharField("họ và tên", max_length=120)
    email = models.EmailField("thư điện tử")
    phone = models.CharField("điện thoại", max_length=30, blank=True)
    subject = models.CharField("tiêu đề", max_length=200)
    body = models.TextField("nội dung")
    ip_hash = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField("gửi lúc", auto_now_add=True)
    emailed_at = models.DateTimeField("đã chuyển thư lúc", null=True, blank=True, editable=False)
    handled = models.BooleanField("đã xử lý", default=False)

    class Meta:
        db_table = "portal_contactmessage"
        verbose_name = "thư liên hệ"
        verbose_name_plural = "thư liên hệ"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name}: {self.subject}"


class CounterBatch(models.Model):
    """A batch of buffered counts already written to the database (public.counters): recorded in the same
    transaction as the counts, so a flush that died after its commit but before it forgot the batch in Redis is not
    written twice by the next one. Rows older than a week are pruned; by then the batch is long gone from Redis."""

    id = models.CharField(primary_key=True, max_length=80)
    applied_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "lô bộ đếm đã ghi"
        verbose_name_plural = "lô bộ đếm đã ghi"

    def __str__(self):
        return self.id
