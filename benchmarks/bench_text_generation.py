"""Characters per second: the book's generation loop vs the companion's numpy sampler.

Same model in the same run: the book's LSTM(128) over 57 symbols with a
60-character window (random weights: speed does not depend on training).

* book: listing 8.7's inner loop, ported faithfully: one-hot the last 60
  characters, ``model.predict`` (verbose=0), sample, append; kept short
  (``--book-chars``, default 40) because it runs at tens of characters per second.
* ours, window: ``CharSampler(context="window")``, exact book semantics.
* ours, stateful: ``CharSampler(context="stateful")``, the widget's path.
* ours, 4 temperatures: the notebook's per-epoch samples in one batch.

Run: ``python benchmarks/bench_text_generation.py [--chars 400] [--book-chars 40] [--repeats 5]``.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

MAXLEN = 60
SYMBOLS = 57
UNITS = 128
GOAL_CHARS_PER_SECOND = 10_000


def build_model():
    import keras

    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [
            keras.Input(shape=(MAXLEN, SYMBOLS)),
            keras.layers.LSTM(UNITS),
            keras.layers.Dense(SYMBOLS, activation="softmax"),
        ]
    )


def book_sample(preds, temperature=1.0):
    """Listing 8.6 as printed (np.random.multinomial on the reweighted float64 distribution)."""
    preds = np.asarray(preds).astype("float64")
    preds = np.log(preds) / temperature
    exp_preds = np.exp(preds)
    preds = exp_preds / np.sum(exp_preds)
    probas = np.random.multinomial(1, preds, 1)
    return np.argmax(probas)


def book_generate(model, chars, seed, length, temperature):
    """Listing 8.7's inner loop: model.predict on the last 60 characters, per character."""
    char_indices = {char: i for i, char in enumerate(chars)}
    generated_text = seed
    for _ in range(length):
        sampled = np.zeros((1, MAXLEN, len(chars)))
        for t, char in enumerate(generated_text):
            sampled[0, t, char_indices[char]] = 1.0
        preds = model.predict(sampled, verbose=0)[0]
        next_char = chars[book_sample(preds, temperature)]
        generated_text = (generated_text + next_char)[1:]
    return generated_text


def best_rate(function, characters, repeats):
    """Characters per second of the fastest of ``repeats`` runs (the least disturbed by other load)."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return characters / min(times), min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=400, help="characters per sample for our paths")
    parser.add_argument("--book-chars", type=int, default=40, help="characters for the book's slow loop")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    from dlwp_widgets.text.generation import CharSampler

    model = build_model()
    chars = [chr(code) for code in range(ord("!"), ord("!") + SYMBOLS)]
    seed = "".join(np.random.default_rng(0).choice(chars, MAXLEN))
    np.random.seed(0)

    book_generate(model, chars, seed, 2, 0.5)  # warm-up: builds the predict function
    book, book_seconds = best_rate(lambda: book_generate(model, chars, seed, args.book_chars, 0.5), args.book_chars, 1)

    window = CharSampler(model, chars, context="window")
    stateful = CharSampler(model, chars, context="stateful")
    temperatures = [0.2, 0.5, 1.0, 1.2]
    rows = [
        ("book: model.predict per character", book, book_seconds, args.book_chars),
        ("ours: window (exact book semantics)",
         *best_rate(lambda: window.generate(seed, args.chars, 0.5, 0), args.chars, args.repeats), args.chars),
        ("ours: stateful (the widget's path)",
         *best_rate(lambda: stateful.generate(seed, args.chars, 0.5, 0), args.chars, args.repeats), args.chars),
        ("ours: window, 4 temperatures batched",
         *best_rate(lambda: window.generate(seed, args.chars, temperatures, 0), 4 * args.chars, args.repeats),
         4 * args.chars),
        ("ours: stateful, 4 temperatures batched",
         *best_rate(lambda: stateful.generate(seed, args.chars, temperatures, 0), 4 * args.chars, args.repeats),
         4 * args.chars),
    ]
    print(f"Char-LSTM({UNITS}), {MAXLEN}-character window, {SYMBOLS} symbols; best of {args.repeats} runs for ours")
    print(f"{'path':<42}{'chars':>7}{'seconds':>10}{'chars/s':>11}{'vs book':>10}")
    for name, rate, seconds, count in rows:
        print(f"{name:<42}{count:>7}{seconds:>10.3f}{rate:>11,.0f}{rate / book:>9,.0f}x")
    widget_rate = rows[2][1]
    verdict = "met" if widget_rate >= GOAL_CHARS_PER_SECOND else "NOT met"
    print(
        f"goal >= {GOAL_CHARS_PER_SECOND:,} chars/s for the widget's path: {verdict} "
        f"({args.chars} characters in {args.chars / widget_rate * 1000:.0f} ms)"
    )


if __name__ == "__main__":
    main()
