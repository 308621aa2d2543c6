"""The experiment plumbing the chapters share, so that they keep only the code that teaches.

    Recipe            how a GAN is trained besides its networks and data: losses, D steps, penalty, Adam
    load_or_train     the profile policy for a run the book ships: load it when it is the run asked for
    bundle, unbundle  several generators (per method and seed) as one checkpointable module
    train_marked      train for a budget of steps (or seconds), scoring the generator at fixed marks
    toy_generator, toy_discriminator, fresh_batches, train_toy
                      the 2D experiments of chapters 6, 8 and 9 (the ring and the grid of Gaussians)
    digit_yardstick   the MNIST classifier and the held-out digits every MNIST chapter scores against
    stacked_coverage  chapters 6 and 9's reading of stacked-MNIST images
    per_seed          a table cell with one value per seed
"""
from __future__ import annotations

import dataclasses
import math
import re
import time
from pathlib import Path
from typing import Callable, Iterator

import torch
from torch import nn
from tqdm.auto import tqdm

from . import data, features, losses, metrics, nets, train, utils

# The loss pairs of the book, by name: chapter 3's non-saturating GAN, chapter 8's LSGAN and hinge,
# chapter 5's WGAN-GP (five critic steps, penalty 10), chapter 9's relativistic pairing GAN.
LOSSES = {
    "non-saturating": dict(d_loss=losses.discriminator_loss, g_loss=losses.generator_loss),
    "LSGAN": dict(d_loss=losses.lsgan_discriminator_loss, g_loss=losses.lsgan_generator_loss),
    "hinge": dict(d_loss=losses.hinge_discriminator_loss, g_loss=losses.hinge_generator_loss),
    "WGAN-GP": dict(d_loss=losses.critic_loss, g_loss=losses.generator_loss_wasserstein, n_critic=5,
                    penalty=losses.gradient_penalty),
    "RpGAN": dict(d_loss=losses.relativistic_discriminator_loss, g_loss=losses.generator_loss,
                  g_judge=train.relativistic_judge),
}


@dataclasses.dataclass(frozen=True)
class Recipe:
    """How one GAN is trained, apart from its networks and data.

    d_loss, g_loss, g_judge, n_critic: as train.steps takes them. penalty(D, real, fake): added to D's
    loss; a plain function (a lazy one, losses.lazy, counts its calls: loop() makes a fresh one for
    every run when penalty_interval > 1). Adam's learning rates and betas for G and D.
    Recipe.of("WGAN-GP", d_lr=1e-3) starts from a named loss pair (LOSSES); dataclasses.replace changes
    one setting of a recipe, which is how a chapter's comparison changes one thing at a time.
    """
    d_loss: Callable = losses.discriminator_loss
    g_loss: Callable = losses.generator_loss
    g_judge: Callable | None = None
    n_critic: int = 1
    penalty: Callable | None = None
    penalty_interval: int = 1
    g_lr: float = 2e-4
    d_lr: float = 2e-4
    betas: tuple[float, float] = (0.5, 0.999)

    @classmethod
    def of(cls, loss: str, **settings) -> "Recipe":
        if loss not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}; choose from {sorted(LOSSES)} or build a Recipe field by field")
        return cls(**{**LOSSES[loss], **settings})

    def optimizers(self, generator: nn.Module, discriminator: nn.Module):
        """Adam for G and for D with this recipe's learning rates and betas: (g_optimizer, d_optimizer)."""
        return (torch.optim.Adam(generator.parameters(), self.g_lr, betas=self.betas),
                torch.optim.Adam(discriminator.parameters(), self.d_lr, betas=self.betas))

    def describe(self) -> dict:
        """The recipe as plain values a checkpoint's meta can store (functions by name)."""
        name = lambda f: None if f is None else getattr(f, "__name__", repr(f))
        return {"d_loss": name(self.d_loss), "g_loss": name(self.g_loss), "g_judge": name(self.g_judge),
                "n_critic": self.n_critic, "penalty": name(self.penalty), "penalty_interval": self.penalty_interval,
                "g_lr": self.g_lr, "d_lr": self.d_lr, "betas": list(self.betas)}

    def loop(self) -> dict:
        """The keyword arguments of train.steps / train.train for this recipe (a fresh lazy penalty each call)."""
        penalty = self.penalty
        if penalty is not None and self.penalty_interval > 1:
            penalty = losses.lazy(penalty, self.penalty_interval)
        return dict(d_loss=self.d_loss, g_loss=self.g_loss, g_judge=self.g_judge, n_critic=self.n_critic,
                    penalty=penalty)


def load_or_train(path: str | Path, model: nn.Module, train_it: Callable[[], dict | None], *, profile: str,
                  save: bool = False, retrain: bool = False, half: bool = True, **settings) -> dict:
    """The chapters' policy for a run the book ships in data/checkpoints/.

    Quick profile: load path into model when the file was saved with every one of `settings` (e.g.
    steps=600, seed=SEED: then it is the run this code would train); otherwise say what differs and
    train. Pass seed= only for runs short enough to train live; for the long multi-seed runs the file's
    own seeds are in the returned provenance, for the chapter to report.
    Full profile (or retrain=True): always train.
    train_it() trains model in place and returns more provenance to save (seeds, seconds, ...) or None.
    After training, save=True (a chapter's SAVE_CHECKPOINT) writes model, settings and provenance to path
    (half=True: in float16, half the size).
    Returns the provenance of what model now holds, with "trained_here" True or False.
    """
    utils.check_profile(profile)
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module (e.g. runs.bundle(...)), got {type(model).__name__}")
    path = Path(path)
    if profile == "quick" and not retrain and utils.shipped_matches(path, **settings):
        meta = utils.load_checkpoint(path, model)
        shown = {**settings, **{k: meta[k] for k in ("seed", "seeds") if k in meta and k not in settings}}
        print(f"loaded {path.name}: " + ", ".join(f"{k} {_plain_number(v)}" for k, v in shown.items())
              + f"; trained on {meta.get('hardware', 'an unrecorded machine')}")
        return {**meta, "trained_here": False}
    start = time.perf_counter()
    meta = {**settings, **(train_it() or {})}
    meta.setdefault("train_seconds", round(time.perf_counter() - start, 1))
    meta.setdefault("hardware", utils.hardware())
    if save:
        utils.save_checkpoint(path, model, half=half, **meta)
        print(f"saved {path}")
    return {**meta, "trained_here": True}


def _plain_number(value) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def key(name: str) -> str:
    """A name a checkpoint can store: 'WGAN-GP, critic lr 1e-4' -> 'wgan_gp_critic_lr_1e_4'."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def bundle(make: Callable[[], nn.Module], names, n: int) -> nn.ModuleDict:
    """{key(name): n modules from make()} for each name: several runs as one checkpointable module."""
    return nn.ModuleDict({key(name): nn.ModuleList(make() for _ in range(n)) for name in names})


def unbundle(modules: nn.ModuleDict, names) -> dict[str, list[nn.Module]]:
    """bundle's inverse: {name: [module per run]}."""
    return {name: list(modules[key(name)]) for name in names}


def train_marked(generator: nn.Module, discriminator: nn.Module, batches: Iterator, g_optimizer, d_optimizer,
                 recipe: Recipe, score: Callable[[nn.Module], float], *, steps: int | None = None,
                 seconds: float | None = None, marks: int = 4, chunk: int = 50, desc: str | None = None) -> list:
    """Train for a budget of `steps` generator steps, or of `seconds` of training time, in chunks of `chunk`
    steps, and score the generator at 1/marks, 2/marks, ... of the budget (the clock stops while it is scored).

    A budget of steps is the same experiment on every machine; a budget of seconds is a property of the machine
    (see chapter 9). Returns [(training seconds, generator steps, score)] at each mark.
    """
    if (seconds is None) == (steps is None):
        raise ValueError("give a budget in seconds or in steps, not both")
    budget = seconds if seconds is not None else steps
    due = [budget * (k + 1) / marks for k in range(marks)]
    options, device = recipe.loop(), utils.module_device(generator)
    spent, done, curve = 0.0, 0, []
    with tqdm(total=round(budget), desc=desc, unit="s" if steps is None else "step") as bar:
        while due:
            start = time.perf_counter()
            n = chunk if steps is None else min(chunk, steps - done)
            train.train(generator, discriminator, batches, n, g_optimizer, d_optimizer, progress=False, **options)
            if device is not None and device.type == "cuda":
                torch.cuda.synchronize()
            spent, done = spent + time.perf_counter() - start, done + n
            progress = spent if steps is None else done
            bar.update(min(round(progress), round(budget)) - bar.n)
            if progress >= due[0]:
                due.pop(0)
                curve.append((spent, done, score(generator)))
    return curve


# The 2D experiments (chapters 6, 8, 9) use the setting of the unrolled-GAN authors' public demo
# notebook, with ReLU units where it has tanh: z of 256 dimensions, two hidden layers of 128 units in
# G and D, batches of 512 fresh samples, Adam (beta1 0.5) with G's learning rate 1e-3 and D's 1e-4.
TOY_Z, TOY_HIDDEN, TOY_BATCH, TOY_G_LR, TOY_D_LR = 256, (128, 128), 512, 1e-3, 1e-4


def toy_generator() -> nn.Module:
    """z (N, 256) -> points (N, 2): two hidden layers of 128 ReLU units, no output activation."""
    return nets.MLPGenerator(z_dim=TOY_Z, hidden=TOY_HIDDEN, out_shape=(2,), out_activation=None, activation="relu")


def toy_discriminator(**options) -> nn.Module:
    """points (N, 2) -> logits (N,): two hidden layers of 128 ReLU units (options: e.g. minibatch_std=True)."""
    return nets.MLPDiscriminator(in_shape=(2,), hidden=TOY_HIDDEN, activation="relu", **options)


def fresh_batches(mixture, batch_size: int, rng: torch.Generator) -> Iterator[torch.Tensor]:
    """Fresh batches (batch_size, 2) from a 2D mixture (data.ring(), data.grid()), forever."""
    while True:
        yield mixture.sample(batch_size, rng)


def train_toy(recipe: Recipe, mixture, seed: int, steps: int, *, discriminator: Callable[[], nn.Module] = toy_discriminator,
              batches: Iterator[torch.Tensor] | None = None, callback=None, every: int = 0):
    """A 2D GAN trained with `recipe` for `steps` generator steps; returns (generator, discriminator, seconds).

    seed seeds the networks' initialisation and the stream of fresh data batches (batches: a stream made
    by the caller instead, e.g. one an unrolled judge also draws from). The toy GANs run on the CPU on
    every machine: their networks are tiny, and their runs stay the same whatever GPU a reader has.
    """
    torch.manual_seed(seed)
    generator, critic = toy_generator(), discriminator()
    g_optimizer, d_optimizer = recipe.optimizers(generator, critic)
    if batches is None:
        batches = fresh_batches(mixture, TOY_BATCH, torch.Generator().manual_seed(seed))
    start = time.perf_counter()
    train.train(generator, critic, batches, steps, g_optimizer, d_optimizer, progress=False,
                callback=callback, every=every, **recipe.loop())
    return generator, critic, time.perf_counter() - start


def digit_yardstick(device: torch.device | str = "cpu") -> tuple[features.MNISTClassifier, torch.Tensor]:
    """The book's MNIST yardstick: the shipped classifier on device, and its features (1000, d) of the
    1,000 held-out test digits, the reference every classifier FID is measured against."""
    classifier = features.load_mnist_classifier().to(device)
    return classifier, features.embed(classifier, data.mnist("test", verbose=False).images[:1000].to(device))


def stacked_coverage(classifier: features.MNISTClassifier, images: torch.Tensor) -> dict:
    """Stacked-MNIST images (N, 3, 28, 28) read channel by channel by the classifier: modes seen and KL to
    uniform over all samples, the share with all three digits read with >= 90% confidence, and the modes
    seen among those (metrics.stacked_mnist_coverage)."""
    device = utils.module_device(classifier)
    return metrics.stacked_mnist_coverage(*features.stacked_reading(classifier, images.to(device)))


def per_seed(values, digits: int) -> str:
    """'0.12, 2.08, inf' -> '0.12, 2.08, ∞': one value per seed for a table cell, none hidden by an average."""
    return ", ".join("∞" if math.isinf(v) else f"{v:.{digits}f}" for v in values)
