"""N-gram features shared by the learned text models: clauses, sound grams, tf-idf."""

from __future__ import annotations

import math

import numpy as np

from zhtext.ngrams import clause_features, clauses, text_features, tfidf_vector


def test_clauses_split_at_punctuation() -> None:
    assert clauses("对，没人说过") == [(0, 1), (2, 6)]
    assert clauses("，。") == []


def test_a_misheard_word_shares_its_sound_grams() -> None:
    heard, said = set(clause_features("转员工")), set(clause_features("转人工"))
    assert "p:zhuan" in heard & said and "p:gong" in heard & said
    assert "c:员工" in heard and "c:员工" not in said


def test_no_gram_crosses_a_clause_break() -> None:
    assert "c:对没" not in text_features("对，没人说过")
    assert text_features("对，对")["c:对"] == 2


def test_tfidf_vector_is_sublinear_normalised_and_skips_unknown_features() -> None:
    index = {"c:a": 0, "c:b": 1}
    idf = np.array([1.0, 2.0], np.float32)
    idx, values = tfidf_vector(text_features("aa，b，z"), index, idf)
    raw = {0: 1.0 + math.log(2), 1: 2.0}
    norm = math.hypot(*raw.values())
    assert np.allclose(values, [raw[i] / norm for i in idx.tolist()])
    assert tfidf_vector(text_features("z"), index, idf)[0].size == 0
