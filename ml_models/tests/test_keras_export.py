import numpy as np
import pytest

from ml_models.ml.keras_export import DenseStack, dense_stack_export


def test_a_dense_network_exported_to_numpy_computes_what_keras_computes(tmp_path):
    import keras

    keras.utils.set_random_seed(3)
    model = keras.Sequential(
        [
            keras.Input((6,)),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dropout(0.5),
            keras.layers.Dense(8, activation="tanh", use_bias=False),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    features = np.random.default_rng(0).normal(size=(32, 6)).astype(np.float32)

    exported = dense_stack_export(model)
    exported.save(tmp_path / "mlp.npz")
    served = DenseStack.load(tmp_path / "mlp.npz")

    expected = np.asarray(model(features, training=False))
    np.testing.assert_allclose(exported(features), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(served(features), expected, rtol=1e-5, atol=1e-6)
    assert served.activations == ("relu", "tanh", "softmax")


def test_layers_numpy_cannot_reproduce_are_refused():
    import keras

    model = keras.Sequential(
        [keras.Input((4,)), keras.layers.BatchNormalization(), keras.layers.Dense(1)]
    )

    with pytest.raises(ValueError, match="cannot export a BatchNormalization layer"):
        dense_stack_export(model)
