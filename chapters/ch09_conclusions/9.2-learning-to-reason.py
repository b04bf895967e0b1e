# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 9.2 The limitations of deep learning: learning to reason
#
# [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dlwp-companion/dlwp-companion/blob/main/chapters/ch09_conclusions/9.2-learning-to-reason.ipynb)
# [![Launch Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/dlwp-companion/dlwp-companion/main?labpath=chapters%2Fch09_conclusions%2F9.2-learning-to-reason.ipynb)
#
# The book (2017, section 9.2) argues that a deep network is a chain of geometric
# transformations fitted to examples, which leaves reasoning, long chains of rules
# applied step by step, out of its reach. The author's later essays sharpen this: a
# network learns the statistics of its examples, not the program behind them,
# *even when it could represent that program*. Zhang et al. (IJCAI 2023) made the
# sharper claim testable for propositional logic: a BERT model trained on one way of
# sampling problems reached about 99% on it and fell sharply on problems of the same
# space sampled another way, because it had learned statistical features.
# **The experiment:** the paper's two samplers, both balanced by proof depth 0–6 and
# by label, accuracy per depth, two lookups that do no chaining and a shallow model
# as baselines, and a network trained until it is near-perfect in distribution; the
# cross-distribution claim is judged only when that precondition holds. Our own
# experiment, not a result of the book.

# %% tags=["parameters"]
SMOKE = False  # True: a short CPU run (what CI does)
EPOCHS = 8  # training epochs of each network (smoke: 3)
TRAIN_PROBLEMS = 14000  # training problems per sampling (smoke: 1400)
TEST_PROBLEMS = 2800  # test problems per sampling (smoke: 700)
DATA_SOURCE = "auto"  # no dataset is used: every problem is generated
SEED = 0

# %%
# Setup (on Colab, install the companion first: pip keeps Colab's TensorFlow and Keras when they are in the supported range); `run` holds this run's mode, data source and sizes.
import sys, subprocess, time
if "google.colab" in sys.modules: started = time.time(); subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--report", "/tmp/dlwp-install.json", "dlwp-companion @ git+https://github.com/dlwp-companion/dlwp-companion@v0.2.0"], check=True); print(f"pip: {time.time() - started:.0f} s")
from dlwp_widgets import config
run = config.setup(smoke=SMOKE, epochs=EPOCHS, data_source=DATA_SOURCE, seed=SEED, book=False)

# %% [markdown]
# ## Problems, labels and proof depth
#
# A problem (`limits.reasoning.Problem`) has facts, rules (definite Horn clauses such
# as `a ∧ b → c`) and a query; its label says whether forward chaining from the facts
# proves the query. Its *depth* is how many rounds of chaining settle the label: for
# a True problem the round that first derives the query (0 when it is a fact), for a
# False one the last round that derived anything. A hand-made problem and its proof:

# %% tags=["nbval-check-output"]
from dlwp_widgets.limits import reasoning

rules = (((0, 1), 2), ((2,), 3), ((4, 5), 6))  # a ∧ b → c;  c → d;  e ∧ f → g
print("proof depths from {a, b}:", {"abcdefg"[p]: d for p, d in reasoning.proof_depths({0, 1}, rules).items()})
problem = reasoning.Problem((0, 1), rules, 3, *reasoning.label_and_depth((0, 1), rules, 3))
print(problem.describe())
print("proof:", "; ".join(" ∧ ".join("abcdefg"[p] for p in ps) + " → " + "abcdefg"[c] for ps, c in reasoning.proof(problem)))

# %% [markdown]
# ## Two ways to sample the same problems, balanced by depth
#
# Both samplers (`limits.reasoning.sample`) use 12 predicates, 1–2 facts and 10–16
# rules of 1–2 premises:
#
# - **Rule-Priority (RP):** facts, rules and query at random; label and depth are
#   computed. Deep problems are rare (well under 1% reach depth 6), so RP problems are
#   drawn in batches of arrays and labelled by vectorised chaining.
# - **Label-Priority (LP),** the paper's layered construction: the true predicates are
#   chosen first and arranged in layers; the facts are layer 0, each predicate of
#   layer i gets one rule from earlier layers with a premise in layer i − 1, and every
#   other rule has a false premise, so it never fires.
#
# Both keep, by rejection, equally many problems in each of the 14 (label, depth)
# cells. Without that, RP is mostly shallow and a lookup scores 95% (issue 19 measured
# it on the earlier label-balanced sampler).

# %%
import numpy as np

train_count, test_count = run.pick(TRAIN_PROBLEMS, 1400), run.pick(TEST_PROBLEMS, 700)
train = {s: reasoning.sample(s, train_count, seed=run.seed) for s in reasoning.SAMPLINGS}
test = {s: reasoning.sample(s, test_count, seed=run.seed + 1) for s in reasoning.SAMPLINGS}  # balanced on their own
print({s: reasoning.check_labels(train[s] + test[s]) for s in reasoning.SAMPLINGS}, "(labels and depths agree with forward chaining)")
for s, ps in test.items():
    counts = np.bincount(reasoning.depths(ps), minlength=reasoning.Sizes().max_depth + 1)
    print(f"{s:15} test problems per depth 0..6: {counts.tolist()}, True: {reasoning.labels(ps).mean():.0%}")
print(test["label-priority"][0].describe())

# %% [markdown]
# ## Baselines that do no chaining
#
# Two lookups (`reasoning.lookup`): "the query is a fact", and "the query is a fact
# or one rule concludes it from facts". Both are right on every False problem and on
# the depths they reach, so on depth-balanced data they score 8/14 and 9/14. A
# logistic regression on a bag of shallow counts (`reasoning.shallow_features`: is
# the query a fact, how many rules conclude it or use it, how many rules, facts and
# distinct conclusions, the mean premises per rule) learns whatever statistics the
# sampler leaves.

# %%
from sklearn.linear_model import LogisticRegression

by_depth = {}  # (model, trained on, tested on) -> accuracy per depth
accuracy = {}
answers_of = {}  # model name -> tested on -> its True/False answers (for the explorer below)
for tested_on, ps in test.items():
    for which in reasoning.LOOKUPS:
        answers = answers_of.setdefault(which, {})[tested_on] = reasoning.lookup(ps, which)
        accuracy[which, None, tested_on] = float((answers == reasoning.labels(ps)).mean())
        by_depth[which, None, tested_on] = reasoning.accuracy_by_depth(answers, ps)
for trained_on, ps in train.items():
    shallow = LogisticRegression(max_iter=1000).fit(reasoning.shallow_features(ps), reasoning.labels(ps))
    for tested_on, qs in test.items():
        answers = shallow.predict(reasoning.shallow_features(qs))
        answers_of.setdefault(f"shallow (trained on {trained_on})", {})[tested_on] = answers
        accuracy["shallow", trained_on, tested_on] = float((answers == reasoning.labels(qs)).mean())
        by_depth["shallow", trained_on, tested_on] = reasoning.accuracy_by_depth(answers, qs)
for key, value in accuracy.items():
    print(f"{key[0]:17} trained on {key[1] or '-':15} tested on {key[2]:15} {value:6.1%}")

# %% [markdown]
# ## A network trained to near-perfect accuracy
#
# The model (`reasoning.chaining_network`) gives each predicate a learned state; in
# each of 7 steps (one more than the deepest proof), every rule reads the states of
# its premises and sends a message to its conclusion, with the same weights at every
# step. Nothing in it says "true" or "all premises": what a state means is learned
# from the labels. We chose it over the paper's Transformer because a
# Transformer of a size this CPU trains stayed far from near-perfect on depth-balanced
# problems (the model's docstring gives the measurement), and the claim is about
# models that *are* near-perfect in distribution. The encoding (`reasoning.encode`)
# is one token per fact and per rule: premises, conclusion, query.

# %%
import keras

encoded = {part: {s: reasoning.encode(ps) for s, ps in split.items()} for part, split in (("train", train), ("test", test))}
for trained_on in reasoning.SAMPLINGS:
    keras.utils.set_random_seed(run.seed)  # both networks start from the same initialisation
    model = reasoning.chaining_network()
    model.fit(*encoded["train"][trained_on], epochs=run.pick(run.epochs, 3), batch_size=64, verbose=0)
    for tested_on in reasoning.SAMPLINGS:
        x, y = encoded["test"][tested_on]
        answers = np.asarray(model.predict(x, batch_size=512, verbose=0))[:, 0] > 0.5
        answers_of.setdefault(f"network (trained on {trained_on})", {})[tested_on] = answers
        accuracy["network", trained_on, tested_on] = float((answers == y.astype(bool)).mean())
        by_depth["network", trained_on, tested_on] = reasoning.accuracy_by_depth(answers, test[tested_on])

# %% [markdown]
# ## Accuracy per depth
#
# Each row is a model, the sampler it was trained on and the sampler it is tested on
# (lookups are not trained); the columns are proof depths 0–6, then all depths.

# %%
names = {"rule-priority": "RP", "label-priority": "LP", None: "--"}
print(f"{'model':17} {'train':5} {'test':5}" + "".join(f"{d:>6}" for d in range(reasoning.Sizes().max_depth + 1)) + "   all")
for key in sorted(by_depth, key=lambda k: (k[2], k[0] != "network", k[0], str(k[1]))):
    model_name, trained_on, tested_on = key
    print(f"{model_name:17} {names[trained_on]:5} {names[tested_on]:5}" + "".join(f"{a:6.0%}" for a in by_depth[key])
          + f"{accuracy[key]:6.1%}")

# %% [markdown]
# ## One problem at a time
#
# Pick the sampler, the proof depth and the label, and step through that cell's test
# problems: the problem, the proof forward chaining finds, and each model's answer
# (`dlwp_widgets/widgets/reasoning_explorer.py`).

# %%
from dlwp_widgets.widgets.reasoning_explorer import ReasoningExplorer

ReasoningExplorer(test, answers_of, depth=3)

# %% [markdown]
# ## The claim, judged only when its precondition holds
#
# The paper's claim is about a model that is near-perfect on its own distribution;
# a model that is not is no evidence either way. So the cross-distribution result is
# read only where the in-distribution accuracy reached 0.97.

# %%
for trained_on, other in (("rule-priority", "label-priority"), ("label-priority", "rule-priority")):
    inside, across = accuracy["network", trained_on, trained_on], accuracy["network", trained_on, other]
    if inside < 0.97:
        print(f"trained on {names[trained_on]}: in-distribution accuracy {inside:.1%} < 97%: precondition NOT met, "
              f"so this run says nothing about the claim ({names[other]}: {across:.1%}).")
    elif across < inside - 0.05:
        print(f"trained on {names[trained_on]}: {inside:.1%} in distribution, {across:.1%} on {names[other]}: "
              "a drop of more than 5 points, as the paper found.")
    else:
        print(f"trained on {names[trained_on]}: {inside:.1%} in distribution, {across:.1%} on {names[other]}: "
              "no drop: this network learned something that transfers, unlike the paper's BERT.")

# %% [markdown]
# ## What this does and does not show
#
# **Shows:** on problems balanced by depth and label, lookups that do no chaining
# score only what their depth coverage allows (8/14 and 9/14), so they cannot pass
# for reasoning, and the per-depth table shows where any model, the shallow one
# included, stops answering better than a coin. It also shows whether a network
# that is near-perfect on one sampler keeps that accuracy on the other: the
# paragraph above says what this run found, in each direction.
#
# **Does not show:** that the paper is wrong about BERT. Our network's shared step
# matches one round of chaining, an inductive bias a generic Transformer does not
# have; a model whose structure matches the algorithm can learn the algorithm, much
# as chapter 9's other notebooks show for extrapolation. The paper's point survives
# in that form: what a network learns from data depends on what its structure makes
# easy, and accuracy in distribution does not tell which it learned. Our problems are
# small (12 predicates), and depth balance removes the shortcut statistics the
# paper's RP data had in abundance.

# %% [markdown]
# ## This run against the book
#
# Our experiment, not a book result. The lookups must score at most 0.65 (9/14 plus
# a little), which fails if the sampler is not balanced by depth. Each network's
# in-distribution accuracy must beat the best baseline (the trivial baseline
# column) and reach 0.97 in full mode; the cross-distribution accuracies are judged
# only when that precondition held, against our claim that this network does not
# drop by more than 5 points (the paper's drop would fail it). The shallow model
# must stay 10 points below the network in full mode.

# %%
from dlwp_widgets.book import record, against_the_book

for s, short in (("rule-priority", "rp"), ("label-priority", "lp")):
    record(f"reasoning_lookup_fact_or_one_step_{short}_accuracy", accuracy["fact_or_one_step", None, s])
best_baseline = {s: max(accuracy[k] for k in accuracy if k[0] != "network" and k[2] == s and k[1] in (None, s))
                 for s in reasoning.SAMPLINGS}
record("reasoning_rp_trained_rp_accuracy", accuracy["network", "rule-priority", "rule-priority"],
       baseline=best_baseline["rule-priority"])
record("reasoning_lp_trained_lp_accuracy", accuracy["network", "label-priority", "label-priority"],
       baseline=best_baseline["label-priority"])
record("reasoning_rp_trained_lp_accuracy", accuracy["network", "rule-priority", "label-priority"])
record("reasoning_lp_trained_rp_accuracy", accuracy["network", "label-priority", "rule-priority"])
record("reasoning_shallow_rp_trained_rp_accuracy", accuracy["shallow", "rule-priority", "rule-priority"])
against_the_book()

# %% [markdown]
# ## References
#
# - H. Zhang, L. H. Li, T. Meng, K.-W. Chang, G. Van den Broeck, "On the Paradox of
#   Learning to Reason from Data", IJCAI 2023 (arXiv:2205.11502): SimpleLogic, the
#   Rule-Priority and Label-Priority samplers, balancing by reasoning depth.
# - F. Chollet, *Deep Learning with Python* (Manning, 2017), section 9.2; the later
#   essays: "The limitations of deep learning" and "The future of deep learning",
#   The Keras Blog, July 2017, and the author's 2024 public remarks on why recurrent
#   networks did not learn first-order logic, which cite the paper above.
