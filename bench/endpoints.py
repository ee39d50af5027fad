"""The endpoints `make bench` loads, in order. Later issues append theirs.

`/api/v1/ping/` does no I/O: every other row is also reported as a ratio to it.
"""

REFERENCE = "/api/v1/ping/"

ENDPOINTS: list[dict] = [
    {"name": "ping", "path": REFERENCE},
    {"name": "health", "path": "/api/v1/health/"},
]
