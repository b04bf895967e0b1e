"""Widget responsiveness: every control of every widget, driven from Python, p50 / p95 latency.

Each widget is built with models sized like the notebooks' smoke mode (the 5.2
convnet at 150x150, VGG16's conv base at 64x64 with 5 ascent steps, the 8.1
LSTM(128) on 57 characters, ...).  Every control found in the widget tree is
then moved the way the unit tests do (``control.value = ...``, ``button.click()``):

* value controls: one warm-up move (the first computation, e.g. a new layer's
  activations), then ``MOVES`` moves across a few values; p50 / p95 / max of
  the time the change handlers took (ipywidgets calls them synchronously);
* buttons: the time until the widget first shows something (any HTML, Label,
  Image, Output or progress value changes: "feedback") and the time the click
  blocks the caller; a widget with a Stop button is noted.

Goal: controls that do not start training or gradient ascent answer in under
100 ms after their first computation; the ones that do show progress within
100 ms and can be stopped.  Widget modules without a factory here are listed
as not measured (new widgets are discovered in dlwp_widgets/widgets/).

    ./dev.sh python benchmarks/bench_widget_latency.py [--only temperature,filter_browser] [--threads 2]
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import statistics
import sys
import threading
import time
import traceback

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("DLWP_DATA_SOURCE", "standin")

import numpy as np  # noqa: E402

MOVES = 12
GOAL_MS = 100.0
WORK_WORDS = ("train", "retrain", "run", "dream", "optimi", "search", "more", "compute", "transfer", "encode", "generate")


# --------------------------------------------------------------------------- factories


def _picture(size=150, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (size, size, 3)).astype(np.uint8)


def make_training_curves():
    from dlwp_widgets.widgets.training_curves import CurveBoard

    rng = np.random.default_rng(0)
    histories = {
        name: {"loss": list(np.exp(-np.arange(20) / 8) + rng.random(20) * 0.05),
               "val_loss": list(np.exp(-np.arange(20) / 6) + rng.random(20) * 0.1)}
        for name in ("original", "smaller", "bigger")
    }
    return CurveBoard(histories, metric="val_loss")


def make_overfitting():
    import keras

    from dlwp_widgets.widgets.overfitting import OverfittingExplorer

    rng = np.random.default_rng(0)
    x = (rng.random((2000, 1000)) < 0.05).astype("float32")  # smoke-sized multi-hot reviews
    y = (x[:, :50].sum(axis=1) > 2.5).astype("float32")

    def train(hidden_units, dropout=0.0, l2=0.0, epochs=2):
        stack = [keras.Input((1000,))]
        for units in hidden_units:
            stack.append(keras.layers.Dense(units, activation="relu",
                                            kernel_regularizer=keras.regularizers.l2(l2) if l2 else None))
            if dropout:
                stack.append(keras.layers.Dropout(dropout))
        stack.append(keras.layers.Dense(1, activation="sigmoid"))
        model = keras.Sequential(stack)
        model.compile("rmsprop", "binary_crossentropy")
        return model.fit(x[:1500], y[:1500], validation_data=(x[1500:], y[1500:]), epochs=epochs, batch_size=512, verbose=0)

    histories = {"reference": train((16, 16), epochs=4).history}
    return OverfittingExplorer(histories, train, epochs=2)


def _cats_dogs():
    from dlwp_widgets.models.convnets import cats_dogs_convnet

    return cats_dogs_convnet(image_size=150)


def make_activation_browser():
    from dlwp_widgets.widgets.activation_browser import ActivationBrowser

    model = _cats_dogs()
    names = [layer.name for layer in model.layers[:8]]
    return ActivationBrowser(model, _picture(), layer_names=names)


def make_filter_browser():
    from dlwp_widgets.models.convnets import vgg16_conv_base
    from dlwp_widgets.widgets.filter_browser import FilterBrowser

    vgg = vgg16_conv_base("standin", input_shape=(64, 64, 3))
    names = [layer.name for layer in vgg.layers if "conv" in layer.name]
    return FilterBrowser(vgg, layer_names=names, size=64, steps=5)


def make_gradcam_viewer():
    from dlwp_widgets.widgets.gradcam_viewer import GradCAMViewer

    return GradCAMViewer(_cats_dogs(), _picture(), class_names=["cat", "dog"])


def make_temperature():
    import keras

    from dlwp_widgets.widgets.temperature import TemperatureSampler

    chars = sorted(set(" \n!\"'(),-.:;?0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHI"))  # 58 symbols, about the Nietzsche corpus (57)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((60, len(chars))), keras.layers.LSTM(128),
                              keras.layers.Dense(len(chars), activation="softmax")])
    seed = ("the present time is a time of transition and of spiritual crisis, and " * 2)[:60]
    return TemperatureSampler(model, chars, seed_text=seed, length=400, temperature=0.5)


# --- chapters 6-9 (their widgets' own sizes for the notebooks' smoke mode where cheap; tiny otherwise)


def make_embedding_explorer():
    from dlwp_widgets.widgets.embedding_explorer import EmbeddingExplorer

    rng = np.random.default_rng(0)
    vocabulary = ["", "[UNK]", "good", "great", "excellent", "bad", "awful", "boring", "movie", "film"]
    vocabulary += [f"word{i}" for i in range(10_000 - len(vocabulary))]  # the book's 10,000-word vocabulary
    return EmbeddingExplorer(rng.standard_normal((10_000, 100)).astype("float32"), vocabulary, word="good")


def make_review_scorer():
    import keras

    from dlwp_widgets.widgets.review_scorer import ReviewScorer

    vectorizer = keras.layers.TextVectorization(max_tokens=10_000, output_sequence_length=100)
    vectorizer.adapt(["a good great movie", "a bad awful boring film", "the plot and the actors"])
    keras.utils.set_random_seed(0)
    lstm = keras.Sequential([keras.Input((100,)), keras.layers.Embedding(10_000, 32), keras.layers.LSTM(32),
                             keras.layers.Dense(1, activation="sigmoid")])
    dense = keras.Sequential([keras.Input((100,)), keras.layers.Embedding(10_000, 8), keras.layers.Flatten(),
                              keras.layers.Dense(1, activation="sigmoid")])
    return ReviewScorer({"lstm": (lstm, vectorizer), "dense": (dense, vectorizer)}, text="A good movie with great actors.")


def make_forecast_viewer():
    import keras

    from dlwp_widgets.widgets.forecast_viewer import ForecastViewer

    rng = np.random.default_rng(1)
    rows = 20_000
    time_axis = np.arange(rows)
    data = rng.standard_normal((rows, 14)).astype("float32")
    data[:, 1] = np.sin(2 * np.pi * time_axis / 144) + 0.1 * rng.standard_normal(rows)
    keras.utils.set_random_seed(0)
    gru = keras.Sequential([keras.Input((None, 14)), keras.layers.GRU(32), keras.layers.Dense(1)])
    return ForecastViewer(data, {"gru": gru}, mean=9.0, std=8.0, rows=np.arange(12_000, 16_000), mae_windows=256)


def make_ensemble_mixer():
    from dlwp_widgets.widgets.ensemble_mixer import EnsembleMixer

    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 10_000)
    strong = np.eye(10)[labels] * 0.6 + rng.uniform(0, 0.4, (10_000, 10))
    weak = rng.dirichlet(np.ones(10), 10_000)
    members = [p / p.sum(axis=1, keepdims=True) for p in (strong, weak, (strong + weak) / 2)]
    return EnsembleMixer(members, labels, ["strong", "weak", "middle"])


def make_tuner_board():
    from dlwp_widgets.widgets.tuner_board import TunerBoard

    rng = np.random.default_rng(0)
    trials = [{"trial": str(i), "score": float(rng.uniform(0.7, 0.9)), "status": "COMPLETED",
               "units": int(rng.choice([16, 32, 64])), "dropout": float(rng.uniform(0, 0.5))} for i in range(20)]
    return TunerBoard(trials)


def _tiny_convnet():
    import keras

    keras.utils.set_random_seed(0)
    return keras.Sequential([keras.Input((None, None, 3)),
                             keras.layers.Conv2D(8, 3, padding="same", activation="relu", name="c1"),
                             keras.layers.Conv2D(16, 3, padding="same", activation="relu", name="c2")])


def make_dream_controls():
    from dlwp_widgets.widgets.dream_controls import DreamControls

    return DreamControls(_tiny_convnet(), _picture(128), layer_weights={"c1": 0.5, "c2": 1.0}, octaves=2, iterations=5,
                         min_side=8, max_side=128)


def make_style_mixer():
    from dlwp_widgets.widgets.style_mixer import StyleMixer

    return StyleMixer(_tiny_convnet(), _picture(128), _picture(128, seed=1), height=64, iterations=2,
                      content_layer="c2", style_layers=["c1", "c2"])


def make_latent_explorer():
    import keras

    from dlwp_widgets.widgets.latent_explorer import LatentExplorer

    keras.utils.set_random_seed(0)
    inputs = keras.Input((2,))
    x = keras.layers.Dense(7 * 7 * 32, activation="relu")(inputs)
    x = keras.layers.Reshape((7, 7, 32))(x)
    x = keras.layers.Conv2DTranspose(32, 3, strides=2, padding="same", activation="relu")(x)
    x = keras.layers.Conv2DTranspose(1, 3, strides=2, padding="same", activation="sigmoid")(x)
    return LatentExplorer(keras.Model(inputs, x), grid_size=15)


def make_gan_timeline():
    import keras

    from dlwp_widgets.models import generative as gen
    from dlwp_widgets.widgets.gan_timeline import GANTimeline

    rng = np.random.default_rng(0)
    timeline = gen.Timeline()
    for index in range(10):
        timeline.steps.append(index * 20)
        timeline.samples.append(rng.integers(0, 256, (9, 32, 32, 3), dtype=np.uint8))
    timeline.d_losses.extend(np.linspace(0.7, 0.6, 180).tolist())
    timeline.g_losses.extend(np.linspace(0.7, 0.9, 180).tolist())
    keras.utils.set_random_seed(0)
    generator = keras.Sequential([keras.Input((32,)), keras.layers.Dense(32 * 32 * 3, activation="tanh"),
                                  keras.layers.Reshape((32, 32, 3))])
    discriminator = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Conv2D(16, 3, strides=2),
                                      keras.layers.Flatten(), keras.layers.Dense(1, activation="sigmoid")])
    gan = gen.GAN(generator, discriminator, latent_dim=32, seed=0)
    gan.compile()
    return GANTimeline(timeline, gan=gan, next_batch=lambda: rng.uniform(-1, 1, (16, 32, 32, 3)).astype("float32"),
                       latent_points=np.zeros((9, 32), "float32"), steps_per_run=20, every=10)


def make_adversarial_explorer():
    import keras

    from dlwp_widgets.widgets.adversarial_explorer import AdversarialExplorer

    rng = np.random.default_rng(0)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D(32, 3, activation="relu"),
                              keras.layers.MaxPooling2D(2), keras.layers.Conv2D(64, 3, activation="relu"),
                              keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
    images = rng.random((20, 28, 28, 1)).astype("float32")
    return AdversarialExplorer(model, images, rng.integers(0, 10, 20))


def make_extrapolation_explorer():
    from dlwp_widgets.widgets.extrapolation_explorer import ExtrapolationExplorer

    return ExtrapolationExplorer("x²", training_range=(-1.0, 1.0))


def make_hull_explorer():
    from dlwp_widgets.widgets.hull_explorer import HullExplorer

    return HullExplorer(dimension=2, count=100)


def make_reasoning_explorer():
    from dlwp_widgets.limits import reasoning
    from dlwp_widgets.widgets.reasoning_explorer import ReasoningExplorer

    problems = {s: reasoning.sample(s, 700, seed=1) for s in reasoning.SAMPLINGS}  # the notebook's smoke test sets
    answers = {w: {s: reasoning.lookup(ps, w) for s, ps in problems.items()} for w in reasoning.LOOKUPS}
    return ReasoningExplorer(problems, answers, depth=3)


FACTORIES = {
    "extrapolation_explorer": make_extrapolation_explorer,
    "reasoning_explorer": make_reasoning_explorer,
    "hull_explorer": make_hull_explorer,
    "adversarial_explorer": make_adversarial_explorer,
    "embedding_explorer": make_embedding_explorer,
    "review_scorer": make_review_scorer,
    "forecast_viewer": make_forecast_viewer,
    "ensemble_mixer": make_ensemble_mixer,
    "tuner_board": make_tuner_board,
    "dream_controls": make_dream_controls,
    "style_mixer": make_style_mixer,
    "latent_explorer": make_latent_explorer,
    "gan_timeline": make_gan_timeline,
    "training_curves": make_training_curves,
    "overfitting": make_overfitting,
    "activation_browser": make_activation_browser,
    "filter_browser": make_filter_browser,
    "gradcam_viewer": make_gradcam_viewer,
    "temperature": make_temperature,
}


# --------------------------------------------------------------------------- driving


def _root(obj):
    import ipywidgets as widgets

    return obj if isinstance(obj, widgets.Widget) else getattr(obj, "widget", None)


def _walk(widget, seen=None):
    import ipywidgets as widgets

    seen = seen if seen is not None else set()
    if widget is None or id(widget) in seen:
        return
    seen.add(id(widget))
    yield widget
    for child in getattr(widget, "children", ()) or ():
        if isinstance(child, widgets.Widget):
            yield from _walk(child, seen)


def _label(control) -> str:
    text = getattr(control, "description", "") or getattr(control, "tooltip", "") or ""
    return f"{type(control).__name__}({text.strip()[:24]})"


def _values(control) -> list:
    """A few values to move a control through (never its current one first)."""
    import ipywidgets as widgets

    current = control.value
    if isinstance(control, (widgets.IntSlider, widgets.FloatSlider, widgets.BoundedIntText, widgets.BoundedFloatText)):
        low, high = control.min, control.max
        if high <= low:
            return []
        picks = np.linspace(low, high, 6)
        if isinstance(control, (widgets.IntSlider, widgets.BoundedIntText)):
            picks = sorted({int(round(v)) for v in picks})
        else:
            step = control.step or (high - low) / 20
            picks = sorted({round(low + round((v - low) / step) * step, 10) for v in picks})
        return [v for v in picks if v != current] + [current]
    if isinstance(control, (widgets.FloatRangeSlider, widgets.IntRangeSlider)):
        low, high = control.min, control.max
        width = (high - low) / 4
        starts = np.linspace(low, high - width, 5)
        picks = [(float(a), float(a + width)) for a in starts]
        if isinstance(control, widgets.IntRangeSlider):
            picks = [(int(a), int(b)) for a, b in picks]
        return [v for v in picks if tuple(v) != tuple(current)] + [tuple(current)]
    if isinstance(control, (widgets.SelectionSlider, widgets.Dropdown, widgets.ToggleButtons, widgets.RadioButtons,
                            widgets.Select)):
        options = [o[1] if isinstance(o, tuple) else o for o in control.options]
        if isinstance(control, widgets.SelectionSlider) or isinstance(control, (widgets.Dropdown, widgets.Select)):
            options = list(control.options)
            options = [o[1] if isinstance(o, tuple) and len(o) == 2 else o for o in options]
        options = options[:6]
        return [o for o in options if o != current] + [current] if len(options) > 1 else []
    if isinstance(control, (widgets.Checkbox, widgets.ToggleButton)):
        return [not current, current]
    if isinstance(control, (widgets.IntText, widgets.FloatText)):
        return []  # free numbers: read when a button is pressed (measured with the button)
    if isinstance(control, (widgets.Text, widgets.Textarea)):
        base = current or "the quick brown fox"
        return [base + " and more", base[: max(1, len(base) // 2)], base]
    return []


CPU_MS: list[float] = []  # process CPU time of each move (all threads): what the move costs on an idle machine


def _time_set(control, value, feedback=None, seen=None, background=None, results=None) -> float:
    """The time the change handlers took; with ``background`` (a RunsInBackground widget), the time until
    its run ended goes to ``results`` and the CPU time counts the run."""
    if feedback is not None:
        feedback.arm()
    cpu = time.process_time()
    started = time.perf_counter()
    control.value = value
    elapsed = (time.perf_counter() - started) * 1000
    if background is not None:
        background.wait(120)
        if results is not None:
            results.append((time.perf_counter() - started) * 1000)
    CPU_MS.append((time.process_time() - cpu) * 1000)
    if feedback is not None and seen is not None and feedback.first is not None:
        seen.append(feedback.first)
    return elapsed


class Feedback:
    """Time of the first change of anything the widget displays, after ``arm()``."""

    def __init__(self, root):
        import ipywidgets as widgets

        self.first: float | None = None
        self.changes = 0
        self.armed_at = 0.0
        shows = (widgets.HTML, widgets.Label, widgets.Image, widgets.Output, widgets.IntProgress,
                 widgets.FloatProgress, widgets.Textarea)
        for widget in _walk(root):
            if isinstance(widget, shows):
                names = ["outputs"] if isinstance(widget, widgets.Output) else ["value"]
                widget.observe(self._seen, names=names)

    def arm(self):
        self.first, self.changes, self.armed_at = None, 0, time.perf_counter()

    def _seen(self, change):
        self.changes += 1
        if self.first is None:
            self.first = (time.perf_counter() - self.armed_at) * 1000


def _quiet_for(feedback: Feedback, seconds: float, limit: float, threads: int) -> None:
    """Wait until background work is done (no thread beyond ``threads``) and nothing changed for ``seconds``."""
    deadline = time.monotonic() + limit
    last = -1
    while time.monotonic() < deadline:
        if feedback.changes == last and threading.active_count() <= threads:
            return
        last = feedback.changes
        time.sleep(seconds)


def measure(name: str, factory) -> list[dict]:
    import ipywidgets as widgets

    started = time.perf_counter()
    obj = factory()
    build_ms = (time.perf_counter() - started) * 1000
    root = _root(obj)
    rows = [{"widget": name, "control": "(build + first render)", "kind": "build", "p50": build_ms, "p95": build_ms,
             "max": build_ms, "n": 1}]
    feedback = Feedback(root)
    controls = [w for w in _walk(root) if isinstance(w, widgets.ValueWidget) or isinstance(w, widgets.Button)]
    from dlwp_widgets.widgets.common import RunsInBackground

    background = obj if isinstance(obj, RunsInBackground) else None
    has_stop = any(isinstance(c, widgets.Button) and "stop" in (c.description or "").lower() for c in controls)
    for control in controls:
        if isinstance(control, widgets.Button):
            description = (control.description or control.tooltip or "").lower()
            if "stop" in description or control.disabled:
                continue
            work = any(word in description for word in WORK_WORDS)
            blocking, first = [], []
            for _ in range(2 if work else 5):
                threads = threading.active_count()
                feedback.arm()
                t0 = time.perf_counter()
                control.click()
                blocking.append((time.perf_counter() - t0) * 1000)
                first.append(feedback.first if feedback.first is not None else blocking[-1])
                _quiet_for(feedback, 0.5, 120, threads)
            rows.append({"widget": name, "control": _label(control), "kind": "work" if work else "button",
                         "p50": statistics.median(first), "p95": max(first), "max": max(blocking), "n": len(first),
                         "note": ("feedback; max = click blocked" + ("; Stop button" if has_stop else ""))})
            continue
        if isinstance(control, widgets.FileUpload) or getattr(control, "disabled", False):
            continue
        values = _values(control)
        if not values:
            continue
        original = control.value
        try:
            warm = _time_set(control, values[0], background=background)
            seen: list[float] = []
            results: list[float] = []
            CPU_MS.clear()
            times = [_time_set(control, values[(i + 1) % len(values)], feedback, seen, background, results)
                     for i in range(MOVES)]
            cpu_p50 = statistics.median(CPU_MS)
            _time_set(control, original, background=background)  # the next control starts from the widget's own settings
        except Exception as error:  # a control the benchmark cannot move: say so
            rows.append({"widget": name, "control": _label(control), "kind": "error", "p50": float("nan"),
                         "p95": float("nan"), "max": float("nan"), "n": 0, "note": f"{type(error).__name__}: {error}"})
            continue
        rows.append({"widget": name, "control": _label(control), "kind": "value", "cpu": cpu_p50,
                     "p50": statistics.median(times),
                     "p95": float(np.percentile(times, 95)), "max": max(times), "n": len(times),
                     "note": f"first move {warm:.0f} ms" + (f"; first feedback p50 {statistics.median(seen):.0f} ms"
                                                             if seen and statistics.median(times) >= GOAL_MS else "")
                     + (f"; in the background, result p50 {statistics.median(results):.0f} / p95 "
                        f"{float(np.percentile(results, 95)):.0f} ms" + ("; Stop button" if has_stop else "")
                        if results else "")})
    if background is not None:  # no run of this widget may go on eating CPU while the next one is measured
        background.request_stop()
        background.wait(120)
    error = getattr(obj, "last_error", None)
    if error:
        rows.append({"widget": name, "control": "(widget error shown)", "kind": "error", "p50": float("nan"),
                     "p95": float("nan"), "max": float("nan"), "n": 0, "note": str(error)[:80]})
    return rows


def discover() -> list[str]:
    import dlwp_widgets.widgets as package

    return sorted(m.name for m in pkgutil.iter_modules(package.__path__) if m.name not in ("common", "__init__"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated widget modules")
    parser.add_argument("--threads", type=int, default=2, help="CPU threads TensorFlow may use (the goal: 2 cores)")
    args = parser.parse_args()

    from dlwp_widgets import config

    tf, _ = config.start_tensorflow()
    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    import matplotlib

    matplotlib.use("Agg")

    modules = discover()
    chosen = args.only.split(",") if args.only else modules
    rows, missing = [], []
    for name in chosen:
        factory = FACTORIES.get(name)
        if factory is None:
            missing.append(name)
            continue
        try:
            importlib.import_module(f"dlwp_widgets.widgets.{name}")
            rows += measure(name, factory)
        except Exception as error:
            traceback.print_exc()
            rows.append({"widget": name, "control": "(could not build)", "kind": "error", "p50": float("nan"),
                         "p95": float("nan"), "max": float("nan"), "n": 0, "note": f"{type(error).__name__}: {error}"})
        print(f"  measured {name}", file=sys.stderr, flush=True)

    print(f"\nWidget latency, ms ({args.threads} TensorFlow threads, {os.cpu_count()} CPUs visible, load average "
          f"{os.getloadavg()[0]:.1f} at the end; 'cpu p50': the process CPU time of a move, all threads, about its "
          f"wall time on an idle machine for single-threaded work; goal: "
          f"value controls < {GOAL_MS:.0f} ms after the first computation, work buttons show feedback < {GOAL_MS:.0f} ms)\n")
    head = (f"{'widget':<20} {'control':<34} {'kind':<6} {'p50':>8} {'p95':>8} {'max':>8} {'cpu p50':>8} {'n':>3}"
            "  goal  note")
    print(head)
    print("-" * len(head))
    for row in rows:
        ok = ""
        if row["kind"] in ("value", "button", "work"):
            ok = "ok" if row["p95"] < GOAL_MS else "SLOW"
        print(f"{row['widget']:<20} {row['control']:<34} {row['kind']:<6} {row['p50']:8.1f} {row['p95']:8.1f} "
              f"{row['max']:8.1f} {row.get('cpu', float('nan')):8.1f} {row['n']:>3}  {ok:<4}  {row.get('note', '')}")
    if missing:
        print(f"\nNot measured (no factory in this benchmark yet): {', '.join(missing)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
