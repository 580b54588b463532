"""Payload models, one module per producing domain. Importing this package registers them all."""

from . import deal, engagement, insights, ledger, mdf, partner, program

__all__ = ["deal", "engagement", "insights", "ledger", "mdf", "partner", "program"]
