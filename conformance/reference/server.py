"""Serve the reference app over real HTTP on 127.0.0.1, in a background thread."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from conformance.contract.endpoint import PATH
from conformance.reference.app import ReferenceApp
from conformance.reference.config import ServerConfig, published_credentials
from conformance.wire.target import AppTokens, Basic, Limits, Secret, Session, Target


@dataclass(frozen=True)
class Arrival:
    method: str
    path: str
    """The request target's path as sent (no query); '' if the request line did not parse."""
    at: float
    """time.monotonic() when the request line had been read."""


class RequestLog:
    """Every request the server read, in order of arrival, for tests that count at the server
    what a run sent. Thread-safe. A request line over 64 KiB is answered 414 unread, unlogged."""

    def __init__(self) -> None:
        self._arrivals: list[Arrival] = []
        self._lock = threading.Condition()

    def record(self, method: str, target: str, at: float) -> None:
        with self._lock:
            self._arrivals.append(Arrival(method, urlsplit(target).path, at))
            self._lock.notify_all()

    def wait_for(self, count: int, timeout: float) -> bool:
        """Block until `count` requests have arrived (True), or `timeout` seconds pass (False)."""
        with self._lock:
            return self._lock.wait_for(lambda: len(self._arrivals) >= count, timeout)

    def arrivals(self) -> list[Arrival]:
        with self._lock:
            return sorted(self._arrivals, key=lambda a: a.at)

    def __len__(self) -> int:
        with self._lock:
            return len(self._arrivals)


class QuietHandler(WSGIRequestHandler):
    """No access log on stderr: tests and the suite keep their own record of every exchange;
    the server's RequestLog (if it has one) gets each request's method, path and arrival."""

    def log_request(self, *args, **kwargs) -> None:
        pass

    def parse_request(self) -> bool:
        at = time.monotonic()
        self.command = self.path = None  # nothing left over from an earlier request on this connection
        parsed = super().parse_request()
        log = getattr(self.server, "request_log", None)
        if log is not None:
            log.record(self.command or "", self.path or "", at)
        return parsed


class ReferenceServer:
    """`with ReferenceServer(config) as server:` gives a running server; `server.base_url` ends
    in the base path (e.g. http://127.0.0.1:PORT/api/v1) and `server.endpoint_url` is the
    GetEngineStatus URL; `server.requests` logs every request it read."""

    def __init__(self, config: ServerConfig | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.config = config or ServerConfig()
        self.app = ReferenceApp(self.config)
        self._server: BaseWSGIServer = make_server(host, port, self.app, threaded=True, request_handler=QuietHandler)
        self._server.daemon_threads = True
        self.requests = self._server.request_log = RequestLog()
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._server.server_port

    @property
    def base_url(self) -> str:
        return f"http://{self._server.server_address[0]}:{self.port}{self.config.base_path}"

    @property
    def endpoint_url(self) -> str:
        return self.base_url + PATH

    def target(self, name: str = "reference") -> Target:
        """This server as a target: its credentials as secrets named like targets/reference.toml's."""
        return target_of(self.config, self.base_url, name)

    def start(self) -> "ReferenceServer":
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="reference-server", kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> "ReferenceServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def target_of(cfg: ServerConfig, base_url: str, name: str = "reference") -> Target:
    """A reference server with this configuration as a target (also before it serves: what a
    run's redactor needs to know of its secrets)."""
    c = cfg.credentials
    return Target(
        name=name,
        base_url=base_url,
        profile=cfg.profile,
        basic=Basic(c.basic_user, Secret(c.basic_password, "REF_PASSWORD")) if "basic" in cfg.offered else None,
        soticket=Secret(c.ticket, "REF_TICKET") if "soticket" in cfg.offered else None,
        bearer=Secret(c.bearer, "REF_BEARER") if "bearer" in cfg.offered else None,
        session=Session(c.session_cookie, Secret(c.session_id, "REF_SESSION"), Secret(c.xsrf_token, "REF_XSRF"))
        if "session" in cfg.offered
        else None,
        apptoken=AppTokens(
            Secret(c.app_token_granted, "REF_APP"),
            Secret(c.app_token_restricted, "REF_APP_RESTRICTED"),
            c.require_app_token,
        ),
        limits=Limits(max_requests=100_000, rate=10_000, connect_timeout=5, read_timeout=30),
        source=f"bundled reference server at {base_url}",
        published=published_credentials(),
    )
