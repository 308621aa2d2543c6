"""Seeding, device choice, profiles, thread count and checkpoints.

Everything a chapter needs to be reproducible from a seed and to "train or load" a model.
"""
from __future__ import annotations

import contextlib
import numbers
import os
import random
import threading
import time
from pathlib import Path
from typing import Callable

import numpy as np
import torch
from torch import nn

PROFILES = ("quick", "full")
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
CHECKPOINT_DIR = DATA_DIR / "checkpoints"
CHECKPOINT_FORMAT = 1  # bump when the layout of a checkpoint file changes

# Runs with different numbers of torch threads sum in different orders and drift apart during
# training, so the stored outputs of the notebooks are only reproducible at a fixed count.
DEFAULT_THREADS = 2


def is_whole(value, minimum: int = 1) -> bool:
    """True for a whole number >= minimum: Python and NumPy integers count; True, 2.0 and "2" do not."""
    return not isinstance(value, bool) and isinstance(value, numbers.Integral) and value >= minimum


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch (CPU and every GPU); ask torch for deterministic kernels.

    seed: a whole number in 0 .. 2**63 - 1 (NumPy integers too). Ops without a deterministic
    implementation warn instead of failing (warn_only=True).
    """
    if not (is_whole(seed, 0) and seed < 2**63):
        raise ValueError(f"seed must be a non-negative whole number, 0 .. 2**63 - 1, got {seed!r}")
    seed = int(seed)  # random.seed refuses NumPy integers (Python >= 3.11)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)  # also seeds every CUDA device
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.use_deterministic_algorithms(True, warn_only=True)
    if torch.backends.cudnn.is_available():
        torch.backends.cudnn.benchmark = False


OFFLINE_VALUES, ONLINE_VALUES = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")


def offline() -> bool:
    """Whether GANTUT_OFFLINE asks for no network: 1/true/yes/on (any case) yes; unset, 0/false/no/off no.

    The one place that decides it: with it set, the data loaders use the shipped subsets only and
    nothing is downloaded. Any other value is refused rather than guessed.
    """
    value = os.environ.get("GANTUT_OFFLINE", "").strip().lower()
    if value in OFFLINE_VALUES:
        return True
    if value in ONLINE_VALUES:
        return False
    raise ValueError(f"GANTUT_OFFLINE={os.environ['GANTUT_OFFLINE']!r} is neither on (1, true, yes, on) "
                     "nor off (0, false, no, off, or unset)")


def set_threads(n: int | None = None) -> int:
    """Pin torch's intra-op thread count (GANTUT_THREADS, else DEFAULT_THREADS). Returns it."""
    if n is None:
        text = os.environ.get("GANTUT_THREADS", str(DEFAULT_THREADS)).strip()
        if not text.isdigit():
            raise ValueError(f"GANTUT_THREADS must be a whole number of threads such as 1 or 2, got {text!r}")
        n = int(text)
    if not is_whole(n):
        raise ValueError(f"thread count must be an integer >= 1, got {n!r}")
    torch.set_num_threads(n)
    return n


def device() -> torch.device:
    """The device a chapter runs on: GANTUT_DEVICE if set, else CUDA if a GPU is visible, else the CPU.

    GANTUT_DEVICE=cpu on a GPU machine reproduces the stored outputs (they are CPU runs); the test
    configuration (conftest.py) sets it for nbval.
    """
    wanted = os.environ.get("GANTUT_DEVICE", "").strip()
    if not wanted:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        chosen = torch.device(wanted)
    except RuntimeError as error:
        raise ValueError(f"GANTUT_DEVICE={wanted!r} is not a device: use cpu, cuda or cuda:1, or unset it") from error
    if chosen.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"GANTUT_DEVICE={wanted!r} but torch sees no CUDA GPU: use GANTUT_DEVICE=cpu or unset it")
    if chosen.type == "cuda" and (chosen.index or 0) >= torch.cuda.device_count():
        raise ValueError(f"GANTUT_DEVICE={wanted!r} but torch sees {torch.cuda.device_count()} GPU(s): "
                         f"use cuda:0 .. cuda:{torch.cuda.device_count() - 1}")
    if chosen.type == "mps" and not torch.backends.mps.is_available():
        raise ValueError(f"GANTUT_DEVICE={wanted!r} but MPS is not available here: use cpu")
    return chosen


def module_device(module, default: torch.device | str | None = None) -> torch.device | None:
    """The device of a module's first parameter (a network lives on one device); default if it has none
    or is not an nn.Module (a plain function used as a critic)."""
    parameter = next(module.parameters(), None) if isinstance(module, nn.Module) else None
    return parameter.device if parameter is not None else (torch.device(default) if default is not None else None)


def setup(seed: int, threads: int | None = None, verbose: bool = True) -> torch.device:
    """The first call of every chapter: pin threads, seed everything, return the device."""
    n = set_threads(threads)
    seed_everything(seed)
    dev = device()
    if verbose:
        print(f"seed {seed}, device {dev.type}, {n} torch thread{'s' if n > 1 else ''}")
    return dev


def check_profile(profile: str) -> str:
    """Return profile if it is "quick" or "full", else raise a ValueError that says so."""
    if profile not in PROFILES:
        raise ValueError(f"PROFILE must be one of {PROFILES}, got {profile!r}")
    return profile


def by_profile(profile: str, quick, full):
    """The value for this profile: by_profile(PROFILE, quick=2_000, full=50_000)."""
    return quick if check_profile(profile) == "quick" else full


# ----------------------------------------------------------------------------- checkpoints

def architecture(model: nn.Module) -> list[tuple[str, tuple[int, ...]]]:
    """The model's class name and the name and shape of every tensor in its state dict."""
    return [("class", (type(model).__name__,))] + [
        (name, tuple(t.shape)) for name, t in model.state_dict().items()
    ]


def _plain(value, where: str):
    """Metadata as what torch.load(weights_only=True) reads back: str, int, float, bool, None and
    lists/dicts of them. NumPy scalars and arrays, tuples and Paths are converted; anything else is refused."""
    if isinstance(value, np.generic):        # before the plain types: np.float64 is a float, np.str_ a str
        return value.item()
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, torch.Tensor):
        return value.detach().cpu()
    if isinstance(value, (list, tuple)):
        items = [_plain(v, f"{where}[{i}]") for i, v in enumerate(value)]
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise TypeError(f"checkpoint metadata {where} has non-string keys {list(value)[:3]}: use str keys")
        return {k: _plain(v, f"{where}[{k!r}]") for k, v in value.items()}
    raise TypeError(f"checkpoint metadata {where} is a {type(value).__name__}, which a checkpoint cannot store "
                    "safely; store numbers, strings, lists or dicts of them (e.g. str(value))")


def save_checkpoint(path: str | Path, model: nn.Module, half: bool = False, **meta) -> Path:
    """Save model's weights with its architecture and free-form provenance (seed, steps, ...).

    half=True stores floating-point tensors as float16 (half the size; loading casts them
    back to the model's dtype), which is how the book ships its checkpoints. The metadata is
    converted to plain types (NumPy scalars, Paths) or refused before anything is written. The file
    is written next to its destination, read back as load_checkpoint will, then renamed over it:
    an interrupted save never leaves a corrupt checkpoint behind.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    path = Path(path)
    meta = _plain(meta, "meta")
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    if half:
        state = {k: v.half() if v.is_floating_point() else v for k, v in state.items()}
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        torch.save({"format": CHECKPOINT_FORMAT, "architecture": architecture(model), "state_dict": state,
                    "meta": meta}, partial)
        torch.load(partial, map_location="cpu", weights_only=True)  # what load_checkpoint will do
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def load_checkpoint(path: str | Path, model: nn.Module) -> dict:
    """Load weights saved by save_checkpoint into model (in place); return the provenance.

    Refuses, with a ValueError that says what differs, a checkpoint written by another
    checkpoint format or for another architecture (class, tensor names or shapes).
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no checkpoint at {path}; train the model first or check the path")
    blob = _read_checkpoint(path)
    if not isinstance(blob, dict) or blob.get("format") != CHECKPOINT_FORMAT:
        found = blob.get("format") if isinstance(blob, dict) else type(blob).__name__
        raise ValueError(
            f"{path} has checkpoint format {found!r}, this gantut reads format {CHECKPOINT_FORMAT}; "
            "re-create it with gantut.utils.save_checkpoint"
        )
    saved = [(name, tuple(shape)) for name, shape in blob["architecture"]]
    wanted = architecture(model)
    if saved != wanted:
        diffs = [f"  saved {s}  vs  model {w}" for s, w in zip(saved, wanted) if s != w]
        if len(saved) != len(wanted):
            diffs.append(f"  saved {len(saved) - 1} tensors vs model {len(wanted) - 1}")
        raise ValueError(
            f"{path} was saved for another architecture:\n" + "\n".join(diffs[:5])
            + "\nBuild the model with the arguments recorded in the checkpoint's meta "
            f"({blob.get('meta', {})}) or retrain it."
        )
    model.load_state_dict(blob["state_dict"])  # copies cast float16 weights to the model's dtype
    return blob["meta"]


def _read_checkpoint(path: Path):
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # noqa: BLE001 - truncated zip, not a checkpoint, unsafe pickle
        raise ValueError(
            f"{path} is not a readable checkpoint ({type(error).__name__}: {str(error).splitlines()[0][:200]}); "
            "it may be truncated by an interrupted save. Train it again (runs.load_or_train(..., retrain=True, "
            "save=True) rewrites it), or restore the shipped file with git checkout -- " + str(path)) from error


def checkpoint_meta(path: str | Path) -> dict:
    """The provenance saved with a checkpoint (seed, steps, ...), read without a model; {} if there is no file."""
    path = Path(path)
    if not path.exists():
        return {}
    blob = _read_checkpoint(path)
    return blob.get("meta", {}) if isinstance(blob, dict) else {}


def shipped_matches(path: str | Path, **wanted) -> bool:
    """Whether the checkpoint at path was saved with every wanted setting (seed=1, steps=1_000, ...).

    When it was not (or there is no file), print one line that says what differs, so that the chapter
    can say why it trains the run live instead of loading it.
    """
    meta = checkpoint_meta(path)
    differ = [f"{key} {meta.get(key, 'unknown')!r} (this run: {value!r})" for key, value in wanted.items()
              if meta.get(key) != value]
    if not meta:
        print(f"no shipped run at {Path(path).name}: training it here")
    elif differ:
        print(f"the shipped {Path(path).name} was made with {', '.join(differ)}: training it here instead")
    return bool(meta) and not differ


def hardware() -> str:
    """A short description of where this runs: the GPU's name, or the CPU and thread count."""
    chosen = device()
    if chosen.type == "cuda":
        return torch.cuda.get_device_name(chosen)
    import platform

    n = torch.get_num_threads()
    return f"{platform.machine()} CPU, {n} thread{'s' if n > 1 else ''}"


def seconds_per_step(steppers: dict[str, Callable[[int], object]], steps: int = 10, rounds: int = 3) -> dict[str, float]:
    """What one step of each of several training set-ups costs on this machine, measured interleaved.

    steppers: name -> stepper, where stepper(n) runs n steps of that set-up (e.g. a lambda around train.train
    with its own networks, optimisers and batches). Each stepper first runs one warm-up step; then `rounds`
    rounds each run every stepper for `steps` steps in turn, so that all of them see the same state of the
    machine (a busy neighbour, a warm cache). Returns name -> median seconds per step over the rounds. On a GPU
    the clock waits for the device (torch.cuda.synchronize) before it stops.
    """
    for name, value in (("steps", steps), ("rounds", rounds)):
        if not is_whole(value):
            raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")
    if not steppers:
        raise ValueError("give at least one stepper: {name: function that runs n steps}")

    def wait():
        if torch.cuda.is_available() and torch.cuda.is_initialized():
            torch.cuda.synchronize()

    for stepper in steppers.values():
        stepper(1)
    timings = {name: [] for name in steppers}
    for _ in range(rounds):
        for name, stepper in steppers.items():
            wait()
            start = time.perf_counter()
            stepper(steps)
            wait()
            timings[name].append((time.perf_counter() - start) / steps)
    return {name: float(np.median(values)) for name, values in timings.items()}


def within(work, seconds: float) -> str | None:
    """Run work() in a daemon thread for at most `seconds`; None if it finished, else what went wrong.

    Bounds a download or a connection that may hang (the thread is left behind if it does)."""
    outcome = {}

    def run():
        try:
            work()
            outcome["done"] = True
        except Exception as error:  # noqa: BLE001 - reported to the caller
            outcome["error"] = f"{type(error).__name__}: {error}"

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        return f"no answer within {seconds:g} s"
    return None if outcome.get("done") else outcome.get("error", "failed")


@contextlib.contextmanager
def forward_passes(kind: type):
    """Count forward passes through modules of type `kind` inside the with-block (a global forward hook).

    Yields a list that grows by one entry per pass: `with forward_passes(nets.DCGANDiscriminator) as calls: ...`,
    then len(calls). A count of work that is the same on every machine, unlike seconds.
    """
    calls = []
    handle = nn.modules.module.register_module_forward_hook(
        lambda module, inputs, output: calls.append(1) if isinstance(module, kind) else None)
    try:
        yield calls
    finally:
        handle.remove()
