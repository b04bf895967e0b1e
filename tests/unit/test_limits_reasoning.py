"""SimpleLogic problems: forward chaining and depths, both samplers depth-balanced, the lookup baselines."""

from collections import Counter

import numpy as np
import pytest

from dlwp_widgets.limits import reasoning

SIZES = reasoning.Sizes()
CELLS = 2 * (SIZES.max_depth + 1)


def test_forward_chaining_and_depths():
    rules = (((0, 1), 2), ((2,), 3), ((4, 5), 6), ((3,), 7), ((0,), 3))
    assert reasoning.forward_chain({0, 1}, rules) == {0, 1, 2, 3, 7}
    # 3 is reached in round 1 through 0 -> 3, not round 2 through 2: the shortest proof counts
    assert reasoning.proof_depths({0, 1}, rules) == {0: 0, 1: 0, 2: 1, 3: 1, 7: 2}
    assert reasoning.label_and_depth({0, 1}, rules, 7) == (True, 2)
    assert reasoning.label_and_depth({0, 1}, rules, 0) == (True, 0)
    # False: the rounds chaining needs before it stops (here 2), or 0 when nothing fires
    assert reasoning.label_and_depth({0, 1}, rules, 6) == (False, 2)
    assert reasoning.label_and_depth({4}, rules, 6) == (False, 0)
    problem = reasoning.Problem((0, 1), rules, 7, True, 2)
    assert reasoning.proof(problem) == [((0,), 3), ((3,), 7)]
    assert "depth: 2" in problem.describe()


@pytest.mark.parametrize("sampling", reasoning.SAMPLINGS)
def test_samplers_are_balanced_by_label_and_depth(sampling):
    problems = reasoning.sample(sampling, 10 * CELLS + 5, seed=3)  # rounded down to whole cells
    cells = Counter((p.label, p.depth) for p in problems)
    assert cells == {(label, depth): 10 for label in (True, False) for depth in range(SIZES.max_depth + 1)}
    assert reasoning.check_labels(problems)
    for p in problems:
        assert SIZES.facts[0] <= len(p.facts) <= SIZES.facts[1]
        assert SIZES.rules[0] <= len(p.rules) <= SIZES.rules[1]
        assert all(SIZES.premises[0] <= len(premises) <= SIZES.premises[1] for premises, _ in p.rules)
        assert all(c not in premises for premises, c in p.rules)
        assert len(reasoning.proof(p)) >= p.depth if p.label else reasoning.proof(p) == []
    assert reasoning.sample(sampling, CELLS, seed=3) == reasoning.sample(sampling, CELLS, seed=3)
    assert reasoning.sample(sampling, CELLS, seed=4) != reasoning.sample(sampling, CELLS, seed=3)


def test_label_priority_follows_the_layered_construction():
    for p in reasoning.sample("label-priority", 4 * CELLS, seed=1):
        depth = reasoning.proof_depths(p.facts, p.rules)
        fired = [(premises, c) for premises, c in p.rules if all(q in depth for q in premises)]
        # each true predicate has exactly one rule that fires, one layer above its highest premise;
        # every other rule (a distractor) has a false premise
        assert sorted(c for _, c in fired) == sorted(set(depth) - set(p.facts))
        assert all(depth[c] == max(depth[q] for q in premises) + 1 for premises, c in fired)
        if p.label:  # the proof of a True query climbs through every layer below it
            assert sorted({depth[c] for _, c in reasoning.proof(p)}) == list(range(1, p.depth + 1))


@pytest.mark.parametrize("sampling", reasoning.SAMPLINGS)
def test_lookups_score_what_their_depth_coverage_allows(sampling):
    problems = reasoning.sample(sampling, 6 * CELLS, seed=0)
    labels = reasoning.labels(problems)
    for which in reasoning.LOOKUPS:
        answers = reasoning.lookup(problems, which)
        assert not (answers & ~labels).any()  # sound: never True on a False problem
        assert (answers == labels).mean() == pytest.approx(reasoning.lookup_accuracy_expected(which))
    by_depth = reasoning.accuracy_by_depth(reasoning.lookup(problems, "fact_or_one_step"), problems)
    assert by_depth[:2].tolist() == [1.0, 1.0] and (by_depth[2:] == 0.5).all()
    assert reasoning.lookup_accuracy_expected("query_is_fact") == pytest.approx(8 / 14)
    assert reasoning.lookup_accuracy_expected("fact_or_one_step") == pytest.approx(9 / 14)


def test_lookup_on_a_hand_made_problem():
    rules = (((0,), 2), ((2,), 3))
    one_step, two_steps = reasoning.Problem((0,), rules, 2, True, 1), reasoning.Problem((0,), rules, 3, True, 2)
    assert reasoning.lookup([one_step, two_steps], "query_is_fact").tolist() == [False, False]
    assert reasoning.lookup([one_step, two_steps], "fact_or_one_step").tolist() == [True, False]
    with pytest.raises(ValueError, match="unknown lookup"):
        reasoning.lookup([one_step], "oracle")


def test_encoding_and_shallow_features():
    problems = reasoning.sample("rule-priority", CELLS, seed=0)
    x, y = reasoning.encode(problems)
    n = SIZES.predicates
    assert x.shape == (CELLS, SIZES.facts[1] + SIZES.rules[1], 3 * n) and set(np.unique(x)) <= {0.0, 1.0}
    first = problems[0]
    tokens = len(first.facts) + len(first.rules)
    assert x[0, :tokens, 2 * n + first.query].all() and not x[0, tokens:].any()
    assert x[0, : len(first.facts), :n].sum() == 0  # a fact is a rule without premises
    assert x[0, :tokens, n : 2 * n].sum(axis=0).nonzero()[0].tolist() == sorted({*first.facts, *(c for _, c in first.rules)})
    assert (y == reasoning.labels(problems)).all()
    features = reasoning.shallow_features(problems)
    assert features.shape == (CELLS, len(reasoning.SHALLOW_FEATURES))
    assert features[0, 0] == (first.query in first.facts) and features[0, 3] == len(first.rules)


def test_accuracy_by_depth_marks_missing_depths():
    problems = [reasoning.Problem((0,), (), 0, True, 0), reasoning.Problem((0,), (), 1, False, 0)]
    by_depth = reasoning.accuracy_by_depth([True, True], problems)
    assert by_depth[0] == 0.5 and np.isnan(by_depth[1:]).all()


def test_bad_settings():
    with pytest.raises(ValueError, match="unknown sampling"):
        reasoning.sample("random", 100)
    with pytest.raises(ValueError, match="at least 14"):
        reasoning.sample("rule-priority", 13)
    with pytest.raises(ValueError, match="empty"):
        reasoning.sample("rule-priority", 100, sizes=reasoning.Sizes(rules=(5, 2)))
    with pytest.raises(ValueError, match="too few"):
        reasoning.sample("rule-priority", 100, sizes=reasoning.Sizes(predicates=6))
    with pytest.raises(RuntimeError, match="did not fill every cell"):
        reasoning.sample("label-priority", CELLS, max_draws=10)


def test_chaining_network_ignores_token_order_and_padding():
    problems = reasoning.sample("label-priority", CELLS, seed=0)
    x, _ = reasoning.encode(problems)
    model = reasoning.chaining_network(width=8, steps=2)
    p = np.asarray(model(x))
    assert p.shape == (CELLS, 1) and ((0 <= p) & (p <= 1)).all()
    # a sum over tokens: reversed tokens (padding first) give the same answers
    assert np.allclose(np.asarray(model(x[:, ::-1].copy())), p, atol=1e-5)


def test_reasoning_explorer_shows_a_problem_its_proof_and_each_answer():
    from dlwp_widgets.widgets.reasoning_explorer import ReasoningExplorer

    problems = {s: reasoning.sample(s, 2 * CELLS, seed=0) for s in reasoning.SAMPLINGS}
    answers = {"fact_or_one_step": {s: reasoning.lookup(ps, "fact_or_one_step") for s, ps in problems.items()},
               "always True": {s: np.ones(len(ps), bool) for s, ps in problems.items()}}
    explorer = ReasoningExplorer(problems, answers, depth=1)
    shown = explorer.last_problem
    assert (shown.depth, shown.label) == (1, True) and explorer.last_answers == {"fact_or_one_step": True,
                                                                                  "always True": True}
    assert "proof:" in explorer.view.value and "→" in explorer.view.value
    explorer.depth.value = 3
    assert explorer.last_problem.depth == 3 and explorer.last_answers["fact_or_one_step"] is False
    assert "wrong" in explorer.view.value and "fact_or_one_step 0%" in explorer.summary.value
    explorer.index.value = 1
    assert explorer.last_problem is not shown and explorer.last_problem.depth == 3
    explorer.label.value, explorer.sampling.value = False, "label-priority"
    assert explorer.last_problem.label is False and explorer.last_answers["always True"] is True
    assert explorer.last_error is None
    with pytest.raises(ValueError, match="answers 1 problems"):
        ReasoningExplorer(problems, {"short": {"rule-priority": [True]}})
