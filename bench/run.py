"""`make bench`: the API under load, on PostgreSQL and Redis, served by gunicorn.

Prepares the benchmark database (the demo store seeded the first time, its models trained the
first time, recommendations brought up to date and for-you lists precomputed into the benchmark
Redis), picks the customers and products the recommendation endpoints rotate over
(`bench/shoppers.py`), starts gunicorn (2 workers) on a loopback port, then for each endpoint in
`bench/endpoints.py` runs locust headless in a separate process: a warm-up, then BENCH_SECONDS
of 8 concurrent users. Writes `bench/results/latest.json` and the table in
`docs/performance.md`, both saying which store size was measured.

Environment: BENCH_DATABASE_URL (default: the local PostgreSQL, database storefront_bench),
BENCH_REDIS_URL (default: the local Redis, db 2), BENCH_SECONDS (30), BENCH_WARMUP_SECONDS (5),
BENCH_STORE_SIZE (small: the demo store seeded into the benchmark database the first time),
BENCH_USERS (8), BENCH_PORT (8765), BENCH_CUSTOMERS (500) and BENCH_PRODUCTS (200): how many
customers and products the recommendation endpoints rotate over. BENCH_ONLY (comma-separated
words) measures only the endpoints whose name contains one of them, besides ping, and prints the
results without writing them.
"""

import csv
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.endpoints import ENDPOINTS, REFERENCE  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "latest.json"
REPORT = ROOT / "docs" / "performance.md"
REPORT_MARKER = "<!-- bench:results -->"

DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/storefront_bench"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/2")
SECONDS = int(os.environ.get("BENCH_SECONDS", "30"))
WARMUP_SECONDS = int(os.environ.get("BENCH_WARMUP_SECONDS", "5"))
USERS = int(os.environ.get("BENCH_USERS", "8"))
PORT = int(os.environ.get("BENCH_PORT", "8765"))
GUNICORN_WORKERS = 2
BENCH_STORE_SIZE = os.environ.get("BENCH_STORE_SIZE", "small")
ONLY = [word.strip() for word in os.environ.get("BENCH_ONLY", "").split(",") if word.strip()]
HOST = f"http://127.0.0.1:{PORT}"


def _server_environment() -> dict[str, str]:
    return os.environ | {
        "DJANGO_SETTINGS_MODULE": "storefront.settings.base",
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        # The load generator is one client: rate limits would measure themselves.
        "THROTTLE_ANON_RATE": "100000000/min",
        "THROTTLE_USER_RATE": "100000000/min",
        "HF_HUB_OFFLINE": "1",
    }


def _database_create_if_missing() -> None:
    import psycopg2
    from psycopg2 import sql

    name = DATABASE_URL.rsplit("/", 1)[1]
    connection = psycopg2.connect(DATABASE_URL.rsplit("/", 1)[0] + "/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    connection.close()


def _database_analyze() -> None:
    """Fresh planner statistics: a store just bulk-loaded has none yet, and its plans would
    measure that (a live database has autovacuum's)."""
    import psycopg2

    connection = psycopg2.connect(DATABASE_URL)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connection.close()


def _manage(*arguments: str) -> None:
    _server_python("manage.py", *arguments)


def _server_python(*arguments: str) -> None:
    """Runs a script with the server's environment: the benchmark database and Redis."""
    subprocess.run([sys.executable, *arguments], cwd=ROOT, env=_server_environment(), check=True)


def _database_prepare() -> None:
    """Migrated, with the demo store seeded and its models trained the first time (later runs
    reuse them), and recommendations brought up to date: neighbours, the index, and the for-you
    lists precomputed into the benchmark Redis (the server's REDIS_URL), as beat keeps them."""
    _manage("migrate", "--noinput", "-v0")
    _manage("seed_demo", "--size", BENCH_STORE_SIZE, "--seed", "0", "--if-empty")
    _manage("load_exchange_rates", "storefront/fixtures/exchange_rates.csv", "--stamp-now")
    _database_analyze()
    _manage("retrain", "all", "--sync", "--if-missing")
    _manage("recommendations_refresh")


def _rotation_prepare(workdir: Path) -> dict:
    """The customers (with tokens) and products the rotating endpoints go round."""
    output = workdir / "rotation.json"
    _server_python(str(ROOT / "bench" / "shoppers.py"), str(output))
    rotation = json.loads(output.read_text())
    for kind, rows in rotation.items():
        if not rows:
            raise SystemExit(f"no {kind} to rotate over: did recommendations_refresh run?")
    return rotation


def _path_resolve(path: str) -> str:
    if "{product}" not in path:
        return path
    url = f"{HOST}/api/v1/catalog/products/?page_size=1&market=jp"
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our loopback URL
        product = json.load(response)["results"][0]["id"]
    return path.replace("{product}", str(product))


def _gunicorn_start() -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "storefront.wsgi",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            str(GUNICORN_WORKERS),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=_server_environment(),
    )


def _wait_until_healthy(timeout_seconds: float = 60) -> None:
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{HOST}/api/v1/health/", timeout=2) as response:  # noqa: S310 - our loopback http URL
                if response.status == 200:
                    return
        except OSError:  # refused, reset or timed out while the workers start
            pass
        time.sleep(0.5)
    raise SystemExit(f"the server at {HOST} did not become healthy in {timeout_seconds} s")


def _guest_address(number: int) -> str:
    """A client address of its own for each rotated guest, as product pages are requested from
    many browsers (an anonymous rate limit counts per address)."""
    return f"10.0.{number // 250}.{number % 250 + 1}"


def _requests(endpoint: dict, rotation: dict) -> list[dict]:
    """What locust goes round for `endpoint`: its one path, or one request per rotated customer
    (signed in with their token, in their market) or product (from a guest of its own)."""
    path = endpoint["path"]
    if endpoint.get("rotate") == "customers":
        return [
            {
                "path": path.replace("{market}", customer["market"]),
                "headers": {"Authorization": f"Token {customer['token']}"},
            }
            for customer in rotation["customers"]
        ]
    if endpoint.get("rotate") == "products":
        return [
            {
                "path": path.replace("{product}", str(product)),
                "headers": {"X-Forwarded-For": _guest_address(number)},
            }
            for number, product in enumerate(rotation["products"])
        ]
    return [{"path": _path_resolve(path)}]


def _locust(name: str, requests_file: Path, seconds: int, csv_prefix: Path) -> dict:
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            "--host",
            HOST,
            "-u",
            str(USERS),
            "-r",
            str(USERS),
            "-t",
            f"{seconds}s",
            "--csv",
            str(csv_prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
            "--exit-code-on-error",
            "0",
        ],
        cwd=ROOT,
        env=os.environ | {"BENCH_NAME": name, "BENCH_REQUESTS": str(requests_file)},
        capture_output=True,
        text=True,
    )
    if run.returncode != 0:
        raise SystemExit(f"locust failed on {name}:\n{run.stderr}")
    with open(f"{csv_prefix}_stats.csv", newline="") as stats_file:
        (row,) = [r for r in csv.DictReader(stats_file) if r["Name"] == "Aggregated"]
    requests = int(row["Request Count"])
    return {
        "requests": requests,
        "rps": round(float(row["Requests/s"]), 1),
        "p50_ms": float(row["50%"]),
        "p95_ms": float(row["95%"]),
        "p99_ms": float(row["99%"]),
        "error_rate": round(int(row["Failure Count"]) / requests, 4) if requests else 1.0,
    }


def _endpoints_selected() -> list[dict]:
    """Every endpoint, or with BENCH_ONLY the reference and those named."""
    if not ONLY:
        return ENDPOINTS
    return [
        endpoint
        for endpoint in ENDPOINTS
        if endpoint["path"] == REFERENCE or any(word in endpoint["name"] for word in ONLY)
    ]


def _measure_all(workdir: Path, rotation: dict) -> list[dict]:
    rows = []
    for number, endpoint in enumerate(_endpoints_selected()):
        requests = _requests(endpoint, rotation)
        requests_file = workdir / f"requests{number}.json"
        requests_file.write_text(json.dumps(requests))
        path = endpoint["path"] if endpoint.get("rotate") else requests[0]["path"]
        print(f"{path}: {WARMUP_SECONDS}s warm-up, {SECONDS}s measured", flush=True)
        _locust(path, requests_file, WARMUP_SECONDS, workdir / "warmup")
        measured = _locust(path, requests_file, SECONDS, workdir / f"e{number}")
        row = endpoint | {"path": path} | measured
        if endpoint.get("rotate"):
            row["rotation"] = f"{len(requests)} {endpoint['rotate']}"
        rows.append(row)
    reference_rps = next(row["rps"] for row in rows if row["path"] == REFERENCE)
    for row in rows:
        row["rps_ratio_to_ping"] = round(row["rps"] / reference_rps, 3) if reference_rps else None
    return rows


def _markdown_table(report: dict) -> str:
    lines = [
        f"Measured {report['measured_at']} on {report['machine']['cpus']} CPUs, "
        f"the {report['config']['store']} demo store, "
        f"{report['config']['server']}, {report['config']['users']} users, "
        f"{report['config']['seconds']} s per endpoint after {report['config']['warmup_seconds']}"
        " s of warm-up.",
        "",
        "| endpoint | path | req/s | ratio to ping | p50 ms | p95 ms | p99 ms | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {_row_name(row)} | `{row['path']}` | {row['rps']:.0f} | {row['rps_ratio_to_ping']:.2f} "
        f"| {row['p50_ms']:.0f} | {row['p95_ms']:.0f} | {row['p99_ms']:.0f} "
        f"| {row['error_rate']:.2%} |"
        for row in report["endpoints"]
    ]
    return "\n".join(lines)


def _row_name(row: dict) -> str:
    return f"{row['name']}, {row['rotation']}" if "rotation" in row else row["name"]


def _report_write(report: dict) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    text = REPORT.read_text()
    head, _, _ = text.partition(REPORT_MARKER)
    REPORT.write_text(f"{head}{REPORT_MARKER}\n{_markdown_table(report)}\n")


def main() -> None:
    _database_create_if_missing()
    _database_prepare()
    with tempfile.TemporaryDirectory() as workdir:
        rotation = _rotation_prepare(Path(workdir))
        server = _gunicorn_start()
        try:
            _wait_until_healthy()
            endpoints = _measure_all(Path(workdir), rotation)
        finally:
            server.terminate()
            server.wait(timeout=30)
    report = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "config": {
            "store": BENCH_STORE_SIZE,
            "server": f"gunicorn, {GUNICORN_WORKERS} sync workers, PostgreSQL + Redis",
            "load_generator": "locust (FastHttpUser), separate process, loopback",
            "users": USERS,
            "seconds": SECONDS,
            "warmup_seconds": WARMUP_SECONDS,
        },
        "endpoints": endpoints,
    }
    if ONLY:
        print(_markdown_table(report))
    else:
        _report_write(report)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
