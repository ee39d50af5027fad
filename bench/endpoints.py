"""The endpoints `make bench` loads, in order. Later issues append theirs.

`/api/v1/ping/` does no I/O: every other row is also reported as a ratio to it. A `{product}`
in a path is replaced by the id of a product the catalog list returns.
"""

REFERENCE = "/api/v1/ping/"

ENDPOINTS: list[dict] = [
    {"name": "ping", "path": REFERENCE},
    {"name": "health", "path": "/api/v1/health/"},
    {
        "name": "catalog list (de market, German)",
        "path": "/api/v1/catalog/products/?market=de&lang=de",
    },
    {"name": "catalog detail (jp market)", "path": "/api/v1/catalog/products/{product}/?market=jp"},
    {"name": "categories (French)", "path": "/api/v1/catalog/categories/?lang=fr"},
]
