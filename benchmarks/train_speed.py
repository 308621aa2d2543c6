"""Training speed of the book's GANs: gantut's loop against a plain reference loop, side by side.

    python benchmarks/train_speed.py             # CPU (pinned to gantut's thread count) or the GPU if visible
    python benchmarks/train_speed.py --steps 100 --repeats 3

For each model (chapter 3's MLP GAN, chapter 4's DCGAN, chapter 5's WGAN with clipping and
WGAN-GP) both loops run the same networks, optimisers, batch size and number of generator steps:
  gantut    gantut.train.train on gantut.data.batches (the dataset is one tensor on the device,
            batches are indexed from a permutation; zero_grad(set_to_none=True));
  reference the way the PyTorch DCGAN tutorial writes it: a DataLoader over a TensorDataset,
            each batch copied with .to(device), label tensors built per batch, BCE with targets.
Reported: real images consumed per second (n_critic batches per generator step) and the ratio.
Then the levers on the compute side, each alone on the DCGAN with gantut's loop (--levers):
thread count, channels_last memory format, torch.compile of both networks, bf16 autocast, and
Adam's foreach and fused implementations. Last, each chapter's quick-profile run time, read from
papermill's metadata in the notebooks.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

from gantut import data, losses, nets, train, utils

ROOT = Path(__file__).resolve().parent.parent
BATCH = 64


def models(name: str):
    """(generator, discriminator, g_opt, d_opt, loop options) as the chapters build them."""
    if name == "MLP GAN":
        g, d = nets.MLPGenerator(z_dim=100), nets.MLPDiscriminator()
        adam = dict(lr=4e-4, betas=(0.5, 0.999))
        return g, d, torch.optim.Adam(g.parameters(), **adam), torch.optim.Adam(d.parameters(), **adam), {}
    g = nets.DCGANGenerator(z_dim=64, width=32).apply(nets.init_weights)
    if name == "DCGAN":
        d = nets.DCGANDiscriminator(width=32).apply(nets.init_weights)
        adam = dict(lr=2e-4, betas=(0.5, 0.999))
        return g, d, torch.optim.Adam(g.parameters(), **adam), torch.optim.Adam(d.parameters(), **adam), {}
    d = nets.DCGANDiscriminator(width=32, norm="none").apply(nets.init_weights)
    wgan = dict(n_critic=5, d_loss=losses.critic_loss, g_loss=losses.generator_loss_wasserstein)
    if name == "WGAN-clip":
        return (g, d, torch.optim.RMSprop(g.parameters(), lr=5e-5), torch.optim.RMSprop(d.parameters(), lr=5e-5),
                dict(wgan, after_d_step=lambda critic: train.clip_weights(critic, 0.01)))
    adam = dict(lr=1e-4, betas=(0.5, 0.9))
    return (g, d, torch.optim.Adam(g.parameters(), **adam), torch.optim.Adam(d.parameters(), **adam),
            dict(wgan, penalty=losses.gradient_penalty))


def run_gantut(name, images, steps, device):
    g, d, g_opt, d_opt, options = models(name)
    g.to(device), d.to(device)
    batches = data.batches(images, BATCH, device)
    train.train(g, d, batches, 3, g_opt, d_opt, progress=False, **options)  # warm-up
    _sync(device)
    start = time.perf_counter()
    train.train(g, d, batches, steps, g_opt, d_opt, progress=False, **options)
    _sync(device)
    return steps * options.get("n_critic", 1) * BATCH / (time.perf_counter() - start)


LEVERS = ("as the chapters run it", "1 thread", "channels_last", "torch.compile", "bf16 autocast",
          "Adam foreach", "Adam fused")


def run_lever(lever, images, steps, device):
    """Images per second of the DCGAN with gantut's loop and one lever changed."""
    g, d, g_opt, d_opt, options = models("DCGAN")
    g.to(device), d.to(device)
    if lever.startswith("Adam"):  # the chapters' Adam settings, with one implementation flag set
        flag = {"foreach": True} if lever == "Adam foreach" else {"fused": True}
        g_opt, d_opt = (torch.optim.Adam(m.parameters(), **{**opt.defaults, **flag})
                        for m, opt in ((g, g_opt), (d, d_opt)))
    if lever == "channels_last":
        g, d = g.to(memory_format=torch.channels_last), d.to(memory_format=torch.channels_last)
        images = images.contiguous(memory_format=torch.channels_last)
    if lever == "torch.compile":
        g, d = torch.compile(g), torch.compile(d)
    threads = torch.get_num_threads()
    if lever == "1 thread":
        torch.set_num_threads(1)
    context = (torch.autocast(device.type, dtype=torch.bfloat16) if lever == "bf16 autocast"
               else contextlib.nullcontext())
    try:
        with context:
            batches = data.batches(images, BATCH, device)
            train.train(g, d, batches, 5, g_opt, d_opt, progress=False, **options)  # warm-up (compiles)
            _sync(device)
            start = time.perf_counter()
            train.train(g, d, batches, steps, g_opt, d_opt, progress=False, **options)
            _sync(device)
            return steps * BATCH / (time.perf_counter() - start)
    finally:
        torch.set_num_threads(threads)


def run_reference(name, images, steps, device):
    """The tutorial-style loop: DataLoader, per-batch .to(device), label tensors, plain zero_grad()."""
    g, d, g_opt, d_opt, options = models(name)
    g.to(device), d.to(device)
    n_critic, clip, wasserstein = options.get("n_critic", 1), options.get("clip"), "d_loss" in options
    loader = DataLoader(TensorDataset(images), batch_size=BATCH, shuffle=True, drop_last=True)

    def endless():
        while True:
            for (real,) in loader:
                yield real.to(device)

    batches = endless()

    def step():
        for _ in range(n_critic):
            real = next(batches)
            fake = g(torch.randn(BATCH, g.z_dim, device=device)).detach()
            d.zero_grad()
            if wasserstein:
                loss = d(fake).mean() - d(real).mean()
                if "penalty" in options:
                    loss = loss + losses.gradient_penalty(d, real, fake)
            else:
                ones, zeros = torch.full((BATCH,), 1.0, device=device), torch.full((BATCH,), 0.0, device=device)
                loss = F.binary_cross_entropy_with_logits(d(real), ones) + F.binary_cross_entropy_with_logits(d(fake), zeros)
            loss.backward()
            d_opt.step()
            if clip:
                for p in d.parameters():
                    p.data.clamp_(-clip, clip)
        g.zero_grad()
        out = d(g(torch.randn(BATCH, g.z_dim, device=device)))
        loss = -out.mean() if wasserstein else F.binary_cross_entropy_with_logits(out, torch.full((BATCH,), 1.0, device=device))
        loss.backward()
        g_opt.step()

    for _ in range(3):
        step()
    _sync(device)
    start = time.perf_counter()
    for _ in range(steps):
        step()
    _sync(device)
    return steps * n_critic * BATCH / (time.perf_counter() - start)


def _sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def chapter_times() -> list[tuple[str, float]]:
    rows = []
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        duration = json.loads(path.read_text())["metadata"].get("papermill", {}).get("duration")
        if duration:
            rows.append((path.name, duration))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=60, help="generator steps per measurement")
    parser.add_argument("--repeats", type=int, default=3, help="alternating measurements per loop (median kept)")
    parser.add_argument("--levers", action="store_true", help="also measure the compute-side levers on the DCGAN")
    args = parser.parse_args()
    device = utils.setup(0)
    images = data.mnist("train", verbose=False).images
    print(f"{utils.hardware()}, torch {torch.__version__}, batch {BATCH}, {args.steps} generator steps, "
          f"median of {args.repeats}\n")
    print(f"{'model':10s} {'gantut img/s':>13s} {'reference img/s':>16s} {'ratio':>6s}")
    for name in ("MLP GAN", "DCGAN", "WGAN-clip", "WGAN-GP"):
        ours, theirs = [], []
        for _ in range(args.repeats):  # alternate, so drifts in machine load hit both loops alike
            ours.append(run_gantut(name, images, args.steps, device))
            theirs.append(run_reference(name, images, args.steps, device))
        a, b = statistics.median(ours), statistics.median(theirs)
        print(f"{name:10s} {a:13,.0f} {b:16,.0f} {a / b:6.2f}")
    if args.levers:
        print(f"\nDCGAN with gantut's loop, one lever at a time ({torch.get_num_threads()} threads unless stated):")
        print(f"{'lever':24s} {'img/s':>7s} {'vs as run':>9s}")
        runs = {lever: [] for lever in LEVERS}
        for _ in range(args.repeats):  # every lever once per round, so drifts in load hit them alike
            for lever in LEVERS:
                runs[lever].append(run_lever(lever, images, args.steps, device))
        rates = {lever: statistics.median(values) for lever, values in runs.items()}
        for lever in LEVERS:
            print(f"{lever:24s} {rates[lever]:7,.0f} {rates[lever] / rates[LEVERS[0]]:9.2f}")
    print("\nchapter run times (last papermill run stored in the notebook, quick profile):")
    for name, seconds in chapter_times():
        print(f"  {name:34s} {seconds:6.0f} s")


if __name__ == "__main__":
    from _report import report
    with report(__file__):
        main()
