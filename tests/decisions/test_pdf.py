"""Rendering many decisions in worker processes gives the same documents, in order, as rendering one by one."""

from __future__ import annotations

import io
from typing import Any

from pypdf import PdfReader

from asti.decisions.pdf import decision_pdfs


def content(i: int) -> dict[str, Any]:
    return {
        "kind": "ecec", "language": "sv" if i % 3 == 0 else "fi", "authority": "Stad", "decision_maker": "M",
        "delegation": "D", "decided_on": "2027-03-01", "child": {"name": f"Barn {i}", "birth_date": "2025-01-02"},
        "guardians": ["A"], "unit": {"name": f"Enhet {i}", "address": ""}, "instruction_language": "fi",
        "period": {"start": "2027-08-02", "end": ""}, "daily_hours": "8.00–16.00", "grounds": ["first_wish"],
        "law": "VakaL", "appeal_route": "ecec_board", "contact": {"name": "P", "phone": "1", "email": "e"},
        "lvv": "LVV", "board": "Nämnd", "registry": "R", "registry_hours": "8–16",
    }  # fmt: skip


def text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_parallel_rendering_keeps_order_and_content() -> None:
    items = [(content(i), f"VK-2027-001-{i:05d}", i == 5) for i in range(45)]
    parallel = decision_pdfs(items, workers=2)
    assert len(parallel) == 45
    for i in (0, 5, 44):
        got = text(parallel[i])
        assert f"Barn {i}" in got or f"Enhet {i}" in got, i
        assert got == text(decision_pdfs([items[i]], workers=1)[0])
    assert "Translation for information only" in text(parallel[5])
    assert "Beslut om plats i småbarnspedagogik" in text(parallel[0])
