"""`make bench`: the portal under load against a bare Django view, queries per page, timed jobs."""
