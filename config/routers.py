"""Send reads to the PostgreSQL read replica, writes to the primary (switched on by DATABASE_REPLICA_URL).

A replica lags the primary by a moment, so what must read its own writes stays on the primary:
accounts, groups, sessions and admin history (log in, then the next request reads the session), and every read
made inside a transaction on the primary (a service that writes and then reads in one `atomic` block).
Reports, lists and public pages read the replica. Code that must see a write just made can say
`.using("default")`.
"""

from django.db import connections

PRIMARY = "default"
REPLICA = "replica"
PRIMARY_ONLY_APPS = {"auth", "sessions", "contenttypes", "admin"}
PRIMARY_ONLY_MODELS = {"portal.user"}


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        if model._meta.app_label in PRIMARY_ONLY_APPS or model._meta.label_lower in PRIMARY_ONLY_MODELS:
            return PRIMARY
        if connections[PRIMARY].in_atomic_block:
            return PRIMARY
        return REPLICA

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same data: relations across them are the same rows.
        return {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA, None}

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY
