import pytest

from ml_models.loader import loaders_reset

TOY = "ml_models.tests.toy.ToyCapability"
INVERTED_TOY = "ml_models.tests.toy.InvertedToyCapability"


@pytest.fixture(autouse=True)
def ml_platform(settings):
    """The toy capability registered, loaders that look for a new version on every call, and
    predictors of earlier tests forgotten."""
    settings.ML_CAPABILITIES = [TOY]
    settings.ML_LOADER_POLL_SECONDS = 0
    settings.ML_GATE_TOLERANCE = 0.0
    loaders_reset()
    yield
    loaders_reset()
