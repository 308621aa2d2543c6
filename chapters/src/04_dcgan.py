# %% [markdown]
# # 4. DCGAN: convolutional GANs
#
# The MLP GAN of chapter 3 sees an image as 784 numbers with no notion of which pixels are neighbours. {cite:t}`radford2016dcgan`
# found a family of *convolutional* generators and discriminators (DCGAN) that trained stably across a range
# of datasets (their Section 3), and summed it up in a handful of architecture rules. This chapter explains each
# rule, builds the networks for $28 \times 28$ digits, checks the transposed convolution by hand, and measures
# what the DCGAN recipe buys at an equal number of generator steps.
#
# **You will learn**
# - the DCGAN rules, and the shape of every layer of a generator and a discriminator for 28x28;
# - what a transposed ("fractionally-strided") convolution computes, and where checkerboards come from;
# - why the layer is called *transposed*, and why the generator's first layer is a fully connected one;
# - how a DCGAN compares with an MLP GAN at the same number of training steps, what a step of each
#   costs, and what BatchNorm contributes early in training, over three seeds;
# - how to walk the latent space (linear vs spherical interpolation), with an explorer widget;
# - common mistakes: "DCGAN uses upsampling", BatchNorm on the discriminator's input, sampling in
#   training mode, networks that do not fit 28x28, and rescaling twice.
#
# **Run time.** Quick profile: under three minutes on two CPU cores; every run takes the same number of
# steps on every machine (section 4.3 prints how long they took here). The full profile gives the main
# runs 15 times as many steps (3,000; the ablation stays at 100); a separately trained 12,000-step generator ships with the book and appears at the end.

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
SAVE_CHECKPOINT = False  # full profile: write the trained generators to data/checkpoints/

# %%
import io
import time

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from IPython.display import HTML, display
from matplotlib import animation
from torch import nn
from tqdm.auto import tqdm

from gantut import data, features, nets, plot, runs, train, utils

TRAIN_STEPS = utils.by_profile(PROFILE, quick=200, full=3_000)  # generator steps of every MNIST run (per model and seed)
ABLATION_STEPS = 100                                                   # section 4.4's ablation (a multiple of 25)
SEEDS = [SEED, SEED + 1, SEED + 2]                                      # every comparison runs these
Z_DIM, WIDTH, BATCH = 64, 32, 64
ADAM = dict(lr=2e-4, betas=(0.5, 0.999))  # the DCGAN paper's optimiser settings
CHECKPOINTS = {"mnist": utils.CHECKPOINT_DIR / "04_dcgan_mnist_generator.pt"}
CHECKPOINT_STEPS = 12_000  # the shipped generator's training length (full profile with SAVE_CHECKPOINT)
device = utils.setup(SEED)

# %% tags=["nbval-ignore-output"]
# Which data was found depends on the machine (full MNIST online, the shipped subset offline).
mnist = data.mnist("train")
fashion = data.fashion_mnist("train")

# %% [markdown]
# ## 4.1 The rules
#
# Section 3 of the DCGAN paper {cite:p}`radford2016dcgan` lists the architecture guidelines that made deep
# convolutional GANs train stably (rules 1–4), and its Section 4 the training details (rule 5):
#
# 1. **No pooling.** The discriminator downsamples with *strided* convolutions, the generator
#    upsamples with *fractionally-strided* (transposed) convolutions: each network learns its own
#    resampling.
# 2. **BatchNorm** {cite:p}`ioffe2015batch` in both networks — except the generator's output layer and the discriminator's
#    input layer: applied everywhere, the authors found, it "resulted in sample oscillation and model
#    instability".
# 3. **No hidden fully connected layers.** The generator's first layer is a projection of $z$ —
#    "could be called fully connected as it is just a matrix multiplication", the paper says — reshaped
#    into a small feature map (section 4.2 checks that our $1 \times 1 \to 7 \times 7$ transposed
#    convolution is exactly that); the discriminator's last layer reads its final feature map into one logit.
# 4. **ReLU** in the generator with **Tanh** at the output; **LeakyReLU** in the discriminator (slope 0.2,
#    given with the training details of Section 4).
# 5. Adam with learning rate $2 \times 10^{-4}$ and $\beta_1 = 0.5$; weights initialised from a
#    zero-centred normal distribution with *standard deviation* 0.02, i.e. $\mathcal N(0, 0.02^2)$ in the
#    book's $\mathcal N(\mu, \sigma^2)$ notation (`nets.init_weights`).
#
# For $28 \times 28$ digits the generator goes $z \to 7 \times 7 \to 14 \times 14 \to 28 \times 28$.
# The shapes below are printed by the models themselves, layer by layer.

# %%
def layer_table(model, example):
    """Run example through model.net layer by layer; print each layer's output shape."""
    rows, x = [], example
    for layer in model.net:
        x = layer(x)
        rows.append(f"  {type(layer).__name__:18s} -> {tuple(x.shape)}")
    return "\n".join(rows)


generator = nets.DCGANGenerator(z_dim=Z_DIM, width=WIDTH).apply(nets.init_weights)
discriminator = nets.DCGANDiscriminator(width=WIDTH).apply(nets.init_weights)
with torch.no_grad():
    print(f"Generator ({nets.count_parameters(generator):,} parameters), z of shape (1, {Z_DIM}, 1, 1):")
    print(layer_table(generator, torch.zeros(1, Z_DIM, 1, 1)))
    print(f"Discriminator ({nets.count_parameters(discriminator):,} parameters):")
    print(layer_table(discriminator, torch.zeros(1, 1, 28, 28)))
print(f"For comparison, chapter 3's MLP generator has {nets.count_parameters(nets.MLPGenerator()):,} parameters")

# %% [markdown]
# ## 4.2 Transposed convolution, by hand
#
# A convolution with stride 2 maps a neighbourhood of the input to one output pixel. A
# **transposed** convolution does the reverse: each *input* pixel stamps a copy of the kernel,
# scaled by its value, onto the output, at positions `stride` apart; overlapping stamps add up.
# The name comes from linear algebra: a convolution is a linear map, $y = C x$ for a sparse matrix $C$
# built from the kernel, and the transposed convolution is the map $y \mapsto C^\top y$ — the map
# autograd uses to send gradients back through the convolution. It is *not* the inverse of the
# convolution (checked below, after the by-hand version).
# Output size: $(H - 1)\cdot s - 2p + k$ {cite:p}`dumoulin2016guide`. Here is a $2 \times 2$ input and a $3 \times 3$ kernel at
# stride 2, by hand, against `nn.ConvTranspose2d`.

# %%
def transposed_conv_by_hand(x, kernel, stride):
    """x (H, W), kernel (k, k) -> (stride*(H-1)+k, stride*(W-1)+k): stamp kernel * x[i, j] at (stride*i, stride*j)."""
    h, w = x.shape
    k = kernel.shape[0]
    out = torch.zeros(stride * (h - 1) + k, stride * (w - 1) + k)
    for i in range(h):
        for j in range(w):
            out[stride * i:stride * i + k, stride * j:stride * j + k] += x[i, j] * kernel
    return out


x_small = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
kernel = torch.arange(1.0, 10.0).view(3, 3)
by_hand = transposed_conv_by_hand(x_small, kernel, stride=2)
layer = nn.ConvTranspose2d(1, 1, kernel_size=3, stride=2, bias=False)
with torch.no_grad():
    layer.weight.copy_(kernel.view(1, 1, 3, 3))
    by_torch = layer(x_small.view(1, 1, 2, 2))[0, 0]
print("by hand (5 x 5):\n", by_hand.int().numpy())
assert torch.equal(by_hand, by_torch)
print("identical to nn.ConvTranspose2d(1, 1, kernel_size=3, stride=2)")

# %% [markdown]
# Build $C$ explicitly for a small stride-2 convolution (one column per input pixel: the convolution
# of a one-hot image) and compare $C^\top$ with `conv_transpose2d` of the same kernel:

# %%
kernel4 = torch.randn(1, 1, 4, 4, generator=torch.Generator().manual_seed(SEED))
one_hots = torch.eye(14 * 14).view(-1, 1, 14, 14)                                   # every 14 x 14 one-hot image
conv_matrix = F.conv2d(one_hots, kernel4, stride=2, padding=1).flatten(1).T          # C: (7*7, 14*14), y = C x
y_small = torch.randn(1, 1, 7, 7, generator=torch.Generator().manual_seed(SEED + 1))
via_matrix = (conv_matrix.T @ y_small.flatten()).view(14, 14)                        # C^T y
via_layer = F.conv_transpose2d(y_small, kernel4, stride=2, padding=1)[0, 0]
assert torch.allclose(via_matrix, via_layer, atol=1e-5)
assert not torch.allclose(F.conv2d(via_layer.view(1, 1, 14, 14), kernel4, stride=2, padding=1), y_small, atol=0.1)
print(f"C is {tuple(conv_matrix.shape)}; conv_transpose2d(y) equals C^T y (max difference "
      f"{(via_matrix - via_layer).abs().max():.1e}), and convolving it again does not give y back: transpose, not inverse")

# The generator's first layer, ConvTranspose2d(z_dim, 2w, 7) on a 1 x 1 input, is a fully connected layer:
projection = generator.net[0]                                                         # weight (z_dim, 2w, 7, 7)
as_linear = nn.Linear(Z_DIM, 2 * WIDTH * 49, bias=False)
with torch.no_grad():
    as_linear.weight.copy_(projection.weight.flatten(1).T)                           # (2w * 49, z_dim)
    z_probe = torch.randn(5, Z_DIM)
    same = torch.allclose(projection(z_probe.view(5, Z_DIM, 1, 1)), as_linear(z_probe).view(5, 2 * WIDTH, 7, 7), atol=1e-5)
assert same
print(f"the 1 x 1 -> 7 x 7 projection equals nn.Linear({Z_DIM}, {2 * WIDTH * 49}) followed by a reshape to "
      f"({2 * WIDTH}, 7, 7)")

# %% [markdown]
# Where stamps overlap, outputs receive more contributions. Count them for a constant input:
# with kernel 3 and stride 2 the count alternates between 1, 2 and 4 — a **checkerboard**
# built into the layer, which the network must learn to cancel {cite:p}`odena2016deconvolution`.
# A kernel size divisible by the stride (4 and 2, as in our generator) covers the interior evenly.

# %%
fig, axes = plt.subplots(1, 2, figsize=(9, 4))
for ax, k in zip(axes, (3, 4)):
    counts = transposed_conv_by_hand(torch.ones(6, 6), torch.ones(k, k), stride=2)
    image = ax.imshow(counts.numpy(), cmap="viridis")
    ax.set(title=f"kernel {k}, stride 2: contributions per output pixel", xticks=[], yticks=[])
    fig.colorbar(image, ax=ax, fraction=0.046)
plt.show()
inner3 = transposed_conv_by_hand(torch.ones(6, 6), torch.ones(3, 3), 2)[2:-2, 2:-2]
inner4 = transposed_conv_by_hand(torch.ones(6, 6), torch.ones(4, 4), 2)[2:-2, 2:-2]
assert set(inner3.unique().tolist()) == {1.0, 2.0, 4.0} and inner4.unique().tolist() == [4.0]
print("kernel 3, stride 2: interior pixels get 1, 2 or 4 contributions; kernel 4, stride 2: all get 4")
# The generator's own layer, kernel 4, stride 2, padding 1, on a 7 x 7 map of ones:
counts_padded = F.conv_transpose2d(torch.ones(1, 1, 7, 7), torch.ones(1, 1, 4, 4), stride=2, padding=1)[0, 0]
print(f"with padding=1 (7 -> 14): interior {counts_padded[1:-1, 1:-1].unique().tolist()}, edge rows and columns "
      f"{counts_padded[0, 1:-1].unique().tolist()}, corners {counts_padded[0, 0].item():.0f}")
assert counts_padded[1:-1, 1:-1].unique().tolist() == [4.0] and counts_padded[0, 1:-1].unique().tolist() == [2.0]
# Even coverage is not a flat output: each of the four output phases (even/odd row, even/odd column)
# is made by a different 2 x 2 sub-kernel. With the random weights of initialisation they differ:
random_kernel = torch.randn(1, 1, 4, 4, generator=torch.Generator().manual_seed(SEED + 2)) * 0.02
flat_input = F.conv_transpose2d(torch.ones(1, 1, 7, 7), random_kernel, stride=2, padding=1)[0, 0, 1:-1, 1:-1]
phases = [flat_input[i::2, j::2] for i in (0, 1) for j in (0, 1)]
assert all(torch.allclose(phase, phase[0, 0].expand_as(phase), atol=1e-7) for phase in phases)
assert max(phase[0, 0] for phase in phases) - min(phase[0, 0] for phase in phases) > 0.01
print("a constant input through a random kernel 4 / stride 2 layer: each phase is constant, the four phases differ - "
      "a period-2 checkerboard until training equalises the sub-kernels")

# %% [markdown]
# *Reading the figure.* Left: the uneven overlap of kernel 3 at stride 2 — a grid pattern any
# generator built from such layers starts out with. Right: kernel 4 at stride 2 covers every
# interior pixel four times; only the border is thinner. `padding=1` does not remove that border: it
# crops one row and column on each side, and the layer's outer rows and columns still get 2
# contributions (1 in the corners; printed above) — the edge of a generated image is built from less.
# Even coverage is also not the end of checkerboards: the four interleaved "phases" of the output
# are made by four different $2 \times 2$ pieces of the kernel, so a layer whose sub-kernels differ, as
# they do at initialisation, turns a flat input into a period-2 pattern {cite:p}`odena2016deconvolution`.
#
# ## 4.3 Training a DCGAN on MNIST
#
# The training loop is chapter 3's, unchanged; here we use it as an iterator, `train.steps(...)`, which runs
# one generator step (after its discriminator step) each time the `for` loop asks for one and hands back
# that step's losses, so the loop below decides when to sample and what to time. The networks are new, and so is the learning
# rate, the DCGAN paper's $2 \times 10^{-4}$ (chapter 3 already used its Adam with $\beta_1 = 0.5$). The run
# takes `TRAIN_STEPS` generator steps, and so does every run of section 4.4: a budget of steps is the same
# experiment on every machine, while a budget of seconds would be a longer run on a faster one. How long
# the steps took here is printed, for the cost per step only.

# %%
def run(make_pair, lr, z_dim, steps, seed, callback=None, every=25, desc=None):
    """Train the pair make_pair() returns for `steps` generator steps of `train.steps`, the loop as an iterator.

    callback(step, generator) runs after every `every` steps, outside the timed part.
    Returns the generator, the discriminator, their history and the seconds spent training.
    """
    utils.seed_everything(seed)
    g_net, d_net = (net.to(device) for net in make_pair())
    g_opt, d_opt = (torch.optim.Adam(net.parameters(), lr=lr, betas=(0.5, 0.999)) for net in (g_net, d_net))
    batches = data.batches(mnist.images, BATCH, device, rng=torch.Generator().manual_seed(seed))
    loop = train.steps(g_net, d_net, batches, g_opt, d_opt, noise_rng=torch.Generator().manual_seed(seed + 100))
    records, spent, start = [], 0.0, time.perf_counter()
    for step, record in enumerate(tqdm(loop, total=steps, desc=desc, unit="step"), start=1):
        records.append(record)                       # 0-d tensors on the device: no waiting here
        if step % every == 0 or step == steps:
            record["loss_g"].item()                  # wait for the step to finish, then stop the clock
            spent += time.perf_counter() - start
            if callback is not None:
                callback(step, g_net)
            start = time.perf_counter()
        if step == steps:
            break
    history = {key: [r[key].item() for r in records] for key in records[0]}
    return g_net, d_net, history, spent


make_dcgan = lambda: (nets.DCGANGenerator(z_dim=Z_DIM, width=WIDTH).apply(nets.init_weights),
                      nets.DCGANDiscriminator(width=WIDTH).apply(nets.init_weights))
make_mlp = lambda: (nets.MLPGenerator(z_dim=100), nets.MLPDiscriminator())
fixed_noise = torch.randn(64, Z_DIM, generator=torch.Generator().manual_seed(SEED))
score_noise = torch.randn(1000, Z_DIM, generator=torch.Generator().manual_seed(SEED + 1))
frames, ablation_baseline = {}, {}


def keep_frames(step, g_net):
    frames[step] = train.sample(g_net, fixed_noise)
    if step == ABLATION_STEPS:                      # for section 4.4's ablation
        ablation_baseline[SEED] = frames[step]


assert TRAIN_STEPS >= ABLATION_STEPS and ABLATION_STEPS % 25 == 0   # section 4.4's ablation reads a frame of these runs
generator, discriminator, history, seconds = run(make_dcgan, ADAM["lr"], Z_DIM, TRAIN_STEPS, SEED, callback=keep_frames,
                                                 desc="DCGAN on MNIST")
if PROFILE == "full" and SAVE_CHECKPOINT:  # the generator of section 4.8: a fixed number of steps, not seconds
    utils.seed_everything(SEED)
    checkpoint_g, checkpoint_d = (net.to(device) for net in make_dcgan())
    start = time.perf_counter()
    train.train(checkpoint_g, checkpoint_d, data.batches(mnist.images, BATCH, device, rng=torch.Generator().manual_seed(SEED)),
                CHECKPOINT_STEPS, torch.optim.Adam(checkpoint_g.parameters(), **ADAM),
                torch.optim.Adam(checkpoint_d.parameters(), **ADAM), desc="DCGAN for the shipped checkpoint")
    utils.save_checkpoint(CHECKPOINTS["mnist"], checkpoint_g, half=True, config={"z_dim": Z_DIM, "width": WIDTH},
                          steps=CHECKPOINT_STEPS, batch=BATCH, seed=SEED, data=mnist.source,
                          train_seconds=round(time.perf_counter() - start), hardware=utils.hardware())

# %% tags=["nbval-ignore-output"]
# How long the steps take depends on the machine (not what they compute).
print(f"{TRAIN_STEPS:,} steps in {seconds:.1f} s: {TRAIN_STEPS / seconds:.0f} steps/s, "
      f"{TRAIN_STEPS * BATCH / seconds:,.0f} images/s ({utils.hardware()})")

# %%
snapshots = sorted(frames)
shown = [snapshots[0]] + [snapshots[round(f * (len(snapshots) - 1))] for f in (1 / 8, 1 / 4, 1 / 2)] + [snapshots[-1]]
fig, axes = plt.subplots(1, len(shown), figsize=(3.2 * len(shown), 3.6))
for ax, step in zip(axes, shown):
    plot.image_grid(frames[step][:36], nrow=6, ax=ax, title=f"step {step:,}")
fig.suptitle(f"DCGAN: the same 36 noise vectors during {TRAIN_STEPS:,} steps of training")
plt.show()

# %% tags=["nbval-ignore-output"]
# An animation of the fixed-noise grid over training (plays in the book; pixels differ by machine).
fig, ax = plt.subplots(figsize=(4, 4.3), dpi=70)


def draw(i):
    ax.clear()
    plot.image_grid(frames[snapshots[i]], ax=ax, title=f"step {snapshots[i]:,}")


movie = animation.FuncAnimation(fig, draw, frames=len(snapshots), interval=300)
html = plot.animation_html(movie)
plt.close(fig)
HTML(html)

# %%
fig, (ax_loss, ax_d) = plt.subplots(1, 2, figsize=(12, 3.6))
plot.curves(history, keys=["loss_d", "loss_g"], window=25, ax=ax_loss, ylabel="loss (25-step average)",
            hlines={"log 4": np.log(4)}, title="DCGAN losses")
plot.curves(history, keys=["d_real", "d_fake"], window=25, ax=ax_d, ylabel="mean D output (25-step average)",
            hlines={"1/2": 0.5}, title="D(x) on real and D(G(z)) on generated batches")
plt.show()

# %% [markdown]
# How good are these digits? The yardsticks of chapter 3 (section 3.3), from the small MNIST
# classifier shipped with the book (`gantut.features`, 97% accurate on held-out digits): the share
# of 1,000 samples it labels with at least 90% confidence, and the *classifier FID* — the Fréchet
# distance between its 128-dimensional features of 1,000 samples and of 1,000 held-out digits
# (chapter 7 explains it). 1,000 real training digits give the floor.

# %%
classifier, held_out_features = runs.digit_yardstick(device)   # the classifier; features of 1,000 held-out digits
real_scores = features.digit_scores(classifier, mnist.images[:1000], held_out_features)
main_scores = features.digit_scores(classifier, train.sample(generator, score_noise), held_out_features)
print(f"real training digits: classifier FID {real_scores['fid']:.1f} (the floor), confidently classified "
      f"{real_scores['confident']:.0%}")

# %% tags=["nbval-ignore-output"]
untrained_fid = features.digit_scores(classifier, train.sample(make_dcgan()[0], score_noise), held_out_features)["fid"]
print(f"this run, after {TRAIN_STEPS:,} steps: classifier FID {main_scores['fid']:.0f} (untrained: "
      f"{untrained_fid:.0f}); confidently classified {main_scores['confident']:.0%}; rarest class "
      f"{main_scores['shares'].min():.0%} of samples")

# %%
assert main_scores["fid"] < untrained_fid / 2, "training has moved the generator towards the digits"
late, early = slice(-TRAIN_STEPS // 4, None), slice(0, TRAIN_STEPS // 4)
assert np.mean(history["d_fake"][late]) < 0.3, "D dominates: in the last quarter D(G(z)) averages below 0.3"
assert np.mean(history["loss_g"][late]) > np.mean(history["loss_g"][early]), "G's loss climbs"
print("D dominates in this run: over the last quarter D(G(z)) averages below 0.3, and G's loss is higher than "
      "over the first quarter")
if PROFILE == "quick":  # the sentences below are about this short run (the same steps on any device)
    assert main_scores["fid"] > 20 * real_scores["fid"] and main_scores["confident"] < 0.5
    print("after this short run the DCGAN's classifier FID is below half the untrained generator's, but more "
          "than 20x the real digits'; fewer than half of its samples are confidently classified")

# %% [markdown]
# *Reading the figures and the numbers.* Strokes appear within the run, on a dark, speckled
# background (convolutions share weights across positions, so a stroke detector learned in one place
# applies everywhere). After this short run the samples are digit-shaped but many are broken or
# ambiguous: only a minority are confidently classified, and the classifier FID is still many times
# the real-data floor (printed above). Section 4.8 shows the same networks trained longer.
# The loss curves are a game's, not a descent's: here $D$ dominates ($D(G(z))$ stays low and G's loss
# climbs) while the samples improve, so judge the run by its samples and scores, as in chapter 3.
#
# ## 4.4 Against the MLP GAN, at the same number of steps
#
# Each model trains for the same `TRAIN_STEPS` generator steps (batch 64) from three seeds, and is then
# scored on 1,000 samples with the yardsticks above. Each keeps its own chapter's recipe: the DCGAN's
# networks, $2 \times 10^{-4}$, $z \in \mathbb R^{64}$ and initialisation; the MLP's fully connected networks
# with no BatchNorm, a different number of parameters (printed below), $4 \times 10^{-4}$ and
# $z \in \mathbb R^{100}$. This compares the two recipes at equal steps, not convolutions alone. What a step
# costs is a separate measurement (below), since it depends on the machine.

# %%
results = {"DCGAN": [], "MLP GAN": []}


def keep_ablation_frame(seed):
    def callback(step, g_net):
        if step == ABLATION_STEPS:
            ablation_baseline[seed] = train.sample(g_net, fixed_noise)
    return callback


for seed in SEEDS:
    for name, make_pair, lr, z_dim in [("DCGAN", make_dcgan, ADAM["lr"], Z_DIM), ("MLP GAN", make_mlp, 4e-4, 100)]:
        if name == "DCGAN" and seed == SEED:   # the run of section 4.3
            g_net, spent = generator, seconds
        else:
            g_net, _, _, spent = run(make_pair, lr, z_dim, TRAIN_STEPS, seed, desc=f"{name}, seed {seed}",
                                     callback=keep_ablation_frame(seed) if name == "DCGAN" else None)
        samples = train.sample(g_net, torch.randn(1000, z_dim, generator=torch.Generator().manual_seed(seed + 1)))
        results[name].append({"seconds": spent, "samples": samples,
                              **features.digit_scores(classifier, samples, held_out_features)})
fid = {name: np.array([run["fid"] for run in per_seed]) for name, per_seed in results.items()}

# %% tags=["nbval-ignore-output"]
for name, values in fid.items():
    print(f"{name:8s} classifier FID after {TRAIN_STEPS:,} steps: {values.mean():.0f} +- {values.std(ddof=1):.0f} "
          f"(sample SD of {len(SEEDS)} seeds; per seed {', '.join(f'{v:.0f}' for v in values)}; "
          f"real digits: {real_scores['fid']:.1f}); confident " + ", ".join(f"{run['confident']:.0%}" for run in results[name]))

# %%
seen = f"FID per seed: DCGAN {fid['DCGAN'].round()}, MLP GAN {fid['MLP GAN'].round()}"
spread = fid["MLP GAN"].std(ddof=1) + fid["DCGAN"].std(ddof=1)
assert fid["MLP GAN"].mean() - fid["DCGAN"].mean() > 2 * spread, seen
assert fid["MLP GAN"].min() > fid["DCGAN"].max(), f"on every seed; {seen}"
print(f"after the same {TRAIN_STEPS:,} generator steps the DCGAN is closer to the held-out digits on every seed, "
      "by more than twice the seeds' spread (the sum of the two sample SDs)")
count = lambda net: sum(p.numel() for p in net.parameters())
print("parameters: " + "; ".join(f"{name} G {count(g):,}, D {count(d):,}" for name, (g, d) in
                                 [("DCGAN", make_dcgan()), ("MLP GAN", make_mlp())]))
fig, (ax_a, ax_b) = plt.subplots(1, 2, figsize=(10, 5.3))
for ax, name in ((ax_a, "DCGAN"), (ax_b, "MLP GAN")):
    plot.image_grid(results[name][0]["samples"][:49], nrow=7, ax=ax, title=f"{name}, {TRAIN_STEPS:,} steps, seed {SEEDS[0]}")
fig.suptitle("The same number of training steps, two recipes")
plt.show()

# %% [markdown]
# **What a step costs.** Which model takes more steps per second depends on the machine: the two do a
# similar amount of arithmetic per sample, and convolutions and BatchNorm run at different speeds on
# different hardware. The cell below times both steps the fair way: alternating
# between the two models in one process, a few rounds of ten steps each, after a warm-up, and taking
# the median. The ratio is a property of this machine (a GPU, or another CPU, gives another), so it is
# printed and not asserted.

# %%
def seconds_per_step(make_pair, lr, z_dim, steps=10):
    """Median-ready timing: seconds per generator step of `steps` steps of a fresh pair (after one warm-up step)."""
    g_net, d_net = (net.to(device) for net in make_pair())
    g_opt, d_opt = (torch.optim.Adam(net.parameters(), lr=lr, betas=(0.5, 0.999)) for net in (g_net, d_net))
    batches = data.batches(mnist.images, BATCH, device, rng=torch.Generator().manual_seed(SEED))
    train.train(g_net, d_net, batches, 1, g_opt, d_opt, progress=False)           # warm-up
    if device.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    train.train(g_net, d_net, batches, steps, g_opt, d_opt, progress=False)
    if device.type == "cuda":
        torch.cuda.synchronize()
    return (time.perf_counter() - start) / steps


step_cost = {"DCGAN": [], "MLP GAN": []}
for _ in range(3):   # interleaved: both models see the same state of the machine
    step_cost["DCGAN"].append(seconds_per_step(make_dcgan, ADAM["lr"], Z_DIM))
    step_cost["MLP GAN"].append(seconds_per_step(make_mlp, 4e-4, 100))
cost = {name: float(np.median(values)) for name, values in step_cost.items()}

# %% tags=["nbval-ignore-output"]
ratio = cost["DCGAN"] / cost["MLP GAN"]
print(f"on this machine ({utils.hardware()}): DCGAN {1000 * cost['DCGAN']:.0f} ms per step, MLP GAN "
      f"{1000 * cost['MLP GAN']:.0f} ms (medians of 3 interleaved rounds of 10 steps): a DCGAN step costs {ratio:.1f}x "
      f"an MLP step, so in the time of the DCGAN's {TRAIN_STEPS:,} steps the MLP GAN could take about "
      f"{ratio * TRAIN_STEPS:,.0f}")

# %% [markdown]
# *Reading the figure and the timing.* After the same number of steps the DCGAN has started to draw
# blobby strokes on a dark background, while the MLP's samples are still speckled and grey; the
# classifier FID says the same in one number, on every seed. This is a statement about *short* runs
# counted in steps, which is where the DCGAN recipe's head start shows (the whole recipe together; the
# ablation below removes only the generator's BatchNorm). Per second it is a different question: the MLP
# GAN takes more steps in the same time on this machine (the ratio printed above; another machine can
# differ), and whether those
# extra steps close the gap needs the MLP's FID at that many steps — exercise 2, with how the gap changes
# with longer training; section 4.8 compares the two shipped full-scale generators.
#
# ### Ablation: what BatchNorm in the generator buys
#
# One of the rules, switched off: no BatchNorm in the generator. Same seeds, same number of steps
# as the baseline's snapshot (taken from the DCGAN runs above). "Paired by seed" below means the same
# data order and noise; the initial weights differ, because the generator without BatchNorm has other
# layers (biases instead of BatchNorm's scales) and draws its random numbers in another order.

# %%
def dcgan_run(steps, batchnorm=True, activation="leaky", images=None, seed=SEED, desc="DCGAN"):
    utils.seed_everything(seed)
    g_net = nets.DCGANGenerator(z_dim=Z_DIM, width=WIDTH, batchnorm=batchnorm).apply(nets.init_weights).to(device)
    d_net = nets.DCGANDiscriminator(width=WIDTH, activation=activation).apply(nets.init_weights).to(device)
    images = mnist.images if images is None else images
    hist = train.train(g_net, d_net, data.batches(images, BATCH, device, rng=torch.Generator().manual_seed(seed)),
                       steps, torch.optim.Adam(g_net.parameters(), **ADAM), torch.optim.Adam(d_net.parameters(), **ADAM),
                       noise_rng=torch.Generator().manual_seed(seed + 100), desc=desc)
    return g_net, hist


mean_real = mnist.images.mean(0)
mean_error = lambda images: (images.mean(0) - mean_real).pow(2).mean().item()
ablation = {"baseline (all rules)": [], "no BatchNorm in G": []}
for seed in SEEDS:
    ablation["baseline (all rules)"].append(ablation_baseline[seed])
    g_no_bn, _ = dcgan_run(ABLATION_STEPS, batchnorm=False, seed=seed, desc=f"no BatchNorm in G, seed {seed}")
    ablation["no BatchNorm in G"].append(train.sample(g_no_bn, fixed_noise))
errors = {name: np.array([mean_error(images) for images in per_seed]) for name, per_seed in ablation.items()}

# %% tags=["nbval-ignore-output"]
for name, values in errors.items():
    print(f"{name:22s} step {ABLATION_STEPS}: squared distance of the mean sample to the data's mean image "
          f"{values.mean():.3f} +- {values.std(ddof=1):.3f} (sample SD of {len(SEEDS)} seeds; per seed {', '.join(f'{v:.3f}' for v in values)})")

# %%
base, no_bn = errors["baseline (all rules)"], errors["no BatchNorm in G"]
assert (no_bn > 2 * base).all(), "paired by seed: without BatchNorm, at least twice the baseline's distance on every seed"
# Why: at initialisation, how large are the two generators' outputs?
utils.seed_everything(SEED)
z_init = torch.randn(256, Z_DIM)
with torch.no_grad():
    init_std = {batchnorm: nets.DCGANGenerator(z_dim=Z_DIM, width=WIDTH, batchnorm=batchnorm).apply(nets.init_weights)(z_init).std().item()
                for batchnorm in (True, False)}
print(f"at initialisation the output's standard deviation is {init_std[True]:.3f} with BatchNorm and "
      f"{init_std[False]:.4f} without")
assert init_std[False] < 0.1 * init_std[True]
fig, axes = plt.subplots(1, 2, figsize=(9, 4.6))
for ax, (name, per_seed) in zip(axes, ablation.items()):
    plot.image_grid(per_seed[0][:36], nrow=6, ax=ax, title=f"{name}\nstep {ABLATION_STEPS}, seed {SEEDS[0]}")
plt.show()

# %% [markdown]
# *Reading the figure.* At this early step the generator without BatchNorm is still drawing grey
# patches with the periodic texture of section 4.2's unequal sub-kernels — its mean image is further
# from the data's on every seed, by a factor of two or more (paired by seed; asserted) — while the baseline already has darker surroundings
# and a bright central blob. From the DCGAN paper's small $\mathcal N(0, 0.02^2)$ initialisation each layer shrinks its
# input; BatchNorm rescales every channel to unit variance, so the signal reaches the Tanh at a
# useful size from the first step. Without it the initial output is more than ten times smaller
# (printed above): a flat grey image that the generator must first learn to amplify. This measures a
# head start under that initialisation. Whether the gap closes with more steps, and what the other rules
# contribute, are separate experiments (exercise 2): these short runs cannot show them.
#
# ## 4.5 Walking the latent space
#
# Each $z$ is a point in $\mathbb R^{64}$; a smooth generator maps nearby points to similar
# images. Interpolating between two codes shows how one digit morphs into another. With Gaussian
# $z$ in high dimension, almost all the mass lies near the sphere of radius $\sqrt{64} = 8$, and a
# straight line between two codes passes *inside* it: its midpoint has norm about $8/\sqrt 2$, a
# region the generator almost never saw in training. **Spherical** interpolation (slerp) follows the
# great circle instead {cite:p}`white2016sampling`; its norm stays close to the range of the two end points' norms
# (exactly constant when they are equal) instead of dipping in the middle:
#
# $$ \mathrm{slerp}(z_0, z_1; t) = \frac{\sin((1-t)\,\Omega)}{\sin\Omega}\, z_0 + \frac{\sin(t\,\Omega)}{\sin\Omega}\, z_1,
#    \qquad \cos\Omega = \frac{z_0 \cdot z_1}{\|z_0\|\,\|z_1\|}. $$ (slerp)

# %%
def lerp(z0, z1, t):
    return (1 - t) * z0 + t * z1


def slerp(z0, z1, t):
    omega = torch.arccos((z0 * z1).sum(-1, keepdim=True) / (z0.norm(dim=-1, keepdim=True) * z1.norm(dim=-1, keepdim=True)))
    return (torch.sin((1 - t) * omega) * z0 + torch.sin(t * omega) * z1) / torch.sin(omega)


ends = torch.randn(2, 4, Z_DIM, generator=torch.Generator().manual_seed(SEED + 7))  # 4 pairs of codes
ts = torch.linspace(0, 1, 9)
norms_lerp = torch.stack([lerp(ends[0], ends[1], t).norm(dim=-1) for t in ts])      # (9, 4)
norms_slerp = torch.stack([slerp(ends[0], ends[1], t).norm(dim=-1) for t in ts])
ratio = (norms_lerp[4] / norms_lerp[0]).mean().item()
assert 0.6 < ratio < 0.8 and torch.allclose(slerp(ends[0], ends[1], torch.tensor(0.0)), ends[0], atol=1e-5)
# Slerp's norm stays between the end points' norms (within 3%; over 100,000 random pairs in R^64 the
# worst case was 2%); a path that dips like lerp (to about 0.71 of the norm) would fail this.
end_low, end_high = torch.minimum(norms_slerp[0], norms_slerp[-1]), torch.maximum(norms_slerp[0], norms_slerp[-1])
assert (norms_slerp.min(0).values >= 0.97 * end_low).all() and (norms_slerp.max(0).values <= 1.03 * end_high).all()
print(f"linear midpoints have {ratio:.2f} x the norm of the end points (1/sqrt(2) = 0.71 for independent codes); "
      "spherical paths stay between the two end norms (within 3%)")

# %%
rows = {}
for name, path in [("lerp", lerp), ("slerp", slerp)]:
    codes = torch.stack([path(ends[0], ends[1], t) for t in ts], dim=1).reshape(-1, Z_DIM)  # (4 * 9, Z)
    rows[name] = train.sample(generator, codes)
# How different are the two paths' images, compared with one step along a path?
path_gap = (rows["lerp"] - rows["slerp"]).abs().mean().item()
step_size = (rows["slerp"].view(4, 9, -1)[:, 1:] - rows["slerp"].view(4, 9, -1)[:, :-1]).abs().mean().item()
assert path_gap < 2 * step_size
print("the lerp and slerp images differ by less than two steps along a path")

# %% tags=["nbval-ignore-output"]
print(f"mean |lerp image - slerp image| {path_gap:.3f}; mean change between neighbouring frames {step_size:.3f}")
fig, axes = plt.subplots(1, 2, figsize=(12, 5.8))
for ax, (name, images) in zip(axes, rows.items()):
    plot.image_grid(images, nrow=9, ax=ax, title=f"{name}: each row goes from one code to another")
plt.show()

# %% [markdown]
# *Reading the figure.* Each row starts at one random code and ends at another (this is the short run's
# generator, so the end points are rough digits). The shapes change gradually along each row: nearby
# codes give similar images. The two paths differ mostly in the middle of the rows, where the straight
# line's codes are shorter (the difference is printed above, averaged over the whole path); look at
# the middle frames of the two panels. Slerp keeps codes at the norm the generator was trained on, which
# is why it is the common choice; how much that matters is a property of the generator, to be measured.
#
# **An explorer.** Move the slider to walk along the spherical paths. The frames are rendered
# here and saved into the page, so the slider works in the HTML book too, without Python; in
# Jupyter you can change `ends` and re-run the cell.

# %% tags=["nbval-ignore-output"]
def png(images):
    """PNG bytes of a one-row grid of images in [-1, 1]."""
    fig = plot.image_grid(images, nrow=len(images), figsize=(len(images) * 0.9, 1.0))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


explorer_ts = torch.linspace(0, 1, 11)
pictures = [widgets.Image(value=png(train.sample(generator, slerp(ends[0], ends[1], t))), format="png")
            for t in explorer_ts]
stack = widgets.Stack(pictures, selected_index=0)
slider = widgets.IntSlider(value=0, min=0, max=len(pictures) - 1, description="t x 10", continuous_update=True)
widgets.jslink((slider, "value"), (stack, "selected_index"))  # runs in the browser: no kernel needed
display(widgets.VBox([slider, stack]))

# %% [markdown]
# ## 4.6 The same model on Fashion-MNIST
#
# Fashion-MNIST {cite:p}`xiao2017fashion` has the same format as MNIST and harder images: textures,
# shading and ten garment classes. Nothing in the DCGAN is specific to digits: the same networks
# and the same `dcgan_run` accept it, `dcgan_run(steps, images=fashion.images)` (exercise 4; not
# run here). Judging the result needs what this chapter has for digits and not for garments —
# a classifier for the yardsticks — so we leave the training, and the measuring, to the exercise.

# %%
fig, ax = plt.subplots(figsize=(5, 5.3))
plot.image_grid(fashion.images[:49], nrow=7, ax=ax, title="real Fashion-MNIST: the exercise's data")
plt.show()
print(f"{len(fashion.images):,} images; classes: {', '.join(data.FASHION_CLASSES)}")

# %% [markdown]
# ## 4.7 Common mistakes
#
# ```{admonition} Mistake 1: "DCGAN uses upsampling instead of transposed convolutions"
# :class: warning
# The DCGAN paper's generator uses fractionally-strided convolutions, i.e. transposed convolutions.
# Nearest-neighbour upsampling followed by a convolution ("resize-convolution") is a later
# alternative, proposed to avoid checkerboard artefacts {cite:p}`odena2016deconvolution`. The two are
# related: a stride-2 transposed convolution *is* a convolution applied to the input with zeros
# inserted between its pixels ("fractionally strided") — not to an upsampled copy of it.
# ```

# %%
def insert_zeros(x, stride=2):
    """(N, C, H, W) -> (N, C, stride*(H-1)+1, stride*(W-1)+1) with zeros between the pixels."""
    n, c, h, w = x.shape
    out = x.new_zeros(n, c, stride * (h - 1) + 1, stride * (w - 1) + 1)
    out[:, :, ::stride, ::stride] = x
    return out


x_demo = torch.randn(1, 1, 5, 5, generator=torch.Generator().manual_seed(SEED))
k_demo = torch.randn(1, 1, 4, 4, generator=torch.Generator().manual_seed(SEED + 1))
transposed = F.conv_transpose2d(x_demo, k_demo, stride=2, padding=1)
# zero insertion, then an ordinary convolution with the flipped kernel and padding k - 1 - p = 2
fractional = F.conv2d(insert_zeros(x_demo), k_demo.flip(-1, -2), padding=2)
assert torch.allclose(transposed, fractional, atol=1e-5)
# The difference in kind, on a flat input: nearest-neighbour upsampling keeps it flat, and so does any stride-1
# convolution after it (away from the border); the stride-2 transposed convolution gives the period-2 pattern of
# section 4.2 (four phases, four sub-kernel sums) — it is not an upsampling followed by a convolution.
flat = torch.ones(1, 1, 5, 5)
transposed_flat = F.conv_transpose2d(flat, k_demo, stride=2, padding=1)[0, 0, 2:8, 2:8]
phases = torch.stack([transposed_flat[i::2, j::2] for i in (0, 1) for j in (0, 1)])   # (4, 3, 3)
assert (phases - phases[:, :1, :1]).abs().max() < 1e-5 and phases[:, 0, 0].std() > 0.1  # four different constants
print(f"ConvTranspose2d(stride 2) == zero-insertion + Conv2d: shapes {tuple(transposed.shape)}; on a flat input "
      "it gives a period-2 pattern, where upsampling + a stride-1 convolution stays flat inside the border")

# %% [markdown]
# ```{admonition} Mistake 2: BatchNorm on the discriminator's input layer
# :class: warning
# DCGAN leaves BatchNorm out of the discriminator's first layer (and the generator's last): the
# paper's reason is empirical — BatchNorm on every layer "resulted in sample oscillation and model
# instability". One concrete thing it would do there, shown below (our illustration, not the
# paper's argument): in training mode it normalises every channel over the batch, so after the
# first (linear) convolution any per-channel scale of a whole batch is removed. A
# discriminator whose first layer cannot see that a whole batch is too faint can be fooled by it.
# ```

# %%
torch.manual_seed(SEED)
first_layer_bn = nn.Sequential(nn.Conv2d(1, WIDTH, 4, 2, 1), nn.BatchNorm2d(WIDTH), nn.LeakyReLU(0.2))
first_layer_ok = nn.Sequential(nn.Conv2d(1, WIDTH, 4, 2, 1), nn.LeakyReLU(0.2))
batch = mnist.images[:BATCH]
faint = 0.3 * batch  # the same digits with 30% of the contrast: grey strokes on a grey background
change_bn = (first_layer_bn(batch) - first_layer_bn(faint)).abs().mean().item()
change_ok = (first_layer_ok(batch) - first_layer_ok(faint)).abs().mean().item()
assert change_bn < 1e-3 and change_ok > 0.05
print("with BatchNorm on the input layer, a batch of digits and the same batch at 30% contrast give "
      "the same features (mean difference < 0.001, BatchNorm's eps aside); without it they differ (> 0.05)")

# %% [markdown]
# ```{admonition} Mistake 3: sampling in training mode
# :class: warning
# In training mode BatchNorm normalises with the *current batch's* statistics, so an image depends
# on which other codes share its batch. Sample with `generator.eval()` (BatchNorm uses its running
# averages), as `gantut.train.sample` does, then switch back with `generator.train()`.
# ```

# %%
z_one = fixed_noise[:1]
companions = [torch.cat([z_one, torch.randn(15, Z_DIM)]).to(device) for _ in range(2)]
generator.train()
with torch.no_grad():
    in_train_mode = [generator(z)[0] for z in companions]
generator.eval()
with torch.no_grad():
    in_eval_mode = [generator(z)[0] for z in companions]
generator.train()
difference_train = (in_train_mode[0] - in_train_mode[1]).abs().max().item()
difference_eval = (in_eval_mode[0] - in_eval_mode[1]).abs().max().item()
assert difference_train > 0.01 and difference_eval < 1e-5
print("the same code in two different batches: different images in train mode, identical images in eval mode")

# %% [markdown]
# ```{admonition} Mistake 4: a 64 x 64 architecture on 28 x 28 images
# :class: warning
# Many DCGAN codes are written for $64 \times 64$ images: a generator $1 \to 4 \to 8 \to 16 \to 32 \to 64$
# and a discriminator that ends with a $4 \times 4$ convolution on a $4 \times 4$ map. Fed MNIST's
# $28 \times 28$ digits, the discriminator's feature maps shrink to $1 \times 1$ before its last layer,
# which then fails (or, with padding added "to make it run", scores a map instead of an image); the
# generator's $64 \times 64$ outputs cannot be compared with $28 \times 28$ data at all. Fix: design the
# stack for the data's size (this chapter: $7 \to 14 \to 28$, and $28 \to 14 \to 7 \to 1$), and print
# every layer's output shape, as section 4.1 does.
# ```

# %%
def dcgan64_discriminator(width=16):
    """The usual 64 x 64 DCGAN discriminator: four stride-2 convolutions, then a 4 x 4 convolution."""
    layers, channels = [], 1
    for k in range(4):
        layers += [nn.Conv2d(channels, width * 2**k, 4, 2, 1), nn.LeakyReLU(0.2)]
        channels = width * 2**k
    return nn.Sequential(*layers, nn.Conv2d(channels, 1, 4, 1, 0))


activations = mnist.images[:2]
try:
    for layer in dcgan64_discriminator():
        activations = layer(activations)
        print(f"  {type(layer).__name__:10s} -> {tuple(activations.shape)}")
except RuntimeError as error:
    print("the 64 x 64 discriminator's last layer on 28 x 28 digits fails:", str(error).splitlines()[0])
print("this chapter's discriminator on 28 x 28 digits:", tuple(discriminator(mnist.images[:2].to(device)).shape))

# %% [markdown]
# ```{admonition} Mistake 5: dividing by 255 after ToTensor, and resize_ for resizing
# :class: warning
# `transforms.ToTensor()` already maps uint8 pixels to $[0, 1]$; dividing by 255 again leaves images
# in $[0, 0.004]$ — black to the eye and almost constant to the networks. And `tensor.resize_(32, 32)`
# does not resize an image: it reinterprets (and extends) the tensor's memory, so the pixels are
# scrambled. Fix: `Normalize((0.5,), (0.5,))` after `ToTensor()`, and `transforms.Resize` or
# `F.interpolate` to change the size.
# ```

# %%
from torchvision import transforms

raw_digit = np.uint8(np.round((mnist.images[0, 0].numpy() + 1) * 127.5))     # a 28 x 28 uint8 image, as stored
to_tensor = transforms.ToTensor()(raw_digit)                                  # (1, 28, 28) in [0, 1]
twice = to_tensor / 255                                                       # the bug
print(f"ToTensor: max {to_tensor.max():.3f}; then / 255: max {twice.max():.4f}")
assert to_tensor.max() > 0.99 and twice.max() < 1 / 255 + 1e-6
scrambled = to_tensor.clone().resize_(1, 14, 14)                              # "resize" to 14 x 14: the bug
resized = F.interpolate(to_tensor[None], size=(14, 14), mode="area")[0]      # the fix
assert torch.equal(scrambled.flatten(), to_tensor.flatten()[:196])           # it kept the first 196 pixels: 7 rows
fig, axes = plt.subplots(1, 3, figsize=(7, 2.6))
for ax, (title, image) in zip(axes, [("ToTensor()", to_tensor), ("resize_(1, 14, 14) (bug)", scrambled),
                                     ("F.interpolate to 14 x 14", resized)]):
    ax.imshow(image[0].numpy(), cmap="gray", vmin=0, vmax=1)
    ax.set(title=title, xticks=[], yticks=[])
plt.show()

# %% [markdown]
# ## 4.8 At full scale
#
# The full profile trains the same networks for longer. The generator that ships with the book
# (`data/checkpoints/04_dcgan_mnist_generator.pt`; provenance in `data/README.md`) was trained for
# 12,000 steps of batch 64 (its metadata is printed below) on the book's 4,000-digit training subset,
# about 192 passes over it. Loading it and sampling from a fixed seed is deterministic. Here it is
# scored with the same yardsticks, next to chapter 3's shipped MLP GAN (on the same three noise draws
# as in chapter 3, so its numbers are chapter 3's).

# %%
shipped = {}
for name, path in CHECKPOINTS.items():
    if path.exists():
        model = nets.DCGANGenerator(z_dim=Z_DIM, width=WIDTH)
        meta = utils.load_checkpoint(path, model)
        shipped[name] = (meta, train.sample(model, torch.randn(64, Z_DIM, generator=torch.Generator().manual_seed(1234))))
        print(f"loaded {path.name}: {meta['steps']:,} steps, batch {meta['batch']}, seed {meta['seed']}")
    else:
        print(f"data/checkpoints/{path.name} is missing: run this notebook with PROFILE='full' and SAVE_CHECKPOINT=True")
if shipped:
    fig, axes = plt.subplots(1, len(shipped), figsize=(6 * len(shipped), 6.2), squeeze=False)
    for ax, (name, (meta, images)) in zip(axes[0], shipped.items()):
        plot.image_grid(images, ax=ax, title=f"{name}: shipped checkpoint, {meta['steps']:,} steps")
    plt.show()
if "mnist" in shipped:
    full_dcgan = nets.DCGANGenerator(z_dim=Z_DIM, width=WIDTH)
    utils.load_checkpoint(CHECKPOINTS["mnist"], full_dcgan)
    mlp_checkpoint = utils.CHECKPOINT_DIR / "03_mlp_gan_generator.pt"
    full_mlp = nets.MLPGenerator(z_dim=100, hidden=(256, 512, 1024))
    utils.load_checkpoint(mlp_checkpoint, full_mlp)
    # Three draws of 1,000 samples each: their spread is the noise of the estimate.
    full = {name: [features.digit_scores(classifier, train.sample(model, torch.randn(
                1000, z_dim, generator=torch.Generator().manual_seed(1235 + k))), held_out_features) for k in range(3)]
            for name, model, z_dim in [("DCGAN (chapter 4)", full_dcgan, Z_DIM), ("MLP GAN (chapter 3)", full_mlp, 100)]}
    for name, draws in full.items():
        fids = np.array([draw["fid"] for draw in draws])
        print(f"{name:20s} classifier FID {fids.mean():5.1f} +- {fids.std(ddof=1):.1f} (SD of 3 draws); confident "
              f"{np.mean([draw['confident'] for draw in draws]):.0%}; rarest class "
              f"{np.mean([draw['shares'] for draw in draws], axis=0).min():.1%} (uniform: 10%)")
    dcgan_fid = np.array([draw["fid"] for draw in full["DCGAN (chapter 4)"]])
    mlp_fid = np.array([draw["fid"] for draw in full["MLP GAN (chapter 3)"]])
    dcgan_shares = np.mean([draw["shares"] for draw in full["DCGAN (chapter 4)"]], axis=0)
    mlp_shares = np.mean([draw["shares"] for draw in full["MLP GAN (chapter 3)"]], axis=0)
    data_shares = np.bincount(mnist.labels.numpy(), minlength=10) / len(mnist.labels)
    for name, shares in (("DCGAN (chapter 4)", dcgan_shares), ("MLP GAN (chapter 3)", mlp_shares)):
        top, low = int(np.argmax(shares / data_shares)), int(np.argmin(shares / data_shares))
        print(f"{name:20s} most over-drawn class {top}: {shares[top]:.0%} of samples ({shares[top] / data_shares[top]:.1f}x "
              f"its share of the data); least drawn {low}: {shares[low]:.1%} ({shares[low] / data_shares[low]:.1f}x)")
    assert mlp_fid.mean() - dcgan_fid.mean() > 3 * (mlp_fid.std(ddof=1) + dcgan_fid.std(ddof=1))
    confident = {name: np.mean([draw["confident"] for draw in draws]) for name, draws in full.items()}
    assert confident["MLP GAN (chapter 3)"] > confident["DCGAN (chapter 4)"], "confidence rewards the collapsed MLP"
    assert mlp_shares[1] > 2 * data_shares[1], "the MLP GAN over-draws 1s (chapter 3)"
    assert (dcgan_shares / data_shares).max() < 2, "the DCGAN over-draws no class by as much"
    assert dcgan_shares.min() >= 0.02, "every digit class is drawn (at least 2% of samples; uniform is 10%)"

# %% [markdown]
# *Reading the numbers.* The full-scale DCGAN is much closer to the held-out digits than the
# full-scale MLP GAN of chapter 3, far beyond the spread over three draws, and it draws every class.
# Note what the confidence share says: the MLP GAN scores *higher* on it, while it over-draws 1s
# (about three times their share of the data, printed above; chapter 3).
# Confidence measures legibility, not coverage; the class shares and the classifier FID, which compares
# whole distributions, catch the partial collapse. Neither generator is balanced — the DCGAN's classes
# also range from under half to well over their share — but none of its classes is over-drawn by as much. (One
# training run each, with different step counts and recipes: this compares the two shipped
# generators, not the two architectures in general.) Both remain far from the real-data floor.
#
# %% [markdown]
# ## Exercises
#
# 1. What output size does `nn.ConvTranspose2d(c, c, kernel_size=4, stride=2, padding=1)` give for
#    an input of size $H$? Check it on $H = 7$ and $H = 14$.
# 2. Extend section 4.4: train both models for 4x and 16x the steps (three seeds each), and the MLP GAN
#    also for the number of steps it takes in the DCGAN's time on your machine (the ratio printed in
#    section 4.4). Does the gap in classifier FID stay, shrink or grow? Then ablate another rule (ReLU instead of LeakyReLU in
#    the discriminator: `activation="relu"`) over three seeds.
# 3. Add a fourth transposed convolution (after the projection and the two stride-2 layers) to make
#    $56 \times 56$ images. Which stride and padding double the size, and which layer loses its Tanh?
# 4. Train the DCGAN on Fashion-MNIST (`dcgan_run(3_000, images=fashion.images)`), then train a
#    Fashion-MNIST classifier (adapt `scripts/train_mnist_classifier.py`, which trained the book's digit
#    classifier) and measure which garment classes the
#    generator draws, and its classifier FID against held-out garments.
#
# ```{admonition} Solution 1
# :class: dropdown
# $(H - 1)\cdot 2 - 2 + 4 = 2H$: the layer exactly doubles the size, $7 \to 14 \to 28$. The cell below checks it.
# ```

# %% tags=["hide-input"]
doubling = nn.ConvTranspose2d(3, 3, kernel_size=4, stride=2, padding=1)
for h in (7, 14):
    out = doubling(torch.zeros(1, 3, h, h)).shape[-1]
    print(f"H = {h} -> {out}")
    assert out == 2 * h

# %% [markdown]
# ```{admonition} Solutions 2 and 3
# :class: dropdown
# 2. Use `run` with `4 * TRAIN_STEPS` and `16 * TRAIN_STEPS` steps (and `round(ratio * TRAIN_STEPS)` for the
#    MLP GAN), and report each FID as mean +- sample SD over the seeds, with the per-seed values; only a
#    difference larger than the spread is a finding. For the ReLU ablation (and for
#    BatchNorm at more steps), compare a measure at a fixed step over three seeds, as section 4.4 does
#    with the mean-image distance.
# 3. Stride 2, kernel 4, padding 1 doubles the size, as in the existing stride-2 layers. The current last
#    layer becomes `ConvTranspose2d(w, w, 4, 2, 1)` + BatchNorm + ReLU (it loses its Tanh and its single
#    output channel), and the new last layer is `ConvTranspose2d(w, 1, 4, 2, 1)` + Tanh; the discriminator
#    needs one more stride-2 convolution so that its final kernel still sees $7 \times 7$.
# ```
#
# ## Summary
#
# - DCGAN's rules: strided and transposed convolutions instead of pooling, BatchNorm except at G's
#   output and D's input, no hidden fully connected layers, ReLU/Tanh in G and LeakyReLU in D, Adam
#   with $2\times10^{-4}$ and $\beta_1 = 0.5$.
# - A transposed convolution is the transpose $C^\top$ of a convolution's matrix; it stamps the kernel
#   at stride offsets. Uneven overlaps, and unequal sub-kernels even with even overlaps, make checkerboards.
# - After the same small number of generator steps the DCGAN recipe is much closer to real digits than
#   the MLP GAN's (classifier FID, three seeds); what a step of each costs depends on the machine (measured in section 4.4); BatchNorm in the generator gives it a head start from the DCGAN initialisation.
# - Slerp keeps Gaussian latent codes at their typical norm; for this generator straight lines give
#   similar images — measure it for yours.
# - Sample with `eval()` when the generator has BatchNorm.
#
# ## References
#
# - Radford, A., Metz, L. & Chintala, S. (2016). Unsupervised Representation Learning with Deep Convolutional Generative Adversarial Networks. *International Conference on Learning Representations (ICLR)*.
# - Ioffe, S. & Szegedy, C. (2015). Batch Normalization: Accelerating Deep Network Training by Reducing Internal Covariate Shift. *Proceedings of the 32nd International Conference on Machine Learning (ICML)*.
# - Dumoulin, V. & Visin, F. (2016). A Guide to Convolution Arithmetic for Deep Learning. arXiv:1603.07285.
# - Odena, A., Dumoulin, V. & Olah, C. (2016). Deconvolution and Checkerboard Artifacts. *Distill*.
# - White, T. (2016). Sampling Generative Networks. arXiv:1609.04468.
# - Xiao, H., Rasul, K. & Vollgraf, R. (2017). Fashion-MNIST: a Novel Image Dataset for Benchmarking Machine Learning Algorithms. arXiv:1708.07747.
#
# Every work cited in the book is in the [bibliography](../bibliography).
