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

        from portal.extract_hooks import extract_on_upload

        from .models import DocumentFile, ReportFile

        extract_on_upload(DocumentFile, parent="document")  # found by the document's search
        extract_on_upload(ReportFile)  # internal: extracted for staff, never searched publicly
        # the province's report matrix (directives.views.province_matrix), cached per version
        watch_versioned(
            "report-matrix",
            "directives.Report",
            "directives.ReportRequest",
            "portal.Agency",
            m2m=("directives.ReportRequest.agencies",),
        )

        from django.db.models.signals import post_save

        from portal.agencychanges import work_mover
        from portal.signatures import trusted_roots_changed

        from . import hooks
        from .services import agency_work_move

        work_mover(agency_work_move)  # a merged agency's open tasks and report requests go to its successor

        for model_name in ("DocumentFile", "ReportFile"):
            post_save.connect(hooks.file_saved, sender=f"directives.{model_name}", dispatch_uid=f"sig:{model_name}")
        trusted_roots_changed.connect(hooks.roots_changed, dispatch_uid="directives.recheck_signatures")

        from portal import navigation as nav

        from .services import is_reviewer

        province_reports = nav.all_of(nav.province_wide, nav.perm("directives.view_reportrequest"))
        nav.register(
            nav.Tool("staff_home", "Việc chờ xử lý", "directives:staff_home", is_reviewer, order=1),
            nav.Tool("workspace", "Báo cáo của đơn vị", "directives:workspace", nav.agency_officer, order=10),
            nav.Tool("reports_waiting", "Báo cáo chờ duyệt", "directives:workspace", is_reviewer, order=11),
            nav.Tool(
                "province_matrix",
                "Tổng hợp báo cáo toàn tỉnh",
                "directives:province_matrix",
                province_reports,
                order=12,
            ),
            nav.Tool(
                "directives",
                "Chỉ đạo, nhiệm vụ",
                "directives:province_matrix",
                province_reports,
                order=13,
                fragment="chi-dao",
            ),
            nav.Tool(
                "documents",
                "Quản lý văn bản",
                "admin:directives_document_changelist",
                nav.staff_perm("directives.view_document"),
                order=14,
            ),
            nav.Tool("scorecard", "Bảng chỉ số theo địa bàn", "directives:scorecard", nav.has_scope, order=30),
        )
        nav.register_start_page(order=10, applies=is_reviewer, url_name="directives:staff_home")
        nav.register_start_page(order=30, applies=nav.agency_officer, url_name="directives:workspace")
