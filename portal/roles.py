"""The four roles, as auth groups, and the model permissions each carries.

The groups are created by a data migration of the kernel; their permissions are brought in step with what the
apps declare after every `migrate` (PortalConfig.ready connects `sync_role_permissions` to post_migrate), so an
app that adds models only has to name them in its own AppConfig.
"""

ALLIANCE_STAFF = "Cán bộ Liên minh"
FUND_OFFICER = "Cán bộ Quỹ"
AGENCY_OFFICER = "Cán bộ đơn vị"
EDITOR = "Biên tập viên"

ROLES = [ALLIANCE_STAFF, FUND_OFFICER, AGENCY_OFFICER, EDITOR]

ALL = ("add", "change", "delete", "view")
VIEW = ("view",)

# Each app declares what each role may do with its own models, as `role_permissions` on its AppConfig:
# {role: [(model name, or "*" for every model of the app, actions)]}.


def role_permissions() -> dict:
    """{role: [(app_label, model or "*", actions)]}, merged from every installed app's declaration."""
    from django.apps import apps

    merged = {role: [] for role in ROLES}
    for config in apps.get_app_configs():
        for role, rules in getattr(config, "role_permissions", {}).items():
            merged[role].extend((config.label, model, actions) for model, actions in rules)
    return merged


def sync_role_permissions(sender=None, **kwargs):
    """Give each role group exactly the permissions the apps declare (post_migrate receiver).

    post_migrate is sent once per app, and each app's permissions are created on its own signal: the groups are
    synced once, on the last app's, when every permission exists (some 700 queries fewer per `migrate`, and per flush
    after a transactional test)."""
    from django.apps import apps
    from django.contrib.auth.models import Group, Permission

    if sender is not None and sender is not [c for c in apps.get_app_configs() if c.models_module is not None][-1]:
        return

    for group_name, rules in role_permissions().items():
        group, _ = Group.objects.get_or_create(name=group_name)
        wanted = set()
        for app_label, model, actions in rules:
            qs = Permission.objects.filter(content_type__app_label=app_label)
            if model != "*":
                qs = qs.filter(content_type__model=model)
            for perm in qs.only("pk", "codename"):
                if perm.codename.split("_", 1)[0] in actions:
                    wanted.add(perm.pk)
        current = set(group.permissions.values_list("pk", flat=True))
        if current != wanted:
            group.permissions.set(wanted)
