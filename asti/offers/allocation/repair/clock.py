"""The proof's wall-clock budget."""

from __future__ import annotations

import time


class ProofClock:
    """The wall-clock budget of the proof (`allocate(proof_seconds=...)`).

    The answer never depends on it: the search that may change the answer is bounded by
    work counts (node solves, piece work). Past that, the same search may go on to prove
    the answer or tighten its gap until the clock runs out; a better solution it meets
    then only lowers the bound, it does not replace the answer.
    """

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds

    def expired(self) -> bool:
        return time.monotonic() >= self.deadline
