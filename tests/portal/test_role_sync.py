"""The role groups' permissions are brought in step once per `migrate` (and per flush), after every app's own
permissions exist."""

from django.contrib.auth.models import Group, Permission
from django.core.management.sql import emit_post_migrate_signal

from portal.roles import role_permissions


def _wanted(rules):
    wanted = set()
    for app_label, model, actions in rules:
        qs = Permission.objects.filter(content_type__app_label=app_label)
        if model != "*":
            qs = qs.filter(content_type__model=model)
        wanted |= {p.pk for p in qs if p.codename.split("_", 1)[0] in actions}
    return wanted


def test_after_migrate_each_role_holds_exactly_its_permissions_synced_once(db, django_assert_max_num_queries):
    # The groups lose what they had, and the public app (after portal in INSTALLED_APPS) loses its permissions:
    # post_migrate must create them again before the groups are given them.
    for group in Group.objects.all():
        group.permissions.clear()
    Permission.objects.filter(content_type__app_label="public").delete()
    assert not Permission.objects.filter(content_type__app_label="public").exists()

    # Once per app the sync would cost some 50 queries each, about 700 in all; once in all, about 100.
    with django_assert_max_num_queries(250):
        emit_post_migrate_signal(0, False, "default")

    editor = Group.objects.get(name="Biên tập viên")
    assert editor.permissions.filter(content_type__app_label="public", codename="change_article").exists()
    for name, rules in role_permissions().items():
        group = Group.objects.get(name=name)
        assert set(group.permissions.values_list("pk", flat=True)) == _wanted(rules), name
