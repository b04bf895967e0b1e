"""SimpleLogic-style problems: forward chaining, both samplers, encodings."""

import numpy as np
import pytest

from dlwp_widgets.limits import reasoning


def test_forward_chaining():
    rules = (((0, 1), 2), ((2,), 3), ((4, 5), 6))
    assert reasoning.forward_chain({0, 1}, rules) == {0, 1, 2, 3}
    assert reasoning.forward_chain({4}, rules) == {4}
    assert reasoning.forward_chain(set(), rules) == set()


@pytest.mark.parametrize("sampling", reasoning.SAMPLINGS)
def test_samplers_are_balanced_correct_and_deterministic(sampling):
    problems = reasoning.sample(sampling, 60, seed=3)
    assert sum(p.label for p in problems) == 30
    assert reasoning.check_labels(problems)
    sizes = reasoning.Sizes()
    for p in problems:
        assert sizes.facts[0] <= len(p.facts) <= sizes.facts[1]
        assert len(p.rules) <= sizes.rules[1]
        assert all(sizes.premises[0] <= len(premises) <= sizes.premises[1] for premises, _ in p.rules)
        assert all(c not in premises for premises, c in p.rules)
    assert reasoning.sample(sampling, 60, seed=3) == problems
    assert reasoning.sample(sampling, 60, seed=4) != problems


def test_label_priority_rules_respect_the_chosen_truth():
    for p in reasoning.sample("label-priority", 40, seed=1):
        true = reasoning.forward_chain(p.facts, p.rules)
        for premises, conclusion in p.rules:
            if conclusion not in true:
                assert any(q not in true for q in premises)


def test_encodings():
    problems = reasoning.sample("rule-priority", 10, seed=0)
    x, y = reasoning.encode_rules(problems, steps=14)
    n = reasoning.Sizes().predicates
    assert x.shape == (10, 14, 4 * n) and set(np.unique(x)) <= {0.0, 1.0}
    first = problems[0]
    assert x[0, -1, 3 * n + first.query] == 1 and x[0, -1, 2 * n:3 * n].sum() == len(first.facts)
    assert x[0, : 14 - len(first.rules)].sum() == (14 - len(first.rules)) * (len(first.facts) + 1)
    tokens, labels = reasoning.encode(problems)
    assert tokens.shape[0] == 10 and tokens[0, -2] == reasoning.QUERY and (labels == y).all()
    assert "query:" in first.describe()


def test_bad_settings():
    with pytest.raises(ValueError, match="unknown sampling"):
        reasoning.sample("random", 10)
    with pytest.raises(ValueError, match="at least 2"):
        reasoning.sample("rule-priority", 1)
    with pytest.raises(ValueError, match="empty"):
        reasoning.sample("rule-priority", 10, sizes=reasoning.Sizes(rules=(5, 2)))
    with pytest.raises(ValueError, match="predicates"):
        reasoning.sample("rule-priority", 10, sizes=reasoning.Sizes(predicates=2))


def test_statistics():
    stats = reasoning.statistics(reasoning.sample("rule-priority", 20, seed=0))
    assert set(stats) == {"query_is_fact", "rules_concluding_query", "rules", "facts", "label"}
    assert all(len(v) == 20 for v in stats.values())
