"""HTTP to the target, one job a module: `errors` (what stops an exchange), `guard` (budget, rate
limit, streaks of failures and throttling, Retry-After), `deadline` (the watchdog that bounds a
whole exchange), `reading` (the body read up to BODY_CAP), `failures` (a transport failure's reason
in words), `auth` (the Authorization schemes), `adapter` (the requests adapter that applies all of
it to every request, schemathesis's included), `client` (sessions per scheme and the exchange
recorded). The transport records; it never judges, and it is told (Client.generating) whether a
request belongs to a generated example rather than asking Hypothesis.
"""
