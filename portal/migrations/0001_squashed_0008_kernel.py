"""The kernel's tables, in one step: units, agencies, accounts, site settings, the security log, and the four role
groups (their permissions are set after every migrate by portal.roles.sync_role_permissions).

It replaces the kernel's first eight migrations, which also created the public site's tables before those moved to
the `public` app (public 0001 adopts them): a database that applied all eight counts this one as applied and runs
nothing here; a new database runs it. A database with only some of the eight must first be migrated with a
release that still has them.
"""

import django.contrib.auth.models
import django.contrib.auth.validators
import django.db.models.deletion
import django.utils.timezone
import portal.models
import portal.uploads
from django.conf import settings
from django.db import migrations, models


ROLES = ["Cán bộ Liên minh", "Cán bộ Quỹ", "Cán bộ đơn vị", "Biên tập viên"]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    initial = True

    replaces = [
        ("portal", "0001_initial"),
        ("portal", "0002_role_groups"),
        ("portal", "0003_public_site"),
        ("portal", "0004_public_search_index"),
        ("portal", "0005_security_events"),
        ("portal", "0006_search_vector"),
        ("portal", "0007_article_ordering_index"),
        ("portal", "0008_uploads_checked_generated_names"),
    ]

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.CreateModel(
            name="SiteSettings",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("org_name", models.CharField(max_length=200, verbose_name="tên cơ quan")),
                ("short_name", models.CharField(max_length=80, verbose_name="tên viết tắt")),
                ("portal_title", models.CharField(blank=True, max_length=200, verbose_name="tên cổng thông tin")),
                (
                    "responsible_person",
                    models.CharField(blank=True, max_length=200, verbose_name="chịu trách nhiệm chính"),
                ),
                ("address", models.CharField(blank=True, max_length=300, verbose_name="địa chỉ")),
                ("phone", models.CharField(blank=True, max_length=50, verbose_name="điện thoại")),
                ("fax", models.CharField(blank=True, max_length=50, verbose_name="fax")),
                ("email", models.EmailField(blank=True, max_length=254, verbose_name="thư điện tử")),
                (
                    "logo",
                    models.ImageField(
                        blank=True,
                        upload_to=portal.models.logo_path,
                        validators=[portal.uploads.UploadValidator("images")],
                        verbose_name="biểu trưng",
                    ),
                ),
            ],
            options={
                "verbose_name": "thông tin cổng",
                "verbose_name_plural": "thông tin cổng",
            },
        ),
        migrations.CreateModel(
            name="AdministrativeUnit",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.CharField(max_length=20, unique=True, verbose_name="mã")),
                ("name", models.CharField(max_length=120, verbose_name="tên")),
                (
                    "level",
                    models.CharField(
                        choices=[("province", "Tỉnh"), ("district", "Cấp huyện"), ("commune", "Cấp xã")],
                        max_length=10,
                        verbose_name="cấp",
                    ),
                ),
                ("valid_from", models.DateField(blank=True, null=True, verbose_name="hiệu lực từ")),
                ("valid_to", models.DateField(blank=True, null=True, verbose_name="hiệu lực đến")),
                (
                    "parent",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="children",
                        to="portal.administrativeunit",
                        verbose_name="đơn vị cấp trên",
                    ),
                ),
                (
                    "successors",
                    models.ManyToManyField(
                        blank=True,
                        related_name="predecessors",
                        to="portal.administrativeunit",
                        verbose_name="đơn vị kế thừa",
                    ),
                ),
            ],
            options={
                "verbose_name": "đơn vị hành chính",
                "verbose_name_plural": "đơn vị hành chính",
                "ordering": ["level", "code"],
            },
        ),
        migrations.CreateModel(
            name="Agency",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=200, unique=True, verbose_name="tên cơ quan")),
                ("short_name", models.CharField(blank=True, max_length=50, verbose_name="tên viết tắt")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("alliance", "Liên minh Hợp tác xã"),
                            ("fund", "Quỹ hỗ trợ phát triển HTX"),
                            ("provincial_pc", "UBND tỉnh"),
                            ("department", "Sở, ngành cấp tỉnh"),
                            ("district_pc", "UBND cấp huyện"),
                            ("commune_pc", "UBND cấp xã"),
                            ("other", "Cơ quan khác"),
                        ],
                        max_length=20,
                        verbose_name="loại",
                    ),
                ),
                ("email", models.EmailField(blank=True, max_length=254, verbose_name="thư điện tử")),
                ("is_active", models.BooleanField(default=True, verbose_name="đang hoạt động")),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="agencies",
                        to="portal.administrativeunit",
                        verbose_name="địa bàn",
                    ),
                ),
            ],
            options={
                "verbose_name": "cơ quan, đơn vị",
                "verbose_name_plural": "cơ quan, đơn vị",
                "ordering": ["kind", "name"],
            },
        ),
        migrations.CreateModel(
            name="User",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("password", models.CharField(max_length=128, verbose_name="password")),
                ("last_login", models.DateTimeField(blank=True, null=True, verbose_name="last login")),
                (
                    "is_superuser",
                    models.BooleanField(
                        default=False,
                        help_text="Designates that this user has all permissions without explicitly assigning them.",
                        verbose_name="superuser status",
                    ),
                ),
                (
                    "username",
                    models.CharField(
                        error_messages={"unique": "A user with that username already exists."},
                        help_text="Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only.",
                        max_length=150,
                        unique=True,
                        validators=[django.contrib.auth.validators.UnicodeUsernameValidator()],
                        verbose_name="username",
                    ),
                ),
                ("first_name", models.CharField(blank=True, max_length=150, verbose_name="first name")),
                ("last_name", models.CharField(blank=True, max_length=150, verbose_name="last name")),
                ("email", models.EmailField(blank=True, max_length=254, verbose_name="email address")),
                (
                    "is_staff",
                    models.BooleanField(
                        default=False,
                        help_text="Designates whether the user can log into this admin site.",
                        verbose_name="staff status",
                    ),
                ),
                (
                    "is_active",
                    models.BooleanField(
                        default=True,
                        help_text="Designates whether this user should be treated as active. Unselect this instead of deleting accounts.",
                        verbose_name="active",
                    ),
                ),
                ("date_joined", models.DateTimeField(default=django.utils.timezone.now, verbose_name="date joined")),
                ("phone", models.CharField(blank=True, max_length=30, verbose_name="điện thoại")),
                (
                    "groups",
                    models.ManyToManyField(
                        blank=True,
                        help_text="The groups this user belongs to. A user will get all permissions granted to each of their groups.",
                        related_name="user_set",
                        related_query_name="user",
                        to="auth.group",
                        verbose_name="groups",
                    ),
                ),
                (
                    "user_permissions",
                    models.ManyToManyField(
                        blank=True,
                        help_text="Specific permissions for this user.",
                        related_name="user_set",
                        related_query_name="user",
                        to="auth.permission",
                        verbose_name="user permissions",
                    ),
                ),
                (
                    "agency",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="officers",
                        to="portal.agency",
                        verbose_name="cơ quan",
                    ),
                ),
            ],
            options={
                "verbose_name": "tài khoản",
                "verbose_name_plural": "tài khoản",
            },
            managers=[
                ("objects", django.contrib.auth.models.UserManager()),
            ],
        ),
        migrations.CreateModel(
            name="SecurityEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="thời điểm")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("login", "Đăng nhập"),
                            ("logout", "Đăng xuất"),
                            ("login_failed", "Đăng nhập thất bại"),
                            ("locked_out", "Bị tạm khóa đăng nhập"),
                            ("permission_denied", "Bị từ chối truy cập"),
                            ("otp_failed", "Sai mã xác thực hai bước"),
                            ("otp_verified", "Xác thực hai bước thành công"),
                            ("otp_enrolled", "Đăng ký xác thực hai bước"),
                            ("session_expired", "Hết thời hạn phiên"),
                        ],
                        db_index=True,
                        max_length=20,
                        verbose_name="sự kiện",
                    ),
                ),
                ("username", models.CharField(blank=True, db_index=True, max_length=150, verbose_name="tên đăng nhập")),
                ("ip_address", models.GenericIPAddressField(blank=True, null=True, verbose_name="địa chỉ IP")),
                ("path", models.CharField(blank=True, max_length=300, verbose_name="đường dẫn")),
                ("user_agent", models.CharField(blank=True, max_length=300, verbose_name="trình duyệt")),
                ("detail", models.CharField(blank=True, max_length=300, verbose_name="chi tiết")),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="tài khoản",
                    ),
                ),
            ],
            options={
                "verbose_name": "nhật ký bảo mật",
                "verbose_name_plural": "nhật ký bảo mật",
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.AddConstraint(
            model_name="administrativeunit",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("valid_to__isnull", True),
                    ("valid_from__isnull", True),
                    ("valid_to__gte", models.F("valid_from")),
                    _connector="OR",
                ),
                name="unit_valid_period_ordered",
                violation_error_message="Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.",
            ),
        ),
        migrations.RunPython(create_groups, remove_groups),
    ]
