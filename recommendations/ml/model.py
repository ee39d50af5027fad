"""The recommender: what a shopper will want next, from what they did, most recent first.

A user is their history and their market, not an id: a bag of the items they interacted with, each
weighted by the event (a purchase counts more than a view) and by recency (`decay` per step back in
time), normalized. One hidden layer maps the history, plus a learned vector of the shopper's market,
to a `dim`-vector (the user tower); the output layer holds one vector and a bias per item (the item
tower); a softmax over all items scores them. The market vector is what lets the model learn what
sells where (a store's catalog differs per market, and so do tastes); data without markets
(MovieLens, a CSV export) has one market, and its vector is a plain bias.

It is trained the way it is used and evaluated: for each user, the history up to a cut point is
the input and the next interactions after it are the target (a multinomial likelihood, as in
Mult-VAE), at several cut points per user. So it learns what comes next, not what was, which is
why it beats matrix factorisation on a temporal split (docs/recommendations.md has the numbers).

Because a user is computed from items, guests and new shoppers are served from their session's
events with the same weights, with no retraining, and the item vectors feed the nearest-neighbour
index. Training is Keras; serving is numpy (`HistoryRecommender.scores`), a sparse product and a
dense one, no Keras on the request path.
"""

from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from recommendations.ml.interactions import Interactions


@dataclass(frozen=True)
class ModelConfig:
    dim: int = 256
    decay: float = 0.95  # weight of an interaction one step further back in the user's history
    epochs: int = 60
    dropout: float = 0.5  # of the history's items during training: robust to missing events
    l2: float = 1e-5
    learning_rate: float = 2e-3
    batch_size: int = 256
    # A store with many shoppers needs fewer passes over them: training stops after this many
    # batches whatever `epochs` says (MovieLens latest-small takes about 500 in 60 epochs). Chosen
    # on the medium demo store's validation split (decay 0.98): 1,000, 2,000 and 3,000 steps gave
    # recall@20 0.1310, 0.1332 and 0.1316; longer overfits, and costs time on a larger store.
    max_steps: int = 2_000
    cut_fractions: tuple[float, ...] = (0.5, 0.6, 0.7, 0.8, 0.9)
    horizon: float = 0.2  # the target: the next `horizon` share of the user's history
    seed: int = 0


@dataclass(frozen=True)
class HistoryRecommender:
    """The trained weights, served with numpy."""

    input_kernel: np.ndarray  # (n_items, dim)
    input_bias: np.ndarray  # (dim,)
    output_kernel: np.ndarray  # (dim, n_items)
    output_bias: np.ndarray  # (n_items,)
    market_kernel: np.ndarray  # (n_markets, dim): what the shopper's market adds to the user tower
    decay: float

    @property
    def n_items(self) -> int:
        return self.input_kernel.shape[0]

    def user_vectors(
        self, histories: sp.csr_matrix, markets: np.ndarray | None = None
    ) -> np.ndarray:
        """(n, dim) user-tower vectors of weighted, normalized history rows, each in its market
        (a market index per row; -1, or no markets at all, for a market the model never saw)."""
        hidden = histories @ self.input_kernel + self.input_bias + self.market_vectors(markets)
        return np.tanh(hidden).astype(np.float32)

    def market_vectors(self, markets: np.ndarray | None) -> np.ndarray:
        """The market term of each row; an unknown market gets the mean over markets."""
        average = self.market_kernel.mean(axis=0)
        if markets is None:
            return average
        markets = np.asarray(markets, np.int64)
        return np.where((markets >= 0)[:, None], self.market_kernel[markets], average)

    def scores(self, histories: sp.csr_matrix, markets: np.ndarray | None = None) -> np.ndarray:
        """(n, n_items) scores; a softmax of them is the probability of each item next."""
        return self.user_vectors(histories, markets) @ self.output_kernel + self.output_bias

    def item_vectors(self) -> np.ndarray:
        """(n_items, dim + 1): output vectors with the bias appended, so that a user vector with
        a 1 appended scores items by one inner product (what the nearest-neighbour index holds)."""
        return np.hstack([self.output_kernel.T, self.output_bias[:, None]]).astype(np.float32)

    def save(self, path: Path) -> None:
        np.savez(
            path,
            input_kernel=self.input_kernel,
            input_bias=self.input_bias,
            output_kernel=self.output_kernel,
            output_bias=self.output_bias,
            market_kernel=self.market_kernel,
            decay=np.float32(self.decay),
        )

    @classmethod
    def load(cls, path: Path) -> "HistoryRecommender":
        with np.load(path) as arrays:
            return cls(
                input_kernel=arrays["input_kernel"],
                input_bias=arrays["input_bias"],
                output_kernel=arrays["output_kernel"],
                output_bias=arrays["output_bias"],
                # versions trained before markets were an input: one market adding nothing
                market_kernel=arrays["market_kernel"]
                if "market_kernel" in arrays
                else np.zeros((1, arrays["input_bias"].shape[0]), np.float32),
                decay=float(arrays["decay"]),
            )


def user_sequences(interactions: Interactions) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per dense user index, (items, weights) in (time, item) order; empty for users without."""
    order = np.lexsort((interactions.items, interactions.times, interactions.users))
    users = interactions.users[order]
    items = interactions.items[order]
    weights = interactions.weights[order].astype(np.float32)
    bounds = np.searchsorted(users, np.arange(interactions.n_users + 1))
    return [
        (items[bounds[user] : bounds[user + 1]], weights[bounds[user] : bounds[user + 1]])
        for user in range(interactions.n_users)
    ]


def history_rows(
    sequences: list[tuple[np.ndarray, np.ndarray]], *, n_items: int, decay: float
) -> sp.csr_matrix:
    """One normalized history row per sequence: event weight x decay^(steps back), summed per
    item (an item seen twice counts twice), L2-normalized."""
    indptr, indices, values = [0], [], []
    for items, weights in sequences:
        recency = decay ** np.arange(len(items) - 1, -1, -1, dtype=np.float32)
        row = np.zeros(0, np.float32)
        if len(items):
            unique, inverse = np.unique(items, return_inverse=True)
            row = np.zeros(len(unique), np.float32)
            np.add.at(row, inverse, weights * recency)
            row /= max(float(np.linalg.norm(row)), 1e-12)
            indices.append(unique)
        values.append(row)
        indptr.append(indptr[-1] + len(row))
    return sp.csr_matrix(
        (
            np.concatenate(values) if values else np.zeros(0, np.float32),
            np.concatenate(indices) if indices else np.zeros(0, np.int64),
            indptr,
        ),
        shape=(len(sequences), n_items),
        dtype=np.float32,
    )


def training_pairs(
    sequences: list[tuple[np.ndarray, np.ndarray]], config: ModelConfig
) -> tuple[list[tuple[np.ndarray, np.ndarray]], list[tuple[np.ndarray, np.ndarray]], np.ndarray]:
    """(history before the cut, the interactions right after it) at each cut fraction, and the
    user (index into `sequences`) of each pair."""
    histories, futures, owners = [], [], []
    for user, (items, weights) in enumerate(sequences):
        n = len(items)
        if n < 2:
            continue
        span = max(1, int(np.ceil(config.horizon * n)))
        for cut in sorted({max(1, int(n * fraction)) for fraction in config.cut_fractions}):
            if cut >= n:
                continue
            histories.append((items[:cut], weights[:cut]))
            futures.append((items[cut : cut + span], weights[cut : cut + span]))
            owners.append(user)
    return histories, futures, np.asarray(owners, np.int64)


def target_rows(futures: list[tuple[np.ndarray, np.ndarray]], *, n_items: int) -> sp.csr_matrix:
    """The future as a distribution over items, weighted by event (sums to 1 per row)."""
    rows = history_rows(futures, n_items=n_items, decay=1.0)
    sums = np.asarray(rows.sum(axis=1)).ravel()
    return sp.diags(1.0 / np.maximum(sums, 1e-12)).dot(rows).tocsr().astype(np.float32)


def model_train(
    train: Interactions,
    config: ModelConfig,
    *,
    markets: np.ndarray | None = None,
    report: Callable[[float, str], None] = lambda fraction, message: None,
) -> HistoryRecommender:
    """Fits the model on `train` and exports its weights. `markets` holds each user's market
    index (0..n_markets - 1, by user index); without it every user shares one market."""
    import keras

    markets = np.zeros(train.n_users, np.int64) if markets is None else np.asarray(markets)
    sequences = user_sequences(train)
    histories, futures, owners = training_pairs(sequences, config)
    if not histories:
        raise ValueError("no user has two interactions: nothing to learn what comes next from")
    inputs = history_rows(histories, n_items=train.n_items, decay=config.decay)
    targets = target_rows(futures, n_items=train.n_items)

    keras.utils.set_random_seed(config.seed)
    n_markets = int(markets.max()) + 1
    network = _network_build(keras, n_items=train.n_items, n_markets=n_markets, config=config)
    batches = _dense_batches(
        inputs, markets[owners], targets, batch_size=config.batch_size, seed=config.seed
    )
    steps_per_epoch = int(np.ceil(inputs.shape[0] / config.batch_size))
    epochs = max(1, min(config.epochs, config.max_steps // steps_per_epoch))
    progress = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: report(
            (epoch + 1) / epochs, f"epoch {epoch + 1}/{epochs} loss {logs['loss']:.4f}"
        )
    )
    network.fit(
        batches,
        steps_per_epoch=steps_per_epoch,
        epochs=epochs,
        shuffle=False,  # the generator shuffles
        verbose=0,
        callbacks=[progress],
    )
    return HistoryRecommender(
        *_weights(network, "user_tower"),
        *_weights(network, "item_tower"),
        market_kernel=_weights(network, "market_tower")[0],
        decay=config.decay,
    )


def _weights(network, layer: str) -> list[np.ndarray]:
    return [np.asarray(weight, np.float32) for weight in network.get_layer(layer).get_weights()]


def _network_build(keras, *, n_items: int, n_markets: int, config: ModelConfig):
    history = keras.Input((n_items,), name="history")
    market = keras.Input((), dtype="int32", name="market")
    dropped = keras.layers.Dropout(config.dropout)(history)
    from_history = keras.layers.Dense(
        config.dim, kernel_regularizer=keras.regularizers.l2(config.l2), name="user_tower"
    )(dropped)
    from_market = keras.layers.Embedding(n_markets, config.dim, name="market_tower")(market)
    user = keras.layers.Activation("tanh")(keras.layers.Add()([from_history, from_market]))
    logits = keras.layers.Dense(
        n_items,
        kernel_regularizer=keras.regularizers.l2(config.l2),
        dtype="float32",  # a float32 softmax even under mixed precision on a GPU
        name="item_tower",
    )(user)
    network = keras.Model([history, market], logits)
    network.compile(
        optimizer=keras.optimizers.Adam(config.learning_rate),
        loss=keras.losses.CategoricalCrossentropy(from_logits=True),
    )
    return network


def _dense_batches(
    inputs: sp.csr_matrix,
    markets: np.ndarray,
    targets: sp.csr_matrix,
    *,
    batch_size: int,
    seed: int,
):
    """Shuffled dense batches cut from sparse rows on the fly, epoch after epoch: memory grows
    with the batch, not with users x items."""
    rng = np.random.default_rng(seed)
    while True:
        order = rng.permutation(inputs.shape[0])
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            yield (inputs[rows].toarray(), markets[rows].astype(np.int32)), targets[rows].toarray()


class HistoryModelRecommender:
    """The model behind the evaluation protocol's `Recommender` interface. `user_markets` holds
    each user's market index by user index, where the data has markets."""

    name = "model"

    def __init__(self, config: ModelConfig, *, user_markets: np.ndarray | None = None) -> None:
        self.config = config
        self.user_markets = user_markets

    def fit(self, train: Interactions) -> None:
        self.model = model_train(train, self.config, markets=self.user_markets)
        self.histories = history_rows(
            user_sequences(train), n_items=train.n_items, decay=self.config.decay
        )

    def scores(self, users: np.ndarray) -> np.ndarray:
        markets = None if self.user_markets is None else self.user_markets[users]
        return self.model.scores(self.histories[users], markets)

    def params(self) -> dict:
        return asdict(self.config)
