"""One run against one target, without pytest: preflight, discovery of the server's choices, sending and relating, the routing of exchanges to requirements, the covering rows."""
