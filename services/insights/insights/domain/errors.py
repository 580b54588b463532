"""Domain errors: the shared kernel's vocabulary (servicekit maps each kind to a status code once)."""

from __future__ import annotations

from incentive_kernel.errors import Conflict, DomainError, NotFound

__all__ = ["Conflict", "DomainError", "NotFound"]
