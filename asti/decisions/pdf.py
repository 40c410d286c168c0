"""Decisions as accessible PDF documents: tagged PDF/UA with the document's language and title, made by
WeasyPrint from the same body templates the guardian's page shows."""

from __future__ import annotations

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
