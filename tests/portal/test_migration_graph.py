"""The kernel's migrations stand alone: none of them waits for a migration of an app above it, so the apps'
migrations never interleave with the kernel's (a new database migrates the kernel first, then each app)."""

from django.db.migrations.loader import MigrationLoader

OURS = {"portal", "cooperatives", "fund", "directives", "public", "ops"}
FLOORS = ["portal", "cooperatives", "fund", "directives", "public", "ops"]  # bottom first


def test_each_apps_migrations_depend_only_on_its_own_floor_and_the_floors_below():
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    for app, name in graph.leaf_nodes():
        if app not in OURS:
            continue
        below = set(FLOORS[: FLOORS.index(app) + 1])
        reached = {label for label, _ in graph.forwards_plan((app, name))} & OURS
        assert reached <= below, f"{app} migrations wait for {sorted(reached - below)}"


def test_the_kernels_migrations_wait_for_no_app_of_ours():
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    for node in graph.leaf_nodes("portal"):
        assert {label for label, _ in graph.forwards_plan(node)} & OURS == {"portal"}
