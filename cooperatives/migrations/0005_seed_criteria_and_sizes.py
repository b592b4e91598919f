"""Seed the 15 evaluation criteria (Thông tư 01/2020/TT-BKHĐT, Phụ lục) and the agriculture size thresholds
(Nghị định 113/2024/NĐ-CP). Both are rows staff may edit afterwards; other sectors' thresholds are entered by staff."""

from django.db import migrations

CRITERIA = [
    ("1", "Doanh thu và thu nhập của hợp tác xã", 10),
    ("2", "Lợi nhuận của hợp tác xã", 10),
    ("3", "Mức độ cung ứng sản phẩm, dịch vụ cho thành viên", 10),
    ("4", "Mức độ hài lòng của thành viên", 5),
    ("5", "Thu nhập bình quân của thành viên", 10),
    ("6", "Quy mô thành viên, lao động", 5),
    ("7", "Liên kết chuỗi giá trị, ứng dụng khoa học công nghệ", 5),
    ("8", "Vốn hoạt động và tài sản", 5),
    ("9", "Chấp hành pháp luật về thuế, bảo hiểm, kế toán", 5),
    ("10", "Tổ chức đại hội thành viên thường niên đúng hạn", 10),
    ("11", "Trình độ của cán bộ quản lý, điều hành", 5),
    ("12", "Công khai, minh bạch thông tin và báo cáo tài chính", 5),
    ("13", "Khen thưởng, thi đua", 5),
    ("14", "Kết nạp thành viên mới", 5),
    ("15", "Đóng góp cho cộng đồng", 5),
]

BN = 1_000_000_000
AGRICULTURE = [("large", 300, 50 * BN, 10 * BN), ("medium", 200, 10 * BN, 5 * BN), ("small", 50, 2 * BN, 1 * BN)]


def seed(apps, schema_editor):
    Criterion = apps.get_model("cooperatives", "EvaluationCriterion")
    Threshold = apps.get_model("cooperatives", "SizeThreshold")
    for order, (code, title, points) in enumerate(CRITERIA, start=1):
        Criterion.objects.get_or_create(code=code, defaults={"title": title, "max_points": points, "order": order})
    for size, members, revenue, capital in AGRICULTURE:
        Threshold.objects.get_or_create(
            sector_group="agriculture",
            size_class=size,
            defaults={"min_members": members, "min_revenue": revenue, "min_capital": capital},
        )


class Migration(migrations.Migration):
    dependencies = [("cooperatives", "0004_registry")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
