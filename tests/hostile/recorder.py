"""A server that only records: every request that reaches it, with its headers, answered 404.

It stands where no request may ever arrive: the host a redirect points at, the URL an XML
external entity names. A test that expects nothing there asserts `recorder.requests == []`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Iterable

from werkzeug.wrappers import Request, Response


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    headers: dict[str, str]


class Recorder:
    """A WSGI app; serve it with tests.hostile.altered.serving."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()

    def __call__(self, environ: dict, start_response) -> Iterable[bytes]:
        request = Request(environ)
        with self._lock:
            self.requests.append(Recorded(request.method, request.full_path, dict(request.headers)))
        return Response("nothing here", status=404)(environ, start_response)
