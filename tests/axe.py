"""axe-core (node_modules/axe-core, from scripts/install-node-packages) in a page opened by Playwright: the
automatic WCAG 2.1 level A and AA checks every browser test may run. The page's browser context needs
bypass_csp=True: the pages' strict Content Security Policy rightly refuses the injected script."""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN = "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})"


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """What axe-core finds on the page as it is now: each rule broken, with up to five of its elements."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text())
    result = page.evaluate(RUN, WCAG_TAGS)
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"]
    ]


def axe_findings(page: Any, label: str) -> list[str]:
    """The violations as one line each, headed by `label` (e.g. the page, language and width)."""
    return [f"{label}: {v['id']} ({v['help']}) at {v['nodes']}" for v in axe_violations(page)]


def assert_accessible(page: Any) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{page.url}: {violations}"
