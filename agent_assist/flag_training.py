"""Training of the learned flagger (scikit-learn, offline, deterministic): never at run time."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from agent_assist.evaluation import LabelledUtterance
from agent_assist.events import Category
from agent_assist.flag_features import utterance_features
from agent_assist.flag_model import FlagModel
from agent_assist.normalized_text import normalize
from agent_assist.rule_set import RuleSet
from zhtext.ngrams import feature_index

C = 10.0
MIN_DF = 2


def _features(item: LabelledUtterance) -> list[str]:
    return list(utterance_features(normalize(item.text).text, item.leg).elements())


def train(labelled: Sequence[LabelledUtterance], rule_set: RuleSet,
          threshold: float = 0.5, min_df: int = MIN_DF) -> FlagModel:
    """One balanced logistic regression per category and per real-time rule id."""
    from sklearn.feature_extraction.text import TfidfVectorizer  # build time only
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(analyzer=_features, min_df=min_df, sublinear_tf=True)
    x = vectorizer.fit_transform(labelled)

    def fit(targets: list[bool]) -> tuple[np.ndarray, float]:
        y = np.array(targets)
        if y.all() or not y.any():
            return np.zeros(x.shape[1], np.float32), -10.0
        model = LogisticRegression(C=C, max_iter=5000, class_weight="balanced").fit(x, y)
        return model.coef_[0].astype(np.float32), float(model.intercept_[0])

    categories = tuple(Category)
    by_category = [fit([c in item.expected for item in labelled]) for c in categories]
    rules = rule_set.rules
    by_rule = [fit([rule.id in item.rule_id.split("|") for item in labelled]) for rule in rules]
    return FlagModel(
        index=feature_index(vectorizer.get_feature_names_out()),
        idf=vectorizer.idf_.astype(np.float32),
        categories=categories,
        weights=np.stack([w for w, _ in by_category]),
        intercepts=np.array([b for _, b in by_category], np.float32),
        rule_ids=tuple(rule.id for rule in rules),
        rule_categories=tuple(rule.category for rule in rules),
        rule_weights=np.stack([w for w, _ in by_rule]),
        rule_intercepts=np.array([b for _, b in by_rule], np.float32),
        threshold=threshold,
    )
