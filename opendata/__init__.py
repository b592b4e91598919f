"""Open data: what the public pages show, as a read-only JSON API (/api/v1/) and as bulk files (/du-lieu-mo/).

Its own app, on the floor above the public site, because it is the one place that reads every app's public rows
(the registry, the documents, the news and polls, the fund's aggregates, units and agencies) to hand them to other
systems; it carries its own dependency (Django REST framework), its own rows (the bulk files it has built) and its
own task. Nothing below it imports it. What each dataset may show is decided in one place, `datasets`, which both
the API and the bulk files read: the same fields and rows in both, and the same rules as the public pages.
"""
