"""Pure allocation engine for the pre-primary offer round (contract section 3).

Plain dataclasses in, plain dataclasses out; no Django. See docs/adr/0002.
"""

from .engine import DEFAULT_AREA_K, DEFAULT_K, allocate, what_if
from .explain import DETAIL_CODES
from .model import AllocationResult, ChildIn, Proposal, Reason, UnitIn
from .prepare import AllocationInputError

__all__ = [
    "DEFAULT_AREA_K",
    "DEFAULT_K",
    "DETAIL_CODES",
    "AllocationInputError",
    "AllocationResult",
    "ChildIn",
    "Proposal",
    "Reason",
    "UnitIn",
    "allocate",
    "what_if",
]
