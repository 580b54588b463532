"""ISO 4217 currencies a deal, a fund or a payout can be in, with their minor units.

Pure data, checked in once (ISO 4217 list one, active codes, 2025 amendments: XCG replaces ANG,
ZWG replaces ZWL). Left out on purpose, because they are not money a partner is paid in:
precious metals (XAU, XAG, XPD, XPT), the testing and "no currency" codes (XTS, XXX), the units of
account and bond-market units (XDR, XSU, XUA, XBA-XBD) and the fund codes (BOV, CHE, CHW, CLF, COU,
MXV, USN, UYI, UYW). Withdrawn codes (HRK, SLL, CUC, ANG, ZWL...) are not here either; events
recorded with them stay readable (see :mod:`incentive_contracts.money`).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

_THREE = ("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND")
_NONE = ("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF")
_TWO = tuple(
    (  # noqa: SIM905 (a table reads better as text)
        "AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF CNY "
        "COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR "
        "ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK "
        "MXN MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP "
        "SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD UYU UZS VED VES WST XCD XCG YER "
        "ZAR ZMW ZWG"
    ).split()
)

MINOR_UNITS: Mapping[str, int] = MappingProxyType(
    {**{code: 2 for code in _TWO}, **{code: 3 for code in _THREE}, **{code: 0 for code in _NONE}}
)
"""Active ISO 4217 code -> number of decimal places of its minor unit."""


def is_currency(code: str) -> bool:
    """True for an active ISO 4217 currency code (upper case) that money can be in."""
    return code in MINOR_UNITS


def minor_units(code: str) -> int:
    """Decimal places of the currency's minor unit (2 for a code this table does not know)."""
    return MINOR_UNITS.get(code, 2)
