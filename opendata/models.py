"""The bulk files last built for each dataset (opendata.bulk): where they are, how many rows, since when unchanged."""

from django.db import models


class DatasetFile(models.Model):
    """One dataset's CSV and JSON files in the default storage. `modified_at` moves only when the rows changed:
    a rebuild that gives the same rows keeps the files and their date."""

    dataset = models.SlugField("bộ dữ liệu", max_length=60, unique=True)
    rows = models.PositiveIntegerField("số dòng", default=0)
    csv_name = models.CharField("tệp CSV", max_length=200)
    csv_bytes = models.PositiveBigIntegerField("dung lượng CSV (byte)", default=0)
    json_name = models.CharField("tệp JSON", max_length=200)
    json_bytes = models.PositiveBigIntegerField("dung lượng JSON (byte)", default=0)
    sha256 = models.CharField("mã băm SHA-256 của dữ liệu", max_length=64)
    modified_at = models.DateTimeField("dữ liệu thay đổi lúc")
    built_at = models.DateTimeField("kiểm tra lúc")
    built_from = models.CharField("phiên bản dữ liệu", max_length=80)

    class Meta:
        verbose_name = "tệp dữ liệu mở"
        verbose_name_plural = "tệp dữ liệu mở"
        ordering = ["dataset"]

    def __str__(self):
        return self.dataset
