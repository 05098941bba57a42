"""The vocabulary a legal entity is described in for notification regimes (plain Python).

An entity of the organisation profile names its jurisdictions (ISO 3166-1 alpha-2 country
codes such as FR or GB, and ISO 3166-2 codes for US states such as US-CA), its status under
each regime (the codes below), and the holiday calendars that apply to it (codes of the
`holidays` package: a country, optionally with a subdivision, e.g. FR, DE-BY, US, GB-ENG).
The regimes themselves live in `compliance`; this module only names what an entity can be.

Jurisdiction codes are checked against the project's data file `data/iso3166.json` (read
once): every ISO 3166-1 alpha-2 country code, and the ISO 3166-2:US subdivisions (the 50
states, DC and the outlying areas, US-CA, US-DC, US-PR). Subdivisions of other countries are
not accepted (no regime distinguishes them: the country code covers them); codes ISO has not
assigned (ZZ, XX, UK, EU) are refused. The file names its sources.

Regime keys: `catalogue` cannot import `compliance` (the layer rule), so `compliance` registers
a callable giving its regimes' keys (`register_regime_keys`, from its AppConfig.ready()); a
competent authority naming a key outside them is refused (`unknown_regime_keys`). With nothing
registered every well-formed key is accepted.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Collection, Iterable
from pathlib import Path

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

_HOLIDAY_CALENDAR = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")
ISO3166_FILE = Path(__file__).resolve().parent / "data" / "iso3166.json"


@functools.cache
def jurisdiction_names() -> dict[str, str]:
    """Every known jurisdiction code -> its name: the countries, then the US subdivisions."""
    data = json.loads(ISO3166_FILE.read_text(encoding="utf-8"))
    return {**data["countries"], **data["subdivisions"]}


def is_jurisdiction_code(code: str) -> bool:
    """A known country (FR, GB, US) or US subdivision (US-CA, US-DC, US-PR), upper case."""
    return isinstance(code, str) and code in jurisdiction_names()


def unknown_jurisdictions(codes: Iterable[str]) -> list[str]:
    """The codes of `codes` that name no known jurisdiction, in the order given."""
    return [c for c in codes if not is_jurisdiction_code(c)]


# --- Regime keys (filled by compliance: catalogue never imports it) ------------------------

_regime_keys: Callable[[], Collection[str]] | None = None


def register_regime_keys(source: Callable[[], Collection[str]] | None) -> None:
    """Name where the known regime keys come from (compliance's AppConfig.ready()); None
    forgets it (every well-formed key accepted again)."""
    global _regime_keys
    _regime_keys = source


def unknown_regime_keys(keys: Iterable[str]) -> list[str]:
    """The keys of `keys` no registered regime has, in the order given ([] when nothing is
    registered)."""
    if _regime_keys is None:
        return []
    known = set(_regime_keys())
    return [k for k in keys if k not in known]


def country_of(code: str) -> str:
    """The country part of a jurisdiction code: US for US-CA, FR for FR."""
    return code.split("-", 1)[0]


def is_holiday_calendar_code(code: str) -> bool:
    return bool(_HOLIDAY_CALENDAR.match(code))
