"""Best DCGAN per CPU second: classifier FID reached within a wall-clock budget, per setting.

    python benchmarks/dcgan_quality_per_second.py                    # every setting, 120 s each
    python benchmarks/dcgan_quality_per_second.py --seconds 60 --settings "chapter 4" "EMA 0.999"

Each setting trains chapter 4's DCGAN on MNIST (the shipped subset offline) with gantut.train.train
in chunks of 50 generator steps until its training time reaches the budget; the clock stops while
it is scored. Score: chapter 7's classifier FID of 1,000 samples (fixed noise) against the 1,000
held-out digits (real training digits score about 5 here), at a third, two thirds and all of the
budget, for the generator itself and, where the setting keeps one, for the exponential moving
average of its weights (ema_update below). Same seed for every setting. Prints a Markdown table.
Measure on an idle machine: the budget is wall-clock time.
"""
from __future__ import annotations

import argparse
import copy
import time

import torch
from torch import nn

from gantut import data, features, losses, metrics, nets, train, utils

# name: width, batch, G's and D's learning rates, EMA decay (None: no average), D's norm ("batch",
# "layer", "none"), spectral normalisation of D, and for the average: decay warm-up and BatchNorm
# statistics recomputed before scoring; channels_last memory format for both networks and the data.
BASE = dict(width=32, batch=64, g_lr=2e-4, d_lr=2e-4, ema=None, norm="batch", spectral=False,
            warmup=False, recompute=False, channels_last=False, loss="standard", gamma=0.0, r2=False,
            betas=(0.5, 0.999), g_batchnorm=True, lazy=1)
# Chapter 9's recipe: D without normalisation, zero-centred penalties R1 (real) and R2 (fake) of weight
# gamma, the relativistic pairing loss ("rp"), Adam beta1 = 0 as in R3GAN (Huang et al. 2024).
MODERN = dict(BASE, norm="none", betas=(0.0, 0.99), g_lr=4e-4, d_lr=4e-4, gamma=1.0)
SETTINGS = {
    "chapter 4": dict(BASE),
    "EMA 0.999": dict(BASE, ema=0.999),
    "EMA 0.995": dict(BASE, ema=0.995),
    "TTUR G 1e-4 / D 4e-4, EMA 0.999": dict(BASE, g_lr=1e-4, d_lr=4e-4, ema=0.999),
    "lr 4e-4 both, EMA 0.999": dict(BASE, g_lr=4e-4, d_lr=4e-4, ema=0.999),
    "lr 4e-4 both": dict(BASE, g_lr=4e-4, d_lr=4e-4),
    "batch 32, EMA 0.999": dict(BASE, batch=32, ema=0.999),
    "batch 128, EMA 0.999": dict(BASE, batch=128, ema=0.999),
    "width 48, EMA 0.999": dict(BASE, width=48, ema=0.999),
    "EMA 0.999, warm-up, BN recomputed": dict(BASE, ema=0.999, warmup=True, recompute=True),
    "LayerNorm D": dict(BASE, norm="layer"),
    "SN D": dict(BASE, norm="none", spectral=True),
    "SN D, EMA 0.999, warm-up, BN recomputed": dict(BASE, norm="none", spectral=True, ema=0.999,
                                                     warmup=True, recompute=True),
    "SN D, lr 4e-4 both": dict(BASE, norm="none", spectral=True, g_lr=4e-4, d_lr=4e-4),
    "SN D, lr 8e-4 both": dict(BASE, norm="none", spectral=True, g_lr=8e-4, d_lr=8e-4),
    "SN D, lr 4e-4 both, batch 32": dict(BASE, norm="none", spectral=True, g_lr=4e-4, d_lr=4e-4, batch=32),
    "SN D, lr 4e-4 both, EMA 0.995, warm-up, BN recomputed": dict(BASE, norm="none", spectral=True, g_lr=4e-4,
                                                                  d_lr=4e-4, ema=0.995, warmup=True, recompute=True),
    "LayerNorm D, lr 4e-4 both": dict(BASE, norm="layer", g_lr=4e-4, d_lr=4e-4),
    "SN D, lr 4e-4 both, channels_last": dict(BASE, norm="none", spectral=True, g_lr=4e-4, d_lr=4e-4,
                                              channels_last=True),
    "SN D, lr 4e-4 both, batch 32, channels_last": dict(BASE, norm="none", spectral=True, g_lr=4e-4,
                                                        d_lr=4e-4, batch=32, channels_last=True),
    "R1 1, lr 4e-4": dict(MODERN),
    "R1 1, lr 8e-4": dict(MODERN, g_lr=8e-4, d_lr=8e-4),
    "RpGAN, R1 1": dict(MODERN, loss="rp"),
    "RpGAN, R1+R2 1": dict(MODERN, loss="rp", r2=True),
    "RpGAN, R1+R2 1, lr 8e-4": dict(MODERN, loss="rp", r2=True, g_lr=8e-4, d_lr=8e-4),
    "RpGAN, R1+R2 0.3, lr 8e-4": dict(MODERN, loss="rp", r2=True, g_lr=8e-4, d_lr=8e-4, gamma=0.3),
    "RpGAN, R1+R2 1, lr 8e-4, EMA 0.999": dict(MODERN, loss="rp", r2=True, g_lr=8e-4, d_lr=8e-4, ema=0.999,
                                               warmup=True, recompute=True),
    "RpGAN, R1+R2 1, lr 8e-4, G without BatchNorm": dict(MODERN, loss="rp", r2=True, g_lr=8e-4, d_lr=8e-4,
                                                         g_batchnorm=False),
    # lazy regularisation (StyleGAN2): the penalties every k-th D step, weighted by k
    "RpGAN, R1+R2 1, lr 8e-4, lazy 4": dict(MODERN, loss="rp", r2=True, g_lr=8e-4, d_lr=8e-4, lazy=4),
    "RpGAN, R1+R2 1, lr 8e-4, lazy 16": dict(MODERN, loss="rp", r2=True, g_lr=8e-4, d_lr=8e-4, lazy=16),
    "RpGAN, R1+R2 1, lr 4e-4, lazy 4": dict(MODERN, loss="rp", r2=True, lazy=4),
    "RpGAN, R1+R2 0.3, lr 8e-4, lazy 4": dict(MODERN, loss="rp", r2=True, g_lr=8e-4, d_lr=8e-4, gamma=0.3, lazy=4),
}
Z_DIM, CHUNK, N_SCORE = 64, 50, 1_000


@torch.no_grad()
def ema_update(average: nn.Module, model: nn.Module, decay: float) -> None:
    """average <- decay * average + (1 - decay) * model, parameter by parameter; buffers (BatchNorm's
    running statistics) are copied, not averaged. average starts as copy.deepcopy(model)."""
    for kept, current in zip(average.parameters(), model.parameters(), strict=True):
        kept.lerp_(current, 1.0 - decay)
    for kept, current in zip(average.buffers(), model.buffers(), strict=True):
        kept.copy_(current)


@torch.no_grad()
def recompute_batchnorm(generator: torch.nn.Module, rng: torch.Generator, n_batches: int = 20,
                        batch: int = 256) -> None:
    """Replace the running statistics of every BatchNorm layer of generator by their average over
    n_batches fresh noise batches passed through it in training mode."""
    norms = [m for m in generator.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    momenta = [m.momentum for m in norms]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None  # cumulative average
    generator.train()
    for _ in range(n_batches):
        generator(torch.randn(batch, generator.z_dim, generator=rng))
    for m, momentum in zip(norms, momenta):
        m.momentum = momentum


def run(name: str, budget: float, images, classifier, held_out_features, noise, seed: int) -> dict:
    """Train one setting for `budget` seconds of training time; FIDs at 1/3, 2/3 and 3/3 of it."""
    s = SETTINGS[name]
    utils.seed_everything(seed)
    generator = nets.DCGANGenerator(Z_DIM, s["width"], batchnorm=s["g_batchnorm"]).apply(nets.init_weights)
    discriminator = nets.DCGANDiscriminator(s["width"], norm=s["norm"]).apply(nets.init_weights)
    if s["spectral"]:
        nets.spectral_normalize(discriminator)
    if s["channels_last"]:
        generator = generator.to(memory_format=torch.channels_last)
        discriminator = discriminator.to(memory_format=torch.channels_last)
        images = images.contiguous(memory_format=torch.channels_last)
    g_opt = torch.optim.Adam(generator.parameters(), s["g_lr"], betas=s["betas"])
    d_opt = torch.optim.Adam(discriminator.parameters(), s["d_lr"], betas=s["betas"])
    options = {}
    if s["loss"] == "rp":
        options.update(d_loss=losses.relativistic_discriminator_loss, g_loss=losses.generator_loss,
                       g_judge=train.relativistic_judge)
    if s["gamma"] > 0:
        gamma, with_r2 = s["gamma"], s["r2"]
        options["penalty"] = losses.lazy(   # every s["lazy"]-th D step, weighted by s["lazy"] (1: every step)
            lambda d, real, fake: losses.r1_penalty(d, real, gamma) + (losses.r2_penalty(d, fake, gamma) if with_r2 else 0.0),
            s["lazy"])
    average = copy.deepcopy(generator) if s["ema"] is not None else None

    def scored(g):
        if g is average and s["recompute"]:
            recompute_batchnorm(average, torch.Generator().manual_seed(seed + 1))
        return metrics.fid(held_out_features, features.embed(classifier, train.sample(g, noise)))

    batches = data.batches(images, s["batch"], rng=torch.Generator().manual_seed(seed))
    marks, scores, spent = [budget / 3, 2 * budget / 3, budget], [], 0.0
    start = time.perf_counter()
    for steps, record in enumerate(train.steps(generator, discriminator, batches, g_opt, d_opt, **options), start=1):
        if average is not None:  # with warm-up the decay grows as (1 + k) / (10 + k) until it reaches s["ema"]
            ema_update(average, generator, min(s["ema"], (1 + steps) / (10 + steps)) if s["warmup"] else s["ema"])
        if steps % CHUNK:
            continue
        if not torch.isfinite(record["loss_d"] + record["loss_g"]):   # also waits for the step to finish
            raise FloatingPointError(f"{name}: a loss became non-finite by generator step {steps}")
        spent += time.perf_counter() - start
        if spent >= marks[0]:           # the clock stops while the FID is measured
            marks.pop(0)
            scores.append({"seconds": spent, "steps": steps, "fid": scored(generator),
                           "fid_ema": scored(average) if average is not None else None})
            if not marks:
                break
        start = time.perf_counter()
    return {"name": name, "scores": scores}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--settings", nargs="*", default=list(SETTINGS))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    unknown = [n for n in args.settings if n not in SETTINGS]
    if unknown:
        raise SystemExit(f"unknown settings {unknown}; choose from {list(SETTINGS)}")
    threads = utils.set_threads()
    mnist, held_out = data.mnist("train"), data.mnist("test")
    classifier = features.load_mnist_classifier()
    held_out_features = features.embed(classifier, held_out.images)
    noise = torch.randn(N_SCORE, Z_DIM, generator=torch.Generator().manual_seed(1))
    real = metrics.fid(held_out_features, features.embed(classifier, mnist.images[:N_SCORE]))
    print(f"budget {args.seconds:.0f} s of training per setting, {threads} torch thread(s), {utils.hardware()}; "
          f"real training digits score FID {real:.1f}")
    print("\n| setting | steps at 1/3, 2/3, 3/3 of the budget | FID of G | FID of the EMA of G |")
    print("|---|---|---|---|")
    for name in args.settings:
        result = run(name, args.seconds, mnist.images, classifier, held_out_features, noise, args.seed)
        steps = ", ".join(f"{s['steps']:,}" for s in result["scores"])
        fids = ", ".join(f"{s['fid']:.0f}" for s in result["scores"])
        emas = ", ".join(f"{s['fid_ema']:.0f}" for s in result["scores"]) if result["scores"][0]["fid_ema"] else "-"
        print(f"| {name} | {steps} | {fids} | {emas} |", flush=True)


if __name__ == "__main__":
    from _report import report
    with report(__file__):
        main()
