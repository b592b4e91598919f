from django.apps import AppConfig


class OpendataConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "opendata"
    verbose_name = "Dữ liệu mở"

    def ready(self):
        from portal import contentcache, versioned

        from . import datasets

        # What the API and the bulk files read besides the public pages' content (which bumps the content
        # version): the fund's products, loans and disbursements, the agencies and the units' successors.
        versioned.watch(
            datasets.VERSION,
            "fund.LoanProduct", "fund.Loan", "fund.Disbursement", "fund.FundCapital", "portal.Agency",
            "portal.AdministrativeUnit",
            m2m=("portal.AdministrativeUnit.successors",),
            bump_now=datasets.bump_own_version,
        )  # fmt: skip
        contentcache.remembers("opendata-version", datasets.forget_own_version)
        contentcache.expires_at("closing-polls", datasets.next_poll_closing)
