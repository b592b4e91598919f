"""django-import-export resources: the loan list and the products, with Vietnamese headers and natural keys.

The loan book itself (loans with their disbursements and repayments) is imported by fund.loanbook, which is
all-or-nothing across three sheets; these resources serve the admin's export buttons.
"""

from import_export import fields, resources
from import_export.widgets import DecimalWidget, ForeignKeyWidget

from cooperatives.models import Cooperative

from .models import Loan, LoanProduct


class LoanProductResource(resources.ModelResource):
    class Meta:
        model = LoanProduct
        import_id_fields = ["code"]
        # Each row goes through LoanProduct.clean() (the overdue-interest ceiling) before anything is written.
        clean_model_instances = True
        fields = [
            "code",
            "name",
            "max_amount",
            "max_term_months",
            "annual_rate",
            "rate_method",
            "day_count",
            "frequency",
            "amortization",
            "grace_months",
            "overdue_multiplier",
            "min_own_contribution_pct",
            "is_active",
        ]


class LoanResource(resources.ModelResource):
    code = fields.Field("code", "Số hồ sơ")
    product = fields.Field("product", "Sản phẩm", widget=ForeignKeyWidget(LoanProduct, "code"))
    cooperative = fields.Field(
        "cooperative", "Mã số đăng ký HTX", widget=ForeignKeyWidget(Cooperative, "registration_code")
    )
    borrower = fields.Field(attribute="borrower_name", column_name="Bên vay", readonly=True)
    project_name = fields.Field("project_name", "Tên dự án")
    status = fields.Field("get_status_display", "Trạng thái", readonly=True)
    approved_amount = fields.Field("approved_amount", "Số tiền phê duyệt", widget=DecimalWidget())
    approved_term_months = fields.Field("approved_term_months", "Thời hạn (tháng)")
    approved_rate = fields.Field("approved_rate", "Lãi suất (%/năm)", widget=DecimalWidget())
    contract_number = fields.Field("contract_number", "Số hợp đồng")

    class Meta:
        model = Loan
        import_id_fields = ["code"]
        fields = [
            "code",
            "product",
            "cooperative",
            "borrower",
            "project_name",
            "status",
            "approved_amount",
            "approved_term_months",
            "approved_rate",
            "contract_number",
        ]

    def get_queryset(self):
        return super().get_queryset().select_related("product", "cooperative", "member")
