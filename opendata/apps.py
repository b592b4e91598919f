from django.apps import AppConfig


class OpendataConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "opendata"
    verbose_name = "Dữ liệu mở"

    def ready(self):
        from portal import contentcache, versioned

        from . import datasets, views

        # What the API and the bulk files read besides the public pages' content (which bumps the content
        # version): the fund's products, loans, disbursements and capital, the agencies, the units and their
        # successors, the documents' files and relations, the yearly figures and the size thresholds.
        versioned.watch(
            datasets.VERSION,
            "fund.LoanProduct", "fund.Loan", "fund.Disbursement", "fund.FundCapital", "portal.Agency",
            "portal.AdministrativeUnit", "directives.DocumentFile", "directives.DocumentRelation",
            "cooperatives.YearlyFigure", "cooperatives.SizeThreshold",
            m2m=("portal.AdministrativeUnit.successors",),
            bump_now=datasets.bump_own_version,
        )  # fmt: skip
        contentcache.remembers("opendata-version", datasets.forget_own_version)
        contentcache.remembers("opendata-clock", datasets.forget_clock)
        # The bulk files follow a change: the worker is asked to rebuild them (at most every ASKED_SECONDS; the
        # beat's check every 5 minutes catches what that leaves).
        contentcache.after_bump("opendata-files", views.ask_for_refresh)
        datasets.AFTER_BUMP[:] = [views.ask_for_refresh]
        contentcache.expires_at("closing-polls", datasets.next_poll_closing)
