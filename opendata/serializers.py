"""The public fields of each dataset, as the API and the bulk files give them.

Every serializer lists its fields by name: a field added to a model is published only once someone adds it here.
A cooperative's contact and money fields appear only where the cooperative made them public (Cooperative.shows),
as on its profile page; its representative's personal phone and ID number, its people, its loans and its internal
records appear nowhere. The descriptions are the field descriptions of the schema and of the bulk files.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cooperatives.models import Cooperative, SizeClass, SizeThreshold, YearlyFigure
from directives.models import Document, DocumentFile
from fund.models import LoanProduct
from portal.models import AdministrativeUnit, Agency
from portal.siteurl import absolute
from portal.unitmap import UNKNOWN
from public.models import Article, Poll

# Fields of a cooperative that its record says whether to publish (cooperatives.models.PUBLIC_FIELD_CHOICES).
OPTIONAL_FIELDS = ("address", "phone", "email", "website", "legal_representative", "charter_capital", "tax_code")
PUBLIC_FIGURE_YEARS = 3  # the profile page shows the last three years


def _label(field: str, text: str) -> serializers.CharField:
    return serializers.CharField(source=f"get_{field}_display", read_only=True, help_text=text)


class Place(serializers.Serializer):
    code = serializers.CharField(help_text="Mã đơn vị hành chính (mã thống kê).")
    name = serializers.CharField(help_text="Tên đơn vị.")
    within = serializers.CharField(help_text="Đơn vị cấp trên (tỉnh; với địa bàn cũ: huyện và tỉnh).")


class FormerPlace(Place):
    until = serializers.DateField(allow_null=True, help_text="Ngày cuối cùng đơn vị cũ còn hiệu lực.")


class Figure(serializers.ModelSerializer):
    members = serializers.IntegerField(read_only=True, help_text="Số thành viên (chính thức và liên kết).")
    year = serializers.IntegerField(read_only=True, help_text="Năm.")
    workers = serializers.IntegerField(read_only=True, help_text="Số lao động.")
    revenue = serializers.IntegerField(read_only=True, help_text="Doanh thu trong năm (đồng).")

    class Meta:
        model = YearlyFigure
        fields = ["year", "members", "workers", "revenue"]


class CooperativeSerializer(serializers.ModelSerializer):
    """Needs `areas` (portal.unitmap.today_areas()) and `thresholds` (every SizeThreshold) in its context."""

    kind_label = _label("kind", "Tên loại hình.")
    sector_label = _label("sector", "Tên lĩnh vực.")
    status_label = _label("status", "Tên tình trạng.")
    area = serializers.SerializerMethodField(help_text="Xã, phường hiện nay (theo địa giới từ 01/7/2025).")
    former_unit = serializers.SerializerMethodField(
        help_text="Đơn vị đăng ký khi đơn vị đó đã được sáp nhập (null nếu vẫn là đơn vị hiện nay)."
    )
    size_class = serializers.SerializerMethodField(
        help_text="Quy mô theo số liệu năm gần nhất (Nghị định 113/2024/NĐ-CP): micro (siêu nhỏ), small (nhỏ), "
        "medium (vừa), large (lớn); null nếu chưa có số liệu hoặc hợp tác xã không công khai số liệu."
    )
    figures = serializers.SerializerMethodField(
        help_text="Số liệu hoạt động ba năm gần nhất, nếu hợp tác xã công khai (danh sách rỗng nếu không)."
    )
    url = serializers.SerializerMethodField(help_text="Trang hồ sơ công khai.")

    class Meta:
        model = Cooperative
        fields = [
            "slug",
            "name",
            "short_name",
            "kind",
            "kind_label",
            "sector",
            "sector_label",
            "sub_sector",
            "registration_code",
            "certificate_date",
            "status",
            "status_label",
            "area",
            "former_unit",
            "size_class",
            *OPTIONAL_FIELDS,
            "figures",
            "url",
        ]
        extra_kwargs = {name: {"allow_null": True} for name in OPTIONAL_FIELDS}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for name in OPTIONAL_FIELDS:
            if not instance.shows(name) or data[name] in ("", None):
                data[name] = None
        if instance.kind == Cooperative.Kind.GROUP:
            data["charter_capital"] = None  # a group has no charter capital (its profile shows none)
        if data["charter_capital"] is not None:
            data["charter_capital"] = int(instance.charter_capital)
        return data

    def _area(self, instance):
        return self.context["areas"].get(instance.unit_id, UNKNOWN)

    @extend_schema_field(Place(allow_null=True))
    def get_area(self, instance):
        area = self._area(instance)
        return {"code": area.code, "name": area.name, "within": area.within} if area.id else None

    @extend_schema_field(FormerPlace(allow_null=True))
    def get_former_unit(self, instance):
        unit = instance.unit
        if self._area(instance).id == unit.pk:
            return None
        above = [unit.parent, unit.parent.parent if unit.parent else None]
        within = ", ".join(u.name for u in above if u is not None)
        return {"code": unit.code, "name": unit.name, "within": within, "until": unit.valid_to}

    def _figures(self, instance) -> list:
        return sorted(instance.figures.all(), key=lambda f: f.year, reverse=True)

    @extend_schema_field(serializers.ChoiceField(choices=SizeClass.values, allow_null=True))
    def get_size_class(self, instance):
        figures = self._figures(instance)
        if not figures or not instance.shows("figures"):  # it is read from the figures, assets among them
            return None
        return SizeThreshold.classify(instance.sector, figures[0], rows=self.context["thresholds"])

    @extend_schema_field(Figure(many=True))
    def get_figures(self, instance):
        if not instance.shows("figures"):
            return []
        return Figure(self._figures(instance)[:PUBLIC_FIGURE_YEARS], many=True).data

    def get_url(self, instance) -> str:
        return absolute(instance.get_absolute_url())


class DocumentFileSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name", help_text="Tên tệp.")
    size = serializers.IntegerField(help_text="Dung lượng (byte).")
    url = serializers.SerializerMethodField(help_text="Địa chỉ tải tệp.")

    class Meta:
        model = DocumentFile
        fields = ["name", "size", "url"]

    def get_url(self, instance) -> str:
        return absolute(instance.get_absolute_url())


class Relation(serializers.Serializer):
    kind = serializers.CharField(help_text="replaces (thay thế), amends (sửa đổi, bổ sung), implements (hướng dẫn).")
    kind_label = serializers.CharField(help_text="Tên quan hệ.")
    number = serializers.CharField(help_text="Số, ký hiệu của văn bản liên quan.")
    slug = serializers.CharField(help_text="Đường dẫn của văn bản liên quan trong API.")


class DocumentSerializer(serializers.ModelSerializer):
    doc_type_label = _label("doc_type", "Tên loại văn bản.")
    status_label = _label("status", "Tên tình trạng hiệu lực.")
    replaced_by = serializers.SerializerMethodField(help_text="Văn bản thay thế (đường dẫn), nếu công khai.")
    files = DocumentFileSerializer(many=True, read_only=True, help_text="Tệp đính kèm.")
    relations = serializers.SerializerMethodField(help_text="Văn bản này thay thế, sửa đổi hoặc hướng dẫn văn bản nào.")
    url = serializers.SerializerMethodField(help_text="Trang văn bản.")

    class Meta:
        model = Document
        fields = [
            "slug",
            "doc_type",
            "doc_type_label",
            "number",
            "summary",
            "issuer",
            "signer",
            "issue_date",
            "effective_date",
            "field",
            "status",
            "status_label",
            "replaced_by",
            "relations",
            "files",
            "url",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_replaced_by(self, instance):
        target = instance.replaced_by
        return target.slug if target is not None and target.is_public else None

    @extend_schema_field(Relation(many=True))
    def get_relations(self, instance):
        return [
            {"kind": r.kind, "kind_label": r.get_kind_display(), "number": r.target.number, "slug": r.target.slug}
            for r in instance.relations_out.all()
            if r.target.is_public
        ]

    def get_url(self, instance) -> str:
        return absolute(instance.get_absolute_url())


class CategoryRef(serializers.Serializer):
    slug = serializers.CharField(help_text="Đường dẫn chuyên mục.")
    name = serializers.CharField(help_text="Tên chuyên mục.")


class ArticleSerializer(serializers.ModelSerializer):
    published_at = serializers.DateTimeField(source="publish_at", help_text="Thời điểm đăng (giờ Việt Nam).")
    category = CategoryRef(read_only=True, help_text="Chuyên mục.")
    url = serializers.SerializerMethodField(help_text="Trang tin.")

    class Meta:
        model = Article
        fields = ["slug", "title", "published_at", "category", "lead", "source", "url"]

    def get_url(self, instance) -> str:
        return absolute(instance.get_absolute_url())


class ChoiceResult(serializers.Serializer):
    text = serializers.CharField(help_text="Phương án.")
    votes = serializers.IntegerField(help_text="Số phiếu.")
    percent = serializers.FloatField(help_text="Tỷ lệ trên tổng số phiếu (%), làm tròn một chữ số thập phân.")


class PollSerializer(serializers.ModelSerializer):
    """Closed polls only: their results no longer change. Needs `choices` annotated with `votes_total`."""

    total_votes = serializers.SerializerMethodField(help_text="Tổng số phiếu.")
    choices = serializers.SerializerMethodField(help_text="Kết quả từng phương án.")
    url = serializers.SerializerMethodField(help_text="Trang thăm dò.")

    class Meta:
        model = Poll
        fields = ["slug", "question", "opens_at", "closes_at", "total_votes", "choices", "url"]

    def get_total_votes(self, instance) -> int:
        return sum(c.votes_total for c in instance.choices.all())

    @extend_schema_field(ChoiceResult(many=True))
    def get_choices(self, instance):
        choices = sorted(instance.choices.all(), key=lambda c: (c.order, c.pk))
        total = sum(c.votes_total for c in choices)
        return [
            {"text": c.text, "votes": c.votes_total, "percent": round(100 * c.votes_total / total, 1) if total else 0.0}
            for c in choices
        ]

    def get_url(self, instance) -> str:
        return absolute(instance.get_absolute_url())


class LoanProductSerializer(serializers.ModelSerializer):
    rate_method_label = _label("rate_method", "Tên cách tính lãi.")
    frequency_label = _label("frequency", "Tên kỳ trả nợ.")
    amortization_label = _label("amortization", "Tên cách trả gốc.")
    max_amount = serializers.IntegerField(help_text="Mức vay tối đa (đồng).")

    class Meta:
        model = LoanProduct
        fields = [
            "code",
            "name",
            "description",
            "for_cooperatives",
            "for_unions",
            "for_members",
            "max_amount",
            "max_term_months",
            "grace_months",
            "annual_rate",
            "rate_method",
            "rate_method_label",
            "day_count",
            "frequency",
            "frequency_label",
            "amortization",
            "amortization_label",
            "min_own_contribution_pct",
            "overdue_multiplier",
            "collateral_rules",
        ]


class LendingRow(serializers.Serializer):
    code = serializers.CharField(help_text="Mã (xã, phường hoặc lĩnh vực); “khac” cho nhóm gộp các dòng nhỏ.")
    name = serializers.CharField(help_text="Tên.")
    loans = serializers.IntegerField(help_text="Số khoản vay đã giải ngân đến hết quý.")
    borrowers = serializers.IntegerField(help_text="Số hợp tác xã vay.")
    disbursed = serializers.IntegerField(
        allow_null=True,
        help_text="Tổng số tiền đã giải ngân đến hết quý (đồng), chỉ theo xã, phường; null theo lĩnh vực, và cho "
        "dòng gộp khi chính nó còn dưới 3 hợp tác xã vay hoặc 2 hợp tác xã chiếm trên 85% số tiền.",
    )


class FundFiguresSerializer(serializers.Serializer):
    on = serializers.DateField(help_text="Số liệu tính đến ngày.")
    capital = serializers.IntegerField(allow_null=True, help_text="Vốn điều lệ của Quỹ (đồng); null nếu chưa ghi.")
    loans = serializers.IntegerField(help_text="Số khoản vay đã giải ngân từ trước đến nay.")
    borrowers = serializers.IntegerField(help_text="Số hợp tác xã đã vay.")
    disbursed = serializers.IntegerField(help_text="Tổng số tiền đã giải ngân (đồng).")
    settled = serializers.IntegerField(help_text="Số khoản vay đã tất toán.")
    breakdown_on = serializers.DateField(help_text="Các bảng chia theo xã, phường và lĩnh vực tính đến hết ngày này "
                                         "(ngày cuối quý gần nhất đã kết thúc).")  # fmt: skip
    breakdown_disbursed = serializers.IntegerField(help_text="Tổng số tiền đã giải ngân đến hết ngày đó (đồng).")
    by_area = LendingRow(many=True, help_text="Theo xã, phường hiện nay, đến hết quý.")
    by_sector = LendingRow(many=True, help_text="Theo lĩnh vực của hợp tác xã vay, đến hết quý: chỉ số khoản vay.")


class UnitSerializer(serializers.ModelSerializer):
    level_label = _label("level", "Tên cấp.")
    parent = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text="Mã đơn vị cấp trên (null với tỉnh)."
    )
    successors = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True, help_text="Mã các đơn vị kế thừa (sau sáp nhập, chia tách)."
    )

    class Meta:
        model = AdministrativeUnit
        fields = ["code", "name", "level", "level_label", "parent", "valid_from", "valid_to", "successors"]


class AgencySerializer(serializers.ModelSerializer):
    kind_label = _label("kind", "Tên loại cơ quan.")
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="Mã địa bàn của cơ quan.")

    class Meta:
        model = Agency
        fields = ["id", "name", "short_name", "kind", "kind_label", "unit", "is_active"]
