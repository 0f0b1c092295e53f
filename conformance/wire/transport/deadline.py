"""The whole exchange within a deadline. requests' timeouts bound each wait for data, so a server
sending a byte a second never trips them; when the deadline passes, the socket being read is shut
down, which ends the blocked read at once. One watchdog thread keeps every deadline of the process.

The connections the adapter's pools make hand their socket to the current Deadline before they
wait, and read the response head strictly: a server that closes the connection in the middle of
its headers gave no response (http.client would take the headers read so far as the whole). A
connection serves one exchange and is closed: bytes a server sends after a complete response (an
unsolicited response, a body longer than its Content-Length) are never read as the answer to the
next request, and those already there when the response ends are counted (StrictResponse.trailing).
"""

from __future__ import annotations

import heapq
import http.client
import itertools
import os
import socket
import threading
import time
from typing import Any

import urllib3


class Deadline:
    """The whole exchange (response head and body) within `seconds`, the clock running from
    entering it (a thread started per exchange cost more than the rest of the client's
    bookkeeping, so one watchdog keeps them all)."""

    _current = threading.local()

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._armed = False

    def __enter__(self) -> "Deadline":
        Deadline._current.value = self
        _WATCHDOG.arm(self, time.monotonic() + self.seconds)
        return self

    def __exit__(self, *exc: Any) -> None:
        _WATCHDOG.disarm(self)
        Deadline._current.value = None

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)

    @classmethod
    def watch(cls, sock: socket.socket | None) -> None:
        """The socket the current thread's exchange is about to read its response from."""
        deadline = getattr(cls._current, "value", None)
        if deadline is None or sock is None:
            return
        with deadline._lock:
            deadline._sockets.append(sock)
            expired = deadline.expired
        if expired:
            _shut(sock)


class _Watchdog:
    """Expires armed Deadlines when their time comes, from one daemon thread: a heap of (when,
    order, deadline), a deadline disarmed on time left in it until it comes up or the heap is
    compacted. The thread sleeps until the earliest entry and is woken only when an earlier one
    is armed."""

    COMPACT_AFTER = 64
    """Disarmed entries the heap may hold (and at least half of it) before they are swept out."""

    def __init__(self) -> None:
        self._reset()
        os.register_at_fork(after_in_child=self._reset)  # the thread and its lock stay behind

    def _reset(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._heap: list[tuple[float, int, Deadline]] = []
        self._order = itertools.count()
        self._stale = 0
        self._thread: threading.Thread | None = None

    def arm(self, deadline: Deadline, when: float) -> None:
        with self._cond:
            entry = (when, next(self._order), deadline)
            heapq.heappush(self._heap, entry)
            deadline._armed = True
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="erpsync-deadlines", daemon=True)
                self._thread.start()
            elif self._heap[0] is entry:
                self._cond.notify()

    def disarm(self, deadline: Deadline) -> None:
        with self._cond:
            if not deadline._armed:
                return  # expired already
            deadline._armed = False
            self._stale += 1
            if self._stale > self.COMPACT_AFTER and 2 * self._stale > len(self._heap):
                self._heap = [entry for entry in self._heap if entry[2]._armed]
                heapq.heapify(self._heap)
                self._stale = 0

    def _run(self) -> None:
        with self._cond:
            while True:
                heap = self._heap
                while heap and not heap[0][2]._armed:
                    heapq.heappop(heap)
                    self._stale -= 1
                if not heap:
                    self._cond.wait()
                    continue
                delay = heap[0][0] - time.monotonic()
                if delay > 0:
                    self._cond.wait(delay)
                    continue
                deadline = heapq.heappop(heap)[2]
                deadline._armed = False
                self._cond.release()
                try:
                    deadline._expire()
                finally:
                    self._cond.acquire()


_WATCHDOG = _Watchdog()


def _shut(sock: socket.socket) -> None:
    try:
        # socket.socket's own shutdown, for an SSLSocket too: its override would drop the TLS
        # state under the reading thread instead of just ending the read.
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass  # closed already: nothing left to end


class HeadCutShort(http.client.HTTPException):
    """The connection closed before the blank line that ends a response's headers."""


class _HeadWatch:
    """The response's file while its head is read: remembers whether the last line was the end of
    the file rather than the blank line that ends the headers."""

    def __init__(self, raw: Any) -> None:
        self.raw, self.last = raw, b"\r\n"

    def readline(self, *args: Any) -> bytes:
        self.last = self.raw.readline(*args)
        return self.last

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)


class TooManyInterim(http.client.HTTPException):
    """More interim (1xx) responses before the final one than any server needs."""


MAX_INTERIM = 8
"""Interim responses read before a final one (RFC 9110 15.2: a client reads and ignores them)."""


BLANK_LINES = (b"", b"\r\n", b"\n")
"""What may follow a complete response without making it a transport fault."""


class StrictResponse(http.client.HTTPResponse):
    """The final response of an exchange, read strictly. http.client skips only 100 Continue and
    takes 103 Early Hints (or 102) for the answer: here every interim (1xx) response but 101 is read
    and ignored, as RFC 9110 15.2 says, up to MAX_INTERIM. And http.client ends the headers at the
    end of the file as at a blank line, so a server closing mid-header looks like a complete response
    with no body; here it is a failed exchange."""

    interim = 0
    trailing = 0
    """Bytes found after the end of the response when it ended (RFC 9112 6.3: a message ends where
    its framing says; what follows answers no request), but for one blank line (CR LF or LF), which
    old servers write after a body and which a client may discard (RFC 9112 6.3, robustness as in
    2.2). Best effort: only what had arrived by then is seen, so bytes the server sends a moment
    later are not counted (they are still never read as an answer: the connection is closed)."""

    def __init__(self, sock: socket.socket, *args: Any, **kwargs: Any) -> None:
        super().__init__(sock, *args, **kwargs)
        self._socket = sock

    def _close_conn(self) -> None:
        fp = self.fp
        if fp is not None:
            self.trailing = _arrived(self._socket, fp)
        super()._close_conn()  # type: ignore[misc]

    def _read_status(self) -> tuple[str, int, str]:
        while True:
            version, status, reason = super()._read_status()  # type: ignore[misc]
            if not 100 <= status < 200 or status == 101:
                return version, status, reason
            self.interim += 1
            if self.interim > MAX_INTERIM:
                raise TooManyInterim(f"more than {MAX_INTERIM} interim (1xx) responses before a final one")
            http.client._read_headers(self.fp)  # type: ignore[attr-defined]  # the interim response's fields

    def begin(self) -> None:
        watched = self.fp = _HeadWatch(self.fp)  # type: ignore[assignment]  # a file as far as begin() reads
        try:
            super().begin()
        finally:
            self.fp = watched.raw if self.fp is watched else self.fp  # type: ignore[comparison-overlap]
        if watched.last == b"":
            raise HeadCutShort("the target closed the connection in the middle of the response's headers")


def _arrived(sock: socket.socket, fp: Any) -> int:
    """How many bytes the response's file holds or its socket has received and not yet read,
    without waiting for more (0 for a lone blank line)."""
    timeout = sock.gettimeout()
    try:
        sock.settimeout(0)
        found = fp.peek(1)
        return 0 if found in BLANK_LINES else len(found)
    except (OSError, ValueError):
        return 0  # closed, or TLS wanting more: nothing has arrived that could be read
    finally:
        try:
            sock.settimeout(timeout)
        except OSError:
            pass  # closed meanwhile


class _Watched:
    """A urllib3 connection that hands its socket to the current Deadline before it waits, and
    reads the response head strictly."""

    response_class: type[http.client.HTTPResponse] = StrictResponse

    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        Deadline.watch(getattr(self, "sock", None))
        return super().getresponse(*args, **kwargs)  # type: ignore[misc]  # a mixin: urllib3's connection


class _WatchedHTTPConnection(_Watched, urllib3.connection.HTTPConnection):
    pass


class _WatchedHTTPSConnection(_Watched, urllib3.connection.HTTPSConnection):
    pass


class _OneExchange:
    """A pool whose connections serve one exchange each: a connection given back is closed, so
    whatever the server sends on it afterwards is never read as the answer to another request.
    (Keeping connections alive saves a handshake per request; reading another request's bytes as
    an answer would be a wrong verdict. The rate limit, not the handshake, paces a run.)"""

    def _put_conn(self, conn: Any) -> None:
        if conn is not None:
            conn.close()
        super()._put_conn(None)  # type: ignore[misc]  # the pool's slot, free for a new connection


class WatchedHTTPPool(_OneExchange, urllib3.HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class WatchedHTTPSPool(_OneExchange, urllib3.HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection
