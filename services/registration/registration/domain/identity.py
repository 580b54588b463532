"""Normalized customer identity: who the customer is, whatever way a partner spelled it.

The identity is the web domain when there is one, else the company name with case, accents,
punctuation and legal-form suffixes removed. Two registrations name the same customer when both
have domains and they are equal, or when either lacks a domain and the normalized names are equal.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache

LEGAL_SUFFIXES = frozenset(
    {
        "inc",
        "incorporated",
        "llc",
        "llp",
        "ltd",
        "limited",
        "gmbh",
        "ag",
        "corp",
        "corporation",
        "co",
        "company",
        "plc",
        "sa",
        "sas",
        "sarl",
        "srl",
        "spa",
        "bv",
        "nv",
        "oy",
        "ab",
        "as",
        "pty",
        "kg",
        "kgaa",
        "se",
        "lp",
        "the",
    }
)
_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalize_domain(domain: str | None) -> str | None:
    """``https://WWW.Globex.example/about`` -> ``globex.example``; blank -> None.

    Pure, so remembered: deciding one registration normalizes its domain and the partner's several
    times (validation, identity, the self-dealing check), thousands of times in a bulk request."""
    return _remembered_domain(domain)


def normalized_domain_afresh(domain: str | None) -> str | None:
    """:func:`normalize_domain` computed every time (what it remembers)."""
    if domain is None:
        return None
    cleaned = domain.strip().lower()
    for prefix in ("https://", "http://"):
        cleaned = cleaned.removeprefix(prefix)
    cleaned = cleaned.split("/")[0].split("?")[0].split("#")[0]
    cleaned = cleaned.rsplit("@", 1)[-1].split(":")[0].rstrip(".")
    cleaned = cleaned.removeprefix("www.")
    return cleaned or None


_remembered_domain = lru_cache(maxsize=65_536)(normalized_domain_afresh)


def normalize_company_name(name: str) -> str:
    """``Globex Manufacturing, Inc.`` -> ``globex manufacturing``."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower().replace("&", " and ")
    folded = folded.replace(".", "").replace("'", "")  # S.A. -> sa, O'Brien -> obrien
    words = [w for w in _NON_WORD.split(folded) if w]
    while len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
        words.pop()
    while len(words) > 1 and words[0] == "the":
        words.pop(0)
    return " ".join(words)


def normalize_product_line(product_line: str) -> str:
    return " ".join(product_line.strip().lower().split())


@dataclass(frozen=True)
class CustomerIdentity:
    domain: str | None
    name_key: str

    @classmethod
    def of(cls, name: str, domain: str | None) -> CustomerIdentity:
        return _identity_of(name, domain)

    @property
    def key(self) -> str:
        """The primary identity key (domain first)."""
        return f"d:{self.domain}" if self.domain else f"n:{self.name_key}"

    @cached_property
    def lock_keys(self) -> tuple[str, ...]:
        """Every key another registration of this customer could be found under."""
        keys = {f"n:{self.name_key}"}
        if self.domain:
            keys.add(f"d:{self.domain}")
        return tuple(sorted(keys))

    def same_customer(self, other: CustomerIdentity) -> bool:
        if self.domain and other.domain:
            return self.domain == other.domain
        return self.name_key == other.name_key


@lru_cache(maxsize=16_384)
def _identity_of(name: str, domain: str | None) -> CustomerIdentity:
    # Pure and immutable, so shared: a bulk registration asks for each deal's identity several times.
    return CustomerIdentity(domain=normalize_domain(domain), name_key=normalize_company_name(name))


def same_organization(customer_domain: str | None, partner_domain: str | None) -> bool:
    """Self-dealing test: the customer's domain is the partner's or one of its subdomains."""
    customer, partner = normalize_domain(customer_domain), normalize_domain(partner_domain)
    if not customer or not partner:
        return False
    return customer == partner or customer.endswith("." + partner)
