"""The four roles, as auth groups, and the model permissions each carries.

The groups are created by a data migration (portal 0002); their permissions are brought in step with this
table after every `migrate` (PortalConfig.ready connects `sync_role_permissions` to post_migrate), so an app
that adds models only has to name them here.
"""

ALLIANCE_STAFF = "Cán bộ Liên minh"
FUND_OFFICER = "Cán bộ Quỹ"
AGENCY_OFFICER = "Cán bộ đơn vị"
EDITOR = "Biên tập viên"

ROLES = [ALLIANCE_STAFF, FUND_OFFICER, AGENCY_OFFICER, EDITOR]

ALL = ("add", "change", "delete", "view")
VIEW = ("view",)

# group -> [(app_label, model name or "*" for every model of the app, actions)]
ROLE_PERMISSIONS = {
    ALLIANCE_STAFF: [
        ("cooperatives", "*", ALL),
        ("directives", "*", ALL),
        ("fund", "*", VIEW),
        ("portal", "administrativeunit", ALL),
        ("portal", "agency", ALL),
        ("portal", "sitesettings", ("change", "view")),
        ("portal", "user", VIEW),
        ("portal", "article", ALL),
        ("portal", "attachment", ALL),
        ("portal", "category", ALL),
        ("portal", "tag", ALL),
        ("portal", "page", ALL),
        ("portal", "poll", ALL),
        ("portal", "choice", ALL),
        ("portal", "weblinkgroup", ALL),
        ("portal", "weblink", ALL),
        ("portal", "contactmessage", ("change", "view")),
        ("portal", "dailyvisit", VIEW),
    ],
    FUND_OFFICER: [
        ("fund", "*", ALL),
        ("cooperatives", "*", VIEW),
        ("portal", "agency", VIEW),
    ],
    AGENCY_OFFICER: [
        # directives: their own agency's reports, files and task progress (admin querysets are scoped to it)
        ("directives", "document", VIEW),
        ("directives", "task", VIEW),
        ("directives", "reportrequest", VIEW),
        ("directives", "report", ("view", "change")),
        ("directives", "reportfile", VIEW),
        ("directives", "taskassignment", ("view", "change")),
        ("directives", "reminder", VIEW),
    ],
    EDITOR: [
        # Public site
        ("portal", "article", ALL),
        ("portal", "attachment", ALL),
        ("portal", "category", ALL),
        ("portal", "tag", ALL),
        ("portal", "page", ALL),
        ("portal", "poll", ALL),
        ("portal", "choice", ALL),
        ("portal", "weblinkgroup", ALL),
        ("portal", "weblink", ALL),
        ("portal", "contactmessage", ("change", "view")),
        ("portal", "dailyvisit", VIEW),
        ("directives", "document", VIEW),
    ],
}


def sync_role_permissions(sender=None, **kwargs):
    """Give each role group exactly the permissions ROLE_PERMISSIONS lists (post_migrate receiver)."""
    from django.contrib.auth.models import Group, Permission

    for group_name, rules in ROLE_PERMISSIONS.items():
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
