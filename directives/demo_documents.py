"""The demo's real documents, written in our own words: Công văn 1047/UBND-KT as a text PDF, and the alliance's plan
to review weak cooperatives in 2022 as a scan (an image-only PDF with a red seal, for OCR to read).

`manage.py make_demo_documents` renders them once into directives/demo_files/ (committed); the demo loaders attach
the committed files, so loading the demo needs neither WeasyPrint nor poppler. Both are laid out in the form of
Nghị định 30/2020/NĐ-CP by portal.official; the scan is then rasterised with poppler's pdftoppm and aged with
Pillow (paper tone, a slight rotation, noise, a signature and the seal) from a fixed random seed.
"""

import math
import random
import re
import subprocess
import tempfile
from datetime import date, datetime
from io import BytesIO
from pathlib import Path

from django.conf import settings

from portal.models import Agency, IssuedDocument, Signatory
from portal.official import DocumentDraft, render_document_pdf

FILES_DIR = Path(__file__).resolve().parent / "demo_files"
CV_1047_FILE = FILES_DIR / "cong-van-1047-ubnd-kt.pdf"
CV_1047_NAME = "Công văn 1047-UBND-KT ngày 06-4-2022.pdf"
PLAN_SCAN_FILE = FILES_DIR / "ke-hoach-58-kh-lmhtx-ban-chup.pdf"
PLAN_SCAN_NAME = "Kế hoạch 58-KH-LMHTX ngày 25-4-2022 (bản chụp).pdf"
# Words printed only inside the scan (nowhere else in the demo): a search for them finds the scan's text alone.
SCAN_ONLY_WORDS = ("Ninh Thạnh Lợi", "Khúc Tréo")

PROVINCE_PC = "Ủy ban nhân dân tỉnh Bạc Liêu"
ALLIANCE = "Liên minh Hợp tác xã tỉnh Bạc Liêu"

CV_1047_SUBJECT = (
    "tiếp tục thực hiện có hiệu quả các giải pháp tháo gỡ khó khăn, vướng mắc, thúc đẩy kinh tế tập thể, "
    "hợp tác xã trên địa bàn tỉnh"
)
CV_1047_ADDRESSEES = [
    "Giám đốc, Thủ trưởng các sở, ban, ngành cấp tỉnh",
    "Liên minh Hợp tác xã tỉnh",
    "Quỹ hỗ trợ phát triển hợp tác xã tỉnh",
    "Chủ tịch Ủy ban nhân dân các huyện, thị xã, thành phố",
]
# The tasks as the letter words them (directives.demo.TASKS_1047 keeps them as rows, one per task).
CV_1047_TASKS = [
    "Đẩy mạnh tuyên truyền, quán triệt để cán bộ, đảng viên và người dân hiểu đúng bản chất của kinh tế tập thể "
    "(KTTT), hợp tác xã (HTX), vị trí và vai trò quan trọng của KTTT trong phát triển kinh tế - xã hội của tỉnh; "
    "giới thiệu rộng rãi các HTX làm ăn hiệu quả để người dân thấy lợi ích khi tham gia.",
    "Phối hợp các đơn vị liên quan củng cố, nâng cao chất lượng hoạt động của các HTX, trước hết là các tổ hợp tác, "
    "HTX yếu kém; hướng dẫn, đôn đốc các HTX tổ chức Đại hội thành viên thường niên và Đại hội nhiệm kỳ đúng thời "
    "gian, đúng nội dung theo quy định của Luật Hợp tác xã năm 2012; HTX không còn hoạt động thì hướng dẫn giải thể "
    "theo quy định.",
    "Tập trung đào tạo, bồi dưỡng và lựa chọn những người có năng lực, trình độ vào Hội đồng quản trị, Ban Giám đốc "
    "để điều hành, quản lý HTX; chỉ đạo các HTX thực hiện đúng chế độ tài chính, lập và lưu giữ đầy đủ hồ sơ, sổ sách "
    "kế toán theo quy định.",
    "Phối hợp với Quỹ hỗ trợ phát triển HTX tỉnh rà soát, giới thiệu các HTX có nhu cầu vay vốn và hoạt động thực "
    "chất; tham gia thẩm định các dự án vay vốn từ Quỹ; theo dõi, kiểm tra hoạt động của các HTX sau khi vay và phối "
    "hợp xử lý dứt điểm các trường hợp nợ quá hạn, để nguồn vốn của Quỹ được sử dụng đúng mục đích và quay vòng.",
    "Chủ động phối hợp với Liên minh HTX tỉnh thực hiện các nhiệm vụ phát triển KTTT, HTX; khi đầu tư HTX điểm phải "
    "đầu tư có trọng tâm, trọng điểm, tránh dàn trải, kém hiệu quả; tổng kết các mô hình hiệu quả để nhân rộng.",
]
CV_1047_BODY = (
    "<p>Thời gian qua, phong trào kinh tế tập thể, hợp tác xã trên địa bàn tỉnh có bước phát triển khá. Với sự vào "
    "cuộc của các sở, ngành và Ủy ban nhân dân các huyện, thị xã, thành phố, nhiều HTX mới được thành lập, chất "
    "lượng hoạt động của nhiều HTX được củng cố, nhiều mô hình sản xuất gắn với liên kết tiêu thụ sản phẩm được xây "
    "dựng và mang lại thu nhập ổn định cho thành viên.</p>"
    "<p>Tuy vậy, khu vực KTTT, HTX vẫn còn không ít hạn chế, khó khăn, vướng mắc cần giải quyết: còn nhiều tổ hợp "
    "tác, HTX hoạt động yếu kém, cầm chừng; việc vận động thành lập HTX mới, tổ chức Đại hội nhiệm kỳ, Đại hội thành "
    "viên thường niên và hướng dẫn HTX hoạt động đúng lĩnh vực, đúng quy định của Luật Hợp tác xã năm 2012 còn chậm. "
    "Sự phối hợp giữa các sở, ngành với Liên minh HTX tỉnh và Ủy ban nhân dân cấp huyện trong giải ngân nguồn vốn "
    "của Quỹ hỗ trợ phát triển HTX tỉnh, cũng như trong rà soát các tổ hợp tác, HTX làm ăn có hiệu quả để phát huy "
    "và nhân rộng, chưa thật sự chặt chẽ.</p>"
    "<p>Để tiếp tục thực hiện có hiệu quả các giải pháp tháo gỡ những khó khăn, vướng mắc nêu trên, góp phần phát "
    "triển kinh tế - xã hội của tỉnh, Chủ tịch Ủy ban nhân dân tỉnh đề nghị Giám đốc, Thủ trưởng các sở, ban, ngành "
    "cấp tỉnh, các cơ quan, đơn vị có liên quan và Chủ tịch Ủy ban nhân dân các huyện, thị xã, thành phố, theo chức "
    "năng, nhiệm vụ được giao, tập trung thực hiện các nội dung sau:</p>"
    + "".join(f"<p>{n}. {text}</p>" for n, text in enumerate(CV_1047_TASKS, start=1))
    + "<p>Giao Sở Kế hoạch và Đầu tư chủ trì, phối hợp với Liên minh HTX tỉnh theo dõi, đôn đốc các cơ quan, đơn "
    "vị thực hiện Công văn này; tổng hợp kết quả, những khó khăn phát sinh và đề xuất giải pháp, báo cáo Ủy ban nhân "
    "dân tỉnh định kỳ 6 tháng (trước ngày 10 tháng 7) và hằng năm (trước ngày 10 tháng 12).</p>"
    "<p>Giao Sở Nông nghiệp và Phát triển nông thôn chủ trì rà soát các HTX nông nghiệp đang được hỗ trợ theo các "
    "chương trình, dự án của tỉnh; đề xuất danh sách HTX điểm năm 2022 bảo đảm có trọng tâm, trọng điểm, gửi Sở "
    "Kế hoạch và Đầu tư tổng hợp trước ngày 30 tháng 6 năm 2022.</p>"
    "<p>Giao Sở Tài chính phối hợp với Quỹ hỗ trợ phát triển HTX tỉnh và Ngân hàng Nhà nước chi nhánh tỉnh theo dõi "
    "tình hình cho vay, thu hồi vốn của Quỹ; kịp thời đề xuất Ủy ban nhân dân tỉnh biện pháp xử lý các khoản nợ "
    "quá hạn kéo dài.</p>"
    "<p>Ủy ban nhân dân các huyện, thị xã, thành phố chỉ đạo Ủy ban nhân dân cấp xã nắm chắc tình hình các tổ hợp "
    "tác, HTX trên địa bàn; phân công cán bộ theo dõi, hỗ trợ từng HTX yếu kém; báo cáo kết quả củng cố về Sở Kế "
    "hoạch và Đầu tư và Liên minh HTX tỉnh cùng kỳ báo cáo nêu trên.</p>"
    "<p>Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các cơ quan, đơn vị kịp thời phản ánh về Sở Kế hoạch "
    "và Đầu tư để tổng hợp, báo cáo Ủy ban nhân dân tỉnh xem xét, chỉ đạo./.</p>"
)
CV_1047_RECIPIENTS = [
    "Như trên",
    "Thường trực Tỉnh ủy (b/c)",
    "Thường trực HĐND tỉnh (b/c)",
    "CT, các PCT UBND tỉnh",
    "Liên minh HTX Việt Nam",
    "Trung tâm Công báo - Tin học tỉnh",
    "Lưu: VT, KT",
]

PLAN_SUBJECT = "Rà soát, củng cố các hợp tác xã hoạt động yếu kém năm 2022"
PLAN_BODY = (
    "<p>Thực hiện Công văn số 1047/UBND-KT ngày 06/4/2022 của Ủy ban nhân dân tỉnh về việc tiếp tục thực hiện có "
    "hiệu quả các giải pháp tháo gỡ khó khăn, vướng mắc, thúc đẩy kinh tế tập thể, hợp tác xã trên địa bàn tỉnh, "
    "Liên minh Hợp tác xã tỉnh xây dựng Kế hoạch rà soát, củng cố các hợp tác xã hoạt động yếu kém năm 2022 "
    "như sau:</p>"
    "<p><strong>I. MỤC ĐÍCH, YÊU CẦU</strong></p>"
    "<p>Nắm chắc số hợp tác xã xếp loại yếu, hợp tác xã ngưng hoạt động trên địa bàn tỉnh; tìm rõ nguyên nhân và "
    "đề ra biện pháp củng cố phù hợp với từng đơn vị. Việc rà soát phải thực chất, có sự tham gia của Ủy ban nhân "
    "dân cấp huyện, cấp xã và thành viên hợp tác xã.</p>"
    "<p><strong>II. NỘI DUNG</strong></p>"
    "<p>1. Rà soát toàn bộ hợp tác xã xếp loại yếu năm 2021 và hợp tác xã không tổ chức Đại hội thành viên thường "
    "niên; lập danh sách theo từng huyện, thị xã, thành phố trước ngày 31/5/2022.</p>"
    "<p>2. Chọn làm điểm hai đơn vị: hợp tác xã nuôi tôm ở xã Ninh Thạnh Lợi, huyện Hồng Dân và tổ hợp tác trồng "
    "lúa ở ấp Khúc Tréo, huyện Phước Long; cử cán bộ hướng dẫn kiện toàn bộ máy, mở sổ sách kế toán.</p>"
    "<p>3. Hợp tác xã ngưng hoạt động quá 12 tháng được hướng dẫn giải thể hoặc chuyển đổi theo quy định.</p>"
    "<p><strong>III. TỔ CHỨC THỰC HIỆN</strong></p>"
    "<p>Ban Hỗ trợ phát triển chủ trì, phối hợp với Văn phòng thực hiện Kế hoạch; tổng hợp kết quả, báo cáo "
    "Thường trực Liên minh trước ngày 15/11/2022./.</p>"
)
PLAN_RECIPIENTS = ["UBND tỉnh (b/c)", "Sở Kế hoạch và Đầu tư", "UBND các huyện, thị xã, thành phố", "Lưu: VT, HTPT"]

SCAN_DPI = 150
SEAL_TEXT = "LIÊN MINH HỢP TÁC XÃ TỈNH BẠC LIÊU"
WORD_BOX = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')
_FIXED_TIME = datetime(2022, 4, 25, 15, 30)  # the scan's PDF dates, so each run writes the same bytes


def cv_1047_draft() -> DocumentDraft:
    """The letter as the provincial committee issued it, signed by a deputy chairman "KT. Chủ tịch" (no name)."""
    pc = Agency(name=PROVINCE_PC, doc_code="UBND", place_name="Bạc Liêu", head_title="Chủ tịch")
    return DocumentDraft(
        agency=pc,
        kind=IssuedDocument.Kind.LETTER,
        drafting_code="KT",
        subject=CV_1047_SUBJECT,
        body_html=CV_1047_BODY,
        issued_on=date(2022, 4, 6),
        addressees=CV_1047_ADDRESSEES,
        recipients=CV_1047_RECIPIENTS,
        signatory=Signatory(agency=pc, full_name="", title="Phó Chủ tịch", is_head=False),
    )


def plan_draft() -> DocumentDraft:
    alliance = Agency(name=ALLIANCE, doc_code="LMHTX", place_name="Bạc Liêu", head_title="Chủ tịch")
    return DocumentDraft(
        agency=alliance,
        kind=IssuedDocument.Kind.PLAN,
        subject=PLAN_SUBJECT,
        body_html=PLAN_BODY,
        issued_on=date(2022, 4, 25),
        recipients=PLAN_RECIPIENTS,
        signatory=Signatory(agency=alliance, full_name="", title="Chủ tịch", is_head=True),
    )


def render_cv_1047() -> bytes:
    return render_document_pdf(cv_1047_draft(), number=1047)


def render_plan_scan(seed: int = 2022) -> bytes:
    """The plan printed, signed, sealed and scanned: an image-only PDF (no text layer), the same bytes each run."""
    source = render_document_pdf(plan_draft(), number=58, pdf_variant=None)
    pages, seal_at = _rasterise(source)
    rng = random.Random(seed)
    scanned = [_scan(page, rng, seal_at if n == len(pages) - 1 else None) for n, page in enumerate(pages)]
    out = BytesIO()
    scanned[0].save(
        out,
        "PDF",
        save_all=True,
        append_images=scanned[1:],
        resolution=SCAN_DPI,
        quality=55,
        title=PLAN_SCAN_NAME.removesuffix(".pdf"),
        creationDate=_FIXED_TIME.timetuple(),
        modDate=_FIXED_TIME.timetuple(),
    )
    return out.getvalue()


def _rasterise(pdf: bytes):
    """The pages as greyscale images at SCAN_DPI, and where the signer's title sits on the last page (pixels)."""
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "plan.pdf"
        path.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", str(SCAN_DPI), "-gray", "-png", path, Path(tmp) / "p"], check=True)
        pages = [Image.open(p).convert("L") for p in sorted(Path(tmp).glob("p-*.png"))]
        boxes = subprocess.run(
            ["pdftotext", "-bbox", "-f", str(len(pages)), "-l", str(len(pages)), path, "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    seal_at = _title_position(boxes)
    return pages, seal_at


def _title_position(bbox_html: str) -> tuple[int, int]:
    """The centre of the last "CHỦ TỊCH" (the signature block's title) in pdftotext -bbox output, in pixels."""
    words = WORD_BOX.findall(bbox_html)
    scale = SCAN_DPI / 72
    for i in range(len(words) - 1, 0, -1):
        if words[i][4] == "TỊCH" and words[i - 1][4] == "CHỦ":
            x0, y0 = float(words[i - 1][0]), float(words[i - 1][1])
            x1, y1 = float(words[i][2]), float(words[i][3])
            return round((x0 + x1) / 2 * scale), round((y0 + y1) / 2 * scale)
    raise ValueError("The signature block's title was not found on the last page.")


def _scan(page, rng: random.Random, seal_at):
    """Paper tone, toner spread, the signature and seal, a slight skew and sensor noise."""
    from PIL import Image, ImageChops, ImageFilter, ImageOps

    page = page.filter(ImageFilter.GaussianBlur(0.5))
    sheet = ImageOps.colorize(page, black=(38, 36, 40), white=(243, 238, 225))
    if seal_at is not None:
        x, y = seal_at
        sheet = ImageChops.multiply(sheet, _signature(sheet.size, (x + 15, y + 100), rng))
        sheet = ImageChops.multiply(sheet, _seal(sheet.size, (x - 75, y + 95), rng))
    angle = rng.uniform(0.35, 0.75) * rng.choice((-1, 1))
    sheet = sheet.rotate(angle, resample=Image.BICUBIC, fillcolor=(243, 238, 225))
    noise = Image.effect_noise(sheet.size, 6).convert("RGB")
    sheet = ImageChops.add(sheet, noise, scale=1.0, offset=-128)
    return sheet


def _signature(size, at, rng: random.Random):
    """A handwritten-looking stroke in blue ink, on white (to multiply onto the page)."""
    from PIL import Image, ImageDraw, ImageFilter

    layer = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(layer)
    x, y = at
    points = []
    for step in range(60):
        t = step / 59
        points.append(
            (
                x - 90 + 180 * t + 8 * math.sin(t * 19),
                y + 26 * math.sin(t * 11 + 0.4) * (1 - t * 0.6) + rng.uniform(-1.5, 1.5),
            )
        )
    draw.line(points, fill=(40, 60, 150), width=3, joint="curve")
    flourish = [(x - 80 + 170 * t / 30, y + 34 - 22 * (t / 30) ** 2 + 6 * math.sin(t / 4)) for t in range(31)]
    draw.line(flourish, fill=(40, 60, 150), width=2, joint="curve")
    return layer.filter(ImageFilter.GaussianBlur(0.7))


def _seal(size, at, rng: random.Random):
    """A red round seal: two rings, the body's name around the top, a star in the middle; uneven ink."""
    from PIL import Image, ImageDraw, ImageFont

    radius = 118
    box = radius * 2 + 20
    ink = (196, 38, 46)
    seal = Image.new("L", (box, box), 0)  # coverage: 0 none, 255 full ink
    draw = ImageDraw.Draw(seal)
    c = box // 2
    draw.ellipse((c - radius, c - radius, c + radius, c + radius), outline=255, width=7)
    draw.ellipse((c - radius + 15, c - radius + 15, c + radius - 15, c + radius - 15), outline=255, width=2)
    draw.ellipse((c - 58, c - 58, c + 58, c + 58), outline=255, width=2)
    font = ImageFont.truetype(str(_font("LiberationSerif-Bold.ttf")), 22)
    text = SEAL_TEXT + "  *  "
    ring = radius - 33
    step = 360 / len(text)
    for n, char in enumerate(text):
        angle = 90 + (n + 3) * step  # clockwise from the bottom, the star's gap centred there
        glyph = Image.new("L", (40, 40), 0)
        ImageDraw.Draw(glyph).text((20, 20), char, font=font, fill=255, anchor="mm")
        glyph = glyph.rotate(-(angle + 90), resample=Image.BICUBIC)
        gx = c + ring * math.cos(math.radians(angle)) - 20
        gy = c + ring * math.sin(math.radians(angle)) - 20
        seal.paste(255, (round(gx), round(gy)), glyph)
    star = [
        (c + r * math.cos(math.radians(-90 + k * 36)), c + r * math.sin(math.radians(-90 + k * 36)))
        for k, r in ((k, 40 if k % 2 == 0 else 16) for k in range(10))
    ]
    draw.polygon(star, fill=255)
    seal = seal.rotate(rng.uniform(-12, 12), resample=Image.BICUBIC)
    # Uneven stamping: the ink thins in patches.
    patches = Image.effect_noise((box // 8, box // 8), 60).resize((box, box), Image.BICUBIC)
    seal = Image.composite(seal, Image.new("L", (box, box), 0), patches.point(lambda v: 255 if v > 70 else 150))
    layer = Image.new("RGB", size, "white")
    x, y = at
    layer.paste(Image.new("RGB", (box, box), ink), (x - c, y - c), seal.point(lambda v: v * 215 // 255))
    return layer


def _font(name: str) -> Path:
    for root in settings.STATICFILES_DIRS:
        found = Path(root) / "vendor" / "liberation-serif" / name
        if found.is_file():
            return found
    raise FileNotFoundError(name)


def write_all(out=None) -> list[Path]:
    """Render every demo document into FILES_DIR; returns the paths written."""
    FILES_DIR.mkdir(exist_ok=True)
    written = []
    for path, render in ((CV_1047_FILE, render_cv_1047), (PLAN_SCAN_FILE, render_plan_scan)):
        path.write_bytes(render())
        written.append(path)
        if out is not None:
            out.write(f"{path.name}: {path.stat().st_size:,} byte".replace(",", "."))
    return written
