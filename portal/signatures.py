"""The signature check kept on an upload that can carry a signed PDF (a Công văn's file, a district's report file).

`SignatureChecked` gives the fields; `signature_check` fills them from portal.verify; `trusted_roots_changed` is the
hook an app connects to re-check its files when the trusted roots change (sent once the change commits)."""

from django.db import models, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal
from django.utils import timezone

from .models import TrustedRoot
from .verify import INVALID, UNREADABLE, UNSIGNED, UNTRUSTED, VALID, VerificationReport, verify_pdf

trusted_roots_changed = Signal()

# Bigger files are not checked (the upload limit is lower; this bounds the work of a re-check).
MAX_CHECKED_BYTES = 50 * 1024 * 1024


class SignatureState(models.TextChoices):
    NOT_APPLICABLE = "", "—"
    PENDING = "pending", "Đang kiểm tra"
    VALID = VALID, "Hợp lệ"
    UNTRUSTED = UNTRUSTED, "Chưa tin cậy"
    INVALID = INVALID, "Không hợp lệ"
    UNSIGNED = UNSIGNED, "Không có chữ ký"
    UNREADABLE = UNREADABLE, "Không đọc được tệp"


SIGNED_STATES = (SignatureState.VALID, SignatureState.UNTRUSTED, SignatureState.INVALID)


class SignatureChecked(models.Model):
    """A PDF upload whose digital signatures are checked after upload and again when the trusted roots change.
    Files that are not PDFs keep the empty state."""

    signature_state = models.CharField(
        "chữ ký số", max_length=12, choices=SignatureState.choices, default="", blank=True, editable=False
    )
    signature_report = models.JSONField("kết quả kiểm tra chữ ký", default=dict, blank=True, editable=False)
    signature_checked_at = models.DateTimeField("kiểm tra chữ ký lúc", null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # A new file waits for its check (the app enqueues it on commit); the state says so on the page meanwhile.
        # A new row whose file was stored before the row (file.save(..., save=False)) counts as a new file too.
        if self.file and (not self.file._committed or self._state.adding):
            self.signature_state = SignatureState.PENDING if self.file.name.lower().endswith(".pdf") else ""
            self.signature_report = {}
            self.signature_checked_at = None
        super().save(*args, **kwargs)

    @property
    def signature(self) -> VerificationReport | None:
        if not self.signature_report:
            return None
        return VerificationReport.from_json(self.signature_report)

    @property
    def signature_pending(self) -> bool:
        return self.signature_state == SignatureState.PENDING


def signature_check(*, obj: SignatureChecked) -> str:
    """Verify the signatures of the file of `obj` and store the result; returns the new state."""
    if not obj.file or not obj.file.name.lower().endswith(".pdf"):
        state, report = "", {}
    else:
        try:
            with obj.file.open("rb") as handle:
                data = handle.read(MAX_CHECKED_BYTES + 1)
        except OSError:
            data = b""
        if not data or len(data) > MAX_CHECKED_BYTES:
            result = VerificationReport(UNREADABLE, note="Tệp không đọc được hoặc quá lớn để kiểm tra.")
        else:
            result = verify_pdf(data)
        state, report = result.state, result.as_json()
    type(obj).objects.filter(pk=obj.pk).update(
        signature_state=state, signature_report=report, signature_checked_at=timezone.now()
    )
    obj.signature_state, obj.signature_report = state, report
    return state


def _roots_changed(sender, **kwargs):
    transaction.on_commit(lambda: trusted_roots_changed.send(sender=TrustedRoot))


def connect() -> None:
    post_save.connect(_roots_changed, sender=TrustedRoot, dispatch_uid="portal.trusted_roots_saved")
    post_delete.connect(_roots_changed, sender=TrustedRoot, dispatch_uid="portal.trusted_roots_deleted")
