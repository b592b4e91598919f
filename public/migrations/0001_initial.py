"""The public site's tables. They were made by the kernel app's first migrations, when these models lived there, and
keep their names (`portal_*`): on a database that has them, this migration only records the models as the public
app's; on a new database it creates them.
"""

import django.db.models.deletion
import portal.uploads
import public.models
import simple_history.models
from django.conf import settings
from django.db import migrations, models

from portal.search import search_vector_operation


class AdoptTables(migrations.SeparateDatabaseAndState):
    """Create these models' tables unless `table` is there already (then only the project state changes)."""

    def __init__(self, operations, table):
        super().__init__(database_operations=operations, state_operations=operations)
        self.operations, self.table = operations, table

    def deconstruct(self):
        return self.__class__.__qualname__, [], {"operations": self.operations, "table": self.table}

    def describe(self):
        return f"Create the public site's tables, or adopt them where {self.table} exists"

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if self.table not in schema_editor.connection.introspection.table_names():
            super().database_forwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("portal", "0001_squashed_0008_kernel"),
        ("directives", "0003_search_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AdoptTables(
            table="portal_article",
            operations=[
                migrations.CreateModel(
                    name="Category",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(max_length=120, unique=True, verbose_name="tên chuyên mục")),
                        ("slug", models.SlugField(max_length=120, unique=True, verbose_name="đường dẫn")),
                        ("description", models.CharField(blank=True, max_length=300, verbose_name="mô tả")),
                        ("order", models.PositiveSmallIntegerField(default=0, verbose_name="thứ tự")),
                        ("show_on_home", models.BooleanField(default=True, verbose_name="hiện ở trang chủ")),
                    ],
                    options={
                        "verbose_name": "chuyên mục tin",
                        "verbose_name_plural": "chuyên mục tin",
                        "db_table": "portal_category",
                        "ordering": ["order", "name"],
                    },
                ),
                migrations.CreateModel(
                    name="ContactMessage",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(max_length=120, verbose_name="họ và tên")),
                        ("email", models.EmailField(max_length=254, verbose_name="thư điện tử")),
                        ("phone", models.CharField(blank=True, max_length=30, verbose_name="điện thoại")),
                        ("subject", models.CharField(max_length=200, verbose_name="tiêu đề")),
                        ("body", models.TextField(verbose_name="nội dung")),
                        ("ip_hash", models.CharField(blank=True, editable=False, max_length=64)),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="gửi lúc")),
                        (
                            "emailed_at",
                            models.DateTimeField(
                                blank=True, editable=False, null=True, verbose_name="đã chuyển thư lúc"
                            ),
                        ),
                        ("handled", models.BooleanField(default=False, verbose_name="đã xử lý")),
                    ],
                    options={
                        "verbose_name": "thư liên hệ",
                        "verbose_name_plural": "thư liên hệ",
                        "db_table": "portal_contactmessage",
                        "ordering": ["-created_at"],
                    },
                ),
                migrations.CreateModel(
                    name="DailyVisit",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("day", models.DateField(unique=True, verbose_name="ngày")),
                        ("visits", models.PositiveIntegerField(default=0, verbose_name="lượt truy cập")),
                    ],
                    options={
                        "verbose_name": "thống kê truy cập ngày",
                        "verbose_name_plural": "thống kê truy cập ngày",
                        "db_table": "portal_dailyvisit",
                        "ordering": ["-day"],
                    },
                ),
                migrations.CreateModel(
                    name="Page",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("search_text", models.TextField(blank=True, default="", editable=False)),
                        ("title", models.CharField(max_length=200, verbose_name="tiêu đề")),
                        ("slug", models.SlugField(max_length=120, unique=True, verbose_name="đường dẫn")),
                        ("lead", models.TextField(blank=True, verbose_name="tóm tắt")),
                        ("body", models.TextField(blank=True, verbose_name="nội dung")),
                        ("is_published", models.BooleanField(default=True, verbose_name="công khai")),
                        ("order", models.PositiveSmallIntegerField(default=0, verbose_name="thứ tự")),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="cập nhật lúc")),
                    ],
                    options={
                        "verbose_name": "trang",
                        "verbose_name_plural": "trang",
                        "db_table": "portal_page",
                        "ordering": ["order", "title"],
                    },
                ),
                migrations.CreateModel(
                    name="Tag",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(max_length=80, unique=True, verbose_name="từ khóa")),
                        ("slug", models.SlugField(max_length=80, unique=True, verbose_name="đường dẫn")),
                    ],
                    options={
                        "verbose_name": "từ khóa",
                        "verbose_name_plural": "từ khóa",
                        "db_table": "portal_tag",
                        "ordering": ["name"],
                    },
                ),
                migrations.CreateModel(
                    name="WebLinkGroup",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(max_length=120, unique=True, verbose_name="nhóm liên kết")),
                        ("order", models.PositiveSmallIntegerField(default=0, verbose_name="thứ tự")),
                    ],
                    options={
                        "verbose_name": "nhóm liên kết web",
                        "verbose_name_plural": "nhóm liên kết web",
                        "db_table": "portal_weblinkgroup",
                        "ordering": ["order", "name"],
                    },
                ),
                migrations.CreateModel(
                    name="Article",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("search_text", models.TextField(blank=True, default="", editable=False)),
                        ("title", models.CharField(max_length=255, verbose_name="tiêu đề")),
                        (
                            "slug",
                            models.SlugField(
                                blank=True,
                                help_text="Để trống: tự tạo từ tiêu đề, bỏ dấu.",
                                max_length=255,
                                unique=True,
                                verbose_name="đường dẫn",
                            ),
                        ),
                        ("lead", models.TextField(blank=True, verbose_name="tóm tắt")),
                        ("body", models.TextField(blank=True, verbose_name="nội dung")),
                        (
                            "cover",
                            models.ImageField(
                                blank=True,
                                upload_to=public.models.cover_path,
                                validators=[portal.uploads.UploadValidator("images")],
                                verbose_name="ảnh đại diện",
                            ),
                        ),
                        (
                            "cover_alt",
                            models.CharField(
                                blank=True,
                                help_text="Bắt buộc khi có ảnh: mô tả ảnh cho người khiếm thị.",
                                max_length=255,
                                verbose_name="mô tả ảnh (alt)",
                            ),
                        ),
                        (
                            "source",
                            models.CharField(
                                blank=True, default="Liên minh HTX tỉnh", max_length=120, verbose_name="nguồn"
                            ),
                        ),
                        (
                            "author_initials",
                            models.CharField(blank=True, max_length=20, verbose_name="tác giả (viết tắt)"),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("draft", "Bản nháp"),
                                    ("scheduled", "Hẹn giờ đăng"),
                                    ("published", "Đã đăng"),
                                ],
                                default="draft",
                                max_length=10,
                                verbose_name="trạng thái",
                            ),
                        ),
                        (
                            "publish_at",
                            models.DateTimeField(blank=True, db_index=True, null=True, verbose_name="thời điểm đăng"),
                        ),
                        ("featured", models.BooleanField(default=False, verbose_name="tin nổi bật")),
                        (
                            "view_count",
                            models.PositiveIntegerField(default=0, editable=False, verbose_name="số lượt xem"),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="tạo lúc")),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="sửa lúc")),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                editable=False,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="người tạo",
                            ),
                        ),
                        (
                            "related_documents",
                            models.ManyToManyField(
                                blank=True,
                                related_name="articles",
                                to="directives.document",
                                verbose_name="văn bản liên quan",
                            ),
                        ),
                        (
                            "updated_by",
                            models.ForeignKey(
                                blank=True,
                                editable=False,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="người sửa",
                            ),
                        ),
                        (
                            "category",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="articles",
                                to="public.category",
                                verbose_name="chuyên mục",
                            ),
                        ),
                        (
                            "tags",
                            models.ManyToManyField(
                                blank=True, related_name="articles", to="public.tag", verbose_name="từ khóa"
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "bài viết",
                        "verbose_name_plural": "bài viết",
                        "db_table": "portal_article",
                        "ordering": ["-publish_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="Attachment",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(max_length=255, verbose_name="tên tệp")),
                        (
                            "file",
                            models.FileField(
                                upload_to=public.models.attachment_path,
                                validators=[portal.uploads.UploadValidator("documents")],
                                verbose_name="tệp",
                            ),
                        ),
                        (
                            "size",
                            models.PositiveBigIntegerField(default=0, editable=False, verbose_name="dung lượng (byte)"),
                        ),
                        (
                            "content_type",
                            models.CharField(blank=True, editable=False, max_length=100, verbose_name="loại tệp"),
                        ),
                        ("order", models.PositiveSmallIntegerField(default=0, verbose_name="thứ tự")),
                        (
                            "article",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="attachments",
                                to="public.article",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "tệp đính kèm",
                        "verbose_name_plural": "tệp đính kèm",
                        "db_table": "portal_attachment",
                        "ordering": ["order", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="HistoricalArticle",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        ("title", models.CharField(max_length=255, verbose_name="tiêu đề")),
                        (
                            "slug",
                            models.SlugField(
                                blank=True,
                                help_text="Để trống: tự tạo từ tiêu đề, bỏ dấu.",
                                max_length=255,
                                verbose_name="đường dẫn",
                            ),
                        ),
                        ("lead", models.TextField(blank=True, verbose_name="tóm tắt")),
                        ("body", models.TextField(blank=True, verbose_name="nội dung")),
                        (
                            "cover",
                            models.TextField(
                                blank=True,
                                max_length=100,
                                validators=[portal.uploads.UploadValidator("images")],
                                verbose_name="ảnh đại diện",
                            ),
                        ),
                        (
                            "cover_alt",
                            models.CharField(
                                blank=True,
                                help_text="Bắt buộc khi có ảnh: mô tả ảnh cho người khiếm thị.",
                                max_length=255,
                                verbose_name="mô tả ảnh (alt)",
                            ),
                        ),
                        (
                            "source",
                            models.CharField(
                                blank=True, default="Liên minh HTX tỉnh", max_length=120, verbose_name="nguồn"
                            ),
                        ),
                        (
                            "author_initials",
                            models.CharField(blank=True, max_length=20, verbose_name="tác giả (viết tắt)"),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("draft", "Bản nháp"),
                                    ("scheduled", "Hẹn giờ đăng"),
                                    ("published", "Đã đăng"),
                                ],
                                default="draft",
                                max_length=10,
                                verbose_name="trạng thái",
                            ),
                        ),
                        (
                            "publish_at",
                            models.DateTimeField(blank=True, db_index=True, null=True, verbose_name="thời điểm đăng"),
                        ),
                        ("featured", models.BooleanField(default=False, verbose_name="tin nổi bật")),
                        ("created_at", models.DateTimeField(blank=True, editable=False, verbose_name="tạo lúc")),
                        ("updated_at", models.DateTimeField(blank=True, editable=False, verbose_name="sửa lúc")),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                            ),
                        ),
                        (
                            "category",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="public.category",
                                verbose_name="chuyên mục",
                            ),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                editable=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="người tạo",
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "updated_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                editable=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="người sửa",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical bài viết",
                        "verbose_name_plural": "historical bài viết",
                        "db_table": "portal_historicalarticle",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="HistoricalPage",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        ("title", models.CharField(max_length=200, verbose_name="tiêu đề")),
                        ("slug", models.SlugField(max_length=120, verbose_name="đường dẫn")),
                        ("lead", models.TextField(blank=True, verbose_name="tóm tắt")),
                        ("body", models.TextField(blank=True, verbose_name="nội dung")),
                        ("is_published", models.BooleanField(default=True, verbose_name="công khai")),
                        ("order", models.PositiveSmallIntegerField(default=0, verbose_name="thứ tự")),
                        ("updated_at", models.DateTimeField(blank=True, editable=False, verbose_name="cập nhật lúc")),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical trang",
                        "verbose_name_plural": "historical trang",
                        "db_table": "portal_historicalpage",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="Poll",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("question", models.CharField(max_length=300, verbose_name="câu hỏi")),
                        ("slug", models.SlugField(max_length=120, unique=True, verbose_name="đường dẫn")),
                        ("opens_at", models.DateTimeField(verbose_name="mở từ")),
                        ("closes_at", models.DateTimeField(blank=True, null=True, verbose_name="đóng lúc")),
                        (
                            "hide_results_until_closed",
                            models.BooleanField(default=False, verbose_name="ẩn kết quả đến khi đóng"),
                        ),
                        ("show_on_home", models.BooleanField(default=True, verbose_name="hiện ở trang chủ")),
                    ],
                    options={
                        "verbose_name": "thăm dò ý kiến",
                        "verbose_name_plural": "thăm dò ý kiến",
                        "db_table": "portal_poll",
                        "ordering": ["-opens_at"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("closes_at__isnull", True),
                                    ("closes_at__gt", models.F("opens_at")),
                                    _connector="OR",
                                ),
                                name="poll_closes_after_opening",
                                violation_error_message="Thời điểm đóng phải sau thời điểm mở.",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Choice",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("text", models.CharField(max_length=200, verbose_name="phương án")),
                        ("order", models.PositiveSmallIntegerField(default=0, verbose_name="thứ tự")),
                        (
                            "poll",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="choices", to="public.poll"
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "phương án",
                        "verbose_name_plural": "phương án",
                        "db_table": "portal_choice",
                        "ordering": ["order", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="Vote",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("voter_key", models.CharField(max_length=80)),
                        ("ip_hash", models.CharField(blank=True, max_length=64)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "choice",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="votes", to="public.choice"
                            ),
                        ),
                        (
                            "poll",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="votes", to="public.poll"
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "lượt bình chọn",
                        "verbose_name_plural": "lượt bình chọn",
                        "db_table": "portal_vote",
                    },
                ),
                migrations.CreateModel(
                    name="WebLink",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("title", models.CharField(max_length=160, verbose_name="tên")),
                        ("url", models.URLField(verbose_name="địa chỉ")),
                        ("order", models.PositiveSmallIntegerField(default=0, verbose_name="thứ tự")),
                        ("is_active", models.BooleanField(default=True, verbose_name="hiển thị")),
                        (
                            "group",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="links",
                                to="public.weblinkgroup",
                                verbose_name="nhóm",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "liên kết web",
                        "verbose_name_plural": "liên kết web",
                        "db_table": "portal_weblink",
                        "ordering": ["group__order", "order", "title"],
                    },
                ),
                migrations.AddIndex(
                    model_name="article",
                    index=models.Index(
                        fields=["category", "status", "publish_at"], name="portal_arti_categor_3fddf7_idx"
                    ),
                ),
                migrations.AddIndex(
                    model_name="article",
                    index=models.Index(fields=["-publish_at", "-id"], name="article_publish_at_id"),
                ),
                migrations.AddConstraint(
                    model_name="article",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("status", "draft"), ("publish_at__isnull", False), _connector="OR"),
                        name="article_publish_time_unless_draft",
                        violation_error_message="Bài hẹn giờ hoặc đã đăng phải có thời điểm đăng.",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="article",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("cover", ""), models.Q(("cover_alt", ""), _negated=True), _connector="OR"),
                        name="article_cover_has_alt",
                        violation_error_message="Ảnh đại diện phải có mô tả (alt).",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="vote",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("user__isnull", False)),
                        fields=("poll", "user"),
                        name="vote_one_per_user",
                        violation_error_message="Tài khoản này đã bình chọn.",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="vote",
                    constraint=models.UniqueConstraint(fields=("poll", "voter_key"), name="vote_one_per_voter"),
                ),
                migrations.AddConstraint(
                    model_name="weblink",
                    constraint=models.UniqueConstraint(fields=("group", "title"), name="weblink_unique_title_in_group"),
                ),
            ],
        ),
        # PostgreSQL only, and idempotent: the stored search vector and its index (already there on an adopted table).
        search_vector_operation("portal_article"),
        search_vector_operation("portal_page"),
    ]
