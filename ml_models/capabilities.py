"""What a capability implements to be trained, evaluated, promoted and served by the platform.

A capability (or a component of one, named `<capability>.<component>`, such as a recommender's
nearest-neighbour index) is a class listed in `settings.ML_CAPABILITIES`. The platform owns the
lifecycle: it builds the dataset, calls `train`, writes what `save` produces into an immutable
artifact, loads it back with `load`, scores it with `evaluate` against `baseline`, and serves the
loaded predictor. The numerical code the methods call lives in `<app>/ml/` and imports no Django.
"""

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from storefront.errors import InvalidInput

# (fraction done in [0, 1], a line for the run's log)
ProgressReport = Callable[[float, str], None]

LIVE = "live"  # the configured database: what production training uses
DEMO = "demo"  # the demo store, built in a throwaway database (see the `evaluate` command)


class Predictor(Protocol):
    """Whatever a capability serves: its own methods (predict, recommend, score...) are called
    by its services. Loaded once per process and shared by threads, so it must be read-only."""


@dataclass(frozen=True)
class Learned:
    """What the active version of a capability learned, as it recorded it: its stored metrics,
    which carry whatever the capability's `evaluate` reports about its training (the
    recommender's tuned parameters, trials and when it tuned). `train` may reuse it to skip work
    that need not be redone every night; a capability that does not care ignores it."""

    version: int
    record: dict


@dataclass(frozen=True)
class Dataset:
    """A training set and the held-out set every system is scored on."""

    train: Any
    holdout: Any
    protocol: str
    window: dict = field(default_factory=dict)  # what it covers: {start, end, rows, ...}
    context: dict = field(default_factory=dict)  # side data some baselines need
    # Set by the platform on a registry retrain (never by `evaluate`, nor by `retrain --tune`).
    learned: Learned | None = None


class Capability(ABC):
    name: ClassVar[str]
    primary_metric: ClassVar[str]
    higher_is_better: ClassVar[bool] = True
    baseline_name: ClassVar[str]
    # Components this one is built from: their active versions are recorded with each version.
    inputs: ClassVar[tuple[str, ...]] = ()
    # Datasets besides `live` and `demo` that `evaluate --dataset` accepts (public benchmarks).
    external_datasets: ClassVar[tuple[str, ...]] = ()
    # The demo store `evaluate --dataset demo` builds (the capability's issue may ask for more).
    demo_size: ClassVar[str] = "small"
    uses_tensorflow: ClassVar[bool] = True
    # The quality gate's tolerance for this capability; None: settings.ML_GATE_TOLERANCE.
    gate_tolerance: ClassVar[float | None] = None
    # Options of `evaluate` that `dataset_build` takes as keywords (forecasting's `freq` and
    # `horizon` for a CSV file); an option given to another capability is refused.
    dataset_options: ClassVar[tuple[str, ...]] = ()

    @abstractmethod
    def dataset_build(self, name: str = LIVE) -> Dataset:
        """`live` reads the database; the names in `external_datasets` load a benchmark."""

    @abstractmethod
    def train(self, dataset: Dataset, *, workdir: Path, report: ProgressReport) -> Any:
        """Fits a model on `dataset.train`; `workdir` is scratch space inside the staging area.
        On a registry retrain, `dataset.learned` holds what the active version learned."""

    @abstractmethod
    def save(self, model: Any, directory: Path) -> None:
        """Writes everything `load` needs: exported weights, not a Keras model to predict with."""

    @abstractmethod
    def load(self, directory: Path) -> Predictor:
        """A predictor from a verified artifact directory: cheap calls, no Keras predict()."""

    @abstractmethod
    def evaluate(self, predictor: Predictor, dataset: Dataset) -> dict[str, float]:
        """Metrics of any predictor (model, baseline or peer) on `dataset.holdout`."""

    @abstractmethod
    def baseline(self, dataset: Dataset) -> Predictor:
        """The baseline fitted on `dataset.train`: the bar a model must clear."""

    @abstractmethod
    def fallback(self) -> Predictor:
        """What serves while no model is active (the baseline, built from live data)."""

    def peers(self, dataset: Dataset) -> dict[str, Predictor]:
        """Baselines and peer systems that `evaluate` reports beside the model."""
        return {self.baseline_name: self.baseline(dataset)}

    def datasets(self) -> tuple[str, ...]:
        return (DEMO, LIVE, *self.external_datasets)

    def dataset_accepts(self, name: str) -> bool:
        """Whether `evaluate --dataset name` can run; a capability that reads files named on
        the command line (`csv:PATH`) widens this."""
        return name in self.datasets()


# The datasets built within one `datasets_shared()` block, by (capability, dataset name).
_datasets_built: ContextVar[dict[tuple[str, str], Dataset] | None] = ContextVar(
    "datasets_built", default=None
)


@contextmanager
def datasets_shared() -> Iterator[None]:
    """Within the block, `dataset_get` builds each capability's dataset once: the runs of one
    retrain (a model, then the index built from it) read and split the data once. The memo
    lives exactly as long as the block, one retrain, because the data moves on between retrains:
    kept longer, it could serve a later run yesterday's data, and would hold a large dataset in a
    worker's memory between runs for nothing."""
    token = _datasets_built.set({})
    try:
        yield
    finally:
        _datasets_built.reset(token)


def dataset_get(capability: Capability, name: str = LIVE) -> Dataset:
    """`capability.dataset_build(name)`, built once per `datasets_shared()` block."""
    built = _datasets_built.get()
    if built is None:
        return capability.dataset_build(name)
    key = (capability.name, name)
    if key not in built:
        built[key] = capability.dataset_build(name)
    return built[key]


def provenance(*, source: str, model_version: int | None) -> dict:
    """The one provenance field of every prediction that is returned or stored."""
    return {"source": source, "model_version": model_version}


@lru_cache(maxsize=8)
def _capabilities_load(paths: tuple[str, ...]) -> dict[str, Capability]:
    loaded: dict[str, Capability] = {}
    for path in paths:
        capability = import_string(path)()
        if capability.name in loaded:
            raise ValueError(f"Two classes in ML_CAPABILITIES are named {capability.name!r}.")
        loaded[capability.name] = capability
    return _dependency_ordered(loaded)


def _dependency_ordered(capabilities: dict[str, Capability]) -> dict[str, Capability]:
    ordered: dict[str, Capability] = {}

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in ordered:
            return
        if name in path:
            raise ValueError(f"Capabilities depend on each other in a cycle: {' -> '.join(path)}")
        for dependency in capabilities[name].inputs:
            if dependency in capabilities:
                visit(dependency, (*path, name))
        ordered[name] = capabilities[name]

    for name in capabilities:
        visit(name, ())
    return ordered


def capabilities_all() -> dict[str, Capability]:
    """Every registered capability, each after the components it is built from."""
    return _capabilities_load(tuple(settings.ML_CAPABILITIES))


def capability_get(name: str) -> Capability:
    capabilities = capabilities_all()
    if name not in capabilities:
        known = ", ".join(capabilities) or "none are registered"
        raise InvalidInput(
            f"Unknown capability {name!r} (known: {known}).",
            code="unknown_capability",
            details={"capability": [f"Choose one of: {known}."]},
        )
    return capabilities[name]


def capability_names_expand(name: str) -> list[str]:
    """`all`, a capability with its components (`recommendations` -> the model, then its index),
    or one component: the names to train, in dependency order."""
    capabilities = capabilities_all()
    if name == "all":
        return list(capabilities)
    capability_get(name)
    return [known for known in capabilities if known == name or known.startswith(f"{name}.")]
