"""A browser without JavaScript for the login tests: a requests session that reads forms and follows redirects
one at a time, so a test can stop at, look at or tamper with any step."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

import requests


@dataclass
class Form:
    action: str
    method: str
    inputs: dict[str, str] = field(default_factory=dict)
    buttons: list[tuple[str, str, str]] = field(default_factory=list)  # name, value, text
    id: str = ""


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._current: Form | None = None
        self._button: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._current = Form(action=a.get("action", ""), method=a.get("method", "get").lower(), id=a.get("id", ""))
            self.forms.append(self._current)
        elif tag == "input" and a.get("name"):
            target = self._form_for(a.get("form"))
            if target is not None and a.get("type", "text") != "submit":
                target.inputs[a["name"]] = a.get("value", "")
        elif tag == "button":
            self._button = [a.get("name", ""), a.get("value", ""), "", a.get("form", "")]

    def handle_data(self, data: str) -> None:
        if self._button is not None:
            self._button[2] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None
        elif tag == "button" and self._button is not None:
            name, value, text, form_id = self._button
            target = self._form_for(form_id)
            if target is not None:
                target.buttons.append((name, value, text.strip()))
            self._button = None

    def _form_for(self, form_id: str | None) -> Form | None:
        if form_id:
            return next((f for f in self.forms if f.id == form_id), None)
        return self._current


def forms(html: str) -> list[Form]:
    reader = _FormReader()
    reader.feed(html)
    return reader.forms


OPEN: list[Browser] = []


def close_all() -> None:
    """Closes every browser's connections: a live-server thread waiting on an idle keep-alive socket would
    otherwise hold its database connection open until the test database is dropped."""
    while OPEN:
        OPEN.pop().session.close()


class Browser:
    def __init__(self, *, language: str = "en") -> None:
        self.session = requests.Session()
        self.session.trust_env = False
        self.session.headers["Accept-Language"] = language
        OPEN.append(self)
        self.visited: list[str] = []

    def request(self, method: str, url: str, **kwargs: object) -> requests.Response:
        self.visited.append(url)
        return self.session.request(method, url, allow_redirects=False, timeout=15, **kwargs)  # type: ignore[arg-type]

    def follow(self, response: requests.Response, *, stop_at: str | None = None) -> requests.Response:
        """Follows redirects; with `stop_at`, stops before requesting a URL that starts with it."""
        while response.is_redirect:
            url = urljoin(response.url, response.headers["location"])
            if stop_at and url.startswith(stop_at):
                response.stopped_at = url  # type: ignore[attr-defined]
                return response
            response = self.request("GET", url)
        return response

    def get(self, url: str, *, stop_at: str | None = None) -> requests.Response:
        return self.follow(self.request("GET", url), stop_at=stop_at)

    def submit(
        self, page: requests.Response, *, button: tuple[str, str], stop_at: str | None = None, **fields: str
    ) -> requests.Response:
        """Presses the named button (name, value) of the page's form that has it."""
        for form in forms(page.text):
            if any((name, value) == button for name, value, _ in form.buttons):
                data = {**form.inputs, **fields, button[0]: button[1]}
                url = urljoin(page.url, form.action or page.url)
                if form.method == "post":
                    return self.follow(self.request("POST", url, data=data), stop_at=stop_at)
                return self.follow(self.request("GET", url, params=data), stop_at=stop_at)
        raise AssertionError(f"no button {button} on {page.url}:\n{page.text[:2000]}")

    def cookie(self, name: str) -> str | None:
        return self.session.cookies.get(name)
