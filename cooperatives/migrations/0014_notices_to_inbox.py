"""Congress reminders already noticed to officers move into their one inbox (portal.Notification), read or not."""

from django.db import migrations


def copy_notices(apps, schema_editor):
    Notice = apps.get_model("cooperatives", "Notice")
    Notification = apps.get_model("portal", "Notification")
    rows = []
    for notice in Notice.objects.select_related("reminder__cooperative").iterator():
        reminder = notice.reminder
        due = reminder.due_date.strftime("%d/%m/%Y")
        kind = reminder.get_congress_kind_display()
        name = reminder.cooperative.name
        if reminder.stage == "overdue":
            title = f"{name}: {kind} đã quá hạn (hạn {due})."
        else:
            title = f"{name}: {kind} phải tổ chức trước ngày {due}."
        rows.append(
            Notification(
                user_id=notice.recipient_id,
                title=title[:255],
                link=f"/hop-tac-xa/quan-ly/{reminder.cooperative.slug}/",
                created_at=notice.created_at,
                read_at=notice.read_at,
            )
        )
    Notification.objects.bulk_create(rows, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("cooperatives", "0013_pilot_investment"),
        ("portal", "0010_notification_inbox"),
    ]

    operations = [migrations.RunPython(copy_notices, migrations.RunPython.noop)]
