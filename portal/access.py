"""The one place that decides which units and agencies a user may see.

Every app filters its querysets through `user_scope(user)`: alliance and fund staff see the whole province;
an officer (role "Cán bộ đơn vị") sees their agency's unit and the units below it (a district officer: the district
and its communes), and nothing once that agency has retired (merged into another: portal.agencychanges); anyone
else sees nothing private, even with an agency (an editor belongs to the alliance's agency only to sign articles:
it must not open the province's registry).
"""

from dataclasses import dataclass

from . import versioned
from .models import AdministrativeUnit, Agency
from .roles import AGENCY_OFFICER, ALLIANCE_STAFF, FUND_OFFICER
from .unitmap import unit_and_merged_ids

PROVINCE_WIDE_GROUPS = {ALLIANCE_STAFF, FUND_OFFICER}


@dataclass(frozen=True)
class Scope:
    everything: bool
    unit_ids: frozenset[int]
    agency_ids: frozenset[int]

    def units(self):
        qs = AdministrativeUnit.objects.all()
        return qs if self.everything else qs.filter(pk__in=self.unit_ids)

    def agencies(self):
        qs = Agency.objects.all()
        return qs if self.everything else qs.filter(pk__in=self.agency_ids)

    def sees_unit(self, unit_id) -> bool:
        return self.everything or unit_id in self.unit_ids

    def sees_agency(self, agency_id) -> bool:
        return self.everything or agency_id in self.agency_ids


NOTHING = Scope(everything=False, unit_ids=frozenset(), agency_ids=frozenset())


def agency_unit_ids(agency_id: int) -> frozenset[int]:
    """The agency's unit and every unit below it, cached until a unit or an agency changes (portal.signals):
    a few queries to walk the tree otherwise, on every officer's request. For a unit of today's map, the retired
    units that lie in it now (portal.unitmap) too: a commune's committee sees the cooperatives registered in 2022 in
    the communes merged into it. Empty for an agency no longer active (retired by a merge, portal.agencychanges, or
    switched off by hand): its work went to its successor."""

    def build():
        agency = Agency.objects.select_related("unit").get(pk=agency_id)
        if not agency.is_active:
            return frozenset()
        return frozenset(unit_and_merged_ids(agency.unit))

    return versioned.cached("units", f"portal:scope:agency:{agency_id}", build)


def user_scope(user) -> Scope:
    """What `user` may see: the whole province, or their agency's unit and what lies under it."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    cached = getattr(user, "_portal_scope", None)
    if cached is not None:
        return cached
    groups = set() if user.is_superuser else set(user.groups.values_list("name", flat=True))
    if user.is_superuser or groups & PROVINCE_WIDE_GROUPS:
        scope = Scope(everything=True, unit_ids=frozenset(), agency_ids=frozenset())
    elif user.agency_id is None or AGENCY_OFFICER not in groups:
        scope = NOTHING
    else:
        unit_ids = agency_unit_ids(user.agency_id)
        if unit_ids:
            scope = Scope(everything=False, unit_ids=unit_ids, agency_ids=frozenset({user.agency_id}))
        else:  # a retired agency's officer: its work is its successor's now
            scope = NOTHING
    user._portal_scope = scope
    return scope
