"""Decisions as accessible PDF documents: tagged PDF/UA with the document's language and title, made by
WeasyPrint from the same body templates the guardian's page shows."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from django.template.loader import render_to_string

PDF_VARIANT = "pdf/ua-1"


def decision_html(*, content: dict[str, Any], number: str, with_translation: bool) -> str:
    return render_to_string(
        "decisions/document.html",
        {
            "c": content,
            "number": number,
            "body_template": f"decisions/body_{content['language']}.html",
            "with_translation": with_translation,
        },
    )


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported when used: it loads Pango

    pdf: bytes = HTML(string=html).write_pdf(pdf_variant=PDF_VARIANT)
    return pdf


def decision_pdf(*, content: dict[str, Any], number: str, with_translation: bool) -> bytes:
    return render_pdf(decision_html(content=content, number=number, with_translation=with_translation))


def _render_one(item: tuple[dict[str, Any], str, bool]) -> bytes:
    content, number, with_translation = item
    return decision_pdf(content=content, number=number, with_translation=with_translation)


def decision_pdfs(items: list[tuple[dict[str, Any], str, bool]], *, workers: int) -> list[bytes]:
    """Renders many decisions, in worker processes when there are enough to pay for them (a round's thousands).

    The workers only render templates (no database): they are forked from this process with its settings and
    translations loaded, and end without running this process's finalizers.
    """
    if workers <= 1 or len(items) < 40:
        return [_render_one(item) for item in items]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(_render_one, items, chunksize=max(1, min(50, len(items) // (workers * 4)))))
