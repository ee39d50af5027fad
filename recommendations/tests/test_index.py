"""The nearest-neighbour index: retrieval, cold-start placement, save and load."""

import numpy as np
import pytest

from recommendations.ml.index import ItemIndex, cold_start_vectors


def small_index() -> ItemIndex:
    rng = np.random.default_rng(0)
    scoring = rng.normal(size=(50, 9)).astype(np.float32)
    similarity = rng.normal(size=(50, 8)).astype(np.float32)
    return ItemIndex.build(
        item_ids=np.arange(1000, 1050),
        scoring_vectors=scoring,
        similarity_vectors=similarity,
        cold=np.zeros(50, bool),
        model_version=3,
    )


def test_the_index_retrieves_the_items_a_user_vector_scores_highest():
    index = small_index()
    user = np.random.default_rng(1).normal(size=8).astype(np.float32)

    retrieved = index.recommend(user, count=10)

    exact = index.scoring_vectors @ np.append(user, 1.0)
    assert [item for item, _ in retrieved] == [1000 + i for i in np.argsort(-exact)[:10]]
    np.testing.assert_allclose(
        [score for _, score in retrieved], np.sort(exact)[::-1][:10], rtol=1e-4
    )


def test_similar_items_exclude_the_item_and_unknown_items_have_none():
    index = small_index()

    similar = index.similar(1007, count=5)

    cosine = index.similarity_vectors @ index.similarity_vectors[7]
    cosine[7] = -np.inf
    assert [item for item, _ in similar] == [1000 + i for i in np.argsort(-cosine)[:5]]
    assert index.similar(99, count=5) == []
    assert index.closest(1007, [1000 + i for i in np.argsort(-cosine)[3:1:-1]]) == (
        1000 + np.argsort(-cosine)[2]
    )


def test_the_index_saved_and_loaded_answers_the_same(tmp_path):
    index = small_index()
    user = np.ones(8, np.float32)

    index.save(tmp_path)
    loaded = ItemIndex.load(tmp_path)

    assert loaded.recommend(user, count=7) == index.recommend(user, count=7)
    assert loaded.similar(1010, count=4) == index.similar(1010, count=4)
    assert loaded.model_version == 3


def test_a_new_item_is_placed_mostly_where_its_closest_content_neighbour_is():
    known_content = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]], np.float32)
    known_vectors = np.array([[10.0, 0.0], [0.0, 10.0], [5.0, 5.0]], np.float32)
    new_content = np.array([[0.8, 0.6]], np.float32)  # cosine 0.8 to the first, 0.6 to the second

    placed = cold_start_vectors(
        known_content=known_content,
        known_vectors=known_vectors,
        new_content=new_content,
        neighbours=2,
        temperature=0.1,
    )

    # softmax of (0.8, 0.6) / 0.1: weights 1 / (1 + e^-2) = 0.8808 and e^-2 / (1 + e^-2) = 0.1192
    np.testing.assert_allclose(placed, [[8.808, 1.192]], rtol=1e-3)


def test_similarity_blends_behaviour_and_content_by_the_configured_weight(settings):
    from recommendations.capability import _with_content

    settings.RECOMMENDATIONS_SIMILAR_CONTENT_WEIGHT = 0.25
    behaviour = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]], np.float32)
    content = np.array([[0.6, 0.8], [0.6, 0.8]], np.float32)  # items 10 and 11 look alike

    vectors = _with_content(behaviour, np.array([10, 11, 12]), np.array([10, 11]), content)

    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    # 10 and 11: behaviour cosine 0, content cosine 1 -> 0.75 x 0 + 0.25 x 1
    assert unit[0] @ unit[1] == pytest.approx(0.25)
    # 10 and 12 (no content): behaviour cosine 1 -> 0.75 x 1 / (norms 1 and sqrt(0.75))
    assert unit[0] @ unit[2] == pytest.approx(np.sqrt(0.75))
