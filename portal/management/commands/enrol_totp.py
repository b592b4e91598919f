"""Give an account a TOTP device from the server's shell, and print its secret once.

The only way to enrol a superuser in production (self-enrolment from the web is off there: a stolen password
alone must not be enough to attach an attacker's phone). docs/security.md.
"""

import base64
import io

import qrcode
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Đăng ký ứng dụng xác thực hai bước (TOTP) cho một tài khoản và in khóa bí mật một lần."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--replace", action="store_true", help="Thay thiết bị đã có (điện thoại bị mất).")
        parser.add_argument("--no-qr", action="store_true", help="Không in mã QR dạng chữ.")

    @transaction.atomic
    def handle(self, *args, username, replace, no_qr, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Không có tài khoản '{username}'.")
        existing = TOTPDevice.objects.filter(user=user)
        if existing.filter(confirmed=True).exists() and not replace:
            raise CommandError(f"Tài khoản '{username}' đã có thiết bị xác thực; dùng --replace để thay.")
        existing.delete()
        device = TOTPDevice.objects.create(user=user, name="Đăng ký bởi người vận hành", confirmed=True)
        secret = base64.b32encode(device.bin_key).decode()
        self.stdout.write(f"Đã đăng ký xác thực hai bước cho '{username}'.")
        self.stdout.write(f"Khóa bí mật (nhập vào ứng dụng, loại theo thời gian): {secret}")
        self.stdout.write(f"Liên kết: {device.config_url}")
        if not no_qr:
            qr = qrcode.QRCode(border=1)
            qr.add_data(device.config_url)
            text = io.StringIO()
            qr.print_ascii(out=text, invert=True)
            self.stdout.write(text.getvalue())
        self.stdout.write("Khóa chỉ in ra lần này; hãy chuyển cho người dùng qua kênh an toàn.")
