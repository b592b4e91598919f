"""The staff navigation and each role's start page, defined once.

The kernel cannot name the tools of the apps above it, so each app registers its own in its `AppConfig.ready()`
(as apps register their models with the admin): a `Tool` says where it is and who may use it, a start page says
which users land on it after signing in. The header menu, the admin index and `/lam-viec/` all read this registry,
so a tool is listed exactly where its own view would let the user in.

A tool's `allowed(user)` must ask what the tool's view asks (a permission, the user's scope), never a role name:
the menu then follows the roles as they change.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from . import versioned
from .access import user_scope

# Each user's menu, kept until an account, a group or a permission changes (portal.signals): asking the checks
# again would cost the permission queries on every page a signed-in user opens.
MENU_VERSION = "staff-menu"


@dataclass(frozen=True)
class Tool:
    key: str
    label: str
    url_name: str
    allowed: Callable
    order: int
    query: str = ""  # appended to the reversed URL ("status__exact=draft")
    fragment: str = ""  # a section of the page ("chi-dao")

    def url(self) -> str:
        query = f"?{self.query}" if self.query else ""
        return reverse(self.url_name) + query + (f"#{self.fragment}" if self.fragment else "")


@dataclass(frozen=True)
class StartPage:
    order: int
    applies: Callable
    url_name: str


_tools: dict[str, Tool] = {}
_start_pages: list[StartPage] = []


def register(*tools: Tool) -> None:
    """Add tools to the menu; registering a key again replaces it (AppConfig.ready may run twice in tests)."""
    for tool in tools:
        _tools[tool.key] = tool


def register_start_page(*, order: int, applies: Callable, url_name: str) -> None:
    """Users for whom `applies(user)` is true land on `url_name` after signing in (lowest `order` first)."""
    _start_pages[:] = [p for p in _start_pages if p.url_name != url_name]
    _start_pages.append(StartPage(order=order, applies=applies, url_name=url_name))
    _start_pages.sort(key=lambda p: p.order)


def tools() -> list[Tool]:
    return sorted(_tools.values(), key=lambda tool: (tool.order, tool.key))


def tools_for(user, path: str = "") -> list[dict]:
    """The tools `user` may use, in menu order: [{"key", "label", "url", "active"}]."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    entries = versioned.cached(MENU_VERSION, f"portal:nav:{user.pk}", lambda: _allowed_tools(user))
    return [{**entry, "active": path == entry["url"].split("?")[0].split("#")[0]} for entry in entries]


def _allowed_tools(user) -> list[dict]:
    return [{"key": tool.key, "label": tool.label, "url": tool.url()} for tool in tools() if tool.allowed(user)]


def start_url(user) -> str:
    """Where `user` starts: the first start page that applies, else the public home page."""
    if getattr(user, "is_authenticated", False) and user.is_active:
        for page in _start_pages:
            if page.applies(user):
                return reverse(page.url_name)
    return reverse("home")


# Predicates the apps share ---------------------------------------------------------------------------------------


def signed_in(user) -> bool:
    return user.is_authenticated


def is_staff(user) -> bool:
    return user.is_staff


def province_wide(user) -> bool:
    """Alliance and fund staff (and superusers): the whole province."""
    return user_scope(user).everything


def has_scope(user) -> bool:
    """Anyone who sees some of the registry: the province, or an officer's own units."""
    scope = user_scope(user)
    return scope.everything or bool(scope.unit_ids)


def agency_officer(user) -> bool:
    """An officer of a district or department: their own agency, not the whole province."""
    scope = user_scope(user)
    return not scope.everything and bool(scope.agency_ids)


def perm(name: str) -> Callable:
    def allowed(user) -> bool:
        return user.has_perm(name)

    allowed.__name__ = f"perm({name})"
    return allowed


def staff_perm(name: str) -> Callable:
    """A page behind the admin's login (staff only) that also needs a model permission."""

    def allowed(user) -> bool:
        return user.is_staff and user.has_perm(name)

    allowed.__name__ = f"staff_perm({name})"
    return allowed


def all_of(*checks: Callable) -> Callable:
    def allowed(user) -> bool:
        return all(check(user) for check in checks)

    return allowed
