"""Vietnamese names for the security apps' sections in the admin (the packages ship no Vietnamese translation)."""

from axes.apps import AppConfig as AxesAppConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPAppConfig


class AxesConfig(AxesAppConfig):
    verbose_name = "Khóa đăng nhập sai nhiều lần"


class TOTPConfig(TOTPAppConfig):
    verbose_name = "Xác thực hai bước"
