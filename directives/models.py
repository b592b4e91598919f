"""Documents (văn bản), directives and their tasks, and the reports agencies send back."""

from django.db import models
from simple_history.models import HistoricalRecords

from portal.search import Searchable


class DocumentQuerySet(models.QuerySet):
    def public(self):
        return self.filter(is_public=True)


class Document(Searchable):
    """A legal or administrative document: Công văn, Quyết định, Kế hoạch, ..."""

    class Type(models.TextChoices):
        OFFICIAL_LETTER = "cong_van", "Công văn"
        DECISION = "quyet_dinh", "Quyết định"
        PLAN = "ke_hoach", "Kế hoạch"
        DIRECTIVE = "chi_thi", "Chỉ thị"
        RESOLUTION = "nghi_quyet", "Nghị quyết"
        NOTICE = "thong_bao", "Thông báo"
        REPORT = "bao_cao", "Báo cáo"
        GUIDANCE = "huong_dan", "Hướng dẫn"
        LAW = "luat", "Luật"
        DECREE = "nghi_dinh", "Nghị định"
        CIRCULAR = "thong_tu", "Thông tư"
        OTHER = "khac", "Văn bản khác"

    class Status(models.TextChoices):
        IN_FORCE = "in_force", "Còn hiệu lực"
        EXPIRED = "expired", "Hết hiệu lực"
        REPLACED = "replaced", "Đã được thay thế"

    doc_type = models.CharField("loại văn bản", max_length=20, choices=Type.choices)
    number = models.CharField("số, ký hiệu", max_length=60)
    slug = models.SlugField("đường dẫn", max_length=120, unique=True)
    issuer = models.CharField("cơ quan ban hành", max_length=200)
    signer = models.CharField("người ký", max_length=200, blank=True)
    issue_date = models.DateField("ngày ban hành")
    effective_date = models.DateField("ngày hiệu lực", null=True, blank=True)
    field = models.CharField("lĩnh vực", max_length=100, blank=True)
    summary = models.TextField("trích yếu")
    full_text = models.TextField("toàn văn", blank=True)
    status = models.CharField("tình trạng hiệu lực", max_length=10, choices=Status.choices, default=Status.IN_FORCE)
    is_public = models.BooleanField("công khai", default=True)

    objects = DocumentQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_text"])

    class Meta:
        verbose_name = "văn bản"
        verbose_name_plural = "văn bản"
        ordering = ["-issue_date", "number"]
        indexes = [models.Index(fields=["doc_type", "issue_date"])]

    def __str__(self):
        return f"{self.get_doc_type_display()} {self.number}"

    def get_absolute_url(self):
        return f"/van-ban/{self.slug}/"

    def search_parts(self):
        return [self.get_doc_type_display(), self.number, self.issuer, self.signer, self.summary, self.full_text]
