"""The kernel of Cổng HTX: units, agencies, users, roles, site settings and the helpers every app shares."""
