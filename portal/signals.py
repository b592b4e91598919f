"""Cache invalidation only: each app names, in its AppConfig.ready, the models whose changes make a cached read
stale. `watch_versioned` ties a named version (portal.versioned) to models; the public content version has its
own `portal.contentcache.watch`. The kernel's own: the unit trees user_scope caches ("units")."""

from . import staffcache, versioned


def watch_versioned(name: str, *labels: str, m2m: tuple = ()) -> None:
    """Bump version `name` when a change to these models ("app.Model") or many-to-many relations
    ("app.Model.field") commits (portal.versioned.watch)."""
    versioned.watch(name, *labels, m2m=m2m)


def connect() -> None:
    watch_versioned("units", "portal.AdministrativeUnit", "portal.Agency", "portal.UnitMapping")
    # The staff menu of each user (portal.navigation): what their account, groups and permissions allow.
    watch_versioned(
        "staff-menu",
        "portal.User",
        "auth.Group",
        m2m=("portal.User.groups", "portal.User.user_permissions", "auth.Group.permissions"),
    )
    staffcache.connect()
