"""The kernel of Cổng HTX: units, agencies, users, roles, site settings and the helpers every app shares.

(Until the public site and operations move to their own apps, they live here too.)
"""
