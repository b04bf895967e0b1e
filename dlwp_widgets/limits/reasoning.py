"""SimpleLogic-style propositional reasoning problems, sampled two ways (after Zhang et al., IJCAI 2023).

A problem is a set of *facts* (predicates known to be true), *rules* (definite Horn
clauses: ``a ∧ b → c``) and a *query* predicate. Its label is whether forward chaining
from the facts proves the query. Two samplers produce problems of the same sizes:

* **Rule-Priority (RP)**: draw facts, rules and the query at random, then label the
  problem by forward chaining;
* **Label-Priority (LP)**: first decide which predicates are true, then build facts and
  rules consistent with that choice (every true predicate gets a proof, every rule
  concluding a false predicate has a false premise), then pick the query.

Both produce correct labels (checked by forward chaining) and balanced classes; what
differs is the statistics of the problems, which a network can latch on to instead of
learning to chain rules.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PAD, RULE_END, IMPLIES, FACT, QUERY = 0, 1, 2, 3, 4
FIRST_PREDICATE = 5
SAMPLINGS = ("rule-priority", "label-priority")


@dataclass(frozen=True)
class Problem:
    facts: tuple[int, ...]
    rules: tuple[tuple[tuple[int, ...], int], ...]  # (premises, conclusion)
    query: int
    label: bool

    def describe(self, names: str = "abcdefghijklmnopqrstuvwxyz") -> str:
        """Human-readable text of the problem (predicates as letters while they last)."""

        def name(p: int) -> str:
            return names[p] if p < len(names) else f"p{p}"

        facts = ", ".join(name(p) for p in self.facts)
        rules = "; ".join(" ∧ ".join(name(p) for p in premises) + f" → {name(c)}" for premises, c in self.rules)
        return f"facts: {facts}\nrules: {rules}\nquery: {name(self.query)}?  label: {self.label}"


def forward_chain(facts, rules) -> set[int]:
    """Every predicate provable from ``facts`` with ``rules`` (definite Horn clauses)."""
    known = set(facts)
    changed = True
    while changed:
        changed = False
        for premises, conclusion in rules:
            if conclusion not in known and all(p in known for p in premises):
                known.add(conclusion)
                changed = True
    return known


@dataclass(frozen=True)
class Sizes:
    """The ranges both samplers draw from (inclusive)."""

    predicates: int = 12
    facts: tuple[int, int] = (1, 4)
    rules: tuple[int, int] = (6, 14)
    premises: tuple[int, int] = (1, 3)

    def check(self) -> None:
        if self.predicates < 4:
            raise ValueError(f"at least 4 predicates are needed, got {self.predicates}.")
        for name in ("facts", "rules", "premises"):
            low, high = getattr(self, name)
            if not 1 <= low <= high:
                raise ValueError(f"{name} range {low}..{high} is empty or below 1.")
        if self.premises[1] >= self.predicates or self.facts[1] >= self.predicates:
            raise ValueError("more premises or facts than predicates allow.")


def _premises(rng, pool, count):
    count = min(count, len(pool))
    return tuple(sorted(int(p) for p in rng.choice(pool, size=count, replace=False)))


def sample_rule_priority(rng: np.random.Generator, sizes: Sizes = Sizes()) -> Problem:
    """Random facts, rules and query; the label comes from forward chaining."""
    n = sizes.predicates
    facts = tuple(sorted(int(p) for p in rng.choice(n, size=rng.integers(*sizes.facts, endpoint=True), replace=False)))
    rules = []
    for _ in range(rng.integers(*sizes.rules, endpoint=True)):
        conclusion = int(rng.integers(n))
        pool = np.array([p for p in range(n) if p != conclusion])
        rules.append((_premises(rng, pool, rng.integers(*sizes.premises, endpoint=True)), conclusion))
    query = int(rng.integers(n))
    return Problem(facts, tuple(rules), query, query in forward_chain(facts, rules))


def sample_label_priority(rng: np.random.Generator, sizes: Sizes = Sizes()) -> Problem:
    """Truth values first, then facts and rules consistent with them, then the query."""
    n = sizes.predicates
    order = rng.permutation(n)
    n_facts = int(rng.integers(*sizes.facts, endpoint=True))
    n_rules = int(rng.integers(*sizes.rules, endpoint=True))
    # How many predicates are true beyond the facts: each needs one proving rule.
    n_derived = int(rng.integers(0, min(n - n_facts - 1, n_rules) + 1))
    facts = [int(p) for p in order[:n_facts]]
    derived = [int(p) for p in order[n_facts : n_facts + n_derived]]
    false = [int(p) for p in order[n_facts + n_derived :]]
    rules = []
    proven = list(facts)
    for conclusion in derived:  # each derived predicate proven from earlier true ones
        rules.append((_premises(rng, np.array(proven), rng.integers(*sizes.premises, endpoint=True)), conclusion))
        proven.append(conclusion)
    for _ in range(n_rules - n_derived):  # distractors: any conclusion, but at least one false premise
        conclusion = int(rng.integers(n))
        candidates_false = [p for p in false if p != conclusion]
        if not candidates_false:
            continue
        blocker = int(rng.choice(candidates_false))
        pool = np.array([p for p in range(n) if p not in (conclusion, blocker)])
        extra = _premises(rng, pool, int(rng.integers(*sizes.premises, endpoint=True)) - 1)
        rules.append((tuple(sorted((blocker, *extra))), conclusion))
    order_rules = rng.permutation(len(rules))
    rules = [rules[i] for i in order_rules]
    query = int(rng.integers(n))
    facts_t = tuple(sorted(facts))
    return Problem(facts_t, tuple(rules), query, query in forward_chain(facts_t, rules))


def sample(sampling: str, count: int, *, seed: int = 0, sizes: Sizes = Sizes()) -> list[Problem]:
    """``count`` problems from one sampling, half labelled True and half False (rejection)."""
    if sampling not in SAMPLINGS:
        raise ValueError(f"unknown sampling {sampling!r}: choose one of {', '.join(SAMPLINGS)}.")
    if count < 2:
        raise ValueError(f"at least 2 problems are needed (one per label), got {count}.")
    sizes.check()
    draw = sample_rule_priority if sampling == "rule-priority" else sample_label_priority
    rng = np.random.default_rng([seed, SAMPLINGS.index(sampling)])
    wanted = {True: count // 2, False: count - count // 2}
    problems: list[Problem] = []
    attempts = 0
    while wanted[True] or wanted[False]:
        attempts += 1
        if attempts > 200 * count:
            raise RuntimeError(f"{sampling}: could not balance the labels (too few problems of one label).")
        problem = draw(rng, sizes)
        if wanted[problem.label]:
            wanted[problem.label] -= 1
            problems.append(problem)
    order = rng.permutation(len(problems))
    return [problems[i] for i in order]


def vocabulary_size(sizes: Sizes = Sizes()) -> int:
    return FIRST_PREDICATE + sizes.predicates


def tokens(problem: Problem) -> list[int]:
    """``FACT p … RULE_END``, then ``p q IMPLIES r RULE_END`` per rule, then ``QUERY q``."""
    out = [FACT, *(FIRST_PREDICATE + p for p in problem.facts), RULE_END]
    for premises, conclusion in problem.rules:
        out += [*(FIRST_PREDICATE + p for p in premises), IMPLIES, FIRST_PREDICATE + conclusion, RULE_END]
    return out + [QUERY, FIRST_PREDICATE + problem.query]


def encode(problems, length: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Token matrix (left-padded with ``PAD`` so the query comes last) and 0/1 labels."""
    sequences = [tokens(p) for p in problems]
    length = length or max(len(s) for s in sequences)
    x = np.full((len(sequences), length), PAD, dtype=np.int32)
    for row, sequence in enumerate(sequences):
        sequence = sequence[-length:]
        x[row, length - len(sequence) :] = sequence
    return x, np.array([p.label for p in problems], dtype=np.float32)


def max_length(sizes: Sizes = Sizes()) -> int:
    return 2 + sizes.facts[1] + sizes.rules[1] * (sizes.premises[1] + 3) + 2


def encode_rules(problems, sizes: Sizes = Sizes(), steps: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """One time step per rule: ``[premises (multi-hot) | conclusion (one-hot) | facts | query]``.

    Shape ``(problems, steps, 4 * predicates)``; shorter problems are left-padded with
    all-zero steps. A recurrent network reads the rules one by one with the facts and
    the query in view: short sequences, so it trains in seconds on a CPU.
    """
    n = sizes.predicates
    steps = steps or max(len(p.rules) for p in problems)
    x = np.zeros((len(problems), steps, 4 * n), dtype=np.float32)
    for row, problem in enumerate(problems):
        rules = problem.rules[-steps:]
        offset = steps - len(rules)
        for step, (premises, conclusion) in enumerate(rules):
            x[row, offset + step, list(premises)] = 1
            x[row, offset + step, n + conclusion] = 1
        x[row, :, 2 * n + np.array(problem.facts)] = 1
        x[row, :, 3 * n + problem.query] = 1
    return x, np.array([p.label for p in problems], dtype=np.float32)


def check_labels(problems) -> bool:
    """Every label equals forward chaining's answer (both samplers promise it)."""
    return all((p.query in forward_chain(p.facts, p.rules)) == p.label for p in problems)


def statistics(problems) -> dict[str, np.ndarray]:
    """Shallow features a network can use instead of chaining (per problem)."""
    return {
        "query_is_fact": np.array([p.query in p.facts for p in problems], dtype=float),
        "rules_concluding_query": np.array([sum(c == p.query for _, c in p.rules) for p in problems], dtype=float),
        "rules": np.array([len(p.rules) for p in problems], dtype=float),
        "facts": np.array([len(p.facts) for p in problems], dtype=float),
        "label": np.array([p.label for p in problems], dtype=float),
    }


def recurrent_classifier(sizes: Sizes = Sizes(), *, units: int = 64, cell: str = "gru"):
    """GRU or LSTM over the rule steps of :func:`encode_rules` -> sigmoid: reads a problem, answers the query."""
    import keras
    from keras import layers

    recurrent = {"gru": layers.GRU, "lstm": layers.LSTM}[cell]
    model = keras.Sequential(
        [
            keras.Input(shape=(None, 4 * sizes.predicates)),
            recurrent(units),
            layers.Dense(64, activation="relu"),
            layers.Dense(1, activation="sigmoid"),
        ],
        name=f"simplelogic_{cell}",
    )
    model.compile(optimizer=keras.optimizers.Adam(2e-3), loss="binary_crossentropy", metrics=["accuracy"])
    return model
