"""`manage.py` in a child process with its own database, cache and artifacts."""

import subprocess
import sys
from pathlib import Path

from ml_models.evaluation import throwaway_environment
from ml_models.tests.conftest import TOY

ROOT = Path(__file__).resolve().parents[2]


def isolated_environment(scratch: Path, **extra: str) -> dict[str, str]:
    return throwaway_environment(scratch, capabilities=[TOY]) | extra


def manage(*arguments: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
