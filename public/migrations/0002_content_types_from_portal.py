"""The public site's models were the kernel app's: their content types (and so their permissions, the groups and
accounts holding those, and the admin's history of changes) move with them instead of being made anew."""

from django.db import migrations

MODELS = [
    "category", "tag", "article", "historicalarticle", "attachment", "page", "historicalpage", "poll", "choice", "vote",
    "weblinkgroup", "weblink", "dailyvisit", "contactmessage",
]  # fmt: skip


def relabel(apps, schema_editor, old, new):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MODELS:
        moving = ContentType.objects.using(db).filter(app_label=old, model=model).first()
        if moving is None:
            continue  # a new database: the content types are made after migrate, under the new label
        # One made under the new label by an interrupted earlier run holds nothing yet: the old one replaces it.
        ContentType.objects.using(db).filter(app_label=new, model=model).delete()
        moving.app_label = new
        moving.save(update_fields=["app_label"])


def forwards(apps, schema_editor):
    relabel(apps, schema_editor, "portal", "public")


def backwards(apps, schema_editor):
    relabel(apps, schema_editor, "public", "portal")


class Migration(migrations.Migration):
    dependencies = [("public", "0001_initial"), ("contenttypes", "0002_remove_content_type_name")]

    operations = [migrations.RunPython(forwards, backwards)]
