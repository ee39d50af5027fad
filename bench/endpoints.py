"""The endpoints `make bench` loads, in order. Later issues append theirs.

`/api/v1/ping/` does no I/O: every other row is also reported as a ratio to it. A `{product}`
in a path is replaced by the id of a product the catalog list returns.

An endpoint with `rotate` is requested for many shoppers or products in turn (see
`bench/shoppers.py`), so no single cached answer is measured:

- `customers`: each request signs in as one of the most active customers whose for-you list the
  batch job precomputed (`Authorization: Token ...`); `{market}` is that customer's market.
- `products`: `{product}` is one of the products sold in the market, most viewed first; each
  request comes from one of as many guests (its own client address), as product pages do.
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
    {
        "name": "for-you (customers' precomputed lists)",
        "path": "/api/v1/recommendations/for-you/?market={market}",
        "rotate": "customers",
    },
    {
        "name": "similar (de market)",
        "path": "/api/v1/recommendations/similar/{product}/?market=de",
        "rotate": "products",
    },
]
