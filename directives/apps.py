from django.apps import AppConfig

from portal.roles import AGENCY_OFFICER, ALL, ALLIANCE_STAFF, EDITOR, VIEW


class DirectivesConfig(AppConfig):
    name = "directives"
    verbose_name = "Văn bản, chỉ đạo và báo cáo"
    role_permissions = {
        ALLIANCE_STAFF: [("*", ALL)],
        # their own agency's reports, files and task progress (admin querysets are scoped to it)
        AGENCY_OFFICER: [
            ("document", VIEW),
            ("task", VIEW),
            ("reportrequest", VIEW),
            ("report", ("view", "change")),
            ("reportfile", VIEW),
            ("taskassignment", ("view", "change")),
            ("reminder", VIEW),
        ],
        EDITOR: [("document", VIEW)],
    }

    def ready(self):
        from portal.contentcache import watch
        from portal.signals import watch_versioned

        watch("directives.Document")  # the public document list and the home page's newest documents
        # the province's report matrix (directives.views.province_matrix), cached per version
        watch_versioned(
            "report-matrix",
            "directives.Report",
            "directives.ReportRequest",
            "portal.Agency",
            m2m=("directives.ReportRequest.agencies",),
        )
