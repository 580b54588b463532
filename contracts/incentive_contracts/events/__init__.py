"""Payload models, one module per producing domain. Importing this package registers them all."""

from . import deal, engagement, ledger, mdf, partner, program

__all__ = ["deal", "engagement", "ledger", "mdf", "partner", "program"]
