"""Demo data for the foundation: Bạc Liêu's units of 2022, the agencies Công văn 1047/UBND-KT addresses,
the alliance's details as its portal shows them, and one account per role. Idempotent: keyed on natural keys."""

import unicodedata
from datetime import date

from django.conf import settings
from django.contrib.auth.models import Group

from . import democa, roles
from .agencychanges import agency_change_record
from .models import AdministrativeUnit, Agency, AgencyChange, Signatory, SiteSettings, User
from .unitmap import mapping_propose
from .units2025 import units_load

PROVINCE_CODE = "95"
COMMUNE_OFFICER_UNIT = "31849"  # Xã Ninh Quới, Cà Mau (statistics office's code)
COMMUNE_COMMITTEE = "Ủy ban nhân dân Xã Ninh Quới"
RETIRED_ON = date(2025, 6, 30)  # last day of the district tier (Nghị quyết 202/2025/QH15)

# (code, name, [communes]) - the seven district-level units of Bạc Liêu in 2022, with some of their communes.
DISTRICTS = [
    ("954", "Thành phố Bạc Liêu", ["Phường 1", "Phường 2", "Phường Nhà Mát", "Xã Vĩnh Trạch", "Xã Hiệp Thành"]),
    ("956", "Huyện Hồng Dân", ["Thị trấn Ngan Dừa", "Xã Ninh Quới", "Xã Ninh Quới A", "Xã Lộc Ninh", "Xã Vĩnh Lộc"]),
    ("957", "Huyện Phước Long", ["Thị trấn Phước Long", "Xã Vĩnh Phú Đông", "Xã Phong Thạnh Tây A", "Xã Vĩnh Thanh"]),
    ("958", "Huyện Vĩnh Lợi", ["Thị trấn Châu Hưng", "Xã Hưng Hội", "Xã Châu Thới", "Xã Long Thạnh"]),
    ("959", "Thị xã Giá Rai", ["Phường Hộ Phòng", "Phường Láng Tròn", "Xã Phong Thạnh Đông", "Xã Tân Phong"]),
    ("960", "Huyện Đông Hải", ["Thị trấn Gành Hào", "Xã Long Điền", "Xã An Trạch", "Xã Điền Hải", "Xã Định Thành"]),
    ("961", "Huyện Hòa Bình", ["Thị trấn Hòa Bình", "Xã Minh Diệu", "Xã Vĩnh Hậu", "Xã Vĩnh Mỹ A"]),
]

DEPARTMENTS = [
    ("Sở Kế hoạch và Đầu tư tỉnh Bạc Liêu", "Sở KH&ĐT"),
    ("Sở Nông nghiệp và Phát triển nông thôn tỉnh Bạc Liêu", "Sở NN&PTNT"),
    ("Sở Tài chính tỉnh Bạc Liêu", "Sở Tài chính"),
    ("Sở Công Thương tỉnh Bạc Liêu", "Sở Công Thương"),
    ("Sở Lao động - Thương binh và Xã hội tỉnh Bạc Liêu", "Sở LĐ-TB&XH"),
    ("Sở Tài nguyên và Môi trường tỉnh Bạc Liêu", "Sở TN&MT"),
    ("Sở Khoa học và Công nghệ tỉnh Bạc Liêu", "Sở KH&CN"),
    ("Sở Thông tin và Truyền thông tỉnh Bạc Liêu", "Sở TT&TT"),
    ("Ngân hàng Nhà nước chi nhánh tỉnh Bạc Liêu", "NHNN Bạc Liêu"),
]

# How each provincial body heads the documents it issues (Nghị định 30/2020/NĐ-CP, Phụ lục I): name -> (governing
# body, printed name under it, code in the symbol, title of the head). The codes are the initials of the names
# (SNN for the agriculture department, QHTPTHTX for the fund: Quỹ Hỗ trợ Phát triển HTX); a body's own register may
# use others, which its administrator sets in the admin.
PROVINCIAL_GOVERNING_BODY = "UBND tỉnh Bạc Liêu"
LETTERHEADS = {
    "Sở Kế hoạch và Đầu tư tỉnh Bạc Liêu": (PROVINCIAL_GOVERNING_BODY, "Sở Kế hoạch và Đầu tư", "SKHĐT", "Giám đốc"),
    "Sở Nông nghiệp và Phát triển nông thôn tỉnh Bạc Liêu": (
        PROVINCIAL_GOVERNING_BODY,
        "Sở Nông nghiệp và Phát triển nông thôn",
        "SNN",
        "Giám đốc",
    ),
    "Sở Tài chính tỉnh Bạc Liêu": (PROVINCIAL_GOVERNING_BODY, "Sở Tài chính", "STC", "Giám đốc"),
    "Sở Công Thương tỉnh Bạc Liêu": (PROVINCIAL_GOVERNING_BODY, "Sở Công Thương", "SCT", "Giám đốc"),
    "Sở Lao động - Thương binh và Xã hội tỉnh Bạc Liêu": (
        PROVINCIAL_GOVERNING_BODY,
        "Sở Lao động - Thương binh và Xã hội",
        "SLĐTBXH",
        "Giám đốc",
    ),
    "Sở Tài nguyên và Môi trường tỉnh Bạc Liêu": (
        PROVINCIAL_GOVERNING_BODY,
        "Sở Tài nguyên và Môi trường",
        "STNMT",
        "Giám đốc",
    ),
    "Sở Khoa học và Công nghệ tỉnh Bạc Liêu": (
        PROVINCIAL_GOVERNING_BODY,
        "Sở Khoa học và Công nghệ",
        "SKHCN",
        "Giám đốc",
    ),
    "Sở Thông tin và Truyền thông tỉnh Bạc Liêu": (
        PROVINCIAL_GOVERNING_BODY,
        "Sở Thông tin và Truyền thông",
        "STTTT",
        "Giám đốc",
    ),
    # The State Bank's branch answers to the State Bank, not to the province.
    "Ngân hàng Nhà nước chi nhánh tỉnh Bạc Liêu": (
        "Ngân hàng Nhà nước Việt Nam",
        "Chi nhánh tỉnh Bạc Liêu",
        "NHNN",
        "Giám đốc",
    ),
    "Liên minh Hợp tác xã tỉnh Bạc Liêu": (PROVINCIAL_GOVERNING_BODY, "Liên minh Hợp tác xã", "LMHTX", "Chủ tịch"),
    "Quỹ hỗ trợ phát triển hợp tác xã tỉnh Bạc Liêu": (
        PROVINCIAL_GOVERNING_BODY,
        "Quỹ hỗ trợ phát triển hợp tác xã",
        "QHTPTHTX",
        "Giám đốc",
    ),
}

# Invented signatories, one head and one deputy per body: "Mẫu" (sample) and "Thử" (trial) mark them as demo people.
DEMO_SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ"]

ALLIANCE = "Liên minh Hợp tác xã tỉnh Bạc Liêu"
FUND = "Quỹ hỗ trợ phát triển hợp tác xã tỉnh Bạc Liêu"
PROVINCIAL_PC = "Ủy ban nhân dân tỉnh Bạc Liêu"

# username, full name, role group, agency name, is_staff, is_superuser
DEMO_USERS = [
    ("quantri", "Quản trị hệ thống", None, ALLIANCE, True, True),
    ("lienminh", "Trần Thị Lan", roles.ALLIANCE_STAFF, ALLIANCE, True, False),
    ("quy", "Lê Văn Phúc", roles.FUND_OFFICER, FUND, True, False),
    ("bientap", "Phạm Thu Hà", roles.EDITOR, ALLIANCE, True, False),
    ("hongdan", "Nguyễn Văn Hùng", roles.AGENCY_OFFICER, "Ủy ban nhân dân Huyện Hồng Dân", False, False),
    ("donghai", "Võ Thị Mai", roles.AGENCY_OFFICER, "Ủy ban nhân dân Huyện Đông Hải", False, False),
    (
        "sonn",
        "Đặng Minh Tâm",
        roles.AGENCY_OFFICER,
        "Sở Nông nghiệp và Phát triển nông thôn tỉnh Bạc Liêu",
        False,
        False,
    ),
    ("ninhquoi", "Lâm Thị Thu", roles.AGENCY_OFFICER, COMMUNE_COMMITTEE, False, False),
]


def district_agency_name(district_name: str) -> str:
    return f"Ủy ban nhân dân {district_name}"


def district_short_name(district_name: str) -> str:
    """'Thành phố Bạc Liêu' -> 'UBND TP Bạc Liêu', 'Thị xã Giá Rai' -> 'UBND TX Giá Rai', 'Huyện Hồng Dân' ->
    'UBND Hồng Dân'."""
    for level, short in (("Thành phố ", "TP "), ("Thị xã ", "TX "), ("Huyện ", "")):
        if district_name.startswith(level):
            return f"UBND {short}{district_name[len(level) :]}"
    return f"UBND {district_name}"


def load(out) -> None:
    province = _unit(PROVINCE_CODE, "Tỉnh Bạc Liêu", AdministrativeUnit.Level.PROVINCE, None)
    ca_mau = _unit("96", "Tỉnh Cà Mau", AdministrativeUnit.Level.PROVINCE, None, valid_to=None)
    if not ca_mau.valid_from:
        ca_mau.valid_from = date(2025, 7, 1)
        ca_mau.save(update_fields=["valid_from"])
    province.successors.add(ca_mau)
    units_load(int(ca_mau.code))  # today's communes of Cà Mau, from the statistics office's list

    for code, name, communes in DISTRICTS:
        district = _unit(code, name, AdministrativeUnit.Level.DISTRICT, province)
        for index, commune in enumerate(communes, start=1):
            _unit(f"{code}-{index:02d}", commune, AdministrativeUnit.Level.COMMUNE, district)
        _agency(district_agency_name(name), district_short_name(name), Agency.Kind.DISTRICT_PC, district)

    # Today's tier: the committee of a commune formed on 01/7/2025 from Xã Ninh Quới and Xã Ninh Quới A of Hồng Dân,
    # and the old communes placed on today's map (portal.unitmap) as the conversion table proposes.
    commune = AdministrativeUnit.objects.get(code=COMMUNE_OFFICER_UNIT)
    _agency(COMMUNE_COMMITTEE, "UBND xã Ninh Quới", Agency.Kind.COMMUNE_PC, commune)
    mapping_propose()

    _agency(ALLIANCE, "Liên minh HTX", Agency.Kind.ALLIANCE, province)
    _agency(FUND, "Quỹ HTX", Agency.Kind.FUND, province)
    _agency(PROVINCIAL_PC, "UBND tỉnh", Agency.Kind.PROVINCIAL_PC, province)
    for name, short in DEPARTMENTS:
        _agency(name, short, Agency.Kind.DEPARTMENT, province)
    _letterheads_and_signatories()

    if not SiteSettings.objects.exists():
        SiteSettings(
            org_name="Liên minh Hợp tác xã tỉnh Bạc Liêu",
            short_name="Liên minh HTX tỉnh",
            portal_title="Cổng thông tin điện tử Liên minh Hợp tác xã tỉnh Bạc Liêu",
            responsible_person="Ông Nguyễn Văn Vũ - Chủ tịch Liên minh Hợp tác xã tỉnh",
            address="Số 01, đường Hòa Bình, phường 1, thành phố Bạc Liêu, tỉnh Bạc Liêu",
            phone="0291.3824832",
            fax="0291.3824832",
        ).save()

    democa.load(out)

    for username, full_name, group, agency_name, is_staff, is_superuser in DEMO_USERS:
        _user(username, full_name, group, agency_name, is_staff, is_superuser)
    out.write(f"Đơn vị hành chính: {AdministrativeUnit.objects.count()}, cơ quan: {Agency.objects.count()}")


# The departments of agriculture and of natural resources and environment of Bạc Liêu, merged when the province
# joined Cà Mau. The demo records the two steps of 2025 (each department of Bạc Liêu merged in March, then with Cà
# Mau's in July) as the one change that took effect on 01/7/2025.
MERGED_DEPARTMENTS = [
    "Sở Nông nghiệp và Phát triển nông thôn tỉnh Bạc Liêu",
    "Sở Tài nguyên và Môi trường tỉnh Bạc Liêu",
]
MERGED_INTO = "Sở Nông nghiệp và Môi trường tỉnh Cà Mau"
MERGE_SOURCE = (
    "Nghị quyết số 202/2025/QH15 của Quốc hội về sắp xếp đơn vị hành chính cấp tỉnh (tỉnh Bạc Liêu nhập vào tỉnh "
    "Cà Mau); các sở của hai tỉnh hợp nhất từ ngày 01/7/2025"
)


def reorganise(out) -> None:
    """The agencies' reorganisation of 2025, once, after every app's demo rows are in (`manage.py load_demo`): the
    two departments merge into Cà Mau's department of agriculture and environment, which takes over their officers
    (the `sonn` login), open appraisals and overseen sectors, while the work they closed in 2022 stays theirs."""
    if Agency.objects.filter(name=MERGED_INTO).exists():
        return
    before = list(Agency.objects.filter(name__in=MERGED_DEPARTMENTS, is_active=True))
    if len(before) != len(MERGED_DEPARTMENTS):
        return
    ca_mau = AdministrativeUnit.objects.get(code="96")
    after = _agency(MERGED_INTO, "Sở NN&MT", Agency.Kind.DEPARTMENT, ca_mau)
    after.governing_body, after.letterhead_name = "UBND tỉnh Cà Mau", "Sở Nông nghiệp và Môi trường"
    after.doc_code, after.head_title, after.place_name = "SNNMT", "Giám đốc", "Cà Mau"
    after.save()
    _letterheads_and_signatories()
    democa.load()
    change = agency_change_record(
        kind=AgencyChange.Kind.MERGE,
        before=before,
        after=after,
        effective_on=date(2025, 7, 1),
        legal_source=MERGE_SOURCE,
    )
    moved = change.moves.count()
    out.write(f"Sắp xếp cơ quan năm 2025: {len(before)} sở hợp nhất vào {after.name}, {moved} việc chuyển sang.")


def print_logins(out) -> None:
    if not settings.DEBUG:
        out.write("Tài khoản mẫu đã được tạo (mật khẩu chỉ in ra khi DJANGO_DEBUG bật).")
        return
    out.write(f"Tài khoản mẫu (mật khẩu chung: {settings.DEMO_PASSWORD}):")
    agencies = dict(User.objects.filter(agency__isnull=False).values_list("username", "agency__name"))
    for username, _full_name, group, agency_name, *_ in DEMO_USERS:
        out.write(f"  {username:<10} {group or 'Quản trị hệ thống':<18} {agencies.get(username, agency_name)}")
    out.write(f"Mật khẩu chứng thư số thử nghiệm của mỗi cơ quan (để ký số văn bản): {democa.DEMO_PASSPHRASE}")
    # Second factor (docs/security.md): superusers must pass a TOTP code.
    out.write(
        "quantri cần xác thực hai bước: sau khi đăng nhập, quét mã QR ở /tai-khoan/xac-thuc-hai-buoc/ bằng ứng dụng"
        " xác thực, hoặc chạy `.venv/bin/python manage.py enrol_totp quantri` để lấy khóa bí mật."
    )


def _unit(code, name, level, parent, valid_to=RETIRED_ON):
    unit, _ = AdministrativeUnit.objects.get_or_create(
        code=code,
        defaults={
            "name": name,
            "level": level,
            "parent": parent,
            "valid_from": date(2004, 1, 1) if valid_to else None,
            "valid_to": valid_to,
        },
    )
    return unit


def agency_email(short_name: str) -> str:
    """A demo mailbox for an agency from its short name: "UBND Hồng Dân" -> ubnd.hongdan@baclieu.example.vn."""
    folded = unicodedata.normalize("NFKD", short_name.replace("Đ", "D").replace("đ", "d"))
    words = ["".join(ch for ch in word if ch.isascii() and ch.isalnum()).lower() for word in folded.split()]
    words = [word for word in words if word]
    if words[0] in ("ubnd", "so") and len(words) > 1:
        rest = words[2:] if words[1] in ("pho", "xa") and len(words) > 2 else words[1:]  # "UBND phố Bạc Liêu"
        return f"{words[0]}.{''.join(rest)}@baclieu.example.vn"
    return f"{''.join(words)}@baclieu.example.vn"


def _agency(name, short_name, kind, unit):
    email = agency_email(short_name)
    agency, created = Agency.objects.get_or_create(
        name=name, defaults={"short_name": short_name, "kind": kind, "unit": unit, "email": email}
    )
    if not created and not agency.email:  # a demo loaded before agencies had addresses
        agency.email = email
        agency.save(update_fields=["email"])
    return agency


def _letterheads_and_signatories():
    """The form's fields of every demo agency, filled once (an administrator's later edits stay), and one head and
    one deputy for each."""
    for index, agency in enumerate(Agency.objects.select_related("unit").order_by("pk")):
        if not agency.doc_code:
            if agency.kind in (Agency.Kind.DISTRICT_PC, Agency.Kind.COMMUNE_PC, Agency.Kind.PROVINCIAL_PC):
                agency.doc_code, agency.collective_name, agency.head_title = "UBND", "Ủy ban nhân dân", "Chủ tịch"
                # "Huyện Hồng Dân" -> "Hồng Dân", "Thành phố Bạc Liêu" -> "Bạc Liêu", "Tỉnh Bạc Liêu" -> "Bạc Liêu"
                agency.place_name = _place_name(agency.unit.name)
            elif agency.name in LETTERHEADS:
                governing, printed, code, head_title = LETTERHEADS[agency.name]
                agency.governing_body, agency.letterhead_name = governing, printed
                agency.doc_code, agency.head_title, agency.place_name = code, head_title, "Bạc Liêu"
            else:
                continue
            agency.save()
        surname = DEMO_SURNAMES[index % len(DEMO_SURNAMES)]
        title = agency.head_title
        Signatory.objects.get_or_create(
            agency=agency, full_name=f"{surname} Văn Mẫu", defaults={"title": title, "is_head": True}
        )
        Signatory.objects.get_or_create(
            agency=agency, full_name=f"{surname} Thị Thử", defaults={"title": f"Phó {title.lower()}", "is_head": False}
        )


def _place_name(unit_name: str) -> str:
    for prefix in ("Thành phố ", "Thị xã ", "Huyện ", "Tỉnh ", "Thị trấn ", "Xã ", "Phường "):
        if unit_name.startswith(prefix):
            return unit_name[len(prefix) :]
    return unit_name


def _user(username, full_name, group, agency_name, is_staff, is_superuser):
    if User.objects.filter(username=username).exists():
        return
    last, _, first = full_name.rpartition(" ")
    user = User(
        username=username,
        first_name=first,
        last_name=last,
        agency=Agency.objects.get(name=agency_name),
        is_staff=is_staff,
        is_superuser=is_superuser,
        email=f"{username}@example.invalid",
    )
    user.set_password(settings.DEMO_PASSWORD)
    user.save()
    if group:
        user.groups.add(Group.objects.get(name=group))
