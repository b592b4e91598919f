"""Demo content of the public site: the article on Công văn 1047/UBND-KT (told in our own words), about forty more
articles over two years, a poll with votes, the web links and pages the seed page shows. Idempotent: every row is
found by its natural key (slug, name, date) before it is created.
"""

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.utils import timezone

from directives.demo_documents import CV_1047_FILE, CV_1047_NAME
from directives.models import Document

from .models import Article, Attachment, Category, Choice, DailyVisit, Page, Poll, Tag, Vote, WebLink, WebLinkGroup

TZ = ZoneInfo("Asia/Ho_Chi_Minh")

CATEGORIES = [
    ("Tin hoạt động", "tin-hoat-dong", "Hoạt động của Liên minh HTX tỉnh và các hợp tác xã."),
    ("Kinh tế tập thể", "kinh-te-tap-the", "Phong trào kinh tế tập thể, hợp tác xã trên địa bàn tỉnh."),
    ("Chính sách - pháp luật", "chinh-sach-phap-luat", "Văn bản, chính sách mới về hợp tác xã."),
    ("Quỹ hỗ trợ phát triển HTX", "quy-ho-tro-phat-trien-htx", "Hoạt động cho vay của Quỹ hỗ trợ phát triển HTX."),
    ("Gương điển hình", "guong-dien-hinh", "Hợp tác xã, thành viên làm ăn hiệu quả."),
]

SEED_SLUG = "tiep-tuc-thuc-hien-cac-giai-phap-thao-go-kho-khan-thuc-day-kttt-htx"
SEED_TITLE = "Tiếp tục thực hiện các giải pháp tháo gỡ khó khăn vướng mắc, thúc đẩy KTTT, HTX trên địa bàn tỉnh"
SEED_LEAD = (
    "UBND tỉnh Bạc Liêu có Công văn 1047/UBND-KT ngày 06/4/2022, giao các sở, ngành và địa phương năm nhóm việc "
    "để gỡ vướng cho hợp tác xã và đưa kinh tế tập thể của tỉnh đi lên."
)
SEED_BODY = """
<p>Ngày 06/4/2022, Ủy ban nhân dân tỉnh Bạc Liêu ký ban hành Công văn số 1047/UBND-KT, yêu cầu các cơ quan tiếp
tục triển khai đồng bộ những giải pháp tháo gỡ khó khăn cho kinh tế tập thể (KTTT) và hợp tác xã (HTX) trong tỉnh.</p>
<p>Văn bản ghi nhận phong trào KTTT, HTX thời gian qua có bước phát triển khá: nhiều HTX mới ra đời, chất lượng
hoạt động được củng cố và nhiều mô hình sản xuất được xây dựng, nhờ sự vào cuộc của các sở, ngành và UBND các huyện,
thị xã, thành phố.</p>
<p>Bên cạnh đó vẫn còn những việc chưa làm được: nhiều tổ hợp tác, HTX yếu kém cần được củng cố; việc vận động thành
lập HTX mới, tổ chức đại hội nhiệm kỳ và đại hội thành viên thường niên, hướng dẫn HTX hoạt động đúng lĩnh vực theo Luật
HTX năm 2012 còn chậm. Sự phối hợp giữa các sở, ngành với Liên minh HTX tỉnh và chính quyền cấp huyện trong giải ngân
vốn của Quỹ hỗ trợ phát triển HTX tỉnh, cũng như rà soát để nhân rộng các mô hình hiệu quả, chưa chặt chẽ.</p>
<p>Vì vậy, văn bản đề nghị Giám đốc, Thủ trưởng các sở, ngành cấp tỉnh, các cơ quan liên quan và UBND cấp huyện
tập trung vào năm nhóm việc sau:</p>
<ol>
<li>Tăng cường tuyên truyền để cán bộ và người dân hiểu đúng bản chất, vị trí và vai trò của KTTT, HTX đối với sự
phát triển kinh tế - xã hội của tỉnh.</li>
<li>Phối hợp củng cố, nâng chất hoạt động của HTX; bảo đảm các HTX tổ chức đại hội thành viên thường niên và đại hội
nhiệm kỳ đúng hạn, đúng nội dung luật định.</li>
<li>Đào tạo, bồi dưỡng và chọn người có năng lực vào Hội đồng quản trị, Ban Giám đốc; yêu cầu HTX thực hiện đầy đủ
chế độ tài chính, hồ sơ và sổ sách kế toán.</li>
<li>Cùng Quỹ hỗ trợ phát triển HTX tỉnh rà soát, giới thiệu những HTX hoạt động thực chất có nhu cầu vay vốn; tham gia
thẩm định dự án vay, theo dõi HTX vay vốn và phối hợp xử lý nợ quá hạn.</li>
<li>Chủ động phối hợp với Liên minh HTX tỉnh thực hiện nhiệm vụ phát triển KTTT; đầu tư HTX điểm có trọng tâm, trọng
điểm, tránh dàn trải, rồi nhân rộng những mô hình làm ăn hiệu quả.</li>
</ol>
<p>Với sự chỉ đạo sát sao này, kỳ vọng các vướng mắc của khu vực KTTT, HTX sẽ từng bước được tháo gỡ, tạo đà cho
hợp tác xã Bạc Liêu phát triển trong thời gian tới.</p>
"""

DOCUMENT_DEFAULTS = {
    "doc_type": "cong_van",
    "number": "1047/UBND-KT",
    "issuer": "UBND tỉnh Bạc Liêu",
    "signer": "",
    "issue_date": date(2022, 4, 6),
    "field": "Kinh tế tập thể",
    "summary": (
        "Về việc tiếp tục thực hiện có hiệu quả các giải pháp tháo gỡ khó khăn, vướng mắc, thúc đẩy kinh tế tập "
        "thể, hợp tác xã trên địa bàn tỉnh."
    ),
    "is_public": True,
}

DISTRICTS = ["Hồng Dân", "Phước Long", "Vĩnh Lợi", "Giá Rai", "Đông Hải", "Hòa Bình", "thành phố Bạc Liêu"]
# (category slug, title pattern, lead pattern, paragraph patterns) - {d} is a district, {n} a number.
TOPICS = [
    ("tin-hoat-dong", "Liên minh HTX tỉnh làm việc với HTX tại {d}",
     "Đoàn công tác của Liên minh HTX tỉnh khảo sát tình hình sản xuất, kinh doanh của các HTX ở {d}.",
     ["Đoàn đã nghe các HTX báo cáo kết quả sản xuất, những khó khăn về vốn và đầu ra sản phẩm.",
      "Liên minh HTX tỉnh đề nghị các HTX củng cố bộ máy, ghi chép sổ sách đầy đủ và tổ chức đại hội đúng hạn."]),
    ("tin-hoat-dong", "Tập huấn nghiệp vụ kế toán cho {n} cán bộ HTX",
     "Lớp tập huấn giúp cán bộ quản lý HTX nắm chắc chế độ kế toán áp dụng cho hợp tác xã.",
     ["Học viên được hướng dẫn lập chứng từ, ghi sổ và lập báo cáo tài chính năm.",
      "Cuối khóa, các học viên thực hành trên số liệu của chính HTX mình."]),
    ("kinh-te-tap-the", "{d}: thành lập mới {n} hợp tác xã nông nghiệp",
     "Từ đầu năm, {d} vận động thành lập thêm {n} HTX trong lĩnh vực trồng trọt và nuôi thủy sản.",
     ["Các HTX mới có số thành viên từ 7 đến 30, vốn điều lệ do thành viên góp.",
      "Địa phương tiếp tục hỗ trợ HTX xây dựng phương án sản xuất và liên kết tiêu thụ."]),
    ("kinh-te-tap-the", "Đại hội thành viên thường niên: {d} hoàn thành {n}% kế hoạch",
     "Phần lớn HTX ở {d} đã tổ chức đại hội thường niên trong thời hạn luật định.",
     ["Những HTX chưa tổ chức đại hội được hướng dẫn hoàn tất hồ sơ và tổ chức sớm.",
      "Đại hội đánh giá kết quả năm trước, phân phối lợi nhuận và đề ra kế hoạch năm mới."]),
    ("chinh-sach-phap-luat", "Phổ biến Luật Hợp tác xã cho cán bộ cấp xã ở {d}",
     "Hội nghị giới thiệu những điểm chính của pháp luật về hợp tác xã cho cán bộ phụ trách kinh tế cấp xã.",
     ["Nội dung gồm thành lập, tổ chức đại hội, quyền và nghĩa vụ của thành viên, giải thể HTX.",
      "Cán bộ cấp xã được hướng dẫn theo dõi tổ hợp tác trên địa bàn."]),
    ("chinh-sach-phap-luat", "Hướng dẫn phân loại, đánh giá hợp tác xã năm {y}",
     "Liên minh HTX tỉnh hướng dẫn HTX tự chấm điểm theo 15 tiêu chí và gửi kết quả đúng hạn.",
     ["HTX tự đánh giá trước ngày 15/12, cấp huyện tổng hợp trước ngày 18/12.",
      "Kết quả phân loại gồm bốn mức: tốt, khá, trung bình và yếu."]),
    ("quy-ho-tro-phat-trien-htx", "Quỹ hỗ trợ phát triển HTX giải ngân {n} dự án",
     "Quỹ hỗ trợ phát triển HTX tỉnh giải ngân vốn cho các dự án đã được thẩm định.",
     ["Các dự án tập trung vào máy móc nông nghiệp, kho chứa và nuôi tôm công nghệ cao.",
      "HTX vay vốn phải góp tối thiểu 20% tổng vốn dự án và không có nợ xấu."]),
    ("quy-ho-tro-phat-trien-htx", "Thẩm định dự án vay vốn của HTX tại {d}",
     "Tổ thẩm định của Quỹ và địa phương kiểm tra thực tế phương án sản xuất của HTX.",
     ["Tổ thẩm định xem xét hiệu quả dự án, tài sản bảo đảm và năng lực trả nợ.",
      "Quỹ cũng nhắc các HTX đang vay trả nợ đúng hạn để quay vòng vốn."]),
    ("guong-dien-hinh", "HTX nuôi tôm ở {d} nâng thu nhập thành viên",
     "Nhờ liên kết sản xuất, thu nhập bình quân của thành viên tăng rõ rệt so với năm trước.",
     ["HTX cung ứng giống, thức ăn đầu vào và bao tiêu sản phẩm cho thành viên.",
      "Mô hình đang được Liên minh HTX tỉnh đề xuất nhân rộng."]),
    ("guong-dien-hinh", "Mô hình HTX điểm trồng lúa an toàn ở {d}",
     "HTX điểm được đầu tư có trọng tâm, sản xuất lúa theo hướng an toàn và có hợp đồng bao tiêu.",
     ["Thành viên áp dụng quy trình giảm giống, giảm phân, giảm thuốc.",
      "Lợi nhuận mỗi vụ cao hơn so với sản xuất riêng lẻ."]),
]  # fmt: skip

WEB_LINKS = [
    ("Dịch vụ công Quốc gia", "https://dichvucong.gov.vn/"),
    ("Hệ thống văn bản của tỉnh", "https://vbpl.baclieu.gov.vn/"),
    ("CSDL hộ kinh doanh", "https://hokinhdoanh.dkkd.gov.vn/"),
    ("Thư điện tử công vụ", "https://mail.baclieu.gov.vn/"),
    ("Một cửa điện tử", "https://motcua.baclieu.gov.vn/"),
]

ABOUT_BODY = """
<h2>Lịch sử</h2>
<p>Liên minh Hợp tác xã tỉnh Bạc Liêu được thành lập sau khi tỉnh Bạc Liêu được tái lập năm 1997, trên cơ sở kế thừa tổ
chức liên minh các hợp tác xã của tỉnh Minh Hải trước đây. Qua các kỳ đại hội, Liên minh từng bước lớn mạnh cùng phong
trào kinh tế tập thể của tỉnh.</p>
<h2>Chức năng, nhiệm vụ</h2>
<ul>
<li>Đại diện, bảo vệ quyền và lợi ích hợp pháp của các hợp tác xã, liên hiệp hợp tác xã và tổ hợp tác thành viên.</li>
<li>Tuyên truyền, vận động phát triển kinh tế tập thể; tư vấn thành lập và hỗ trợ hoạt động của hợp tác xã.</li>
<li>Đào tạo, bồi dưỡng cán bộ quản lý và thành viên hợp tác xã; xúc tiến thương mại, liên kết tiêu thụ sản phẩm.</li>
<li>Quản lý Quỹ hỗ trợ phát triển hợp tác xã tỉnh; tham mưu cho Tỉnh ủy, UBND tỉnh về kinh tế tập thể.</li>
</ul>
<h2>Cơ cấu tổ chức</h2>
<ul>
<li>Ban Chấp hành, Ban Thường vụ và Thường trực Liên minh.</li>
<li>Văn phòng; Ban Kiểm tra; Ban Tuyên truyền - Chính sách; Ban Hỗ trợ phát triển.</li>
<li>Đơn vị trực thuộc: Quỹ hỗ trợ phát triển hợp tác xã tỉnh.</li>
</ul>
<h2>Lãnh đạo</h2>
<table>
<thead><tr><th scope="col">Họ và tên</th><th scope="col">Chức vụ</th></tr></thead>
<tbody>
<tr><td>Ông Nguyễn Văn Vũ</td><td>Chủ tịch Liên minh Hợp tác xã tỉnh</td></tr>
<tr><td>(đang cập nhật)</td><td>Phó Chủ tịch</td></tr>
</tbody>
</table>
"""

CONTACT_BODY = """
<p><strong>Liên minh Hợp tác xã tỉnh Bạc Liêu</strong></p>
<p>Địa chỉ: Số 01, đường Hòa Bình, phường 1, thành phố Bạc Liêu, tỉnh Bạc Liêu.<br>
Điện thoại: 0291.3824832 - Fax: 0291.3824832.</p>
<p>Giờ làm việc: sáng 7 giờ đến 11 giờ, chiều 13 giờ đến 17 giờ, thứ hai đến thứ sáu.</p>
"""


def load(out) -> None:
    categories = {}
    for order, (name, slug, description) in enumerate(CATEGORIES):
        categories[slug], _ = Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "order": order}
        )
    document, _ = Document.objects.get_or_create(slug="1047-ubnd-kt", defaults=DOCUMENT_DEFAULTS)
    tag_kttt, _ = Tag.objects.get_or_create(slug="kinh-te-tap-the", defaults={"name": "Kinh tế tập thể"})
    tag_fund, _ = Tag.objects.get_or_create(slug="quy-ho-tro", defaults={"name": "Quỹ hỗ trợ"})

    seed, created = Article.objects.get_or_create(
        slug=SEED_SLUG,
        defaults={
            "category": categories["kinh-te-tap-the"],
            "title": SEED_TITLE,
            "lead": SEED_LEAD,
            "body": SEED_BODY,
            "source": "Liên minh HTX tỉnh",
            "author_initials": "ĐK",
            "status": Article.Status.PUBLISHED,
            "publish_at": datetime(2022, 4, 20, 16, 14, tzinfo=TZ),
            "featured": True,
        },
    )
    if created:
        Article.objects.filter(pk=seed.pk).update(view_count=1488)
        seed.related_documents.add(document)
        seed.tags.add(tag_kttt, tag_fund)
    if not seed.attachments.filter(name=CV_1047_NAME).exists():  # the letter, as the seed page attaches it
        attachment = Attachment(article=seed, name=CV_1047_NAME, content_type="application/pdf")
        attachment.file.save(CV_1047_FILE.name, ContentFile(CV_1047_FILE.read_bytes()), save=False)
        attachment.size = attachment.file.size
        attachment.save()

    rng = random.Random(1047)
    start = date(2020, 6, 1)
    made = 0
    for index in range(40):
        cat_slug, title, lead, paragraphs = TOPICS[index % len(TOPICS)]
        district = DISTRICTS[(index * 3) % len(DISTRICTS)]
        day = start + timedelta(days=int(index * 730 / 40) + rng.randint(0, 10))
        values = {"d": district, "n": rng.randint(2, 12) if "%" not in title else rng.randint(60, 95), "y": day.year}
        slug = f"tin-{day:%Y%m%d}-{index + 1:02d}"
        body = "".join(f"<p>{p.format(**values)}</p>" for p in paragraphs)
        _, was_created = Article.objects.get_or_create(
            slug=slug,
            defaults={
                "category": categories[cat_slug],
                "title": title.format(**values),
                "lead": lead.format(**values),
                "body": body,
                "source": "Liên minh HTX tỉnh",
                "author_initials": rng.choice(["ĐK", "TL", "PH", "MT"]),
                "status": Article.Status.PUBLISHED,
                "publish_at": datetime.combine(day, time(8 + index % 9, (index * 7) % 60), tzinfo=TZ),
                "view_count": rng.randint(50, 900),
            },
        )
        made += was_created

    # The editors' desk has work waiting in the demo: one draft and one article due next week (from the day the demo
    # is loaded), both unseen by the public.
    Article.objects.get_or_create(
        slug="du-thao-ket-qua-cung-co-htx-yeu",
        defaults={
            "category": categories["kinh-te-tap-the"],
            "title": "Dự thảo: kết quả củng cố các hợp tác xã xếp loại yếu",
            "lead": "Bản nháp tổng hợp từ báo cáo của các địa phương, chờ lãnh đạo Liên minh duyệt trước khi đăng.",
            "body": "<p>Số hợp tác xã đã có kế hoạch củng cố, số đã được tập huấn và số đề nghị giải thể "
            "sẽ được cập nhật khi các địa phương nộp đủ báo cáo.</p>",
            "source": "Liên minh HTX tỉnh",
            "author_initials": "PH",
            "status": Article.Status.DRAFT,
        },
    )
    Article.objects.get_or_create(
        slug="lich-tap-huan-ke-toan-htx",
        defaults={
            "category": categories["kinh-te-tap-the"],
            "title": "Lịch tập huấn kế toán cho cán bộ hợp tác xã",
            "lead": "Liên minh HTX tỉnh mở lớp tập huấn nghiệp vụ kế toán cho cán bộ hợp tác xã các địa phương.",
            "body": "<p>Mỗi hợp tác xã cử một cán bộ kế toán tham dự; đăng ký qua Văn phòng Liên minh.</p>",
            "source": "Liên minh HTX tỉnh",
            "author_initials": "TL",
            "status": Article.Status.SCHEDULED,
            "publish_at": timezone.now().replace(microsecond=0) + timedelta(days=7),
        },
    )

    poll, _ = Poll.objects.get_or_create(
        slug="noi-dung-quan-tam-kinh-te-tap-the",
        defaults={
            "question": "Bạn quan tâm nhất đến nội dung nào về kinh tế tập thể?",
            "opens_at": datetime(2022, 4, 1, tzinfo=TZ),
        },
    )
    choices = []
    for order, text in enumerate(
        [
            "Vay vốn Quỹ hỗ trợ phát triển HTX",
            "Thành lập hợp tác xã mới",
            "Đào tạo, bồi dưỡng cán bộ HTX",
            "Liên kết tiêu thụ sản phẩm",
        ]
    ):
        choice, _ = Choice.objects.get_or_create(poll=poll, text=text, defaults={"order": order})
        choices.append(choice)
    for n, weight in enumerate([34, 21, 15, 27]):
        for i in range(weight):
            Vote.objects.get_or_create(poll=poll, voter_key=f"demo-{n}-{i}", defaults={"choice": choices[n]})

    # A poll of 2023, closed: its results are public (the open data's closed polls).
    closed, _ = Poll.objects.get_or_create(
        slug="hinh-thuc-tap-huan-can-bo-htx",
        defaults={
            "question": "Hình thức tập huấn nào phù hợp nhất với cán bộ hợp tác xã?",
            "opens_at": datetime(2023, 3, 1, tzinfo=TZ),
            "closes_at": datetime(2023, 4, 30, 17, tzinfo=TZ),
            "show_on_home": False,
        },
    )
    for order, (text, weight) in enumerate(
        [("Lớp tập trung tại tỉnh", 18), ("Lớp tại xã, phường", 41), ("Học trực tuyến", 23), ("Tham quan mô hình", 30)]
    ):
        choice, _ = Choice.objects.get_or_create(poll=closed, text=text, defaults={"order": order})
        keys = {f"demo-2023-{order}-{i}" for i in range(weight)}
        keys -= set(Vote.objects.filter(poll=closed, voter_key__in=keys).values_list("voter_key", flat=True))
        Vote.objects.bulk_create([Vote(poll=closed, choice=choice, voter_key=key) for key in sorted(keys)])

    group, _ = WebLinkGroup.objects.get_or_create(name="Liên kết web")
    for order, (title, url) in enumerate(WEB_LINKS):
        WebLink.objects.get_or_create(group=group, title=title, defaults={"url": url, "order": order})

    Page.objects.get_or_create(
        slug="gioi-thieu",
        defaults={
            "title": "Giới thiệu Liên minh Hợp tác xã tỉnh Bạc Liêu",
            "lead": "Lịch sử, chức năng nhiệm vụ, cơ cấu tổ chức và lãnh đạo Liên minh.",
            "body": ABOUT_BODY,
            "order": 0,
        },
    )
    Page.objects.get_or_create(slug="lien-he", defaults={"title": "Liên hệ", "body": CONTACT_BODY, "order": 1})

    today = timezone.localdate()  # so the sidebar's statistics look alive on the day the demo is loaded
    existing = set(DailyVisit.objects.filter(day__lte=today).values_list("day", flat=True))
    DailyVisit.objects.bulk_create(
        [
            DailyVisit(day=today - timedelta(days=i), visits=150 + (i * 37) % 120)
            for i in range(120)
            if today - timedelta(days=i) not in existing
        ]
    )
    out.write(f"Tin bài: {Article.objects.count()} (mới {made}), trang: {Page.objects.count()}, thăm dò: 2")
