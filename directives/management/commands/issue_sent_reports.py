"""Issue the reports that were sent before the portal issued them as documents (services.reports_issue_missing)."""

from django.core.management.base import BaseCommand

from directives.services import reports_issue_missing


class Command(BaseCommand):
    help = "Phát hành văn bản (số, ký hiệu, bản PDF) cho các báo cáo đã gửi nhưng chưa có văn bản."

    def handle(self, *args, **options):
        count = reports_issue_missing()
        self.stdout.write(f"Đã phát hành {count} báo cáo.")
