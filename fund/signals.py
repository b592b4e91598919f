"""Keep the nightly snapshots a faithful cache of the replay, whoever changes a loan's events.

The services, the loan-book import, the admin and a shell all end in a model save or delete, so the hook is on
the models: each receiver finds the earliest date the change can affect and hands it to
`services.loan_snapshots_invalidate`, then asks for the dropped days to be stored again once the change commits.
Bulk writes (`bulk_create`, `QuerySet.update`) send no signals: a caller using them on loans that already have
snapshots calls the service itself.
"""

from datetime import date

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from portal.tasks import publish_on_commit

from . import services, tasks
from .models import Disbursement, FundThreshold, Loan, LoanSnapshot, Payment, Restructuring

# The fields of an event whose date bounds what it changes.
EVENT_DATES = {Disbursement: "disbursed_on", Payment: "paid_on", Restructuring: "restructured_on"}
# The loan's own fields the replay or the report's inclusion reads (Loan.terms, Loan.events, snapshot_values).
LOAN_FIELDS = [
    "product_id",
    "approved_amount",
    "approved_term_months",
    "requested_term_months",
    "approved_rate",
    "frequency",
    "amortization",
    "rate_method",
    "day_count",
    "grace_months",
    "overdue_multiplier",
    "status",
    "closed_on",
]


def _invalidate(loan_id: int, since: date) -> None:
    days = services.loan_snapshots_invalidate(loan_id=loan_id, since=since)
    if days:
        publish_on_commit(tasks.refresh_loan_snapshots, loan_id, [d.isoformat() for d in days])


def _remember_event_date(sender, instance, **kwargs):
    # An edit that moves an event's date affects the figures from the earlier of the two dates.
    field = EVENT_DATES[sender]
    instance._snapshot_since = None
    if instance.pk and not instance._state.adding:
        old = sender.objects.filter(pk=instance.pk).values_list(field, "loan_id").first()
        if old:
            instance._snapshot_since = old
    return None


def _event_saved(sender, instance, **kwargs):
    field = EVENT_DATES[sender]
    since = getattr(instance, field)
    old = getattr(instance, "_snapshot_since", None)
    if old:
        old_on, old_loan = old
        if old_loan != instance.loan_id:
            _invalidate(old_loan, old_on)
        else:
            since = min(since, old_on)
    _invalidate(instance.loan_id, since)


def _event_deleted(sender, instance, **kwargs):
    _invalidate(instance.loan_id, getattr(instance, EVENT_DATES[sender]))


for _model in EVENT_DATES:
    pre_save.connect(_remember_event_date, sender=_model, dispatch_uid=f"fund-snapshot-pre-{_model.__name__}")
    post_save.connect(_event_saved, sender=_model, dispatch_uid=f"fund-snapshot-save-{_model.__name__}")
    post_delete.connect(_event_deleted, sender=_model, dispatch_uid=f"fund-snapshot-delete-{_model.__name__}")


def _write_off_day(status, closed_on):
    return closed_on if status == Loan.Status.WRITTEN_OFF else None


@receiver(pre_save, sender=Loan, dispatch_uid="fund-snapshot-pre-loan")
def _remember_loan(sender, instance, update_fields=None, **kwargs):
    instance._snapshot_old = None
    if instance._state.adding or not instance.pk:
        return
    if update_fields is not None and not {f.removesuffix("_id") for f in LOAN_FIELDS} & set(update_fields):
        return
    instance._snapshot_old = Loan.objects.filter(pk=instance.pk).values(*LOAN_FIELDS).first()


@receiver(post_save, sender=Loan, dispatch_uid="fund-snapshot-save-loan")
def _loan_saved(sender, instance, created, **kwargs):
    old = getattr(instance, "_snapshot_old", None)
    if created or not old:
        return
    new = {name: getattr(instance, name) for name in LOAN_FIELDS}
    terms = [name for name in LOAN_FIELDS if name not in ("status", "closed_on")]
    booked = {str(s) for s in Loan.BOOKED}
    if any(old[n] != new[n] for n in terms) or (old["status"] in booked) != (new["status"] in booked):
        _invalidate(instance.pk, date.min)
        return
    before = _write_off_day(old["status"], old["closed_on"])
    after = _write_off_day(new["status"], new["closed_on"])
    if before != after:
        _invalidate(instance.pk, min(d for d in (before, after) if d))


# A threshold row changes every loan's debt group from the day it applies (or applied, before an edit moved it).
@receiver(pre_save, sender=FundThreshold, dispatch_uid="fund-snapshot-pre-threshold")
def _remember_threshold(sender, instance, **kwargs):
    instance._snapshot_since = None
    if instance.pk and not instance._state.adding:
        instance._snapshot_since = (
            FundThreshold.objects.filter(pk=instance.pk).values_list("valid_from", flat=True).first()
        )


@receiver(post_save, sender=FundThreshold, dispatch_uid="fund-snapshot-save-threshold")
@receiver(post_delete, sender=FundThreshold, dispatch_uid="fund-snapshot-delete-threshold")
def _threshold_changed(sender, instance, **kwargs):
    since = min(d for d in (instance.valid_from, getattr(instance, "_snapshot_since", None)) if d)
    loan_ids = LoanSnapshot.objects.filter(on__gte=since).values_list("loan_id", flat=True).distinct().order_by()
    for loan_id in list(loan_ids):
        _invalidate(loan_id, since)
