"""Misbehaving servers for the hostile-server catalogue (tests/test_hostile_servers.py).

Each listens on 127.0.0.1, port 0, serves from threads, and is a context manager that stops it
and every connection it holds. What each module holds:

sockets   raw TCP, for what no HTTP library would do: never answer, trickle, cut off, reset
altered   the reference app with one thing altered: bodies, labels, statuses, redirects, sizes
recorder  a server that only records what reaches it (fetched entities, followed redirects)
tls       a self-signed certificate from the openssl command line, and a TLS context serving it
targets   a target file pointing the suite at any of them, its secrets in environment variables
"""
