"""How a request is sent, capped and recorded: target files, exchanges, the transport."""
