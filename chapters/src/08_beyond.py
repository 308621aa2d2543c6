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
#   beside $z$, the discriminator judges image *and* label (here a projection discriminator
#   {cite:p}`miyato2018cgans`); the metrics classifier of chapter 7 checks that the digits carry the
#   asked-for label, and a fixed $z$ keeps the handwriting across classes;
# - the **loss zoo**: non-saturating, least-squares {cite:p}`mao2017lsgan`, hinge
#   {cite:p}`lim2017geometric` and Wasserstein-GP {cite:p}`gulrajani2017improved`, written on the
#   discriminator's raw score; the gradient each sends the generator; all four on the ring and on
#   MNIST with the same networks, seed and budget;
# - the **truncation trick** of BigGAN {cite:p}`brock2019biggan` on chapter 4's DCGAN: quality and
#   diversity as the truncation threshold varies;
# - where GANs went next (progressive growing, StyleGAN, BigGAN, pix2pix, CycleGAN, SN-GAN), which
#   chapter of this book each builds on, and how GANs compare with diffusion models;
# - two common mistakes: a least-squares loss on probabilities, and a label that reaches only the
#   generator.
#
# **Run time.** Quick profile: about two minutes on two CPU cores. It trains the conditional DCGAN
# briefly and the four losses on the 2D ring. Four DCGANs on MNIST, one per loss, take about half an
# hour of CPU time in all, so they are trained by the full profile and ship with the book; both
# profiles evaluate them. The full profile also trains the conditional DCGAN for 8,000 steps and the
# ring comparison with three seeds.

# %%
# On Colab, or anywhere the book's helper package is missing, fetch the book and install it.
import importlib.util, subprocess, sys
if importlib.util.find_spec("gantut") is None:
    subprocess.run(["git", "clone", "--depth", "1", "https://github.com/gantut/gantut", "/content/gantut"], check=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-e", "/content/gantut"], check=True)
    sys.path.insert(0, "/content/gantut")

# %% tags=["parameters"]
import os

PROFILE = os.environ.get("GANTUT_PROFILE", "quick")  # "quick" (CPU) or "full" (GPU)
SEED = 0
SAVE_CHECKPOINT = False  # full profile: write the trained generators to data/checkpoints/

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

from gantut import data, features, losses, metrics, nets, plot, train, utils

Z_DIM, WIDTH, BATCH, N_CLASSES = 64, 32, 64, 10             # chapter 4's DCGAN
ADAM = dict(lr=2e-4, betas=(0.5, 0.999))                    # the DCGAN paper's optimiser
CONDITIONAL_STEPS = utils.by_profile(PROFILE, quick=1_500, full=8_000)
# The 2D ring in the setting of chapter 6 (Metz et al. 2017): z 256, 2 x 128 ReLU, batch 512,
# Adam with G's learning rate 1e-3 and D's 1e-4.
TOY_Z, TOY_HIDDEN, TOY_BATCH, G_LR, D_LR = 256, (128, 128), 512, 1e-3, 1e-4
RING_STEPS = utils.by_profile(PROFILE, quick=1_000, full=5_000)
RING_SEEDS = utils.by_profile(PROFILE, quick=1, full=3)
MNIST_ZOO_STEPS = 5_000                                      # the MNIST comparison (full profile only)
N_EVAL, N_SCORE = 2_500, 1_000                               # 2D samples scored; digits per FID
LOSS_NAMES = ("non-saturating", "LSGAN", "hinge", "WGAN-GP")
CHECKPOINTS = {"conditional": utils.CHECKPOINT_DIR / "08_conditional_dcgan_generator.pt",
               "ring": utils.CHECKPOINT_DIR / "08_ring_loss_generators.pt",
               "mnist": utils.CHECKPOINT_DIR / "08_mnist_loss_generators.pt"}
device = utils.setup(SEED)

# %% tags=["nbval-ignore-output"]
# Which data was found depends on the machine (full MNIST online, the shipped subset offline).
mnist, held_out = data.mnist("train"), data.mnist("test")
classifier = features.load_mnist_classifier().to(device)
held_out_features = features.embed(classifier, held_out.images.to(device))

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
# the pair: the optimal discriminator is $D^*(x, y) = p_{data}(x, y) / (p_{data}(x, y) + p_g(x, y))$.
#
# **How the label enters.** In $G$ it is simplest: a learned embedding of $y$ (16 numbers) is
# concatenated to $z$, and chapter 4's DCGAN generator does the rest (`nets.ConditionalDCGANGenerator`).
# For $D$, {cite:t}`miyato2018cgans` read the optimal discriminator's logit,
# $\log \frac{p_{data}(x, y)}{p_g(x, y)} = \log \frac{p_{data}(y \mid x)}{p_g(y \mid x)} + \log \frac{p_{data}(x)}{p_g(x)}$:
# if both conditionals are softmax classifiers on shared features $\phi(x)$, the first term is linear
# in $\phi(x)$ with a weight vector per class, $e_y$. Hence the **projection discriminator**
#
# $$ \mathrm{logit}\, D(x, y) = \psi\big(\phi(x)\big) + e_y^\top \textstyle\sum \phi(x) , $$ (projection)
#
# with $\phi$ the DCGAN discriminator's convolutional body, $\psi$ its last layer, and the sum over the
# 7 x 7 positions (`nets.ProjectionDiscriminator`). The embeddings $e_y$ start at zero, so the
# untrained $D$ ignores the label and learns how it matters.
#
# The training step is chapter 3's, with labels: real pairs come from the data, fake pairs get a
# label drawn uniformly and the image $G(z, y)$ for it.

# %%
def conditional_step(generator, discriminator, g_optimizer, d_optimizer, real, labels):
    """One D step and one G step of the conditional GAN, eq. (cgan), non-saturating G loss.

    real: (B, 1, 28, 28) in [-1, 1], labels: (B,) their classes. Returns (loss_d, loss_g).
    """
    z = train.noise(len(real), generator.z_dim, real.device)
    fake_labels = torch.randint(generator.n_classes, (len(real),), device=real.device)
    fake = generator(z, fake_labels)                                    # (B, 1, 28, 28)
    loss_d = losses.discriminator_loss(discriminator(real, labels),
                                       discriminator(fake.detach(), fake_labels))  # no gradient into G
    d_optimizer.zero_grad(set_to_none=True)
    loss_d.backward()
    d_optimizer.step()
    loss_g = losses.generator_loss(discriminator(fake, fake_labels))    # D judges the same pairs again
    g_optimizer.zero_grad(set_to_none=True)
    loss_g.backward()                                                   # (D's gradients are cleared
    g_optimizer.step()                                                  #  by its next zero_grad)
    return loss_d.item(), loss_g.item()


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
    discriminator = nets.ProjectionDiscriminator(WIDTH, N_CLASSES) if label_in_d else LabelBlind()
    discriminator = discriminator.apply(nets.init_weights).to(device)
    g_optimizer = torch.optim.Adam(generator.parameters(), **ADAM)
    d_optimizer = torch.optim.Adam(discriminator.parameters(), **ADAM)
    batches = data.batches(mnist.images, BATCH, device, generator=torch.Generator().manual_seed(seed),
                           labels=mnist.labels)
    history = {"loss_d": [], "loss_g": []}
    for _ in tqdm(range(steps), desc=desc):
        loss_d, loss_g = conditional_step(generator, discriminator, g_optimizer, d_optimizer, *next(batches))
        history["loss_d"].append(loss_d)
        history["loss_g"].append(loss_g)
    return generator, history


# %% tags=["nbval-ignore-output"]
start = time.perf_counter()
conditional_g, conditional_history = train_conditional(CONDITIONAL_STEPS, SEED)
conditional_seconds = time.perf_counter() - start
print(f"{CONDITIONAL_STEPS:,} steps in {conditional_seconds:.0f} s ({utils.hardware()})")
if PROFILE == "full" and SAVE_CHECKPOINT:
    utils.save_checkpoint(CHECKPOINTS["conditional"], conditional_g, half=True,
                          config={"z_dim": Z_DIM, "width": WIDTH, "n_classes": N_CLASSES},
                          steps=CONDITIONAL_STEPS, batch=BATCH, seed=SEED, data=mnist.source,
                          seconds=round(conditional_seconds), hardware=utils.hardware())
    print(f"saved data/checkpoints/{CHECKPOINTS['conditional'].name}")

# %% [markdown]
# ZZZ conditional results

# %% [markdown]
# ## 8.2 The loss zoo
#
# ZZZ loss prose

# %%
def loss_options(name: str) -> dict:
    """train.train's keyword arguments for one loss of the zoo; the networks stay the same."""
    if name == "non-saturating":   # chapter 3
        return dict(d_loss=losses.discriminator_loss, g_loss=losses.generator_loss)
    if name == "LSGAN":
        return dict(d_loss=losses.lsgan_discriminator_loss, g_loss=losses.lsgan_generator_loss)
    if name == "hinge":
        return dict(d_loss=losses.hinge_discriminator_loss, g_loss=losses.hinge_generator_loss)
    if name == "WGAN-GP":          # chapter 5: five critic steps per generator step, penalty 10
        return dict(d_loss=losses.critic_loss, g_loss=losses.generator_loss_wasserstein, n_critic=5,
                    penalty=losses.gradient_penalty)
    raise ValueError(f"unknown loss {name!r}; choose from {LOSS_NAMES}")


def key(name: str) -> str:
    """'non-saturating' -> 'non_saturating', a name a checkpoint can store."""
    return name.lower().replace("-", "_")


ring = data.ring()
RING_NOISE = torch.randn(N_EVAL, TOY_Z, generator=torch.Generator().manual_seed(1234))


def train_ring(name: str, seed: int, steps: int):
    """Chapter 6's 2D GAN on the ring with one loss; returns (generator, seconds)."""
    torch.manual_seed(seed)
    generator = nets.MLPGenerator(z_dim=TOY_Z, hidden=TOY_HIDDEN, out_shape=(2,), out_activation=None,
                                  activation="relu")
    discriminator = nets.MLPDiscriminator(in_shape=(2,), hidden=TOY_HIDDEN, activation="relu")
    g_lr, d_lr, betas = G_LR, D_LR, (0.5, 0.999)
    if name == "WGAN-GP":            # chapter 6's setting for WGAN-GP
        d_lr, betas = G_LR, (0.5, 0.9)
    g_optimizer = torch.optim.Adam(generator.parameters(), g_lr, betas=betas)
    d_optimizer = torch.optim.Adam(discriminator.parameters(), d_lr, betas=betas)
    rng = torch.Generator().manual_seed(seed)
    real_batches = iter(lambda: ring.sample(TOY_BATCH, rng), None)      # fresh samples, forever
    start = time.perf_counter()
    train.train(generator, discriminator, real_batches, steps, g_optimizer, d_optimizer, progress=False,
                **loss_options(name))
    return generator, time.perf_counter() - start


# %% tags=["nbval-ignore-output"]
ring_results, ring_seconds, ring_generators = {}, {}, {}
for name, seed in tqdm([(n, SEED + i) for n in LOSS_NAMES for i in range(RING_SEEDS)], desc="ring runs"):
    generator, seconds = train_ring(name, seed, RING_STEPS)
    ring_results.setdefault(name, []).append(metrics.mode_coverage(train.sample(generator, RING_NOISE), ring))
    ring_seconds.setdefault(name, []).append(seconds)
    ring_generators.setdefault(name, []).append(generator)
if PROFILE == "full" and SAVE_CHECKPOINT:
    utils.save_checkpoint(CHECKPOINTS["ring"], nn.ModuleDict({key(n): nn.ModuleList(g) for n, g in ring_generators.items()}),
                          half=True, steps=RING_STEPS, seeds=[SEED + i for i in range(RING_SEEDS)],
                          seconds={key(n): [round(t, 1) for t in ts] for n, ts in ring_seconds.items()},
                          hardware=utils.hardware(), batch=TOY_BATCH, z_dim=TOY_Z, hidden=list(TOY_HIDDEN))
    print(f"saved data/checkpoints/{CHECKPOINTS['ring'].name}")

# %%
def mnist_gan(name: str, seed: int):
    """Chapter 4's DCGAN for one loss: the same G, the same D (LayerNorm, which the penalty needs), seed."""
    torch.manual_seed(seed)
    generator = nets.DCGANGenerator(Z_DIM, WIDTH).apply(nets.init_weights).to(device)
    discriminator = nets.DCGANDiscriminator(WIDTH, norm="layer").apply(nets.init_weights).to(device)
    adam = dict(lr=1e-4, betas=(0.5, 0.9)) if name == "WGAN-GP" else ADAM    # chapter 5's / chapter 4's
    return (generator, discriminator, torch.optim.Adam(generator.parameters(), **adam),
            torch.optim.Adam(discriminator.parameters(), **adam))


mnist_generators, mnist_seconds = nn.ModuleDict(), {}
if PROFILE == "full":   # about half an hour on a CPU core; the quick profile loads the shipped result
    for name in LOSS_NAMES:
        generator, discriminator, g_optimizer, d_optimizer = mnist_gan(name, SEED)
        start = time.perf_counter()
        train.train(generator, discriminator, data.batches(mnist.images, BATCH, device,
                    generator=torch.Generator().manual_seed(SEED)), MNIST_ZOO_STEPS, g_optimizer, d_optimizer,
                    desc=f"MNIST, {name}", **loss_options(name))
        mnist_seconds[key(name)] = round(time.perf_counter() - start, 1)
        mnist_generators[key(name)] = generator.cpu()
    if SAVE_CHECKPOINT:
        utils.save_checkpoint(CHECKPOINTS["mnist"], mnist_generators, half=True, steps=MNIST_ZOO_STEPS,
                              seed=SEED, batch=BATCH, seconds=mnist_seconds, data=mnist.source,
                              hardware=utils.hardware())
        print(f"saved data/checkpoints/{CHECKPOINTS['mnist'].name}")
else:
    for name in LOSS_NAMES:
        mnist_generators[key(name)] = nets.DCGANGenerator(Z_DIM, WIDTH)
    mnist_seconds = utils.load_checkpoint(CHECKPOINTS["mnist"], mnist_generators)["seconds"]

# ZZZEND
