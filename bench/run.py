"""`make bench`: the API under load, on PostgreSQL and Redis, served by gunicorn.

Starts gunicorn (2 workers) on a loopback port, then for each endpoint in `bench/endpoints.py`
runs locust headless in a separate process: a warm-up, then BENCH_SECONDS of 8 concurrent users.
Writes `bench/results/latest.json` and the table in `docs/performance.md`.

Environment: BENCH_DATABASE_URL (default: the local PostgreSQL, database storefront_bench),
BENCH_REDIS_URL (default: the local Redis, db 2), BENCH_SECONDS (30), BENCH_WARMUP_SECONDS (5),
BENCH_STORE_SIZE (small: the demo store seeded into the benchmark database the first time),
BENCH_USERS (8), BENCH_PORT (8765).
"""

import csv
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import urllib.error
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


def _manage(*arguments: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *arguments], cwd=ROOT, env=_server_environment(), check=True
    )


def _database_prepare() -> None:
    """Migrated, with the demo store seeded the first time (later runs reuse it)."""
    _manage("migrate", "--noinput", "-v0")
    _manage("seed_demo", "--size", BENCH_STORE_SIZE, "--seed", "0", "--if-empty")
    _manage("load_exchange_rates", "storefront/fixtures/exchange_rates.csv", "--stamp-now")


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
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.5)
    raise SystemExit(f"the server at {HOST} did not become healthy in {timeout_seconds} s")


def _locust(path: str, seconds: int, csv_prefix: Path) -> dict:
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
        env=os.environ | {"BENCH_PATH": path},
        capture_output=True,
        text=True,
    )
    if run.returncode != 0:
        raise SystemExit(f"locust failed on {path}:\n{run.stderr}")
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


def _measure_all(workdir: Path) -> list[dict]:
    rows = []
    for number, endpoint in enumerate(ENDPOINTS):
        path = _path_resolve(endpoint["path"])
        print(f"{path}: {WARMUP_SECONDS}s warm-up, {SECONDS}s measured", flush=True)
        _locust(path, WARMUP_SECONDS, workdir / "warmup")
        rows.append(endpoint | {"path": path} | _locust(path, SECONDS, workdir / f"e{number}"))
    reference_rps = next(row["rps"] for row in rows if row["path"] == REFERENCE)
    for row in rows:
        row["rps_ratio_to_ping"] = round(row["rps"] / reference_rps, 3) if reference_rps else None
    return rows


def _markdown_table(report: dict) -> str:
    lines = [
        f"Measured {report['measured_at']} on {report['machine']['cpus']} CPUs, "
        f"{report['config']['server']}, {report['config']['users']} users, "
        f"{report['config']['seconds']} s per endpoint after {report['config']['warmup_seconds']}"
        " s of warm-up.",
        "",
        "| endpoint | path | req/s | ratio to ping | p50 ms | p95 ms | p99 ms | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {row['name']} | `{row['path']}` | {row['rps']:.0f} | {row['rps_ratio_to_ping']:.2f} "
        f"| {row['p50_ms']:.0f} | {row['p95_ms']:.0f} | {row['p99_ms']:.0f} "
        f"| {row['error_rate']:.2%} |"
        for row in report["endpoints"]
    ]
    return "\n".join(lines)


def _report_write(report: dict) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    text = REPORT.read_text()
    head, _, _ = text.partition(REPORT_MARKER)
    REPORT.write_text(f"{head}{REPORT_MARKER}\n{_markdown_table(report)}\n")


def main() -> None:
    _database_create_if_missing()
    _database_prepare()
    server = _gunicorn_start()
    try:
        _wait_until_healthy()
        with tempfile.TemporaryDirectory() as workdir:
            endpoints = _measure_all(Path(workdir))
    finally:
        server.terminate()
        server.wait(timeout=30)
    report = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "config": {
            "server": f"gunicorn, {GUNICORN_WORKERS} sync workers, PostgreSQL + Redis",
            "load_generator": "locust (FastHttpUser), separate process, loopback",
            "users": USERS,
            "seconds": SECONDS,
            "warmup_seconds": WARMUP_SECONDS,
        },
        "endpoints": endpoints,
    }
    _report_write(report)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
