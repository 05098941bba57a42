"""The vocabulary a legal entity is described in for notification regimes (plain Python).

An entity of the organisation profile names its jurisdictions (ISO 3166-1 alpha-2 country
codes such as FR or GB, and ISO 3166-2 codes for US states such as US-CA), its status under
each regime (the codes below), and the holiday calendars that apply to it (codes of the
`holidays` package: a country, optionally with a subdivision, e.g. FR, DE-BY, US, GB-ENG).
The regimes themselves live in `compliance`; this module only names what an entity can be.
"""

from __future__ import annotations

import re

ENTITY_STATUSES: dict[str, str] = {
    "gdpr_controller": "GDPR / UK GDPR controller",
    "gdpr_processor": "GDPR / UK GDPR processor (on behalf of another controller)",
    "pecr_provider": "UK PECR: provider of a public electronic communications service",
    "nis2_essential": "NIS2 essential entity",
    "nis2_important": "NIS2 important entity",
    "nis2_trust_service_provider": "NIS2 trust service provider",
    "dora_financial_entity": "DORA financial entity",
    "dora_relief_excluded": (
        "DORA: credit institution, central counterparty or trading venue "
        "(no weekend relief for initial and intermediate reports)"
    ),
    "eidas_trust_service_provider": "eIDAS trust service provider (UK / legacy EU)",
    "pci_merchant": "Accepts payment cards (PCI DSS, card brand rules)",
    "sec_registrant": "SEC registrant (Form 8-K filer)",
    "hipaa_covered_entity": "HIPAA covered entity",
    "hipaa_business_associate": "HIPAA business associate",
    "nydfs_covered_entity": "NYDFS Part 500 covered entity",
    "circia_covered_entity": "CIRCIA covered entity (critical infrastructure)",
    "au_app_entity": "Australian Privacy Act APP entity",
    "sg_organisation": "Singapore PDPA organisation",
    "sg_data_intermediary": "Singapore PDPA data intermediary",
    "ca_pipeda_organisation": "Canada PIPEDA organisation",
}

# EU member states (ISO 3166-1 alpha-2; Greece is GR) and the other EEA states, to which
# the GDPR applies through the EEA Agreement.
EU_MEMBER_STATES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    ]
)
EEA_STATES = EU_MEMBER_STATES | frozenset({"IS", "LI", "NO"})

_JURISDICTION = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")
_HOLIDAY_CALENDAR = _JURISDICTION


def is_jurisdiction_code(code: str) -> bool:
    """A country (FR) or a subdivision (US-CA): ISO 3166 shapes, upper case."""
    return bool(_JURISDICTION.match(code))


def country_of(code: str) -> str:
    """The country part of a jurisdiction code: US for US-CA, FR for FR."""
    return code.split("-", 1)[0]


def is_holiday_calendar_code(code: str) -> bool:
    return bool(_HOLIDAY_CALENDAR.match(code))
