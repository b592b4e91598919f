"""Attachments made in the tests: a text PDF (WeasyPrint), a scan of it (rasterised, wrapped as an image-only PDF
with Pillow), a DOCX (python-docx) and an XLSX (openpyxl)."""

import glob
import io
import subprocess

from docx import Document as DocxDocument
from openpyxl import Workbook
from PIL import Image
from weasyprint import HTML

PAGES = [
    "Công văn về việc hướng dẫn thành lập hợp tác xã nông nghiệp. Nuôi tôm càng xanh ở Phước Long.",
    "Trang hai: chăn nuôi vịt chạy đồng ở Hồng Dân, phân bón hữu cơ cho lúa.",
]


def text_pdf(pages=PAGES) -> bytes:
    body = "".join(f'<p style="{"page-break-before: always" if i else ""}">{text}</p>' for i, text in enumerate(pages))
    html = f"<html><body style=\"font-family: 'Liberation Serif'; font-size: 16pt\">{body}</body></html>"
    return HTML(string=html).write_pdf()


def scanned_pdf(tmp_path, pages=PAGES) -> bytes:
    """Rendered, rasterised with pdftoppm, wrapped as an image-only PDF with Pillow: no text layer at all."""
    source = tmp_path / "source.pdf"
    source.write_bytes(text_pdf(pages))
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(source), str(tmp_path / "scan")], check=True)
    images = [Image.open(p).convert("RGB") for p in sorted(glob.glob(str(tmp_path / "scan*.png")))]
    out = io.BytesIO()
    images[0].save(out, format="PDF", save_all=True, append_images=images[1:], resolution=150)
    return out.getvalue()


def docx_bytes() -> bytes:
    document = DocxDocument()
    document.add_paragraph("Biên bản đại hội thành viên hợp tác xã Ninh Quới.")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Doanh thu"
    table.rows[0].cells[1].text = "1.500.000 ₫"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    workbook = Workbook()
    workbook.active.title = "Tổng hợp"
    workbook.active.append(["Huyện", "Số HTX"])
    workbook.active.append(["Đông Hải", 42])
    workbook.create_sheet("Chi tiết").append(["Hợp tác xã Vĩnh Hậu", "trồng nhãn"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
