from django.apps import AppConfig

from portal.roles import ALL, ALLIANCE_STAFF, FUND_OFFICER, VIEW


class FundConfig(AppConfig):
    name = "fund"
    verbose_name = "Quỹ hỗ trợ phát triển HTX"
    role_permissions = {ALLIANCE_STAFF: [("*", VIEW)], FUND_OFFICER: [("*", ALL)]}

    def ready(self):
        from portal import navigation as nav
        from portal.extract_hooks import extract_on_upload

        from . import signals  # noqa: F401  (connects the receivers that keep snapshots a cache)
        from .models import LoanDocument

        extract_on_upload(LoanDocument)  # borrowers' papers: text kept for staff, never searched publicly

        from portal.agencychanges import work_mover

        from .services import agency_appraisals_move

        work_mover(agency_appraisals_move)  # a merged agency's pending appraisals go to its successor

        loans = nav.perm("fund.view_loan")
        nav.register(
            nav.Tool("loan_book", "Sổ cho vay", "fund:loan_list", loans, order=40),
            nav.Tool(
                "appraisals",
                "Thẩm định hồ sơ vay",
                "fund:appraisal_list",
                lambda user: nav.province_wide(user) or nav.agency_officer(user),
                order=41,
            ),
            nav.Tool("portfolio_report", "Báo cáo danh mục cho vay", "fund:report", loans, order=42),
            nav.Tool("loan_import", "Nhập sổ cho vay", "fund:import", nav.perm("fund.add_loan"), order=43),
        )
        # The fund's own officers (who may change loans) start at the loan book.
        nav.register_start_page(order=20, applies=nav.perm("fund.change_loan"), url_name="fund:loan_list")
