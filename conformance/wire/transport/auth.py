"""The Authorization schemes as requests auth: Basic, SOTicket and Bearer in any spelling of the
word, the browser session with its X-XSRF-TOKEN, and a raw header for negative tests."""

from __future__ import annotations

import requests
from requests.auth import AuthBase

from conformance.contract.endpoint import XSRF_HEADER

DEFAULT_WORDS = {"basic": "Basic", "soticket": "SOTicket", "bearer": "Bearer"}


class SchemeAuth(AuthBase):
    """`Authorization: <word> <credential>`."""

    def __init__(self, word: str, credential: str) -> None:
        self.word, self.credential = word, credential

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"{self.word} {self.credential}"
        return request


class SessionAuth(AuthBase):
    """A browser session: its cookie, and X-XSRF-TOKEN (left out or replaced for negative tests)."""

    def __init__(self, cookie_name: str, cookie: str, xsrf: str | None) -> None:
        self.cookie_name, self.cookie, self.xsrf = cookie_name, cookie, xsrf

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Cookie"] = f"{self.cookie_name}={self.cookie}"
        if self.xsrf is not None:
            request.headers[XSRF_HEADER] = self.xsrf
        return request


class RawAuthorization(AuthBase):
    """An Authorization header exactly as given: malformed values, unknown schemes, wrong secrets."""

    def __init__(self, value: str) -> None:
        self.value = value

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = self.value
        return request
