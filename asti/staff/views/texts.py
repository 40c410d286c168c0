"""The city's message texts: the list (who changed which text and when), a text's page with a server-side preview
(SMS characters, encoding and parts; email subject and body), saving and returning to the default."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from asti.messaging.templates import TemplateError
from asti.messaging.texts import (
    MessageTextError,
    TextRules,
    city_text_in_use,
    message_text_check,
    message_text_current,
    message_text_history,
    message_text_reset,
    message_text_save,
    message_texts_newest,
    text_rules,
)
from asti.staff.access import actor, staff_view
from asti.staff.forms_texts import MessageTextForm
from asti.staff.labels import LANGUAGES
from asti.staff.message_texts import (
    can_edit_message_texts,
    current_round,
    key_channels,
    key_name,
    keys_in_order,
    round_sample,
)


@staff_view(can_edit_message_texts)
def text_list(request: HttpRequest) -> HttpResponse:
    newest = message_texts_newest()
    rows = [
        {
            "key": key,
            "name": key_name(key),
            "channels": key_channels(key),
            "languages": [(code, name, newest.get((key, code))) for code, name in LANGUAGES.items()],
        }
        for key in keys_in_order()
    ]
    return render(request, "staff/message_texts.html", {"rows": rows})


def _rules_or_404(key: str, language: str) -> TextRules:
    if language not in LANGUAGES:
        raise Http404
    try:
        return text_rules(key, language)
    except TemplateError:
        raise Http404 from None


@staff_view(can_edit_message_texts)
@require_http_methods(["GET", "POST"])
def text_edit(request: HttpRequest, key: str, language: str) -> HttpResponse:
    """GET shows the text in use and its preview; POST previews (action=preview) or saves (action=save)."""
    rules = _rules_or_404(key, language)
    sample = round_sample(offer_round=current_round(), language=language)
    subject, body = city_text_in_use(key=key, language=language)
    form = MessageTextForm(request.POST or None, initial={"subject": subject, "body": body})
    status = 200
    if form.is_bound and form.is_valid():
        subject, body = form.cleaned_data["subject"], form.cleaned_data["body"]
        if request.POST.get("action") == "save":
            try:
                message_text_save(
                    key=key, language=language, subject=subject, body=body, actor=actor(request), sample=sample
                )
            except MessageTextError:
                status = 400  # the preview below lists what is wrong
            else:
                messages.success(request, _("The text was saved. New messages use it from now on."))
                return redirect("staff:message_text", key=key, language=language)
    check = message_text_check(key=key, language=language, subject=subject, body=body, sample=sample)
    context = {
        "key": key,
        "language": language,
        "language_name": LANGUAGES[language],
        "name": key_name(key),
        "channels": key_channels(key),
        "rules": rules,
        "required": sorted(rules.required),
        "optional": sorted(rules.allowed - rules.required),
        "form": form,
        "check": check,
        "refused": status == 400,
        "sample_from_round": bool(sample),
        "current": message_text_current(key=key, language=language),
        "history": message_text_history(key=key, language=language),
        "other_languages": [(code, name) for code, name in LANGUAGES.items() if code != language],
    }
    return render(request, "staff/message_text.html", context, status=status)


@staff_view(can_edit_message_texts)
@require_POST
def text_reset(request: HttpRequest, key: str, language: str) -> HttpResponse:
    _rules_or_404(key, language)
    message_text_reset(key=key, language=language, actor=actor(request))
    messages.success(request, _("The default text is in use again. The earlier texts stay in the history."))
    return redirect("staff:message_text", key=key, language=language)
