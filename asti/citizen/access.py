"""Every guardian page: logged in (else to the login with ?next=), a guardian in the registry, in their language.

A guardian who has not chosen a language (no language cookie) gets the registry's language, which is then
remembered in the cookie; a choice made with the language switch (Django's set_language) always wins.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec
from weakref import WeakKeyDictionary

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache

from asti.identity.selectors import guardian_for_user
from asti.people.models import Guardian

P = ParamSpec("P")
GuardianView = Callable[Concatenate[HttpRequest, Guardian, P], HttpResponseBase]

# The guardian each page request found, for what the page's header shows (the messages link and its count).
_found: WeakKeyDictionary[HttpRequest, Guardian] = WeakKeyDictionary()


def _language_codes() -> set[str]:
    return {code for code, _name in settings.LANGUAGES}


def guardian_page(view: GuardianView[P]) -> Callable[Concatenate[HttpRequest, P], HttpResponseBase]:
    @wraps(view)
    @never_cache
    def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        guardian = guardian_for_user(user=request.user)
        if guardian is None:
            return render(request, "citizen/not_guardian.html", status=403)
        _found[request] = guardian
        remember = ""
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES and guardian.language in _language_codes():
            remember = guardian.language
            translation.activate(remember)
            request.LANGUAGE_CODE = remember
        response = view(request, guardian, *args, **kwargs)
        if remember:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                remember,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=False,
            )
        return response

    return wrapper


def guardian_of(request: HttpRequest) -> Guardian | None:
    """The guardian whose page this request is (found by guardian_page), or None on a public page."""
    return _found.get(request)


def actor_for(guardian: Guardian) -> str:
    return f"guardian:{guardian.guardian_id}"
