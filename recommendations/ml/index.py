"""The nearest-neighbour index over item vectors: its own artifact, rebuilt without retraining.

It holds every item the model knows and every newer product the model has never seen, placed
by its content (text and image embeddings): a new product's vectors are the similarity-weighted
mean of the vectors of the known products its content is closest to. Two hnswlib graphs: one
over the model's scoring vectors (output vector and bias; a user vector with a 1 appended scores
by inner product), for real-time for-you lists, and one over the items' input-side vectors
(cosine), for similar items.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SCORING_FILE = "scoring.hnsw"
SIMILAR_FILE = "similar.hnsw"
ARRAYS_FILE = "items.npz"
META_FILE = "index.json"


def cold_start_vectors(
    *,
    known_content: np.ndarray,
    known_vectors: np.ndarray,
    new_content: np.ndarray,
    neighbours: int = 10,
    temperature: float = 0.05,
) -> np.ndarray:
    """Vectors for items the model never saw: a softmax-weighted mean over the `neighbours`
    known items whose content (unit rows) is most similar. A low `temperature` lets the closest
    match dominate: content cosines of unrelated products are not far below related ones."""
    if not len(new_content):
        return np.zeros((0, known_vectors.shape[1]), np.float32)
    similarity = new_content @ known_content.T
    count = min(neighbours, similarity.shape[1])
    nearest = np.argpartition(-similarity, count - 1, axis=1)[:, :count]
    closeness = np.take_along_axis(similarity, nearest, axis=1)
    weights = np.exp((closeness - closeness.max(axis=1, keepdims=True)) / temperature)
    weights /= weights.sum(axis=1, keepdims=True)
    return np.einsum("nk,nkd->nd", weights, known_vectors[nearest]).astype(np.float32)


def _unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


@dataclass
class ItemIndex:
    item_ids: np.ndarray  # label -> catalog id
    scoring_vectors: np.ndarray  # (n, dim + 1)
    similarity_vectors: np.ndarray  # (n, dim), unit rows
    cold: np.ndarray  # bool: placed by content, not learned
    model_version: int | None
    scoring: object = None  # hnswlib.Index, space "ip"
    similar_graph: object = None  # hnswlib.Index, space "cosine"

    def __post_init__(self) -> None:
        self.positions = {item_id.item(): label for label, item_id in enumerate(self.item_ids)}

    @classmethod
    def build(
        cls,
        *,
        item_ids: np.ndarray,
        scoring_vectors: np.ndarray,
        similarity_vectors: np.ndarray,
        cold: np.ndarray,
        model_version: int | None,
        connections: int = 16,
        ef_construction: int = 200,
    ) -> "ItemIndex":
        index = cls(
            np.asarray(item_ids),
            scoring_vectors.astype(np.float32),
            _unit(similarity_vectors).astype(np.float32),
            np.asarray(cold, bool),
            model_version,
        )
        index.scoring = _graph("ip", index.scoring_vectors, connections, ef_construction)
        index.similar_graph = _graph(
            "cosine", index.similarity_vectors, connections, ef_construction
        )
        return index

    def recommend(self, user_vector: np.ndarray, *, count: int) -> list[tuple[int, float]]:
        """Items with the highest model score for a user vector, approximately."""
        query = np.append(user_vector, 1.0).astype(np.float32)[None, :]
        labels, distances = _query(self.scoring, query, count)
        return [
            (self.item_ids[label].item(), float(1.0 - distance))
            for label, distance in zip(labels, distances, strict=True)
        ]

    def similar(self, item_id, *, count: int) -> list[tuple[int, float]]:
        """Items closest to `item_id` (cosine), itself excluded; none if it is not indexed."""
        position = self.position(item_id)
        if position is None:
            return []
        labels, distances = _query(
            self.similar_graph, self.similarity_vectors[position][None, :], count + 1
        )
        return [
            (self.item_ids[label].item(), float(1.0 - distance))
            for label, distance in zip(labels, distances, strict=True)
            if label != position
        ][:count]

    def closest(self, item_id, among_ids) -> int | None:
        """Which of `among_ids` is most like `item_id` (for a reason)."""
        target = self.position(item_id)
        candidates = [(self.position(other), other) for other in among_ids]
        candidates = [(position, other) for position, other in candidates if position is not None]
        if target is None or not candidates:
            return None
        vectors = self.similarity_vectors[[position for position, _ in candidates]]
        return candidates[int(np.argmax(vectors @ self.similarity_vectors[target]))][1]

    def position(self, item_id) -> int | None:
        return self.positions.get(item_id)

    def save(self, directory: Path) -> None:
        self.scoring.save_index(str(directory / SCORING_FILE))
        self.similar_graph.save_index(str(directory / SIMILAR_FILE))
        np.savez(
            directory / ARRAYS_FILE,
            item_ids=self.item_ids,
            scoring_vectors=self.scoring_vectors,
            similarity_vectors=self.similarity_vectors,
            cold=self.cold,
        )
        (directory / META_FILE).write_text(json.dumps({"model_version": self.model_version}))

    @classmethod
    def load(cls, directory: Path) -> "ItemIndex":
        import hnswlib

        with np.load(directory / ARRAYS_FILE) as arrays:
            index = cls(
                arrays["item_ids"],
                arrays["scoring_vectors"],
                arrays["similarity_vectors"],
                arrays["cold"],
                json.loads((directory / META_FILE).read_text())["model_version"],
            )
        for attribute, space, file, vectors in (
            ("scoring", "ip", SCORING_FILE, index.scoring_vectors),
            ("similar_graph", "cosine", SIMILAR_FILE, index.similarity_vectors),
        ):
            graph = hnswlib.Index(space=space, dim=vectors.shape[1])
            graph.load_index(str(directory / file), max_elements=len(vectors))
            setattr(index, attribute, graph)
        return index


def _graph(space: str, vectors: np.ndarray, connections: int, ef_construction: int):
    import hnswlib

    graph = hnswlib.Index(space=space, dim=vectors.shape[1])
    graph.init_index(
        max_elements=max(len(vectors), 1),
        M=connections,
        ef_construction=ef_construction,
        random_seed=0,
    )
    graph.set_num_threads(1)  # deterministic insertion order
    graph.add_items(vectors, np.arange(len(vectors)))
    return graph


def _query(graph, query: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    count = min(count, graph.get_current_count())
    if count < 1:
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    graph.set_ef(max(count, 200))  # the search breadth: at least the results asked for
    labels, distances = graph.knn_query(query, k=count)
    return labels[0].astype(np.int64), distances[0]
