from compliance.models import OrganisationProfile


def organisation_profile() -> OrganisationProfile:
    """The single profile row; a fresh install gets the runbook's recovery objectives."""
    profile = OrganisationProfile.objects.order_by("pk").first()
    if profile is None:
        profile = OrganisationProfile.objects.create()
    return profile
