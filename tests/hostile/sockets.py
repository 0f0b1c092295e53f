"""Raw TCP servers: each accepted connection is handed to a behaviour, in a thread of its own.

A behaviour is `behaviour(connection, stopping)`: it reads the request itself (read_head) and
does what it likes with the socket; `stopping` is set when the server stops, and every open
connection is shut down then, so a behaviour blocked in recv() or paced by `stopping.wait()`
returns at once.
"""

from __future__ import annotations

import socket
import struct
import threading
from typing import Callable

Behaviour = Callable[[socket.socket, threading.Event], None]

JSON_HEAD = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
    b"Content-Length: %d\r\nConnection: close\r\n\r\n"
)
BODY = (
    b'{"IsRunning": true, "StatusMessage": "running", "Interval": "00:15:00", '
    b'"TableRight": {"Mask": "Read", "Reason": ""}, "FieldProperties": {}}'
)


class SocketServer:
    """`with SocketServer(behaviour) as server:` listens until the block ends; `server.accepted`
    counts the connections it took (the suite's reachability check opens one too)."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.stopping = threading.Event()
        self.accepted = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._connections: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v1"

    def __enter__(self) -> "SocketServer":
        acceptor = threading.Thread(target=self._accept, name="hostile-acceptor", daemon=True)
        acceptor.start()
        self._threads.append(acceptor)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        # accept() does not return when its socket is closed from another thread: a connection does.
        socket.create_connection(("127.0.0.1", self.port), timeout=5).close()
        self._threads[0].join(timeout=5)  # the acceptor: no connection is added after this
        for connection in self._connections:
            _shut(connection)
        for thread in self._threads[1:]:
            thread.join(timeout=5)
        self._listener.close()

    def _accept(self) -> None:
        while True:
            connection, _ = self._listener.accept()
            if self.stopping.is_set():
                connection.close()
                return
            with self._lock:
                self.accepted += 1
                self._connections.append(connection)
            thread = threading.Thread(target=self._serve, args=(connection,), name="hostile-connection", daemon=True)
            thread.start()
            self._threads.append(thread)

    def _serve(self, connection: socket.socket) -> None:
        try:
            self.behaviour(connection, self.stopping)
        except OSError:
            pass  # the client gave up on the connection, or the server is stopping: both end it
        finally:
            connection.close()


def _shut(connection: socket.socket) -> None:
    try:
        connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed by its behaviour


def read_head(connection: socket.socket) -> bytes:
    """The request line and headers; b"" when the client closed without sending a request (as
    the suite's reachability check does). A body the request may carry is left unread."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            return b""
        data += chunk
    return data


# --- behaviours ---------------------------------------------------------------------------------


def never_answers(connection: socket.socket, stopping: threading.Event) -> None:
    """Reads the request and holds the connection open, silent, until the client gives up."""
    if read_head(connection):
        while connection.recv(65536):
            pass


def one_byte_a_second(connection: socket.socket, stopping: threading.Event) -> None:
    """A well-formed answer, one byte a second: each read the client waits for gets a byte in time."""
    if not read_head(connection):
        return
    for byte in JSON_HEAD % len(BODY) + BODY:
        connection.sendall(bytes([byte]))
        if stopping.wait(1.0):
            return


def closes_mid_body(connection: socket.socket, stopping: threading.Event) -> None:
    """Announces 1000 bytes of body, sends a part of the JSON, and closes."""
    if read_head(connection):
        connection.sendall(JSON_HEAD % 1000 + BODY[:60])


def closes_mid_header(connection: socket.socket, stopping: threading.Event) -> None:
    """Sends a status line and some headers of a 200, then closes before the blank line that ends
    them (http.client would read it as a whole response with no body)."""
    if read_head(connection):
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n")


def resets(connection: socket.socket, stopping: threading.Event) -> None:
    """Reads the request and closes with SO_LINGER 0, which sends a TCP RST instead of a FIN."""
    if read_head(connection):
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        connection.close()


def endless_interim(connection: socket.socket, stopping: threading.Event) -> None:
    """Answers every request with 103 Early Hints, again and again, and never a final response."""
    if read_head(connection):
        try:
            while not stopping.is_set():
                connection.sendall(b"HTTP/1.1 103 Early Hints\r\nLink: </hint.css>; rel=preload\r\n\r\n")
        except OSError:
            pass  # the client gave up on it


KEPT_ALIVE_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: %d\r\n\r\n"
UNSOLICITED = (
    b"HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: 2\r\n\r\n{}"
)
"""A response no request asked for: on a connection kept alive, a client that reads it next takes
it for the answer to its next request."""


def answers_then_more(connection: socket.socket, stopping: threading.Event) -> None:
    """Each answer on a kept-alive connection followed at once, in the same write, by UNSOLICITED."""
    while read_head(connection):
        connection.sendall(KEPT_ALIVE_HEAD % len(BODY) + BODY + UNSOLICITED)


def answers_then_blank_line(connection: socket.socket, stopping: threading.Event) -> None:
    """Each answer followed by CR LF, as old servers write after a body: no fault (RFC 9112 6.3
    lets a client discard it)."""
    while read_head(connection):
        connection.sendall(KEPT_ALIVE_HEAD % len(BODY) + BODY + b"\r\n")


def stale_answer_first(connection: socket.socket, stopping: threading.Event) -> None:
    """A desynchronised connection: the first request gets its answer; every later request on the
    same connection gets UNSOLICITED first (left over, as it were, from the one before), then its own."""
    first = True
    while read_head(connection):
        connection.sendall((b"" if first else UNSOLICITED) + KEPT_ALIVE_HEAD % len(BODY) + BODY)
        first = False


HOSTILE_TYPE = b"application/json\x1b]0:pwned\x07\x0b\x0c\x7f"
"""A Content-Type whose parameter carries terminal escapes and characters no TOML comment may hold."""


def hostile_media_type(connection: socket.socket, stopping: threading.Event) -> None:
    """Every request answered 200 with the sample body, labelled HOSTILE_TYPE."""
    if read_head(connection):
        connection.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: " + HOSTILE_TYPE + b"\r\nContent-Length: %d\r\n"
            b"Connection: close\r\n\r\n" % len(BODY) + BODY
        )
