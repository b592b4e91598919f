"""Rows the demo does not make, added to the database kept in tests/upgrade/ after `load_demo`, so that every kind
of row an upgrade must keep is there: a vote, a contact message, an article's attachment and its edit history, an
admin log entry, an account holding a permission directly. Run with `manage.py shell < tests/upgrade/extra_rows.py`
at the commit the database is made at (the model labels are looked up by name, so it runs before and after the
public site's move)."""

from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

app = "public" if apps.is_installed("public") else "portal"
Article = apps.get_model(app, "Article")
Attachment = apps.get_model(app, "Attachment")
Poll = apps.get_model(app, "Poll")
Vote = apps.get_model(app, "Vote")
ContactMessage = apps.get_model(app, "ContactMessage")
User = apps.get_model("portal", "User")

article = Article.objects.order_by("pk").first()
article.lead = article.lead + " (đã sửa)"
article.save()  # one more history row
Attachment.objects.get_or_create(
    article=article, name="Kế hoạch.pdf", defaults={"file": "news/attachments/kh.pdf", "size": 1234}
)
poll = Poll.objects.first()
Vote.objects.get_or_create(poll=poll, voter_key="c-upgrade", defaults={"choice": poll.choices.first()})
ContactMessage.objects.get_or_create(
    name="Nguyễn Văn A",
    email="a@example.vn",
    subject="Hỏi thủ tục",
    defaults={"body": "Xin hỏi thủ tục thành lập hợp tác xã.", "emailed_at": timezone.now()},
)
editor = User.objects.get(username="bientap")
editor.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename="delete_vote"))
LogEntry.objects.log_actions(user_id=editor.pk, queryset=[article], action_flag=CHANGE, change_message="Sửa tóm tắt")
print(
    "extra rows:",
    Vote.objects.count(),
    ContactMessage.objects.count(),
    Attachment.objects.count(),
    ContentType.objects.filter(app_label=app).count(),
)
