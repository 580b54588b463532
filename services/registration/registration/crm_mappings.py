"""The mapping from each CRM's opportunity fields and stages to this service's deal (configurable).

Defaults below; ``REGISTRATION_CRM_MAPPING_FILE`` names a YAML or JSON file whose per-source
entries replace them field by field, e.g.::

    salesforce:
      fields: {partner_id: Reseller_Account__c}
      stages: {"Closed Won - Signed": won}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .domain.crm import CANONICAL_FIELDS, CrmMapping, Target

T = Target

DEFAULTS: dict[str, dict[str, Any]] = {
    "salesforce": {
        "fields": {
            "partner_id": "Partner_Id__c",
            "customer_name": "Customer_Name__c",
            "customer_domain": "Customer_Domain__c",
            "product_line": "Product_Line__c",
            "amount": "Amount",
            "currency": "CurrencyIsoCode",
            "close_date": "CloseDate",
            "stage": "StageName",
            "created_date": "CreatedDate",
            "lost_reason": "Loss_Reason__c",
        },
        "version_field": "SystemModstamp",
        "stages": {
            "Prospecting": T.OPEN,
            "Qualification": T.QUALIFIED,
            "Needs Analysis": T.QUALIFIED,
            "Value Proposition": T.PROPOSAL,
            "Proposal/Price Quote": T.PROPOSAL,
            "Negotiation/Review": T.NEGOTIATION,
            "Closed Won": T.WON,
            "Closed Lost": T.LOST,
            "Closed Cancelled": T.CANCELLED,
        },
    },
    "hubspot": {
        "fields": {
            "partner_id": "partner_id",
            "customer_name": "customer_name",
            "customer_domain": "customer_domain",
            "product_line": "product_line",
            "amount": "amount",
            "currency": "deal_currency_code",
            "close_date": "closedate",
            "stage": "dealstage",
            "created_date": "createdate",
            "lost_reason": "closed_lost_reason",
        },
        "stages": {
            "appointmentscheduled": T.OPEN,
            "qualifiedtobuy": T.QUALIFIED,
            "presentationscheduled": T.PROPOSAL,
            "decisionmakerboughtin": T.PROPOSAL,
            "contractsent": T.NEGOTIATION,
            "closedwon": T.WON,
            "closedlost": T.LOST,
        },
    },
    "generic": {
        "fields": {name: name for name in CANONICAL_FIELDS},
        "stages": {t.value: t for t in Target},
    },
}


class CrmMappings:
    def __init__(self, overrides: dict[str, dict[str, Any]] | None = None) -> None:
        self._config: dict[str, dict[str, Any]] = {}
        self._mappings: dict[str, CrmMapping] = {}
        for source, defaults in DEFAULTS.items():
            extra = (overrides or {}).get(source, {})
            self._config[source] = {
                "fields": {**defaults["fields"], **extra.get("fields", {})},
                "stages": {**defaults["stages"], **extra.get("stages", {})},
                "version_field": extra.get("version_field", defaults.get("version_field")),
                "default_currency": extra.get("default_currency"),
            }
            unknown = set(self._config[source]["fields"]) - set(CANONICAL_FIELDS)
            if unknown:
                raise ValueError(f"{source}: unknown canonical fields in the mapping: {', '.join(sorted(unknown))}")
            self._config[source]["stages"] = {k: Target(v) for k, v in self._config[source]["stages"].items()}

    @classmethod
    def load(cls, path: Path | None) -> CrmMappings:
        if path is None:
            return cls()
        data = yaml.safe_load(path.read_text()) or {}
        if not isinstance(data, dict):
            raise ValueError(f"{path}: the CRM mapping must be a mapping of source -> config")
        return cls(data)

    def mapping(self, source: str) -> CrmMapping:
        """The same (immutable) mapping object for a source every time: it caches its lowered stage names."""
        if source not in self._mappings:
            config = self._config[source]
            self._mappings[source] = CrmMapping(
                fields=config["fields"], stages=config["stages"], default_currency=config["default_currency"]
            )
        return self._mappings[source]

    def version_field(self, source: str) -> str | None:
        return self._config[source]["version_field"]  # type: ignore[no-any-return]

    def describe(self) -> dict[str, Any]:
        return {s: {**c, "stages": {k: v.value for k, v in c["stages"].items()}} for s, c in self._config.items()}
