# %% [markdown]
# # 8. Conditional GANs, other losses, and where GANs went next
#
# Readers who reach this point ask three questions: *can I choose which digit it draws?*, *why are
# there so many GAN losses?*, and *how do StyleGAN, pix2pix and CycleGAN relate to what I just
# learned?* This chapter answers all three with experiments that run on a CPU, and ends with a map of
# the later work, each paper with its real authors and venue.
#
# **You will learn**
# - how a **conditional GAN** {cite:p}`mirza2014conditional` takes a label: the generator gets it
#   beside $z$, the discriminator judges image *and* label (here as extra input channels; the
#   projection discriminator {cite:p}`miyato2018cgans` of large models is derived); the metrics
#   classifier of chapter 7 checks that the digits carry the asked-for label, and a fixed $z$ keeps
#   the handwriting across classes;
# - the **loss zoo**: non-saturating, least-squares {cite:p}`mao2017lsgan`, hinge
#   {cite:p}`lim2017geometric` and Wasserstein-GP {cite:p}`gulrajani2017improved`, written on the
#   discriminator's raw score; the gradient each sends the generator; all four on the ring (three
#   seeds, with control runs that change only the discriminator's learning rate) and on MNIST;
# - the **truncation trick** of BigGAN {cite:p}`brock2019biggan` on chapter 4's DCGAN: quality and
#   diversity as the truncation threshold varies, and why on chapter 4's DCGAN it removes diversity
#   without adding quality;
# - where GANs went next (progressive growing, SN-GAN, SAGAN, BigGAN, StyleGAN, pix2pix, CycleGAN),
#   which chapter of this book each builds on, and how GANs compare with diffusion models;
# - two common mistakes: a least-squares loss on probabilities, and a label that reaches only the
#   generator.
#
# **Run time.** Quick profile: about two and a half minutes on two CPU cores. It trains the
# conditional DCGAN briefly and loads the same run without the label in $D$. The loss comparisons — three
# seeds of each loss on the 2D ring, and four DCGANs on MNIST — take about three quarters of an hour
# of CPU time, so the full profile trains them and they ship with the book; the quick profile loads
# and scores them. The full profile also trains the conditional DCGAN for 8,000 steps.

# %% tags=["hide-input"]
# On Colab, or anywhere the book's helper package is missing, fetch the book and install it
# with what the chapters import (gantut[book]). Torch and torchvision stay as found (Colab's own
# builds): pip is told to keep their versions. GANTUT_REPOSITORY overrides where the book comes from.
import importlib.metadata, importlib.util, os, subprocess, sys
BOOK_REPOSITORY = os.environ.get("GANTUT_REPOSITORY", "https://github.com/gantut/gantut")  # repository.url in _config.yml (a test checks)
BOOK_DIR = os.environ.get("GANTUT_BOOK_DIR", "/content/gantut")
if importlib.util.find_spec("gantut") is None:
    subprocess.run(["git", "clone", "--depth", "1", BOOK_REPOSITORY, BOOK_DIR], check=True)
    kept = []
    for name in ("torch", "torchvision"):
        try:
            kept.append(f"{name}=={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            pass
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-e", f"{BOOK_DIR}[book]", *kept], check=True)
    sys.path.insert(0, BOOK_DIR)
    print(f"installed gantut[book] from {BOOK_REPOSITORY} into {BOOK_DIR}, keeping {' and '.join(kept) or 'nothing'}")

# %% tags=["parameters"]
import os

PROFILE = os.environ.get("GANTUT_PROFILE", "quick")  # "quick" (CPU) or "full" (GPU)
SEED = 0
SAVE_CHECKPOINT = False  # write the trained generators to data/checkpoints/ (full profile; quick: section 8.5's)

# %%
import math
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import Markdown, display
from scipy import stats
from torch import nn
from tqdm.auto import tqdm

from gantut import data, features, losses, metrics, nets, plot, runs, theory, train, utils

Z_DIM, WIDTH, BATCH, N_CLASSES = 64, 32, 64, 10             # chapter 4's DCGAN
ADAM = dict(lr=2e-4, betas=(0.5, 0.999))                    # the DCGAN paper's optimiser
CONDITIONAL_STEPS = utils.by_profile(PROFILE, quick=600, full=8_000)
# The 2D ring in the setting of chapter 6 (gantut.runs): z 256, 2 x 128 ReLU, batch 512, Adam with G's
# learning rate 1e-3 and D's 1e-4.
TOY_Z, TOY_HIDDEN, TOY_BATCH, G_LR, D_LR = runs.TOY_Z, runs.TOY_HIDDEN, runs.TOY_BATCH, runs.TOY_G_LR, runs.TOY_D_LR
RING_STEPS, RING_SEEDS = 5_000, 3                            # the ring comparison (trained by the full profile)
MNIST_ZOO_STEPS = 5_000                                      # the MNIST comparison (full profile only)
N_EVAL, N_SCORE = 2_500, 1_000                               # 2D samples scored; digits per FID
LOSS_NAMES = ("non-saturating", "LSGAN", "hinge", "WGAN-GP")
BLIND_CHECKPOINT = utils.CHECKPOINT_DIR / "08_label_blind_generator.pt"   # section 8.5, the quick profile's run
CHECKPOINTS = {"conditional": utils.CHECKPOINT_DIR / "08_conditional_dcgan_generator.pt",
               "ring": utils.CHECKPOINT_DIR / "08_ring_loss_generators.pt",
               "mnist": utils.CHECKPOINT_DIR / "08_mnist_loss_generators.pt"}
device = utils.setup(SEED)

# %% tags=["nbval-ignore-output"]
# Which data was found depends on the machine (full MNIST online, the shipped subset offline).
mnist, held_out = data.mnist("train"), data.mnist("test")
classifier, held_out_features = runs.digit_yardstick(device)   # the classifier; features of 1,000 held-out digits

# %% [markdown]
# ## 8.1 Conditional GANs: choosing the digit
#
# A GAN trained on MNIST draws *a* digit; which one is decided somewhere inside $z$. To choose it,
# {cite:t}`mirza2014conditional` give the label $y$ to both players: the generator draws
# $G(z, y)$, and the discriminator judges a pair $(x, y)$. The game of chapter 1 becomes
#
# $$ \min_G \max_D \; \mathbb E_{(x, y) \sim p_{data}} \log D(x, y)
#    + \mathbb E_{z \sim \mathcal N(0, I),\, y \sim p(y)} \log\big(1 - D(G(z, y), y)\big) . $$ (cgan)
#
# A generator that draws a perfect 3 when asked for a 7 now loses: the pair (a 3, "7") never occurs
# in the data, and $D$ can learn that. Everything of chapters 1–2 carries over with $x$ replaced by
# the pair: the optimal discriminator is $D^*(x, y) = p_{data}(x, y) / (p_{data}(x, y) + p_g(x, y))$,
# and at $D^*$ the value of eq. {eq}`cgan` is $-\log 4 + 2\,\mathrm{JSD}(p_{data}(x, y) \,\|\, p_g(x, y))$,
# chapter 2's result for the joint distribution. The cell checks it on a 1D example with three classes
# whose generated class-conditionals are shifted.

# %%
x_grid = np.linspace(-10, 10, 8001)
class_weights, data_means, generated_means = [0.2, 0.3, 0.5], [-2.0, 0.0, 2.0], [-1.0, 1.0, 2.5]
p_joint = np.stack([w * stats.norm.pdf(x_grid, m, 1) for w, m in zip(class_weights, data_means)])      # (3, X)
g_joint = np.stack([w * stats.norm.pdf(x_grid, m, 1) for w, m in zip(class_weights, generated_means)])  # (3, X)
d_star = p_joint / (p_joint + g_joint)


def game_value(d):
    """Eq. (cgan) for a discriminator d(x, y) given on the grid, (3, X): sum over y, integral over x."""
    return sum(theory.integrate(p_joint[y] * np.log(d[y]) + g_joint[y] * np.log(1 - d[y]), x_grid) for y in range(3))


mixture = (p_joint + g_joint) / 2
jsd = sum(0.5 * theory.integrate(p_joint[y] * np.log(p_joint[y] / mixture[y])
                                 + g_joint[y] * np.log(g_joint[y] / mixture[y]), x_grid) for y in range(3))
assert abs(game_value(d_star) - (-math.log(4) + 2 * jsd)) < 1e-8
nudged = np.clip(d_star + 0.05 * np.sin(3 * x_grid), 1e-6, 1 - 1e-6)
assert game_value(nudged) < game_value(d_star)
print(f"V(G, D*) = {game_value(d_star):.6f} = -log 4 + 2 JSD ({-math.log(4) + 2 * jsd:.6f}); a nudged D scores less")

# %% [markdown]
# **How the label enters.** In $G$ it is simplest: a learned embedding of $y$ (16 numbers) is
# concatenated to $z$, and chapter 4's DCGAN generator does the rest (`nets.ConditionalDCGANGenerator`).
# $D$ gets the label as ten extra input channels, the one-hot code of $y$ as constant 28 x 28 maps
# stacked onto the image, so that its first convolution sees the digit and the label together
# (`nets.LabelChannelDiscriminator`).
#
# Large conditional GANs use another design. {cite:t}`miyato2018cgans` read the optimal
# discriminator's logit,
# $\log \frac{p_{data}(x, y)}{p_g(x, y)} = \log \frac{p_{data}(y \mid x)}{p_g(y \mid x)} + \log \frac{p_{data}(x)}{p_g(x)}$:
# if both conditionals are softmax classifiers on shared features $\phi(x)$, the first term is linear
# in $\phi(x)$ with a weight vector per class, $e_y$ (exercise 1). Hence the **projection
# discriminator**
#
# $$ \mathrm{logit}\, D(x, y) = \psi\big(\phi(x)\big) + e_y^\top \textstyle\sum \phi(x) , $$ (projection)
#
# with $\phi$ the discriminator's convolutional body, $\psi$ its last layer, and the sum over
# positions; BigGAN uses it. `nets.ProjectionDiscriminator` builds it on chapter 4's discriminator.
# Section 8.1 uses the simpler label channels; we do not compare the two here (exercise 4 asks you to). The cell checks eq. {eq}`projection` against the
# module on a few digits (with random embeddings; they start at zero).

# %%
projection_d = nets.ProjectionDiscriminator(WIDTH, N_CLASSES).eval()
nn.init.normal_(projection_d.embed.weight)
digits, digit_labels = held_out.images[:8], held_out.labels[:8]
with torch.no_grad():
    phi = projection_d.body(digits)                                                  # (8, 2w, 7, 7)
    by_hand = projection_d.head(phi).flatten() + (projection_d.embed(digit_labels) * phi.sum(dim=(2, 3))).sum(1)
    assert torch.allclose(projection_d(digits, digit_labels), by_hand, atol=1e-5)
print("nets.ProjectionDiscriminator computes psi(phi(x)) + e_y . sum phi(x), eq. (projection)")

# %% [markdown]
# The training step is chapter 3's, with labels, and `train.train` takes it when the generator is
# conditional (it has `n_classes` and takes `(z, labels)`) and the batches are `(images, labels)` pairs: real pairs come from the data; each fake pair gets a label drawn uniformly
# and the image $G(z, y)$ for it; $D$ judges pairs, $D(x, y)$, and $G$'s (non-saturating) loss is
# $D$'s judgement of its own pairs. Read `discriminator_step` and `generator_step` in
# `gantut/train.py`: the labels are the only new argument.

# %%
class LabelBlind(nn.Module):
    """chapter 4's discriminator, handed (images, labels), judging the images only (section 8.5)."""

    def __init__(self):
        super().__init__()
        self.judge = nets.DCGANDiscriminator(WIDTH)

    def forward(self, images, labels):
        return self.judge(images)


def train_conditional(steps: int, seed: int, label_in_d: bool = True, desc: str = "conditional DCGAN"):
    """A conditional DCGAN trained on MNIST; label_in_d=False gives D no label (section 8.5)."""
    torch.manual_seed(seed)
    generator = nets.ConditionalDCGANGenerator(Z_DIM, WIDTH, N_CLASSES).apply(nets.init_weights).to(device)
    discriminator = nets.LabelChannelDiscriminator(WIDTH, N_CLASSES) if label_in_d else LabelBlind()
    discriminator = discriminator.apply(nets.init_weights).to(device)
    g_optimizer = torch.optim.Adam(generator.parameters(), **ADAM)
    d_optimizer = torch.optim.Adam(discriminator.parameters(), **ADAM)
    batches = data.batches(mnist.images, BATCH, device, rng=torch.Generator().manual_seed(seed),
                           labels=mnist.labels)                                 # (images, labels) pairs
    history = train.train(generator, discriminator, batches, steps, g_optimizer, d_optimizer, desc=desc)
    return generator, history


# %% tags=["nbval-ignore-output"]
start = time.perf_counter()
conditional_g, conditional_history = train_conditional(CONDITIONAL_STEPS, SEED)
conditional_seconds = time.perf_counter() - start
print(f"{CONDITIONAL_STEPS:,} steps in {conditional_seconds:.0f} s ({utils.hardware()})")
plot.curves({"D's loss": conditional_history["loss_d"], "G's loss": conditional_history["loss_g"]},
            window=50, ylabel="loss (50-step average)", figsize=(7, 3),
            hlines={"log 4: D's loss when D = 1/2 everywhere": math.log(4),
                    "log 2: G's loss -log D(G(z)) when D = 1/2": math.log(2)},
            title="Conditional DCGAN: the two losses during training")
plt.show()
if PROFILE == "full" and SAVE_CHECKPOINT:
    utils.save_checkpoint(CHECKPOINTS["conditional"], conditional_g, half=True,
                          config={"z_dim": Z_DIM, "width": WIDTH, "n_classes": N_CLASSES},
                          steps=CONDITIONAL_STEPS, batch=BATCH, seed=SEED, data=mnist.source,
                          seconds=round(conditional_seconds), hardware=utils.hardware())
    print(f"saved data/checkpoints/{CHECKPOINTS['conditional'].name}")

# %% [markdown]
# The losses tell the usual story of a healthy run: $D$ wins at first (its loss falls towards 0 while
# $G$'s climbs), then $G$ catches up. Each loss has its own reference line, because they are different
# functions: $D$'s loss $-\log D(x) - \log(1 - D(G(z)))$ is $\log 4$ when $D = \tfrac12$ everywhere, while
# $G$'s non-saturating loss $-\log D(G(z))$ is $\log 2$ there. At the end $D$'s loss is still below
# $\log 4$ and $G$'s still above $\log 2$: both say that $D$ keeps an edge (the cell below checks it on the
# last 100 steps). Losses say nothing about labels, though.

# %%
end_d = float(np.mean(conditional_history["loss_d"][-100:]))
end_g = float(np.mean(conditional_history["loss_g"][-100:]))
assert end_d < math.log(4) and end_g > math.log(2)
print("over the last 100 steps D's loss averages below log 4 = 1.386 and G's above log 2 = 0.693: "
      "D still tells the two apart, a little")

# %% [markdown]
# **The figure that answers the question.** Each row below asks for one digit class; each column
# uses one noise vector $z$ for all ten rows. If the label controls *what* is drawn and $z$ only
# *how*, a column should show ten different digits in one hand.

# %%
COLUMNS = 8
grid_noise = torch.randn(COLUMNS, Z_DIM, generator=torch.Generator().manual_seed(SEED + 7))


def class_rows(generator, noise):
    """Images (10 * len(noise), 1, 28, 28): row c draws class c from every noise vector, the same in every row."""
    z = noise.repeat(N_CLASSES, 1).to(device)                                  # (10 * K, z_dim)
    labels = torch.arange(N_CLASSES, device=device).repeat_interleave(len(noise))  # 0 ... 0, 1 ... 1, ...
    return train.sample(generator, z, labels)


plot.image_grid(class_rows(conditional_g, grid_noise), nrow=COLUMNS, figsize=(5, 6.2),
                title=f"Conditional DCGAN, step {CONDITIONAL_STEPS:,}: row = asked-for class 0-9, column = one z")
plt.show()

# %% [markdown]
# **Does each digit carry its label?** The classifier of chapter 7 (97.3% on held-out digits)
# reads 1,000 generated digits, 100 asked for each class. A generator that ignored the label would
# score 10%, chance.

# %%
def label_accuracy(generator, n_per_class: int = 100, seed: int = 1, truncation: float | None = None):
    """Share of G(z, y) that the classifier reads as y, over n_per_class samples of each class; also per class."""
    rng = torch.Generator().manual_seed(seed)
    z = (torch.randn(N_CLASSES * n_per_class, Z_DIM, generator=rng) if truncation is None
         else truncated_noise(N_CLASSES * n_per_class, Z_DIM, truncation, rng))
    labels = torch.arange(N_CLASSES).repeat(n_per_class)
    images = train.sample(generator, z.to(device), labels.to(device))
    read = features.classify(classifier, images).argmax(1).cpu()
    per_class = torch.stack([(read[labels == c] == c).float().mean() for c in range(N_CLASSES)])
    return (read == labels).float().mean().item(), per_class.numpy(), images


accuracy, per_class_accuracy, _ = label_accuracy(conditional_g)
assert accuracy > 0.3, f"label accuracy {accuracy:.0%} is not well above chance"
print("the generated digits carry the asked-for label far more often than chance (10%)")

# %% tags=["nbval-ignore-output"]
print(f"label accuracy after {CONDITIONAL_STEPS:,} steps: {accuracy:.0%} "
      f"(per class {', '.join(f'{a:.0%}' for a in per_class_accuracy)})")

# %% [markdown]
# **Is $z$ the style?** "The same hand" can be measured crudely by the amount of ink: thick strokes
# are thick for every class. For 200 noise vectors we draw all ten classes and compute each image's
# ink (the mean brightness); if $z$ carries stroke width, the ink of the 3 drawn from $z$ predicts
# the ink of the 7 drawn from the same $z$. The number below is the correlation of ink across classes
# over the 200 vectors, averaged over the 45 pairs of classes, next to the same with the noise
# vectors shuffled between classes (no shared $z$).

# %%
def ink_correlation(generator, n_styles: int = 200, seed: int = 2) -> tuple[float, float]:
    """Mean correlation, over pairs of classes, of the ink of G(z, a) and G(z, b) across n_styles z; and shuffled."""
    noise = torch.randn(n_styles, Z_DIM, generator=torch.Generator().manual_seed(seed))
    ink = ((class_rows(generator, noise) + 1) / 2).mean(dim=(1, 2, 3)).view(N_CLASSES, n_styles).cpu().numpy()
    pairs = np.triu_indices(N_CLASSES, k=1)
    same_z = np.corrcoef(ink)[pairs].mean()                               # (10, 10) correlation matrix
    shuffled = np.stack([row[np.random.default_rng(seed + c).permutation(n_styles)] for c, row in enumerate(ink)])
    return same_z, np.corrcoef(shuffled)[pairs].mean()


style_corr, shuffled_corr = ink_correlation(conditional_g)

# %% tags=["nbval-ignore-output"]
print(f"ink correlation across classes: same z {style_corr:.2f}, shuffled z {shuffled_corr:.2f}")

# %% [markdown]
# **At full scale.** The same code, 8,000 steps (the full profile); the generator ships with the book
# (`data/checkpoints/08_conditional_dcgan_generator.pt`, trained on two CPU cores in about nine minutes).

# %%
full_conditional = nets.ConditionalDCGANGenerator(Z_DIM, WIDTH, N_CLASSES)
full_conditional_meta = utils.load_checkpoint(CHECKPOINTS["conditional"], full_conditional)
full_conditional = full_conditional.to(device)
full_accuracy, full_per_class, _ = label_accuracy(full_conditional)
full_style, full_shuffled = ink_correlation(full_conditional)
assert full_accuracy > 0.9 and min(full_per_class) > 0.7
assert full_style > full_shuffled + 0.3, "a shared z should carry the stroke width across classes"
print(f"{full_conditional_meta['steps']:,} steps: label accuracy {full_accuracy:.0%} "
      f"(lowest class {full_per_class.min():.0%}); ink correlation same z {full_style:.1f}, shuffled {full_shuffled:.1f}")
plot.image_grid(class_rows(full_conditional, grid_noise), nrow=COLUMNS, figsize=(5, 6.2),
                title=f"Conditional DCGAN at {full_conditional_meta['steps']:,} steps: row = class, column = one z")
plt.show()

# %% [markdown]
# Reading the figure: down a column the digit changes and the hand stays (slant and stroke width
# come from $z$); along a row the class stays. That is what "conditional" should mean, and the
# classifier's accuracy says it holds for far more than these 80 samples.
#
# A third way to give $D$ the label is the **auxiliary classifier** of AC-GAN
# {cite:p}`odena2017acgan`: $D$ also predicts the class, and both players are trained to get it right.

# %% [markdown]
# ## 8.2 The loss zoo
#
# Chapters 3 and 5 met two losses: the non-saturating GAN loss and the Wasserstein loss with a
# gradient penalty. Two more are common enough that every GAN reader meets them: the least-squares
# loss of LSGAN {cite:p}`mao2017lsgan` and the hinge loss {cite:p}`lim2017geometric`, used by
# SN-GAN {cite:p}`miyato2018spectral` and BigGAN {cite:p}`brock2019biggan`. Write them all on the
# discriminator's raw output $s(x)$ (a logit or a critic score, no Sigmoid):
#
# | loss | $D$ minimises | $G$ minimises |
# |---|---|---|
# | non-saturating | $\mathbb E\,\mathrm{softplus}(-s(x)) + \mathbb E\,\mathrm{softplus}(s(G(z)))$ | $\mathbb E\,\mathrm{softplus}(-s(G(z)))$ |
# | LSGAN | $\tfrac12 \mathbb E\,(s(x) - 1)^2 + \tfrac12 \mathbb E\, s(G(z))^2$ | $\tfrac12 \mathbb E\,(s(G(z)) - 1)^2$ |
# | hinge | $\mathbb E \max(0, 1 - s(x)) + \mathbb E \max(0, 1 + s(G(z)))$ | $-\mathbb E\, s(G(z))$ |
# | WGAN-GP | $\mathbb E\, s(G(z)) - \mathbb E\, s(x) + \lambda\, \mathbb E (\lVert \nabla s(\hat x) \rVert - 1)^2$ | $-\mathbb E\, s(G(z))$ |
#
# ($\mathrm{softplus}(-s) = -\log \sigma(s)$, so the first row is chapter 3's binary cross-entropy.)
# Each is in `gantut.losses`, tested against hand computations. What differs for the generator is
# one number per sample: the derivative of its loss with respect to the score,
# $\partial \ell / \partial s$. The chain rule multiplies it into $\partial s / \partial \theta_G$,
# so it says how hard each fake sample is pushed, depending on how $D$ currently scores it.

# %%
scores = torch.linspace(-6, 6, 241)


def push(generator_loss, s: torch.Tensor) -> np.ndarray:
    """-d loss / d score for one fake sample at each score s (the factor G's gradient is multiplied by)."""
    s = s.clone().requires_grad_(True)
    per_sample = torch.stack([generator_loss(value.view(1)) for value in s])
    (gradient,) = torch.autograd.grad(per_sample.sum(), s)
    return -gradient.numpy()


pushes = {"minimax (saturating), chapter 1": push(losses.generator_loss_saturating, scores),
          "non-saturating": push(losses.generator_loss, scores),
          "LSGAN": push(losses.lsgan_generator_loss, scores),
          "hinge and WGAN(-GP)": push(losses.hinge_generator_loss, scores)}
sigma = torch.sigmoid(scores).numpy()
closed_forms = {"minimax (saturating), chapter 1": sigma, "non-saturating": 1 - sigma,
                "LSGAN": 1 - scores.numpy(), "hinge and WGAN(-GP)": np.ones_like(sigma)}
for name in pushes:
    assert np.allclose(pushes[name], closed_forms[name], atol=1e-6), name
assert np.allclose(push(losses.generator_loss_wasserstein, scores), 1)
print("autograd through gantut.losses equals the closed forms: sigma(s), 1 - sigma(s), 1 - s, 1")

# %%
fig, ax = plt.subplots(figsize=(7, 4))
for (name, values), style in zip(pushes.items(), (":", "-", "--", "-.")):
    ax.plot(scores, values, style, lw=2, label=name)
ax.axhline(0, color="grey", lw=0.5)
ax.axvspan(-6, -2, color="grey", alpha=0.12)
ax.text(-5.8, 3.3, "D is sure the\nsample is fake", fontsize=9)
ax.set(xlabel="D's raw score s of a generated sample (logit or critic score)",
       ylabel=r"push on the sample, $-\partial \ell_G / \partial s$", ylim=(-3, 7.5),
       title="What each generator loss does with D's verdict")
ax.legend(loc="upper right", fontsize=9)
plt.show()

# %% [markdown]
# Reading the figure: where $D$ is sure a sample is fake (grey), the minimax loss of chapter 1
# pushes with $\sigma(s) \approx 0$ — the saturation that chapter 3 fixed with the non-saturating
# loss, which pushes with $1 - \sigma(s) \approx 1$ there and lets go once $D$ is fooled. Hinge and
# Wasserstein push every sample equally, whatever its score; their discriminators must stay
# well-behaved (a margin, a Lipschitz constraint), since the size of the push then comes only from
# $\partial s / \partial \theta_G$. LSGAN pushes hardest the samples that $D$ scores farthest from the
# real target 1, and *back down* those scored above 1: it pulls every fake sample toward the score of
# real data rather than past it.
#
# Whether any of this matters in practice is an experiment. Below, all four losses train chapter 6's
# 2D GAN on the ring of eight Gaussians: the same networks, seed, batch and number of generator steps;
# WGAN-GP with chapter 6's settings (five critic steps per generator step, so about five times the
# compute).

# %%
def ring_recipe(name: str) -> runs.Recipe:
    """One loss of the zoo on the ring: its loss pair (gantut.runs.LOSSES; WGAN-GP with chapter 5's five critic
    steps and penalty 10) and chapter 6's optimiser settings. The networks stay the same."""
    if name == "WGAN-GP":            # chapter 6's setting for WGAN-GP: the critic at G's rate, Adam betas (0.5, 0.9)
        return runs.Recipe.of(name, g_lr=G_LR, d_lr=G_LR, betas=(0.5, 0.9))
    return runs.Recipe.of(name, g_lr=G_LR, d_lr=D_LR)


ring = data.ring()
RING_NOISE = torch.randn(N_EVAL, TOY_Z, generator=torch.Generator().manual_seed(1234))


def train_ring(name: str, seed: int, steps: int):
    """Chapter 6's 2D GAN on the ring with one loss (runs.train_toy); returns (generator, seconds)."""
    generator, _, seconds = runs.train_toy(ring_recipe(name), ring, seed, steps)
    return generator, seconds


# %%
ring_bundle = runs.bundle(runs.toy_generator, LOSS_NAMES, RING_SEEDS)


def train_ring_runs() -> dict:
    """RING_SEEDS runs of each loss (about 15 minutes on a CPU core), copied into ring_bundle."""
    seconds = {runs.key(name): [] for name in LOSS_NAMES}
    for name, i in tqdm([(n, i) for n in LOSS_NAMES for i in range(RING_SEEDS)], desc="ring runs"):
        generator, run_seconds = train_ring(name, SEED + i, RING_STEPS)
        ring_bundle[runs.key(name)][i].load_state_dict(generator.state_dict())
        seconds[runs.key(name)].append(round(run_seconds, 1))
    return {"seeds": [SEED + i for i in range(RING_SEEDS)], "seconds": seconds, "batch": TOY_BATCH,
            "z_dim": TOY_Z, "hidden": list(TOY_HIDDEN)}


# The quick profile loads the shipped runs, whatever SEED is; the seeds shown are the file's own.
ring_meta = runs.load_or_train(CHECKPOINTS["ring"], ring_bundle, train_ring_runs, profile=PROFILE,
                               save=SAVE_CHECKPOINT, steps=RING_STEPS)
ring_generators = runs.unbundle(ring_bundle, LOSS_NAMES)
ring_seeds = list(ring_meta["seeds"])
if ring_seeds[0] != SEED:
    print(f"the shipped ring runs are seeds {ring_seeds}; SEED = {SEED} applies to what this chapter trains live")
# Chapter 6's learning-rate controls, the same 2D GAN with one learning rate changed (shipped with chapter 6):
controls = runs.bundle(runs.toy_generator, ("vanilla, D lr 1e-3", "WGAN-GP, critic lr 1e-4"), RING_SEEDS)
utils.load_checkpoint(utils.CHECKPOINT_DIR / "06_ring_lr_controls.pt", controls)
ring_generators["non-saturating, D lr 1e-3"] = list(controls["vanilla_d_lr_1e_3"])
ring_generators["WGAN-GP, critic lr 1e-4"] = list(controls["wgan_gp_critic_lr_1e_4"])
ring_results = {name: [metrics.mode_coverage(train.sample(g, RING_NOISE), ring) for g in gens]
                for name, gens in ring_generators.items()}

# %%
def mnist_recipe(name: str) -> runs.Recipe:
    """One loss of the zoo on MNIST: WGAN-GP with chapter 5's Adam (1e-4, betas (0.5, 0.9)), the others with chapter 4's."""
    if name == "WGAN-GP":
        return runs.Recipe.of(name, g_lr=1e-4, d_lr=1e-4, betas=(0.5, 0.9))
    return runs.Recipe.of(name, g_lr=ADAM["lr"], d_lr=ADAM["lr"], betas=ADAM["betas"])


def mnist_gan(name: str, seed: int):
    """Chapter 4's DCGAN for one loss: the same G, the same D (LayerNorm, which the penalty needs), seed."""
    torch.manual_seed(seed)
    generator = nets.DCGANGenerator(Z_DIM, WIDTH).apply(nets.init_weights).to(device)
    discriminator = nets.DCGANDiscriminator(WIDTH, norm="layer").apply(nets.init_weights).to(device)
    return (generator, discriminator, *mnist_recipe(name).optimizers(generator, discriminator))


mnist_generators = nn.ModuleDict({runs.key(name): nets.DCGANGenerator(Z_DIM, WIDTH) for name in LOSS_NAMES})


def train_mnist_zoo() -> dict:
    """Each loss's DCGAN for MNIST_ZOO_STEPS steps (about half an hour on a CPU core), copied into mnist_generators."""
    seconds = {}
    for name in LOSS_NAMES:
        generator, discriminator, g_optimizer, d_optimizer = mnist_gan(name, SEED)
        start = time.perf_counter()
        train.train(generator, discriminator, data.batches(mnist.images, BATCH, device,
                    rng=torch.Generator().manual_seed(SEED)), MNIST_ZOO_STEPS, g_optimizer, d_optimizer,
                    desc=f"MNIST, {name}", **mnist_recipe(name).loop())
        seconds[runs.key(name)] = round(time.perf_counter() - start, 1)
        mnist_generators[runs.key(name)].load_state_dict(generator.state_dict())
    return {"seed": SEED, "batch": BATCH, "seconds": seconds, "data": mnist.source}


mnist_meta = runs.load_or_train(CHECKPOINTS["mnist"], mnist_generators, train_mnist_zoo, profile=PROFILE,
                                save=SAVE_CHECKPOINT, steps=MNIST_ZOO_STEPS)


def mnist_step_seconds(name: str, steps: int = 2) -> float:
    """Seconds per generator step of this loss's DCGAN on MNIST, after one warm-up step."""
    generator, discriminator, g_optimizer, d_optimizer = mnist_gan(name, SEED)
    batches = data.batches(mnist.images, BATCH, device, rng=torch.Generator().manual_seed(SEED))
    train.train(generator, discriminator, batches, 1, g_optimizer, d_optimizer, progress=False, **mnist_recipe(name).loop())
    start = time.perf_counter()
    train.train(generator, discriminator, batches, steps, g_optimizer, d_optimizer, progress=False, **mnist_recipe(name).loop())
    if device.type == "cuda":
        torch.cuda.synchronize()
    return (time.perf_counter() - start) / steps


mnist_cost = {name: [] for name in LOSS_NAMES}
for _ in range(3):   # interleaved, medians: every loss sees the same state of the machine
    for name in LOSS_NAMES:
        mnist_cost[name].append(mnist_step_seconds(name))
mnist_step_ms = {name: 1000 * float(np.median(values)) for name, values in mnist_cost.items()}


def d_passes_per_step(name: str, steps: int = 2) -> float:
    """Forward passes through D per generator step of this loss's recipe, counted by a hook (any machine)."""
    generator, discriminator, g_optimizer, d_optimizer = mnist_gan(name, SEED)
    batches = data.batches(mnist.images, BATCH, device, rng=torch.Generator().manual_seed(SEED))
    with utils.forward_passes(type(discriminator)) as calls:
        train.train(generator, discriminator, batches, steps, g_optimizer, d_optimizer, progress=False,
                    **mnist_recipe(name).loop())
    return len(calls) / steps


d_passes = {name: d_passes_per_step(name) for name in LOSS_NAMES}
assert all(d_passes[name] == 3 for name in ("non-saturating", "LSGAN", "hinge"))   # real + fake for D, fake for G
assert d_passes["WGAN-GP"] == 5 * 3 + 1                                           # + interpolates, five times
print("passes through D per generator step: " + ", ".join(f"{name} {count:.0f}" for name, count in d_passes.items()) +
      " (WGAN-GP's penalty also backpropagates through D's gradient on each of its 5 critic steps)")

# %% [markdown]
# Each loss trains three seeds for 5,000 generator steps (the full profile trains them, about a
# quarter of an hour on one CPU core, and they ship with the book; the quick profile loads them). Two
# settings differ between the losses: WGAN-GP keeps chapter 5's recipe, a critic learning rate of
# $10^{-3}$ (the other discriminators learn at $10^{-4}$) and Adam's $\beta_2 = 0.9$. Two control rows
# from chapter 6 change only the learning rate: the non-saturating GAN with $D$ at $10^{-3}$ (chapter 6's vanilla GAN is the
# same computation), and WGAN-GP with its critic at $10^{-4}$. The table gives chapter 6's three numbers
# for 2,500 samples: the **high-quality share** (samples within three standard deviations of their
# nearest mode), **modes covered** (modes holding at least a fifth of the high-quality samples a perfect
# generator would put there) and the **KL** of the high-quality samples' histogram over the modes from
# the uniform one (log 8 = 2.08 for a single mode; — when a seed has fewer than 50 high-quality
# samples, too few for a histogram), one value per seed. The last column is what a generator step of
# each loss costs on the machine running this page, measured in the cell below.

# %%
# What a generator step costs, per loss: timed here, alternating between the losses (three rounds,
# medians), so that every loss sees the same state of the machine. A control row costs what its loss costs.
ring_cost = {name: [] for name in LOSS_NAMES}
for _ in range(3):
    for name in LOSS_NAMES:
        ring_cost[name].append(train_ring(name, SEED, 50)[1] / 50)
ring_step_ms = {name: 1000 * float(np.median(values)) for name, values in ring_cost.items()}

# %%
def ring_table(results: dict, step_ms: dict) -> str:
    """Markdown table of modes covered, high-quality share, KL (per seed) and ms per generator step, one row per loss."""
    lines = ["| loss | modes covered (of 8) | high-quality share | KL of the mode histogram | ms per generator step (this machine) |",
             "|---|---|---|---|---|"]
    for name, scores in results.items():
        lines.append(f"| {name} | {runs.per_seed([r['modes'] for r in scores], 0)} | "
                     f"{runs.per_seed([r['high_quality'] for r in scores], 2)} | "
                     f"{', '.join('—' if r['high_quality'] * N_EVAL < 50 else runs.per_seed([r['kl']], 2) for r in scores)} | "
                     + (f"{step_ms[name]:.1f} |" if name in step_ms else "as its loss |"))
    return "\n".join(lines)


# %% tags=["nbval-ignore-output"]
display(Markdown(f"**The ring, {RING_STEPS:,} generator steps, seeds {ring_seeds[0]}-{ring_seeds[-1]}** "
                 f"(cost per step measured on {utils.hardware()})\n\n" + ring_table(ring_results, ring_step_ms)))

# %%
def ring_panels(generators: dict, title: str):
    """One scatter of 1,000 samples per loss, the ring's centres as crosses."""
    fig, axes = plt.subplots(1, len(generators), figsize=(3.1 * len(generators), 3.4), sharey=True)
    for ax, (name, generator) in zip(axes, generators.items()):
        samples = train.sample(generator, RING_NOISE)[:1000]
        ax.scatter(*samples.T, s=2, alpha=0.4, color=plot.COLORS["generator"])
        ax.scatter(*ring.means.T, marker="x", s=30, color=plot.COLORS["data"])
        ax.set(title=name.replace(", ", ",\n"), xlabel="$x_1$", aspect="equal", xlim=(-3, 3), ylim=(-3, 3))
    axes[0].set_ylabel("$x_2$")
    fig.suptitle(title, y=1.06)
    plt.show()


ring_panels({name: gens[0] for name, gens in ring_generators.items()},
            f"The ring after {RING_STEPS:,} generator steps, seed {ring_seeds[0]}: 1,000 samples per run (crosses: modes)")

# %%
modes_of = {name: np.array([r["modes"] for r in scores]) for name, scores in ring_results.items()}
if PROFILE == "quick":   # the control rows' baseline: chapter 6's vanilla GAN is this non-saturating GAN
    chapter6 = runs.bundle(runs.toy_generator, ("vanilla", "minibatch std", "PacGAN", "WGAN-GP", "unrolled"), RING_SEEDS)
    utils.load_checkpoint(utils.CHECKPOINT_DIR / "06_ring_generators.pt", chapter6)
    for ours, theirs in (("non-saturating", "vanilla"), ("WGAN-GP", "wgan_gp")):   # shipped weights, so exact
        assert all(torch.equal(train.sample(a, RING_NOISE), train.sample(b, RING_NOISE))
                   for a, b in zip(ring_generators[ours], chapter6[theirs]))
    print("chapter 6's vanilla GAN and WGAN-GP are this chapter's non-saturating GAN and WGAN-GP: identical samples, "
          "every seed, so chapter 6's controls are controls for this table")
top_of = {name: np.array([r["favourite_share"] for r in scores])              # share of samples nearest the favourite mode
          for name, scores in ring_results.items()}
for name in ("non-saturating", "hinge", "WGAN-GP, critic lr 1e-4"):
    assert (top_of[name] > 0.5).all() and modes_of[name].max() <= 1, name  # collapsed onto one mode, every seed
assert modes_of["LSGAN"].max() > 1 and modes_of["LSGAN"].min() <= 1          # LSGAN: better on some seeds, not all
for fast, slow in (("WGAN-GP", "WGAN-GP, critic lr 1e-4"), ("non-saturating, D lr 1e-3", "non-saturating")):
    assert modes_of[fast].min() > modes_of[slow].max(), fast               # every seed beats every seed
assert modes_of["non-saturating, D lr 1e-3"].max() >= modes_of["WGAN-GP"].min()
print("D (or critic) at 1e-4: non-saturating, hinge and WGAN-GP put more than half of their samples on one mode, every "
      f"seed; LSGAN covers {', '.join(map(str, modes_of['LSGAN']))} modes by seed; raising D's learning rate to 1e-3 lifts "
      "WGAN-GP and the non-saturating GAN alike: every seed with it beats every seed without")

# %% [markdown]
# Reading the table: on the ring the loss alone does not prevent collapse. At the same discriminator
# learning rate ($10^{-4}$) the non-saturating, hinge *and* Wasserstein losses collapse, on every seed:
# more than half of the samples sit nearest one mode, yet at most one mode counts as covered (the
# samples gather near a mode, not on it). Hinge and WGAN push every sample equally, but the discriminator still has a single
# peak to chase, as in chapter 6's analysis. LSGAN does better on one seed of three — in line with
# {cite:t}`mao2017lsgan`, who report less collapse, not none. WGAN-GP covers most of the ring only in
# its own recipe, with the critic at $10^{-3}$ — and the non-saturating loss with $D$ at $10^{-3}$ does
# about as well, without a penalty and at about a fifth of the cost per step (a WGAN-GP step is five
# critic steps with a second backward pass). On this ring, the discriminator's learning rate matters
# more than what the generator's loss does with the score.
#
# **On MNIST.** The same comparison with chapter 4's DCGAN: one generator, one discriminator (with
# LayerNorm instead of BatchNorm for all four, because the gradient penalty needs a per-sample
# discriminator; chapter 5), seed 0, 5,000 generator steps of batch 64 each. The non-saturating,
# LSGAN and hinge runs use the DCGAN optimiser (Adam, learning rate 2e-4, $\beta_1 = 0.5$), WGAN-GP
# chapter 5's (1e-4, betas 0.5 and 0.9, five critic steps). The four generators were trained by this
# chapter's full profile (the cell above) and ship with the book. The table scores each with chapter
# 7's classifier FID against the 1,000 held-out digits, on three draws of 1,000 samples (mean ± standard
# deviation over the draws; one training seed each, so the spread is that of the score, not of training),
# and reads their classes.

# %%
SCORE_SEEDS = (SEED + 11, SEED + 12, SEED + 13)
real_vs_real = [metrics.fid(held_out_features, features.embed(classifier, mnist.images[i * N_SCORE:(i + 1) * N_SCORE].to(device)))
                for i in range(len(SCORE_SEEDS))]                      # three disjoint sets of training digits
mnist_scores = {}
for name in LOSS_NAMES:
    draws = [train.sample(mnist_generators[runs.key(name)].to(device),
                          torch.randn(N_SCORE, Z_DIM, generator=torch.Generator().manual_seed(seed)).to(device))
             for seed in SCORE_SEEDS]
    probabilities = [features.classify(classifier, images) for images in draws]
    fid_draws = [metrics.fid(held_out_features, features.embed(classifier, images)) for images in draws]
    mnist_scores[name] = {"fid": (np.mean(fid_draws), np.std(fid_draws, ddof=1)),
                          "coverage": metrics.class_coverage(torch.cat(probabilities)),
                          "confident": np.mean([features.confident_fraction(p) for p in probabilities]),
                          "images": draws[0]}

# %% tags=["nbval-ignore-output"]
lines = ["| loss | classifier FID (3 draws) | classes covered (of 10) | KL of class histogram | read with ≥ 90% confidence | ms per generator step (this machine) |",
         "|---|---|---|---|---|---|"]
for name, score in mnist_scores.items():
    lines.append(f"| {name} | {score['fid'][0]:.1f} ± {score['fid'][1]:.1f} | {score['coverage']['classes']} | "
                 f"{score['coverage']['kl']:.3f} | {score['confident']:.0%} | {mnist_step_ms[name]:.0f} |")
lines.append(f"| (real training digits) | {np.mean(real_vs_real):.1f} ± {np.std(real_vs_real, ddof=1):.1f} | | | | |")
display(Markdown(f"**MNIST, {MNIST_ZOO_STEPS:,} generator steps, seed {mnist_meta.get('seed', SEED)}, 3 x 1,000 samples "
                 f"each** (cost per step measured on {utils.hardware()})\n\n" + "\n".join(lines)))

# %%
fig, axes = plt.subplots(1, len(LOSS_NAMES), figsize=(3.2 * len(LOSS_NAMES), 3.6))
for ax, name in zip(axes, LOSS_NAMES):
    plot.image_grid(mnist_scores[name]["images"][:36], nrow=6, ax=ax,
                    title=f"{name}\nFID {mnist_scores[name]['fid'][0]:.0f}")
fig.suptitle(f"The same DCGAN, four losses, {MNIST_ZOO_STEPS:,} generator steps (shipped generators)", y=1.02)
plt.show()

# %%
fids = {name: score["fid"] for name, score in mnist_scores.items()}         # (mean, std over draws)
three = ("non-saturating", "LSGAN", "hinge")
assert all(score["coverage"]["classes"] == N_CLASSES for score in mnist_scores.values())
assert all(fids[name][0] - fids["WGAN-GP"][0] > 3 * (fids[name][1] + fids["WGAN-GP"][1]) for name in three)
assert fids["WGAN-GP"][0] < 0.75 * min(fids[name][0] for name in three)
assert max(fids[name][0] for name in three) < 1.25 * min(fids[name][0] for name in three)
print("all four generators cover the 10 classes; WGAN-GP's FID is below 3/4 of each of the other three's, and lower by "
      "more than three times the spreads over draws; non-saturating, LSGAN and hinge are within 25% of each other")

# %% [markdown]
# Reading the table and the grids: with the same DCGAN, the non-saturating, LSGAN and hinge losses
# give digits of similar quality and all ten classes; one training seed each cannot rank them, and their
# differences are small beside those that the DCGAN recipe made in chapter 4. WGAN-GP is clearly better
# *per generator step*, but this row compares recipes, not losses: its optimiser differs too (learning
# rate $10^{-4}$, $\beta_2 = 0.9$), each of its steps is five critic steps with a penalty — 16 passes
# through $D$ against 3 (counted above), and a double backpropagation for each penalty — so a step
# costs several times a non-saturating one (the table gives the ratio measured on the machine running
# the page), and it is one training seed, like the others. This matches the large comparison of
# {cite:t}`lucic2018equal`: given enough hyperparameter search and random restarts, none of the GAN
# variants they tested (LSGAN, WGAN and WGAN-GP among them) was consistently better than the
# non-saturating GAN, and every one's results varied widely with hyperparameters and seeds.
#
# ## 8.3 The truncation trick
#
# BigGAN {cite:p}`brock2019biggan` samples $z$ at test time from a **truncated** normal: each
# coordinate is redrawn until $|z_i| \le \tau$. With their generator, a small $\tau$ gives cleaner,
# more typical images and less variety, a dial between fidelity and diversity; $\tau = \infty$ is
# ordinary sampling. They also found that some of their models did not respond well to truncation
# until a regulariser made the generator smooth. A truncated coordinate has variance
#
# $$ \mathrm{Var}(z_i \mid |z_i| \le \tau) = 1 - \frac{2 \tau\, \varphi(\tau)}{2 \Phi(\tau) - 1} , $$ (truncvar)
#
# with $\varphi, \Phi$ the standard normal density and distribution function; the sampler is checked
# against it.

# %%
def truncated_noise(n: int, z_dim: int, threshold: float, rng: torch.Generator | None = None) -> torch.Tensor:
    """z (n, z_dim) ~ N(0, I) with every coordinate redrawn until |z_i| <= threshold (BigGAN's truncation)."""
    if threshold <= 0:
        raise ValueError(f"the truncation threshold must be positive, got {threshold}")
    z = torch.randn(n, z_dim, generator=rng)
    outside = z.abs() > threshold
    while outside.any():
        z[outside] = torch.randn(int(outside.sum()), generator=rng)
        outside = z.abs() > threshold
    return z


def truncated_variance(threshold: float) -> float:
    """Eq. (truncvar)."""
    return 1 - 2 * threshold * stats.norm.pdf(threshold) / (2 * stats.norm.cdf(threshold) - 1)


for tau in (0.5, 1.0, 2.0):
    z = truncated_noise(200_000, 4, tau, torch.Generator().manual_seed(0))
    assert z.abs().max() <= tau and abs(z.var().item() - truncated_variance(tau)) < 0.01 * truncated_variance(tau)
print("truncated samples stay within the threshold; their variance matches eq. (truncvar) to 1% at tau = 0.5, 1, 2")

# %% [markdown]
# Does the dial work on this book's generator? Chapter 4's DCGAN (the shipped full-scale generator),
# sampled at thresholds from 0.25 to $\infty$, 1,000 samples each. Quality: the share of samples the
# classifier reads with at least 90% confidence. Diversity: the spread of the samples in the
# classifier's feature space (the root of the mean squared distance to their mean), relative to that
# of real digits. And the classifier FID, which asks for both.

# %%
dcgan = nets.DCGANGenerator(Z_DIM, WIDTH)
utils.load_checkpoint(utils.CHECKPOINT_DIR / "04_dcgan_mnist_generator.pt", dcgan)
dcgan = dcgan.to(device)
thresholds = [0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, math.inf]


def spread(feature_rows: torch.Tensor) -> float:
    """Root mean squared distance of features (N, d) to their mean."""
    return (feature_rows - feature_rows.mean(0)).pow(2).sum(1).mean().sqrt().item()


real_spread = spread(held_out_features)
truncation = {}
for tau in thresholds:
    rng = torch.Generator().manual_seed(SEED + 13)
    z = torch.randn(N_SCORE, Z_DIM, generator=rng) if tau == math.inf else truncated_noise(N_SCORE, Z_DIM, tau, rng)
    images = train.sample(dcgan, z.to(device))
    feats = features.embed(classifier, images)
    probabilities = features.classify(classifier, images)
    truncation[tau] = {"images": images, "fid": metrics.fid(held_out_features, feats),
                       "confident": features.confident_fraction(probabilities),
                       "diversity": spread(feats) / real_spread, "z_norm": z.norm(dim=1).mean().item(),
                       "classes": metrics.class_coverage(probabilities)["classes"]}

# %%
fig = plt.figure(figsize=(13, 7.8))
shown = (0.25, 0.5, 1.0, math.inf)
for i, tau in enumerate(shown):
    ax = fig.add_subplot(2, 4, i + 1)
    name = f"tau = {tau:g}" if tau != math.inf else "no truncation"
    plot.image_grid(truncation[tau]["images"][:36], nrow=6, ax=ax, title=f"{name}: FID {truncation[tau]['fid']:.0f}")
x = np.arange(len(thresholds))
labels = [f"{t:g}" if t != math.inf else "∞" for t in thresholds]
ax = fig.add_subplot(2, 2, 3)
ax.plot(x, [truncation[t]["confident"] for t in thresholds], "o-", label="quality: read with ≥ 90% confidence")
ax.plot(x, [truncation[t]["diversity"] for t in thresholds], "s--", label="diversity: feature spread / real")
ax.set(xticks=x, xticklabels=labels, xlabel="truncation threshold tau", ylabel="share / ratio", ylim=(0, 1.15),
       title="Truncation removes diversity; here it adds no quality")
ax.legend(fontsize=9, loc="upper left")
ax = fig.add_subplot(2, 2, 4)
ax.semilogy(x, [truncation[t]["fid"] for t in thresholds], "o-", color=plot.COLORS["generator"])
ax.set(xticks=x, xticklabels=labels, xlabel="truncation threshold tau", ylabel="classifier FID (log scale, lower is better)",
       title="FID, which asks for both")
fig.tight_layout()
plt.show()

# %%
low, half, none_ = truncation[0.25], truncation[0.5], truncation[math.inf]
assert low["diversity"] < 0.25 * none_["diversity"] and low["classes"] <= 3 < none_["classes"]
assert half["confident"] < none_["confident"] and half["fid"] > 2 * none_["fid"]
print(f"tau 0.25: diversity {low['diversity']:.2f} of real (untruncated {none_['diversity']:.2f}), "
      f"{low['classes']} class(es) covered of 10; tau 0.5: confident {half['confident']:.0%} vs "
      f"{none_['confident']:.0%} untruncated, FID {half['fid']:.0f} vs {none_['fid']:.0f}")
print(f"mean |z|: untruncated {none_['z_norm']:.1f} (sqrt(64) = 8), tau 1: {truncation[1.0]['z_norm']:.1f}, "
      f"tau 0.5: {half['z_norm']:.1f}, tau 0.25: {low['z_norm']:.1f}")

# %% [markdown]
# Reading the figure: diversity falls as $\tau$ shrinks, down to faint, nearly empty images at
# $\tau = 0.25$ that the classifier lumps into one class, but quality does not rise: at $\tau = 0.5$
# the strokes break up, the classifier is confident about fewer samples than without truncation,
# and FID only gets worse. (That the faint blobs at 0.25 are read with more confidence than the
# digits at 0.5 shows how crude a confidence score is as a measure of quality.) Mild truncation ($\tau \ge 1.5$) changes
# little. The printed norms suggest why. The usual intuition, "near the centre is where the generator
# is trained best", fails in 64 dimensions: a standard normal $z$ has $\lVert z \rVert \approx \sqrt{64} = 8$
# almost always, and the generator has never seen an input of norm 2 or 1. The centre is a region it
# was *not* trained on.
#
# That explanation is a claim about norms, so it can be tested by separating norm from direction.
# Take the truncated vectors at $\tau = 0.5$ and rescale each to norm 8, keeping its direction: if the
# shell explanation is right, FID and the confident share come back to near the untruncated level.
# And take ordinary $z$ and shrink each to the mean norm of the truncated ones: both should break as
# truncation broke them.

# %%
rng = torch.Generator().manual_seed(SEED + 13)
z_truncated = truncated_noise(N_SCORE, Z_DIM, 0.5, rng)
z_ordinary = torch.randn(N_SCORE, Z_DIM, generator=torch.Generator().manual_seed(SEED + 13))
on_shell = z_truncated / z_truncated.norm(dim=1, keepdim=True) * math.sqrt(Z_DIM)          # direction of tau 0.5, norm 8
shrunk = z_ordinary / z_ordinary.norm(dim=1, keepdim=True) * z_truncated.norm(dim=1).mean()  # direction of N(0, I), norm ~2
shell_test = {}
for name, z in (("tau 0.5 rescaled to norm 8", on_shell), ("N(0, I) shrunk to the norm of tau 0.5", shrunk)):
    images = train.sample(dcgan, z.to(device))
    shell_test[name] = {"fid": metrics.fid(held_out_features, features.embed(classifier, images)),
                        "confident": features.confident_fraction(features.classify(classifier, images))}
rescaled, shrunk_result = shell_test["tau 0.5 rescaled to norm 8"], shell_test["N(0, I) shrunk to the norm of tau 0.5"]
assert rescaled["fid"] < 1.5 * none_["fid"] and shrunk_result["fid"] > 2 * none_["fid"]
assert rescaled["confident"] > none_["confident"] - 0.1 > shrunk_result["confident"]
print("rescaled to the shell, the truncated directions score an FID within 1.5x of untruncated sampling; "
      "ordinary directions shrunk to the truncated norm score more than twice it: the norm, not the direction, "
      "breaks the samples")

# %% tags=["nbval-ignore-output"]
for name, result in [("no truncation", none_), ("tau 0.5", half), *shell_test.items()]:
    print(f"{name:40s} FID {result['fid']:6.1f}   confident {result['confident']:.0%}")

# %% [markdown]
# The test bears the explanation out: the *directions* that truncation picks are fine once put back on
# the shell, and random directions fail at the small norm. BigGAN's generator was regularised to behave smoothly there (and StyleGAN
# truncates in its learned style space instead, toward the average style); a plain DCGAN is not, so
# on it the trick is a dial for diversity alone. Try a conditional generator in exercise 3.
#
# ## 8.4 Where GANs went next
#
# Each line: the work, its authors and venue, the idea in one sentence, and the chapter of this book
# it builds on; all are in the bibliography.
#
# | work | authors, venue | the idea | builds on |
# |---|---|---|---|
# | Progressive growing (ProGAN) | {cite:t}`karras2018progressive`, ICLR 2018 | train at 4 x 4 first, then fade in layers for 8 x 8 ... 1024 x 1024; also minibatch standard deviation and an average of G's weights for sampling | DCGAN (4), minibatch std (6) |
# | SN-GAN | {cite:t}`miyato2018spectral`, ICLR 2018 | divide each layer's weight by its largest singular value, so $D$ is Lipschitz without a penalty; hinge loss | WGAN (5), the hinge loss (8.2) |
# | Projection discriminator | {cite:t}`miyato2018cgans`, ICLR 2018 | the label enters $D$ as an inner product with its features, eq. {eq}`projection` | the optimal discriminator (2), 8.1 |
# | BigGAN | {cite:t}`brock2019biggan`, ICLR 2019 | class-conditional GAN at ImageNet scale: large batches, spectral norm, hinge loss, projection, and the truncation trick | 5, 8.1–8.3 |
# | SAGAN | {cite:t}`zhang2019sagan`, ICML 2019 | self-attention layers in $G$ and $D$ let distant parts of an image agree (legs with a body); spectral normalisation in both networks, hinge loss, separate learning rates for $G$ and $D$ | SN-GAN, the hinge loss (8.2), TTUR (6) |
# | StyleGAN | {cite:t}`karras2019stylegan`, CVPR 2019 | a mapping network turns $z$ into a style vector $w$ that modulates every layer of the generator; noise inputs add fine detail; trained on FFHQ with the non-saturating loss and the R1 penalty of {cite:t}`mescheder2018converge` (WGAN-GP only for CelebA-HQ) | DCGAN (4), progressive growing, R1 |
# | StyleGAN2 | {cite:t}`karras2020stylegan2`, CVPR 2020 | weight demodulation instead of AdaIN removes StyleGAN's droplet artefacts; no progressive growing; path-length regularisation; R1 applied every 16 steps ("lazy") | StyleGAN, R1 |
# | pix2pix | {cite:t}`isola2017pix2pix`, CVPR 2017 | a conditional GAN whose condition is an image (a sketch, a label map): $D$ judges (input, output) pairs patch by patch (PatchGAN), plus an L1 loss to the paired target | the conditional GAN (8.1) |
# | CycleGAN | {cite:t}`zhu2017cyclegan`, ICCV 2017 | translation between two image sets with no pairs: two generators, two discriminators, and a cycle-consistency loss $F(G(x)) \approx x$; least-squares adversarial loss | pix2pix, LSGAN (8.2) |
#
# R1 penalises $\lVert \nabla_x D(x) \rVert^2$ on *real* data, pulling the gradient towards 0 where the data
# are; chapter 5's penalty pulls it towards 1 on interpolates. They answer different questions
# (convergence of the training dynamics, versus a Lipschitz critic for $W_1$). The StyleGAN line
# descends from the first; SN-GAN, SAGAN and BigGAN use spectral normalisation and the hinge loss instead.
#
# **GANs and diffusion models.** Denoising diffusion models {cite:p}`ho2020ddpm` learn to undo
# gradually added noise with an ordinary regression loss: no game, so no oscillation, no
# discriminator to balance, and a likelihood-based objective that covers the data's modes.
# {cite:t}`dhariwal2021diffusion` showed that they beat BigGAN's FID on ImageNet. Their cost is at
# sampling time: tens to a thousand network evaluations per image, where a GAN needs one.
# {cite:t}`xiao2022trilemma` call this the trilemma of quality, mode coverage and sampling speed:
# GANs give quality and speed, diffusion models quality and coverage. The adversarial loss did not
# disappear: it sharpens the autoencoders of latent diffusion models
# {cite:p}`esser2021taming,rombach2022ldm`, and large GANs such as GigaGAN
# {cite:p}`kang2023gigagan` remain the fast option, sampling a 512 x 512 image in a fraction of a
# second. Everything in chapters 1–7 — the game, the optimal discriminator, the Lipschitz
# constraint, collapse and its measurement, FID — is what those systems are built and judged with.
# Chapter 9 follows the R1 line to the present: why it makes GAN training converge, the relativistic
# loss, the minimal modern GAN built from both, and the GANs and adversarial losses of 2023–2025.
#
# ## 8.5 Common mistakes
#
# ```{admonition} Mistake: a least-squares loss on probabilities
# :class: warning
# LSGAN's losses are meant for the raw score $s$. Put a Sigmoid at $D$'s output first and the
# generator's loss becomes $\tfrac12(\sigma(s) - 1)^2$, whose derivative $(\sigma(s) - 1)\,\sigma(s)(1 - \sigma(s))$
# vanishes where $D$ is sure a sample is fake — the saturation of the minimax loss, back again. The cell
# below measures the push on a sample at $s = -6$ both ways.
# ```

# %%
at = torch.tensor([-6.0])
raw_push = push(losses.lsgan_generator_loss, at)[0]
sigmoid_push = push(lambda s: losses.lsgan_generator_loss(torch.sigmoid(s)), at)[0]
assert raw_push > 1000 * sigmoid_push > 0
print(f"push on a sample D scores -6: LSGAN on the raw score {raw_push:.1f}, "
      f"on the Sigmoid's probability {sigmoid_push:.4f} ({raw_push / sigmoid_push:,.0f}x smaller)")

# %% [markdown]
# ```{admonition} Mistake: the label reaches only the generator
# :class: warning
# A "conditional" GAN whose discriminator never sees the label gives the generator no reason to
# obey it: any digit is real to $D$, whatever was asked. The generator below is section 8.1's, trained
# the same way for the same number of steps, against chapter 4's discriminator, which is handed the
# label and drops it. The fix is to give $D$ the label (eq. {eq}`projection`, label channels, or an auxiliary
# classifier).
# ```
#
# The quick profile loads this run instead of repeating it (it takes as long as section 8.1's): the cell
# below trained it, with the quick profile's 600 steps, seed 0 and `SAVE_CHECKPOINT = True`, and the file
# ships in `data/checkpoints/`. With another seed, and in the full profile, the cell trains it live, for as
# many steps as section 8.1's.

# %%
blind_g = nets.ConditionalDCGANGenerator(Z_DIM, WIDTH, N_CLASSES)


def train_blind() -> dict:
    trained, _ = train_conditional(CONDITIONAL_STEPS, SEED, label_in_d=False, desc="label only in G")
    blind_g.load_state_dict(trained.state_dict())
    return {"config": {"z_dim": Z_DIM, "width": WIDTH, "n_classes": N_CLASSES}, "batch": BATCH, "data": mnist.source}


# The shipped file is the quick profile's run (SAVE_CHECKPOINT in the quick profile retrains and rewrites it).
remake = SAVE_CHECKPOINT and PROFILE == "quick"
blind_meta = runs.load_or_train(BLIND_CHECKPOINT, blind_g, train_blind, profile=PROFILE, retrain=remake, save=remake,
                                steps=CONDITIONAL_STEPS, seed=SEED, label_in_d=False)
blind_g = blind_g.to(device)

# %% tags=["nbval-ignore-output"]
blind_accuracy, _, _ = label_accuracy(blind_g)
print(f"label accuracy, {CONDITIONAL_STEPS:,} steps: label only in G {blind_accuracy:.0%}, "
      f"label in both (section 8.1) {accuracy:.0%}; chance 10%")

# %%
assert blind_accuracy < 0.2 < accuracy - 0.1
print("with the label only in G, the digits do not follow the asked-for label (accuracy near chance)")
plot.image_grid(class_rows(blind_g, grid_noise), nrow=COLUMNS, figsize=(5, 6.2),
                title=f"Label only in G, step {CONDITIONAL_STEPS:,}: row = asked-for class 0-9, column = one z")
plt.show()

# %% [markdown]
# Near-chance accuracy does not mean that the generator ignores its label. $D$ cannot see the label, so
# to $D$ the label is one more input of $G$, like $z$; nothing stops $G$ from *using* it — only from
# using it the way we meant. The table below reads every sample with the classifier: for each asked-for
# label (row), the share of its 100 samples read as each class (column). The *information* the label
# carries about the drawn class is the mutual information between the two,
# $I = H(\text{class}) - H(\text{class} \mid \text{label})$, from 0 (the label changes nothing) to
# $\log 10 = 2.30$ nats (each label its own class). As a control, the same pairs with the labels
# shuffled among the samples give what 100 samples per label read as information when there is none.

# %%
def read_labels(generator) -> tuple[np.ndarray, np.ndarray]:
    """(1,000,) classes read by the classifier and (1,000,) asked-for labels of label_accuracy's samples."""
    _, _, images = label_accuracy(generator)
    read = features.classify(classifier, images).argmax(1).cpu().numpy()
    asked = np.tile(np.arange(N_CLASSES), len(read) // N_CLASSES)       # label_accuracy's order: 0..9, 0..9, ...
    return read, asked


def label_information(read: np.ndarray, asked: np.ndarray) -> tuple[np.ndarray, float]:
    """The table of shares and the mutual information (nats) between asked-for label and read class."""
    table = np.zeros((N_CLASSES, N_CLASSES))
    np.add.at(table, (asked, read), 1)
    table /= table.sum(1, keepdims=True)
    conditional = np.mean([stats.entropy(row) for row in table])
    return table, float(stats.entropy(table.mean(0)) - conditional)


blind_read, blind_asked = read_labels(blind_g)
blind_table, blind_information = label_information(blind_read, blind_asked)
shuffled = np.random.default_rng(SEED).permutation(blind_read)
_, null_information = label_information(shuffled, blind_asked)
aware_table, aware_information = label_information(*read_labels(conditional_g))
assert blind_information > max(0.5, 5 * null_information)
print("with the label only in G the label still decides much of what is drawn: the mutual information between "
      "label and drawn class is above 0.5 nats and over five times the shuffled control's")

# %% tags=["nbval-ignore-output"]
print(f"mutual information between asked-for label and read class (nats; log 10 = 2.30): label only in G "
      f"{blind_information:.2f}, shuffled control {null_information:.2f}, label in both {aware_information:.2f}")
print(f"label only in G: the most frequent class per label takes {blind_table.max(1).min():.0%}-"
      f"{blind_table.max(1).max():.0%} of its samples; class shares over all labels: " +
      ", ".join(f"{c}: {share:.0%}" for c, share in enumerate(blind_table.mean(0))))
fig, axes = plt.subplots(1, 2, figsize=(10, 4.4))
for ax, (name, table) in zip(axes, [("label only in G", blind_table), ("label in both (section 8.1)", aware_table)]):
    ax.imshow(table, cmap="Greys", vmin=0, vmax=1)
    ax.grid(False)
    ax.set(xticks=range(N_CLASSES), yticks=range(N_CLASSES), xlabel="class read by the classifier",
           ylabel="asked-for label", title=name)
fig.suptitle(f"What each label draws after {CONDITIONAL_STEPS:,} steps (100 samples per label; dark = a larger share)")
plt.show()

# %% [markdown]
# *Reading the tables.* With the label in both players (right), many rows are dark on the diagonal, where
# the label draws its own digit, but after the quick profile's 600 steps several labels still draw
# another digit (the accuracy printed above; the 8,000-step generator of section 8.1 draws the asked-for
# digit 99% of the time). With the label only in $G$ (left), each row still has one or two dark cells — the label
# carries information about the drawn digit, far more than the shuffled control — but they sit at classes
# of the generator's choosing, mostly off the diagonal, and a digit can be drawn by no label at all (the
# class shares printed above). The generator has turned the label into a code for a digit, a code nobody
# asked it to follow: an objective blind to the label allows exactly that. Which digit each label gets is
# a property of the training run.

# %% [markdown]
# The grid also *looks* like a second failure: each row seems nearly one image repeated, as if the
# label decided what is drawn and $z$ only small variations of it — a generator collapsed towards ten
# outputs, one per label. An impression from 80 images is worth measuring. The check: 50 values of $z$
# per label, and the mean Euclidean distance between two samples of the same label (as 784-pixel
# vectors), against the same for section 8.1's generator (label in both players, the same steps) and
# for real digits of one class.

# %%
def within_label_spread(generator=None, n: int = 50) -> float:
    """Mean Euclidean distance between two samples (784-pixel vectors) of the same label, averaged over the 10 labels
    (real digits of each class if generator is None)."""
    spreads = []
    for label in range(N_CLASSES):
        if generator is None:
            images = held_out.images[held_out.labels == label][:n]
        else:
            z = torch.randn(n, Z_DIM, generator=torch.Generator().manual_seed(SEED + 21)).to(device)
            images = train.sample(generator, z, torch.full((n,), label, device=device))
        spreads.append(torch.pdist(images.flatten(1)).mean().item())
    return float(np.mean(spreads))


spread_table = {"label only in G": within_label_spread(blind_g), "label in both (section 8.1)": within_label_spread(conditional_g),
                "real digits of one class": within_label_spread()}
blind_spread, aware_spread = spread_table["label only in G"], spread_table["label in both (section 8.1)"]
assert max(blind_spread, aware_spread) < 0.8 * spread_table["real digits of one class"]
print("samples of one label vary less than real digits of one class (by more than a fifth) for both generators")

# %% tags=["nbval-ignore-output"]
for name, value in spread_table.items():
    print(f"{name:30s} mean distance between two samples of one label: {value:5.2f}")

# %% [markdown]
# The impression is partly right: both generators draw less variety within a label than the data has —
# after 600 steps neither has learned all the handwriting. Whether the label-blind generator is more
# collapsed than the label-aware one, one training run of each cannot say: the two values printed above
# change order from one training seed to another. What the blind generator certainly loses is the
# agreement between label and digit.

# %% [markdown]
# ## Exercises
#
# 1. **The projection form.** Suppose the data's and the generator's class conditionals are softmax
#    classifiers on shared features: $p_{data}(y \mid x) \propto \exp(a_y^\top \phi(x))$ and
#    $p_g(y \mid x) \propto \exp(b_y^\top \phi(x))$. Show that the optimal discriminator's logit
#    $\log p_{data}(x, y) / p_g(x, y)$ has the form of eq. {eq}`projection`. What is $e_y$?
# 2. **LSGAN's optimal discriminator.** For fixed $G$, minimise
#    $\tfrac12 \mathbb E_{p_{data}}(D - 1)^2 + \tfrac12 \mathbb E_{p_g} D^2$ pointwise. Compare with
#    chapter 2's $D^*$ and check it numerically on a 1D example.
# 3. **Truncating a conditional generator.** Does truncation raise the label accuracy of the
#    full-scale conditional generator of section 8.1? Measure at $\tau = 0.5$.
# 4. **Projection instead of label channels.** In `train_conditional`, replace
#    `nets.LabelChannelDiscriminator` by `nets.ProjectionDiscriminator` and train for 8,000 steps
#    (the full profile's length). Read the per-class accuracy from `label_accuracy` and look at
#    the grid of section 8.1. What can go wrong that FID would not notice?
#
# ```{admonition} Solution 1
# :class: dropdown
# $\log \frac{p_{data}(x, y)}{p_g(x, y)} = \log \frac{p_{data}(y \mid x)}{p_g(y \mid x)} + \log \frac{p_{data}(x)}{p_g(x)}$
# and $\log p_{data}(y \mid x) = a_y^\top \phi(x) - \log Z_{data}(x)$, $\log p_g(y \mid x) = b_y^\top \phi(x) - \log Z_g(x)$,
# with normalisers $Z$ that do not depend on $y$. So the logit is
# $(a_y - b_y)^\top \phi(x) + \big[\log Z_g(x) - \log Z_{data}(x) + \log \tfrac{p_{data}(x)}{p_g(x)}\big]$:
# a label term linear in $\phi(x)$ with $e_y = a_y - b_y$, plus a function of $x$ alone, which is
# $\psi(\phi(x))$. (Miyato and Koyama's derivation; here $\phi(x)$ is the sum over positions.)
# ```
#
# ```{admonition} Solution 2
# :class: dropdown
# At each $x$ minimise $\tfrac12 p_{data}(x) (D - 1)^2 + \tfrac12 p_g(x) D^2$: the derivative
# $p_{data}(D - 1) + p_g D = 0$ gives $D^*(x) = p_{data}(x) / (p_{data}(x) + p_g(x))$, the same function
# as chapter 2's, now as a raw score (targets 0 and 1). The cell below minimises the loss numerically at
# every point of a grid for two 1D mixtures.
# ```

# %% tags=["hide-input"]
xs = np.linspace(-4, 4, 161)
p_data = data.mixture_1d([-1.0, 1.5], [0.5, 0.4]).pdf(xs)
p_gen = data.mixture_1d([0.0], [1.0]).pdf(xs)
d = torch.zeros(len(xs), dtype=torch.float64, requires_grad=True)
optimizer = torch.optim.LBFGS([d], max_iter=500, tolerance_grad=1e-12, tolerance_change=1e-14,
                              line_search_fn="strong_wolfe")


def lsgan_d_loss():
    optimizer.zero_grad()
    loss = (0.5 * torch.tensor(p_data) * (d - 1) ** 2 + 0.5 * torch.tensor(p_gen) * d ** 2).sum()  # on the grid
    loss.backward()
    return loss


optimizer.step(lsgan_d_loss)
d_star = p_data / (p_data + p_gen)
gap = np.abs(d.detach().numpy() - d_star).max()
assert gap < 1e-3
print("the numerical minimiser of the LSGAN loss equals p_data / (p_data + p_g) on the grid (max gap below 1e-3)")

# %% [markdown]
# ```{admonition} Solution 3
# :class: dropdown
# Truncation moves $z$ toward the centre (off the shell where the training inputs lay, section 8.3);
# the label embedding is untouched. The cell below measures the accuracy at $\tau = 0.5$ against
# ordinary sampling for the shipped conditional generator.
# ```

# %% tags=["hide-input"]
truncated_accuracy, _, _ = label_accuracy(full_conditional, truncation=0.5)
print(f"label accuracy of the full-scale conditional generator: tau 0.5 {truncated_accuracy:.1%}, "
      f"no truncation {full_accuracy:.1%}")

# %% [markdown]
# ```{admonition} Solution 4
# :class: dropdown
# Look for rows of crisp digits of the *wrong* class: a generator can learn to draw every digit well
# and still attach some of them to the wrong label, or draw one class for two labels and none for a
# third. FID and the Inception Score ignore the labels and would not notice; only a per-class check
# of the asked-for label does. The projection term starts at zero (see `nets.ProjectionDiscriminator`)
# and must learn the label from a sum over the whole feature map, while label channels show $D$'s first
# layer the label beside every pixel. At the scale of BigGAN, with spectral normalisation and a deep
# residual discriminator, the projection works well.
# ```

# %% [markdown]
# ## Summary
#
# - A conditional GAN gives the label to both players. The generator takes it beside $z$; the
#   discriminator must use it (label channels here), or the generator need not obey it: with the label
#   only in $G$ each label still decides what is drawn, but not as asked. Checked with a
#   classifier: most of the digits carry the asked-for label at full scale, and a fixed $z$
#   keeps the hand across classes.
# - GAN losses differ in how hard they push a generated sample, given $D$'s score: the minimax loss
#   not at all where $D$ is sure, non-saturating about 1 there, hinge and Wasserstein always 1, LSGAN
#   in proportion to the distance from the real score. On the ring, at the same discriminator
#   learning rate, no loss prevented collapse (LSGAN on one seed of three); WGAN-GP's coverage came with
#   its faster critic, which lifts the non-saturating GAN as much. On MNIST the three unconstrained
#   losses were alike.
# - Truncating $z$ always removes diversity; it buys quality only from a generator trained to behave
#   well near $z = 0$. For chapter 4's DCGAN the centre is off the shell $\lVert z \rVert \approx 8$
#   where all its training inputs lay, and quality and FID get worse.
# - Later GANs combine the pieces of this book: spectral norm, hinge loss and projection (BigGAN),
#   progressive growing and styles (StyleGAN), conditional and cycle-consistent translation (pix2pix,
#   CycleGAN). Diffusion models traded the GAN's one-step sampling for stable training and coverage.
#
# ## References
#
# - Mirza, M. & Osindero, S. (2014). Conditional Generative Adversarial Nets. arXiv:1411.1784.
# - Miyato, T. & Koyama, M. (2018). cGANs with Projection Discriminator. *International Conference on Learning Representations*.
# - Mao, X., Li, Q., Xie, H., et al. (2017). Least Squares Generative Adversarial Networks. *IEEE International Conference on Computer Vision (ICCV)*.
# - Lim, J. H. & Ye, J. C. (2017). Geometric GAN. arXiv:1705.02894.
# - Gulrajani, I., Ahmed, F., Arjovsky, M., et al. (2017). Improved Training of Wasserstein GANs. *Advances in Neural Information Processing Systems 30 (NIPS 2017)*.
# - Brock, A., Donahue, J. & Simonyan, K. (2019). Large Scale GAN Training for High Fidelity Natural Image Synthesis. *International Conference on Learning Representations*.
# - Odena, A., Olah, C. & Shlens, J. (2017). Conditional Image Synthesis with Auxiliary Classifier GANs. *International Conference on Machine Learning (ICML)*.
# - Miyato, T., Kataoka, T., Koyama, M., et al. (2018). Spectral Normalization for Generative Adversarial Networks. *International Conference on Learning Representations (ICLR)*.
# - Lucic, M., Kurach, K., Michalski, M., et al. (2018). Are GANs Created Equal? A Large-Scale Study. *Advances in Neural Information Processing Systems*.
# - Karras, T., Aila, T., Laine, S., et al. (2018). Progressive Growing of GANs for Improved Quality, Stability, and Variation. *International Conference on Learning Representations*.
# - Zhang, H., Goodfellow, I., Metaxas, D., et al. (2019). Self-Attention Generative Adversarial Networks. *Proceedings of the 36th International Conference on Machine Learning (ICML)*.
# - Karras, T., Laine, S. & Aila, T. (2019). A Style-Based Generator Architecture for Generative Adversarial Networks. *IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)*.
# - Mescheder, L., Geiger, A. & Nowozin, S. (2018). Which Training Methods for GANs do actually Converge? *Proceedings of the 35th International Conference on Machine Learning (ICML)*.
# - Karras, T., Laine, S., Aittala, M., et al. (2020). Analyzing and Improving the Image Quality of StyleGAN. *IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)*.
# - Isola, P., Zhu, J., Zhou, T., et al. (2017). Image-to-Image Translation with Conditional Adversarial Networks. *IEEE Conference on Computer Vision and Pattern Recognition (CVPR)*.
# - Zhu, J., Park, T., Isola, P., et al. (2017). Unpaired Image-to-Image Translation using Cycle-Consistent Adversarial Networks. *IEEE International Conference on Computer Vision (ICCV)*.
# - Ho, J., Jain, A. & Abbeel, P. (2020). Denoising Diffusion Probabilistic Models. *Advances in Neural Information Processing Systems*.
# - Dhariwal, P. & Nichol, A. (2021). Diffusion Models Beat GANs on Image Synthesis. *Advances in Neural Information Processing Systems*.
# - Xiao, Z., Kreis, K. & Vahdat, A. (2022). Tackling the Generative Learning Trilemma with Denoising Diffusion GANs. *International Conference on Learning Representations*.
# - Esser, P., Rombach, R. & Ommer, B. (2021). Taming Transformers for High-Resolution Image Synthesis. *IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)*.
# - Rombach, R., Blattmann, A., Lorenz, D., et al. (2022). High-Resolution Image Synthesis with Latent Diffusion Models. *IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)*.
# - Kang, M., Zhu, J., Zhang, R., et al. (2023). Scaling up GANs for Text-to-Image Synthesis. *IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)*.
#
# Every work cited in the book is in the [bibliography](../bibliography).
