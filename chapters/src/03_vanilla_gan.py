# %% [markdown]
# # 3. A vanilla GAN from scratch
#
# Chapters 1 and 2 studied the game on paper. Now we play it: first in one dimension, where
# we can watch the generator's density and the discriminator move, then on MNIST digits with
# the multilayer perceptrons of {cite:t}`goodfellow2014gan`. The training loop built here is
# the one every later chapter uses.
#
# **You will learn**
# - the GAN training algorithm, written by hand in ten lines, and then from `gantut.train`;
# - what the generator's density and $D(x)$ do during training (an animation);
# - how to train an MLP GAN on MNIST and read its curves — and what they do *not* tell you;
# - why the non-saturating loss matters in practice;
# - six common bugs, each running, with its symptom and the fix.
#
# **Run time.** Quick profile: about two minutes on two CPU cores, most of it the MNIST GAN
# (3,000 steps). The full profile trains it ten times longer; its result is also shipped with
# the book and shown at the end.

# %%
# On Colab, or anywhere the book's helper package is missing, fetch the book and install it.
# Torch and torchvision stay as found (Colab's own builds): pip is told to keep their versions.
import importlib.metadata, importlib.util, subprocess, sys
BOOK_REPOSITORY = "https://github.com/gantut/gantut"  # repository.url in _config.yml (a test checks)
if importlib.util.find_spec("gantut") is None:
    subprocess.run(["git", "clone", "--depth", "1", BOOK_REPOSITORY, "/content/gantut"], check=True)
    kept = [f"{name}=={importlib.metadata.version(name)}" for name in ("torch", "torchvision")]
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-e", "/content/gantut", *kept], check=True)
    sys.path.insert(0, "/content/gantut")
    print(f"installed gantut from {BOOK_REPOSITORY} into /content/gantut, keeping {' and '.join(kept)}")

# %% tags=["parameters"]
import os

PROFILE = os.environ.get("GANTUT_PROFILE", "quick")  # "quick" (CPU) or "full" (GPU)
SEED = 0
SAVE_CHECKPOINT = False  # full profile: write the trained generator to data/checkpoints/

# %%
import copy
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from IPython.display import HTML
from matplotlib import animation
from torch import nn

from gantut import data, features, losses, nets, plot, train, utils

MNIST_STEPS = utils.by_profile(PROFILE, quick=3_000, full=8_000)   # generator steps of the MNIST GAN
TOY_STEPS = utils.by_profile(PROFILE, quick=4_000, full=10_000)    # steps of the 1D GAN
COMPARE_STEPS = utils.by_profile(PROFILE, quick=200, full=600)     # saturating vs non-saturating
BATCH = 64
LR = 4e-4  # Adam, betas (0.5, 0.999); chosen by comparing samples after 3,000 steps at 2e-4, 4e-4, 8e-4
CHECKPOINT = utils.CHECKPOINT_DIR / "03_mlp_gan_generator.pt"
device = utils.setup(SEED)

# %% [markdown]
# ## 3.1 The algorithm
#
# Algorithm 1 of {cite:t}`goodfellow2014gan` alternates, **for every mini-batch**:
#
# 1. *Discriminator step* ($k$ times; $k = 1$ here): draw real $x_1..x_m$ and noise $z_1..z_m$, and
#    take a gradient step that *decreases* the cross-entropy
#    $L_D = -\frac1m\sum_i \big[\log D(x_i) + \log(1 - D(G(z_i)))\big]$. The fakes are treated as
#    constants: $G$ must not change here.
# 2. *Generator step*: draw new noise and take a step that decreases the non-saturating loss
#    $L_G = -\frac1m\sum_i \log D(G(z_i))$ (chapter 1). $D$ is only the judge: it does not change here.
#
# Written by hand, with $D$ returning logits (no Sigmoid layer) and the losses of chapter 1:

# %%
def by_hand_step(generator, discriminator, g_optimizer, d_optimizer, real, z_d, z_g):
    # Discriminator: real -> 1, fake -> 0. detach(): no gradient flows into G.
    fake = generator(z_d).detach()
    real_logits, fake_logits = discriminator(real), discriminator(fake)
    loss_d = (F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))
              + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits)))
    d_optimizer.zero_grad()
    loss_d.backward()
    d_optimizer.step()
    # Generator: make D say "real" (label 1) on fresh fakes.
    fake_logits = discriminator(generator(z_g))
    loss_g = F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))
    g_optimizer.zero_grad()
    loss_g.backward()
    g_optimizer.step()
    return loss_d.item(), loss_g.item()

# %% [markdown]
# `gantut.train` has the same two steps as `discriminator_step` and `generator_step` (read them in
# `gantut/train.py`: each is a dozen lines), and `train` loops over them with a progress bar and a
# history. Both versions, from the same weights and the same batch, must land on the same
# parameters:

# %% tags=["nbval-ignore-output"]
# Which data was found depends on the machine (full MNIST online, the shipped subset offline).
mnist = data.mnist("train")

# %%
real_batch = mnist.images[:BATCH]
z_d, z_g = torch.randn(BATCH, 100), torch.randn(BATCH, 100)


def fresh_pair():
    torch.manual_seed(SEED)
    generator, discriminator = nets.MLPGenerator(z_dim=100), nets.MLPDiscriminator()
    return (generator, discriminator, torch.optim.Adam(generator.parameters(), lr=LR, betas=(0.5, 0.999)),
            torch.optim.Adam(discriminator.parameters(), lr=LR, betas=(0.5, 0.999)))


g_hand, d_hand, g_opt_hand, d_opt_hand = fresh_pair()
by_hand_step(g_hand, d_hand, g_opt_hand, d_opt_hand, real_batch, z_d, z_g)
g_lib, d_lib, g_opt_lib, d_opt_lib = fresh_pair()
train.discriminator_step(g_lib, d_lib, d_opt_lib, real_batch, z_d)
train.generator_step(g_lib, d_lib, g_opt_lib, z_g)

difference = max((a - b).abs().max().item() for model_a, model_b in ((g_hand, g_lib), (d_hand, d_lib))
                 for a, b in zip(model_a.parameters(), model_b.parameters()))
moved = (next(g_hand.parameters()) - next(fresh_pair()[0].parameters())).abs().max().item()
assert difference < 1e-6 and moved > 1e-5
print("by hand and gantut.train agree on every parameter of G and D after one step of each "
      "(up to float round-off, < 1e-6)")

# %% [markdown]
# ## 3.2 A GAN in one dimension
#
# In 1D we can see everything. The data is a two-bump mixture; the generator is a small MLP
# from **one** noise dimension to the real line — a learned version of the map $F^{-1}(\Phi(z))$ that
# chapter 1 built by hand — and the discriminator an MLP from the real line to a logit. Every
# 100 steps we record the generator's density (a histogram of 20,000 samples) and $D(x)$ on a grid.

# %%
target = data.mixture_1d(means=[-2.0, 2.0], stds=0.5, weights=[0.3, 0.7])
toy_g = nets.MLPGenerator(z_dim=1, hidden=(64, 64), out_shape=(1,), out_activation=None)
toy_d = nets.MLPDiscriminator(in_shape=(1,), hidden=(64, 64))
toy_g_opt = torch.optim.Adam(toy_g.parameters(), lr=1e-3, betas=(0.5, 0.999))
toy_d_opt = torch.optim.Adam(toy_d.parameters(), lr=1e-3, betas=(0.5, 0.999))
toy_data = data.batches(target.sample(50_000, torch.Generator().manual_seed(SEED)), 256,
                        generator=torch.Generator().manual_seed(SEED + 1))

grid_x = np.linspace(-5, 5, 401)
grid_tensor = torch.tensor(grid_x, dtype=torch.float32)[:, None]
toy_z = torch.randn(20_000, 1)
bins = np.linspace(-5, 5, 81)
snapshots = []


def record(step, generator, discriminator, history):
    samples = train.sample(generator, toy_z).squeeze(1).numpy()
    with torch.no_grad():
        d_on_grid = torch.sigmoid(discriminator(grid_tensor)).numpy()
    snapshots.append({"step": step, "hist": np.histogram(samples, bins=bins, density=True)[0],
                      "d": d_on_grid, "left_share": float(np.mean(samples < 0))})


toy_history = train.train(toy_g, toy_d, toy_data, TOY_STEPS, toy_g_opt, toy_d_opt,
                          callback=record, every=100, desc="1D GAN")

# %%
final = snapshots[-1]
assert abs(final["left_share"] - 0.3) < 0.05, "the generator found both bumps with the right weights"
assert np.abs(final["d"][np.abs(grid_x) < 3.5] - 0.5).max() < 0.2, "D is close to 1/2 where the data is"
print(f"{len(snapshots)} snapshots. At the end the generator puts 30% +- 5% of its samples in the left bump "
      "(data: 30%), and D is within 0.2 of 1/2 on [-3.5, 3.5]")

# %% tags=["nbval-ignore-output"]
print(f"share of generated samples in the left bump at the end: {final['left_share']:.3f}")

# %% tags=["nbval-ignore-output"]
# The animation (HTML with embedded frames, plays in the book). Its pixels and ids change
# from run to run, so nbval does not compare this cell's output.
fig, ax = plt.subplots(figsize=(7, 3.4), dpi=60)
ax_d = ax.twinx()
centres = (bins[1:] + bins[:-1]) / 2


def draw(i):
    snap = snapshots[i]
    ax.clear()
    ax_d.clear()
    ax.fill_between(grid_x, target.pdf(grid_x), color=plot.COLORS["data"], alpha=0.3, label="$p_{data}$")
    ax.bar(centres, snap["hist"], width=bins[1] - bins[0], color=plot.COLORS["generator"], alpha=0.6, label="$p_g$ (histogram)")
    ax_d.plot(grid_x, snap["d"], color=plot.COLORS["discriminator"], lw=2, label="D(x)")
    ax_d.axhline(0.5, color="k", lw=0.8, ls=":")
    ax.set(xlim=(-5, 5), ylim=(0, 1.6), xlabel="x", ylabel="density", title=f"step {snap['step']}")
    ax_d.set(ylim=(0, 1), ylabel="D(x)")
    ax.legend(loc="upper left", frameon=False, fontsize=8)
    ax_d.legend(loc="upper right", frameon=False, fontsize=8)


movie = animation.FuncAnimation(fig, draw, frames=range(0, len(snapshots), max(1, len(snapshots) // 25)), interval=200)
html = plot.animation_html(movie)
plt.close(fig)
HTML(html)

# %%
picks = [0, 2, 5, 10, len(snapshots) - 1]
fig, axes = plt.subplots(1, len(picks), figsize=(15, 2.8), sharey=True)
for ax, i in zip(axes, picks):
    snap = snapshots[i]
    ax.fill_between(grid_x, target.pdf(grid_x), color=plot.COLORS["data"], alpha=0.3, label="$p_{data}$")
    ax.bar(centres, snap["hist"], width=bins[1] - bins[0], color=plot.COLORS["generator"], alpha=0.6, label="$p_g$")
    ax.plot(grid_x, snap["d"], color=plot.COLORS["discriminator"], lw=2, label="D(x)")
    ax.set(title=f"step {snap['step']}", xlabel="x", ylim=(0, 1.6))
axes[0].set_ylabel("density / D(x)")
axes[0].legend(frameon=False, fontsize=8, loc="upper left")
fig.suptitle("The generator's density moves onto the data; D(x) flattens towards 1/2")
plt.show()

# %% [markdown]
# *Reading the figure* (and the animation above it). At step 1 the generator puts all its mass
# in a narrow spike and $D$ is a rough slope. $D$ rises where data outnumbers fakes and falls
# where fakes outnumber data — it is the $D^*$ of chapter 2 for the current $p_g$ — and the
# generator moves its mass up that slope. As $p_g$ approaches $p_{data}$, $D(x)$ flattens towards
# $\tfrac12$: the equilibrium of chapter 2, where the discriminator can no longer tell.
#
# ## 3.3 An MLP GAN on MNIST
#
# The same loop on $28 \times 28$ digits: a generator $100 \to 256 \to 512 \to 1024 \to 784$
# with LeakyReLU and a Tanh output (images in $[-1, 1]$), and a discriminator
# $784 \to 1024 \to 512 \to 256 \to 1$ returning a logit. Adam with $\beta_1 = 0.5$ {cite:p}`radford2016dcgan`.
# Every few hundred steps the callback draws samples from the same 64 noise vectors, so the grids
# show the *same* latent points improving.

# %%
utils.seed_everything(SEED)
generator, discriminator = nets.MLPGenerator(z_dim=100).to(device), nets.MLPDiscriminator().to(device)
g_optimizer = torch.optim.Adam(generator.parameters(), lr=LR, betas=(0.5, 0.999))
d_optimizer = torch.optim.Adam(discriminator.parameters(), lr=LR, betas=(0.5, 0.999))
print(f"G: {nets.count_parameters(generator):,} parameters; D: {nets.count_parameters(discriminator):,}")
fixed_noise = torch.randn(64, 100, generator=torch.Generator().manual_seed(SEED))
EVERY = MNIST_STEPS // 12
snapshot_steps = [1, EVERY, 3 * EVERY, 6 * EVERY, MNIST_STEPS]  # the callback also runs at the last step
grids = {}


def keep_samples(step, generator, discriminator, history):
    if step in snapshot_steps:
        grids[step] = train.sample(generator, fixed_noise)


mnist_batches = data.batches(mnist.images, BATCH, device, generator=torch.Generator().manual_seed(SEED))
start = time.perf_counter()
history = train.train(generator, discriminator, mnist_batches, MNIST_STEPS, g_optimizer, d_optimizer,
                      callback=keep_samples, every=EVERY, desc="MNIST GAN")
seconds = time.perf_counter() - start
if PROFILE == "full" and SAVE_CHECKPOINT:  # the generator shown in section 3.6
    utils.save_checkpoint(CHECKPOINT, generator, half=True, config={"z_dim": 100, "hidden": [256, 512, 1024]},
                          steps=MNIST_STEPS, batch=BATCH, lr=LR, seed=SEED, data=mnist.source,
                          train_seconds=round(seconds), hardware=utils.hardware())
    print(f"saved data/checkpoints/{CHECKPOINT.name}")

# %% tags=["nbval-ignore-output"]
print(f"{MNIST_STEPS:,} steps in {seconds:.0f} s: {MNIST_STEPS / seconds:.0f} steps/s, "
      f"{MNIST_STEPS * BATCH / seconds:,.0f} images/s through G and D (batch {BATCH}, {utils.hardware()})")

# %%
assert sorted(grids) == snapshot_steps
fig, axes = plt.subplots(1, len(grids), figsize=(3.2 * len(grids), 3.6))
for ax, (step, images) in zip(axes, sorted(grids.items())):
    plot.image_grid(images[:36], nrow=6, ax=ax, title=f"step {step:,}")
fig.suptitle("The same 36 noise vectors through the generator during training")
plt.show()

# %% [markdown]
# *Reading the figure.* At step 1 the generator outputs grey noise. Within a few hundred steps
# it learns the black background and a bright blob in the middle; then strokes appear, and by
# the end most samples are recognisable digits, still speckled. The quick run stops here; the
# same code trained ten times longer is shown at the end of the chapter.
#
# A check that does not need a classifier: the generator's average image should approach the
# data's average image, and the background should be dark as in the data.

# %%
mean_real = mnist.images.mean(0)
def mean_image_error(images):
    return (images.mean(0) - mean_real).pow(2).mean().item()

early, late = mean_image_error(grids[1]), mean_image_error(grids[MNIST_STEPS])
corner_real = mnist.images[:, :, :4, :4].mean().item()
corner_fake = grids[MNIST_STEPS][:, :, :4, :4].mean().item()
assert late < early / 10 and abs(corner_fake - corner_real) < 0.1
print("the mean generated image is >10x closer to the data's mean image than at step 1, "
      "and the corners are as dark as in the data (within 0.1)")

# %% [markdown]
# ### The curves
#
# `train` returns the history of every step. Plot the losses, and the discriminator's average
# output on real and on generated batches, with the equilibrium value $\tfrac12$ of chapter 2.

# %%
fig, (ax_loss, ax_d) = plt.subplots(1, 2, figsize=(12, 3.8))
plot.curves(history, keys=["loss_d", "loss_g"], window=50, ax=ax_loss, ylabel="loss (50-step average)",
            hlines={"log 4 (D's loss at equilibrium)": np.log(4)}, title="The losses do not go down together")
plot.curves(history, keys=["d_real", "d_fake"], window=50, ax=ax_d, ylabel="mean D output (50-step average)",
            hlines={"equilibrium D = 1/2": 0.5}, title="D(x) stays above 1/2, D(G(z)) below")
ax_d.lines[0].set_label("D(x) on real batches")
ax_d.lines[1].set_label("D(G(z)) on generated batches")
ax_d.legend(frameon=False, fontsize=8)
ax_loss.legend(frameon=False, fontsize=8, loc="upper left")
plt.show()

# %% [markdown]
# *Reading the figure.* After a short transient the discriminator's loss settles below $\log 4$
# (it keeps an edge: $D(x)$ stays above $\tfrac12$ and $D(G(z))$ below), the generator's loss wanders
# up and down, and none of the curves trends the way a supervised loss does — although the samples
# above keep improving. That is the lesson: **GAN losses are not a measure of sample quality**.
# Each player's loss is measured against an opponent that keeps changing (chapter 1's game), so a
# rising generator loss can mean a stronger discriminator as well as a worse generator. To judge a
# GAN, look at samples and use the metrics of chapter 7.

# %%
tail = slice(len(history["loss_d"]) // 2, None)
d_gap = np.mean(history["d_real"][tail]) - np.mean(history["d_fake"][tail])
assert 0 < d_gap < 0.5 and 0.5 < np.mean(history["loss_d"][tail]) < np.log(4) + 0.1
print("second half of training: D(x) stays above D(G(z)), the gap stays below 0.5, "
      "and D's loss stays near log 4 - no player wins outright")

# %% [markdown]
# ## 3.4 Saturating or non-saturating, on MNIST
#
# Chapter 1 predicted that the saturating loss $\log(1 - D(G(z)))$ stalls at the start, because its
# gradient is proportional to $D(G(z))$, which a strong discriminator drives to zero. To make the
# discriminator strong early, as it typically is on real problems, give it five steps per generator
# step ($k = 5$). Train the same networks from the same seed with each generator loss and record
# the norm of the generator's gradient.

# %%
runs = {}
for name, g_loss in [("non-saturating", losses.generator_loss), ("saturating", losses.generator_loss_saturating)]:
    utils.seed_everything(SEED)
    g_net, d_net = nets.MLPGenerator(z_dim=100).to(device), nets.MLPDiscriminator().to(device)
    runs[name] = train.train(
        g_net, d_net, data.batches(mnist.images, BATCH, device, generator=torch.Generator().manual_seed(SEED)),
        COMPARE_STEPS, torch.optim.Adam(g_net.parameters(), lr=LR, betas=(0.5, 0.999)),
        torch.optim.Adam(d_net.parameters(), lr=LR, betas=(0.5, 0.999)), g_loss=g_loss, n_critic=5, desc=name)
    runs[name]["samples"] = train.sample(g_net, fixed_noise[:16])

# %%
early_steps = slice(5, 50)
grad_ns = np.median(runs["non-saturating"]["g_grad_norm"][early_steps])
grad_sat = np.median(runs["saturating"]["g_grad_norm"][early_steps])
assert grad_ns > 20 * grad_sat and np.median(runs["saturating"]["d_fake"][early_steps]) < 0.05
print("generator steps 5-50: D(G(z)) is below 0.05 and the saturating generator's gradient is "
      "more than 20x smaller than the non-saturating one")

fig = plt.figure(figsize=(13, 3.8))
ax_g = fig.add_subplot(1, 3, 1)
ax_f = fig.add_subplot(1, 3, 2)
for name, run in runs.items():
    ax_g.semilogy(plot.smooth(run["g_grad_norm"], 10), lw=1.5, label=name)
    ax_f.plot(plot.smooth(run["d_fake"], 10), lw=1.5, label=name)
ax_g.set(xlabel="generator step", ylabel="|gradient of G's loss| (10-step avg)", title="The saturating loss starves G early")
ax_f.set(xlabel="generator step", ylabel="mean D(G(z))", title="...because D(G(z)) is near 0")
for ax in (ax_g, ax_f):
    ax.legend(frameon=False, fontsize=8)
for k, (name, run) in enumerate(runs.items()):
    ax = fig.add_subplot(1, 6, 5 + k)
    plot.image_grid(run["samples"], nrow=4, ax=ax, title=f"{name}\nstep {COMPARE_STEPS}")
plt.show()

# %% [markdown]
# *Reading the figure.* With the saturating loss the generator's gradient is two orders of magnitude
# smaller for the first few dozen steps: $D(G(z))$ collapses towards 0, where $\log(1 - D)$ is flat.
# Here the run escapes after a while — Adam divides each update by a running estimate of the
# gradient's size, which rescues a small but consistent gradient — yet its samples lag behind at the
# same step. The non-saturating loss has the same fixed points and a strong gradient exactly when
# the generator is bad, which is why it is the default.
#
# ## 3.5 Common mistakes
#
# Each of these appears in widely read tutorials. Each cell below runs the bug, shows its symptom,
# and checks the fix.
#
# ```{admonition} Mistake 1: data in [0, 1] with a Tanh generator
# :class: warning
# `transforms.ToTensor()` alone gives pixels in $[0, 1]$; a Tanh generator outputs $[-1, 1]$ (not
# $[0, 1]$, as is often claimed). The generator's background then hovers around 0 on both sides,
# while real pixels are never negative: the discriminator can win by looking at the range instead
# of the shapes. Fix: `Normalize((0.5,), (0.5,))`, i.e. $x \mapsto 2x - 1$ — `gantut.data`
# returns $[-1, 1]$ — and `gantut.plot.image_grid` refuses $[0, 1]$ images.
# ```

# %%
def short_run(images, steps=300, seed=SEED):
    """A short MNIST GAN run; returns the history and 64 samples."""
    utils.seed_everything(seed)
    g_net, d_net = nets.MLPGenerator(z_dim=100).to(device), nets.MLPDiscriminator().to(device)
    hist = train.train(g_net, d_net, data.batches(images, BATCH, device, generator=torch.Generator().manual_seed(seed)),
                       steps, torch.optim.Adam(g_net.parameters(), lr=LR, betas=(0.5, 0.999)),
                       torch.optim.Adam(d_net.parameters(), lr=LR, betas=(0.5, 0.999)), progress=False)
    return hist, train.sample(g_net, fixed_noise)


unit_range = (mnist.images + 1) / 2  # what ToTensor() alone gives
hist_wrong, samples_wrong = short_run(unit_range)
negative = (samples_wrong < 0).float().mean().item()
caught = (samples_wrong.flatten(1).min(1).values < 0).float().mean().item()  # the rule "any pixel < 0 means fake"
false_alarms = (unit_range.flatten(1).min(1).values < 0).float().mean().item()
assert negative > 0.2 and caught > 0.95 and false_alarms == 0
print("data in [0, 1], Tanh generator: many generated pixels are negative, a value no real pixel has;\n"
      "the one-line rule 'any negative pixel means fake' flags more than 95% of the fakes and none of the real digits")
try:
    plot.image_grid(unit_range[:8])
except ValueError as error:
    print("image_grid on [0, 1] images:", error)

# %% tags=["nbval-ignore-output"]
print(f"generated pixels < 0: {negative:.0%}; fakes flagged by the rule: {caught:.0%}; real digits flagged: {false_alarms:.0%}")

# %% [markdown]
# ```{admonition} Mistake 2: a Sigmoid before BCEWithLogitsLoss
# :class: warning
# `BCEWithLogitsLoss` applies the sigmoid itself. With an `nn.Sigmoid()` as the discriminator's last
# layer, the "logit" it receives is already in $(0, 1)$, so the probability it uses is
# $\sigma(\sigma(\ell)) \in (0.5, 0.731)$: the discriminator can never say "fake" with more than 50%
# confidence, and its loss can never go below $\mathrm{softplus}(-1) + \mathrm{softplus}(0) \approx 1.006$.
# Fix: no Sigmoid in the model (as in `gantut.nets`), or `nn.BCELoss` after the Sigmoid — never both.
# ```

# %%
criterion = nn.BCEWithLogitsLoss()
floor = (F.softplus(torch.tensor(-1.0)) + F.softplus(torch.tensor(0.0))).item()
separable_real = mnist.images[:512]
separable_fake = torch.rand(512, 1, 28, 28) * 2 - 1  # uniform noise images: trivially separable
results = {}
for name, head in [("logits (correct)", nn.Identity()), ("Sigmoid + BCEWithLogitsLoss (bug)", nn.Sigmoid())]:
    torch.manual_seed(SEED)
    judge = nn.Sequential(nets.MLPDiscriminator(hidden=(64,)), head)
    opt = torch.optim.Adam(judge.parameters(), lr=1e-3)
    for _ in range(200):
        loss = (criterion(judge(separable_real), torch.ones(512)) + criterion(judge(separable_fake), torch.zeros(512)))
        opt.zero_grad()
        loss.backward()
        opt.step()
    results[name] = loss.item()
assert results["Sigmoid + BCEWithLogitsLoss (bug)"] >= floor - 1e-6 and results["logits (correct)"] < 0.05
print(f"on a trivially separable task, the correct D drives its loss below 0.05; the double-sigmoid D "
      f"cannot go below the floor {floor:.3f}")

# %% [markdown]
# ```{admonition} Mistake 3: forgetting detach() in the discriminator's step
# :class: warning
# Without `generator(z).detach()` (or `torch.no_grad()`), `loss_d.backward()` also computes
# gradients for every generator weight: wasted work, and if the generator's gradients are not
# zeroed before its own step, the generator is pushed by the *discriminator's* objective — towards
# looking fake.
# ```

# %%
g_net, d_net = nets.MLPGenerator(z_dim=100), nets.MLPDiscriminator()
timings = {}
for name, detach in [("with detach()", True), ("without detach()", False)]:
    g_net.zero_grad(set_to_none=True)
    start = time.perf_counter()
    for _ in range(20):
        fake = g_net(torch.randn(BATCH, 100))
        fake = fake.detach() if detach else fake
        losses.discriminator_loss(d_net(real_batch), d_net(fake)).backward()
    timings[name] = (time.perf_counter() - start) / 20
    leaked = [p.grad for p in g_net.parameters() if p.grad is not None]
    print(f"{name:17s}: generator parameters that received a gradient from D's loss: {len(leaked)}")
    assert (len(leaked) == 0) == detach

# %% tags=["nbval-ignore-output"]
print({name: f"{1000 * t:.1f} ms per discriminator step" for name, t in timings.items()})

# %% [markdown]
# ```{admonition} Mistake 4: uniform noise where the generator expects Gaussian noise
# :class: warning
# `torch.rand` draws from $U[0, 1]$; `torch.randn` from $\mathcal N(0, 1)$. A generator trained on Gaussian
# noise and sampled with uniform noise sees inputs from a small corner of its latent space (all
# coordinates positive, norm about 5.8 instead of 10): its samples lose their variety.
# ```

# %%
with torch.no_grad():
    samples_gauss = train.sample(generator, torch.randn(256, 100))
    samples_unif = train.sample(generator, torch.rand(256, 100))
spread = lambda images: torch.pdist(images.flatten(1)).mean().item()
assert spread(samples_unif) < 0.8 * spread(samples_gauss)
print("the trained generator's samples are less varied with torch.rand noise "
      "(mean pairwise distance < 80% of that with torch.randn)")
fig, (ax_a, ax_b) = plt.subplots(1, 2, figsize=(8, 4.2))
plot.image_grid(samples_gauss[:36], nrow=6, ax=ax_a, title="z ~ N(0, I) (as trained)")
plot.image_grid(samples_unif[:36], nrow=6, ax=ax_b, title="z ~ U[0, 1] (bug)")
plt.show()

# %% [markdown]
# ```{admonition} Mistake 5: BatchNorm1d(c, 0.8)
# :class: warning
# A line copied across many GAN repositories reads `nn.BatchNorm1d(256, 0.8)`, meant as a momentum.
# The second positional argument of `BatchNorm1d` is **eps**, the constant added to the variance
# before dividing. With eps = 0.8, layers whose activations have a small variance are barely
# normalised at all. Fix: `nn.BatchNorm1d(256)` (or name the argument: `momentum=0.8`, if that is meant).
# ```

# %%
bug, fixed = nn.BatchNorm1d(256, 0.8), nn.BatchNorm1d(256)
print("nn.BatchNorm1d(256, 0.8) ->", bug)
activations = torch.randn(512, 256) * 0.1  # a layer whose outputs have standard deviation 0.1
std_bug, std_fixed = bug(activations).std().item(), fixed(activations).std().item()
print(f"output standard deviation after normalising: eps=0.8 -> {std_bug:.2f}, eps=1e-5 -> {std_fixed:.2f}")
assert bug.eps == 0.8 and std_bug < 0.2 and abs(std_fixed - 1) < 0.01

# %% [markdown]
# ```{admonition} Mistake 6: logging the loss of the last batch only
# :class: warning
# Printing `loss.item()` once per epoch reports the loss of the *last* mini-batch, a single noisy
# draw. Average over the epoch (or smooth), as `plot.curves(..., window=...)` does.
# ```

# %%
steps_per_epoch = len(mnist.images) // BATCH
epochs = len(history["loss_d"]) // steps_per_epoch
per_epoch = np.array(history["loss_d"][: epochs * steps_per_epoch]).reshape(epochs, steps_per_epoch)
last_batch, epoch_mean = per_epoch[:, -1], per_epoch.mean(1)
jitter_last, jitter_mean = np.abs(np.diff(last_batch)).mean(), np.abs(np.diff(epoch_mean)).mean()
assert jitter_last > 2 * jitter_mean
print(f"{epochs} epochs of {steps_per_epoch} steps: from epoch to epoch the last-batch loss jumps more than "
      "twice as much as the epoch average")
fig, ax = plt.subplots(figsize=(7, 3.4))
ax.plot(np.arange(1, epochs + 1), last_batch, "o-", lw=1, ms=3, label="last batch of the epoch (bug)")
ax.plot(np.arange(1, epochs + 1), epoch_mean, "s-", lw=2, ms=3, label="mean over the epoch")
ax.set(xlabel="epoch", ylabel="discriminator loss", title="One batch is a noisy witness")
ax.legend(frameon=False)
plt.show()

# %% [markdown]
# ## 3.6 At full scale
#
# The quick run above stops after 3,000 steps. The same code in the full profile trains for
# 8,000 steps; that generator ships with the book (`data/checkpoints/03_mlp_gan_generator.pt`,
# stored in half precision; its provenance is in `data/README.md`). Loading it and sampling from a
# fixed seed is deterministic.

# %%
if CHECKPOINT.exists():
    full_generator = nets.MLPGenerator(z_dim=100, hidden=(256, 512, 1024))
    meta = utils.load_checkpoint(CHECKPOINT, full_generator)
    print(f"loaded {CHECKPOINT.name}: {meta['steps']:,} steps, batch {meta['batch']}, seed {meta['seed']}")
    full_samples = train.sample(full_generator, torch.randn(64, 100, generator=torch.Generator().manual_seed(1234)))
    assert full_samples.shape == (64, 1, 28, 28) and full_samples.abs().max() <= 1
    # Which digits does it draw? The classifier shipped with the book (chapter 7 explains it) labels 1,000 samples.
    labels = features.classify(features.load_mnist_classifier(), train.sample(
        full_generator, torch.randn(1000, 100, generator=torch.Generator().manual_seed(1235)))).argmax(1)
    shares = torch.bincount(labels, minlength=10).float() / len(labels)
    print("share of each digit class among 1,000 samples:", " ".join(f"{d}:{s:.0%}" for d, s in enumerate(shares)))
    assert (shares >= 0.02).sum() >= 9, "the shipped generator must not have collapsed onto a few classes"
    fig, (ax_quick, ax_full) = plt.subplots(1, 2, figsize=(12, 6.2))
    plot.image_grid(grids[MNIST_STEPS], ax=ax_quick, title=f"this run: {MNIST_STEPS:,} steps")
    plot.image_grid(full_samples, ax=ax_full, title=f"shipped checkpoint: {meta['steps']:,} steps")
    plt.show()
else:
    print(f"data/checkpoints/{CHECKPOINT.name} is missing: run this notebook with PROFILE='full' and "
          "SAVE_CHECKPOINT=True to create it")

# %% [markdown]
# *Reading the figure.* Longer training removes much of the speckle and sharpens the strokes. The
# class shares printed above are uneven, though: easy classes such as 1 are over-represented.
# Longer still is not better here: on the 4,000 shipped digits, training this MLP GAN for many more
# steps lets the generator drift further towards a few easy classes (try it; chapter 6 is about
# this failure, mode collapse). An MLP treats each pixel as unrelated to its neighbours, so some blotches remain;
# chapter 4's convolutional networks, which build images from local patterns, do better in a
# fraction of the time.
#
# ## Exercises
#
# 1. Train the 1D GAN with `z_dim=1` and a single bump as the data. Then try two bumps that are far
#    apart (means $\pm 5$). What does a continuous map from one noise dimension have to do between the
#    bumps, and what do you see?
# 2. Use $k = 5$ discriminator steps per generator step (`n_critic=5`) on MNIST for the same wall-clock
#    time. Better or worse samples?
# 3. Remove the LeakyReLU slope (use ReLU) in the discriminator. What happens to the generator's
#    gradient norm?
#
# ```{admonition} Solution 1
# :class: dropdown
# A continuous $G: \mathbb R \to \mathbb R$ whose image covers both bumps must also cover the gap, so some
# noise values map between them; the generator makes that region of $z$ as small as it can (a steep
# part of $G$, like the map of chapter 1). With bumps at $\pm 5$ and a short budget it often keeps
# a thin bridge of samples in the gap, or drops one bump entirely — an early view of mode collapse
# (chapter 6). The cell below runs it.
# ```

# %% tags=["hide-input"]
far = data.mixture_1d(means=[-5.0, 5.0], stds=0.5)
utils.seed_everything(SEED)
g_far = nets.MLPGenerator(z_dim=1, hidden=(64, 64), out_shape=(1,), out_activation=None)
d_far = nets.MLPDiscriminator(in_shape=(1,), hidden=(64, 64))
train.train(g_far, d_far, data.batches(far.sample(50_000, torch.Generator().manual_seed(SEED)), 256),
            2_000, torch.optim.Adam(g_far.parameters(), lr=1e-3, betas=(0.5, 0.999)),
            torch.optim.Adam(d_far.parameters(), lr=1e-3, betas=(0.5, 0.999)), progress=False)
far_samples = train.sample(g_far, torch.randn(20_000, 1)).squeeze(1).numpy()
in_gap = np.mean(np.abs(far_samples) < 3.5)
left, right = np.mean(far_samples < -3.5), np.mean(far_samples > 3.5)
assert in_gap < 0.5
print("samples in the gap, the left bump and the right bump (data: 0%, 50%, 50%):")

# %% tags=["hide-input", "nbval-ignore-output"]
print(f"gap {in_gap:.0%}, left {left:.0%}, right {right:.0%}")

# %% [markdown]
# ```{admonition} Solutions 2 and 3
# :class: dropdown
# 2. With $k = 5$ each generator step costs about three times as much (five discriminator passes), so in
#    the same time the generator takes far fewer steps; for this vanilla GAN the samples are usually
#    worse. $k > 1$ pays off for the Wasserstein critic of chapter 5, which *should* be trained close
#    to optimality.
# 3. With ReLU, units that are negative for every input pass no gradient back to $G$; the gradient
#    norm is smaller and noisier. LeakyReLU(0.2) keeps a path for every input {cite:p}`radford2016dcgan`.
# ```
#
# ## Summary
#
# - A GAN's training loop alternates one discriminator step (fakes detached) and one generator step
#   (non-saturating loss), both on the discriminator's logits. `gantut.train` is that loop.
# - In 1D the generator's density climbs $D$'s slope onto the data and $D$ flattens to $\tfrac12$.
# - An MLP GAN makes recognisable digits on a CPU in minutes; its loss curves hover and say little
#   about sample quality.
# - Data range, a double sigmoid, a missing `detach()`, the wrong noise, `BatchNorm1d(c, 0.8)` and
#   last-batch logging are silent bugs: each trains without an error message.
#
# ## References
#
# The works cited in this chapter, with all the others of the book, are listed in the
# [bibliography](../bibliography).
