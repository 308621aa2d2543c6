# %% [markdown]
# # 4. DCGAN: convolutional GANs
#
# The MLP GAN of chapter 3 treats an image as 784 unrelated numbers. {cite:t}`radford2016dcgan`
# turned GANs into a practical tool with a handful of architecture rules for *convolutional*
# generators and discriminators (DCGAN). This chapter explains each rule, builds the networks for
# $28 \times 28$ digits, checks the transposed convolution by hand, and shows what the
# convolutions buy: cleaner digits, on a CPU, in about a minute.
#
# **You will learn**
# - the DCGAN rules, and the shape of every layer of a generator and a discriminator for 28x28;
# - what a transposed ("fractionally-strided") convolution computes, and where checkerboards come from;
# - how a DCGAN compares with an MLP GAN at the same wall-clock budget, and what BatchNorm and
#   LeakyReLU contribute;
# - how to walk the latent space (linear vs spherical interpolation), with an explorer widget;
# - three common mistakes: "DCGAN uses upsampling", BatchNorm on the discriminator's input, and
#   sampling in training mode.
#
# **Run time.** Quick profile: about two and a half minutes on two CPU cores. The full profile
# trains several times longer; those generators ship with the book and appear at the end.

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

from gantut import data, features, metrics, nets, plot, train, utils

DCGAN_STEPS = utils.by_profile(PROFILE, quick=1_600, full=12_000)     # the main MNIST run
COMPARE_SECONDS_STEPS = utils.by_profile(PROFILE, quick=(600, 800), full=(3_000, 4_000))  # (DCGAN, MLP): similar time
ABLATION_STEPS = utils.by_profile(PROFILE, quick=400, full=1_500)
FASHION_STEPS = utils.by_profile(PROFILE, quick=1_200, full=6_000)
Z_DIM, WIDTH, BATCH = 64, 32, 64
ADAM = dict(lr=2e-4, betas=(0.5, 0.999))  # the DCGAN paper's optimiser settings
CHECKPOINTS = {"mnist": utils.CHECKPOINT_DIR / "04_dcgan_mnist_generator.pt"}
device = utils.setup(SEED)

# %% tags=["nbval-ignore-output"]
# Which data was found depends on the machine (full MNIST online, the shipped subset offline).
mnist = data.mnist("train")
fashion = data.fashion_mnist("train")

# %% [markdown]
# ## 4.1 The rules
#
# Section 3 of the DCGAN paper lists what made deep convolutional GANs train stably:
#
# 1. **No pooling.** The discriminator downsamples with *strided* convolutions, the generator
#    upsamples with *fractionally-strided* (transposed) convolutions: each network learns its own
#    resampling.
# 2. **BatchNorm** in both networks — except the generator's output layer and the discriminator's
#    input layer.
# 3. **No hidden fully connected layers.** The generator's first layer is a projection of $z$,
#    reshaped into a small feature map; the discriminator's last layer reads its final feature map
#    into one logit.
# 4. **ReLU** in the generator with **Tanh** at the output; **LeakyReLU** (slope 0.2) in the discriminator.
# 5. Adam with learning rate $2 \times 10^{-4}$ and $\beta_1 = 0.5$; weights initialised from
#    $\mathcal N(0, 0.02)$.
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
# Output size: $(H - 1)\cdot s - 2p + k$. Here is a $2 \times 2$ input and a $3 \times 3$ kernel at
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

# %% [markdown]
# *Reading the figure.* Left: the uneven overlap of kernel 3 at stride 2 — a grid pattern any
# generator built from such layers starts out with. Right: kernel 4 at stride 2 covers every
# interior pixel four times; only the border is thinner (there, `padding=1` crops it away).
#
# ## 4.3 Training a DCGAN on MNIST
#
# The training loop is chapter 3's `gantut.train`, unchanged: only the networks differ.

# %%
utils.seed_everything(SEED)
generator = nets.DCGANGenerator(z_dim=Z_DIM, width=WIDTH).apply(nets.init_weights).to(device)
discriminator = nets.DCGANDiscriminator(width=WIDTH).apply(nets.init_weights).to(device)
g_optimizer = torch.optim.Adam(generator.parameters(), **ADAM)
d_optimizer = torch.optim.Adam(discriminator.parameters(), **ADAM)
fixed_noise = torch.randn(64, Z_DIM, generator=torch.Generator().manual_seed(SEED))
EVERY = DCGAN_STEPS // 16
dcgan_steps, mlp_steps = COMPARE_SECONDS_STEPS  # for section 4.4
score_noise = torch.randn(1000, Z_DIM, generator=torch.Generator().manual_seed(SEED + 1))
frames, elapsed = {}, {}
start = time.perf_counter()


def keep_frames(step, generator, discriminator, history):
    elapsed[step] = time.perf_counter() - start  # measured before sampling, which is not training
    frames[step] = train.sample(generator, fixed_noise)
    if step == dcgan_steps:
        frames["for scoring"] = train.sample(generator, score_noise)


history = train.train(generator, discriminator, data.batches(mnist.images, BATCH, device,
                      generator=torch.Generator().manual_seed(SEED)), DCGAN_STEPS, g_optimizer, d_optimizer,
                      callback=keep_frames, every=EVERY, desc="DCGAN on MNIST")
seconds = time.perf_counter() - start
if PROFILE == "full" and SAVE_CHECKPOINT:  # shown in section 4.8
    utils.save_checkpoint(CHECKPOINTS["mnist"], generator, half=True, config={"z_dim": Z_DIM, "width": WIDTH},
                          steps=DCGAN_STEPS, batch=BATCH, seed=SEED, data=mnist.source,
                          train_seconds=round(seconds), hardware=utils.hardware())

# %% tags=["nbval-ignore-output"]
print(f"{DCGAN_STEPS:,} steps in {seconds:.0f} s: {DCGAN_STEPS / seconds:.0f} steps/s, "
      f"{DCGAN_STEPS * BATCH / seconds:,.0f} images/s ({utils.hardware()})")

# %%
shown = [1, EVERY * 2, EVERY * 4, EVERY * 8, DCGAN_STEPS]
assert all(step in frames for step in shown)
fig, axes = plt.subplots(1, len(shown), figsize=(3.2 * len(shown), 3.6))
for ax, step in zip(axes, shown):
    plot.image_grid(frames[step][:36], nrow=6, ax=ax, title=f"step {step:,}")
fig.suptitle("DCGAN: the same 36 noise vectors during training")
plt.show()

# %% tags=["nbval-ignore-output"]
# An animation of the fixed-noise grid over training (plays in the book; pixels differ by machine).
fig, ax = plt.subplots(figsize=(4, 4.3), dpi=70)
steps_sorted = sorted(step for step in frames if isinstance(step, int))


def draw(i):
    ax.clear()
    plot.image_grid(frames[steps_sorted[i]], ax=ax, title=f"step {steps_sorted[i]:,}")


movie = animation.FuncAnimation(fig, draw, frames=len(steps_sorted), interval=300)
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
# *Reading the figures.* Strokes appear within a couple of hundred steps — far sooner than
# with the MLP — and by the end most samples are clean, connected digits with a smooth black
# background: convolutions share weights across positions, so a stroke learned in one place
# works everywhere. The curves tell the same non-story as in chapter 3: a game, not a descent.
#
# ## 4.4 Against the MLP GAN, at the same wall-clock budget
#
# Fair comparisons fix the *time*, not the number of steps: a DCGAN step costs more than an MLP
# step on a CPU. We compare the DCGAN above at step 600 (1,000 samples were drawn then) with
# chapter 3's MLP GAN after 800 steps, which take about as long here (the measured times are printed).
#
# Two yardsticks, both from the small MNIST classifier shipped with the book (`gantut.features`,
# 97% accurate on held-out digits): the share of 1,000 samples it labels with at least 90%
# confidence (a crude legibility score), and — a preview of chapter 7 — the Fréchet distance
# between its 128-dimensional features of 1,000 samples and of 1,000 held-out real digits (lower
# is better; it also penalises a generator that draws only a few classes, which the confidence
# score does not).

# %%
classifier = features.load_mnist_classifier().to(device)
print(f"classifier: held-out accuracy {classifier.meta['test_accuracy']:.1%} on {classifier.meta['n_test']:,} digits")
dcgan_samples, time_dcgan = frames["for scoring"], elapsed[dcgan_steps]

utils.seed_everything(SEED)
g_mlp, d_mlp = nets.MLPGenerator(z_dim=100).to(device), nets.MLPDiscriminator().to(device)
start = time.perf_counter()
train.train(g_mlp, d_mlp, data.batches(mnist.images, BATCH, device, generator=torch.Generator().manual_seed(SEED)),
            mlp_steps, torch.optim.Adam(g_mlp.parameters(), lr=4e-4, betas=(0.5, 0.999)),
            torch.optim.Adam(d_mlp.parameters(), lr=4e-4, betas=(0.5, 0.999)), desc="MLP GAN")
time_mlp = time.perf_counter() - start
mlp_samples = train.sample(g_mlp, torch.randn(1000, 100, generator=torch.Generator().manual_seed(SEED + 1)))

held_out = data.mnist("test", verbose=False).images[:1000]
real_features = features.embed(classifier, held_out)
train_digits = mnist.images[:1000]
candidates = [("DCGAN", dcgan_samples), ("MLP GAN", mlp_samples), ("real training digits", train_digits)]
scores = {name: {"confident": features.confident_fraction(features.classify(classifier, images)),
                 "frechet": metrics.fid(real_features, features.embed(classifier, images))}
          for name, images in candidates}

# %% tags=["nbval-ignore-output"]
print(f"DCGAN: {dcgan_steps:,} steps in {time_dcgan:.0f} s; MLP GAN: {mlp_steps:,} steps in {time_mlp:.0f} s")
for name, score in scores.items():
    print(f"{name:22s} confidently classified: {score['confident']:4.0%}   "
          f"Frechet distance to held-out digits: {score['frechet']:7.1f}")

# %%
assert scores["real training digits"]["frechet"] < min(scores["DCGAN"]["frechet"], scores["MLP GAN"]["frechet"])
if PROFILE == "quick":  # the claim is about this short budget; see the text below
    assert scores["DCGAN"]["frechet"] < 0.5 * scores["MLP GAN"]["frechet"]
    print("after the same short training time the DCGAN is less than half as far from the held-out digits "
          "as the MLP GAN (Frechet distance of classifier features); real training digits are closer than both")
fig, (ax_a, ax_b) = plt.subplots(1, 2, figsize=(10, 5.3))
plot.image_grid(dcgan_samples[:49], nrow=7, ax=ax_a, title=f"DCGAN, {dcgan_steps:,} steps")
plot.image_grid(mlp_samples[:49], nrow=7, ax=ax_b, title=f"MLP GAN, {mlp_steps:,} steps")
fig.suptitle("The same CPU time, two architectures")
plt.show()

# %% [markdown]
# *Reading the figure.* In the same time the DCGAN has drawn digit shapes with clean backgrounds,
# while the MLP's samples are still speckled blobs. The Fréchet distance says the same in one
# number (printed above; real training digits give the floor for 1,000 samples). The confidence
# share is noisier: it rewards any sample that looks like *some* digit, so a generator that
# draws mostly 1s would score well on it.
#
# What the convolutions buy on a CPU is above all *speed of learning*. Given several minutes
# (the full profile compares 3,000 DCGAN steps with 4,000 MLP steps), the MLP GAN catches up on
# this metric, while chapter 3 showed it drifting towards a few classes; run it and compare the
# grids as well as the numbers.
#
# ### Ablations: what BatchNorm and LeakyReLU buy
#
# Two of the rules, switched off one at a time: no BatchNorm in the generator, and ReLU instead of
# LeakyReLU in the discriminator. Same seed, same number of steps as the baseline's snapshot.

# %%
def dcgan_run(steps, batchnorm=True, activation="leaky", images=None, seed=SEED, desc="DCGAN"):
    utils.seed_everything(seed)
    g_net = nets.DCGANGenerator(z_dim=Z_DIM, width=WIDTH, batchnorm=batchnorm).apply(nets.init_weights).to(device)
    d_net = nets.DCGANDiscriminator(width=WIDTH, activation=activation).apply(nets.init_weights).to(device)
    images = mnist.images if images is None else images
    hist = train.train(g_net, d_net, data.batches(images, BATCH, device, generator=torch.Generator().manual_seed(seed)),
                       steps, torch.optim.Adam(g_net.parameters(), **ADAM), torch.optim.Adam(d_net.parameters(), **ADAM),
                       desc=desc)
    return g_net, hist


ablations = {"baseline (all rules)": frames[ABLATION_STEPS] if ABLATION_STEPS in frames else None}
g_no_bn, _ = dcgan_run(ABLATION_STEPS, batchnorm=False, desc="no BatchNorm in G")
g_relu, _ = dcgan_run(ABLATION_STEPS, activation="relu", desc="ReLU in D")
ablations["no BatchNorm in G"] = train.sample(g_no_bn, fixed_noise)
ablations["ReLU instead of LeakyReLU in D"] = train.sample(g_relu, fixed_noise)
assert ablations["baseline (all rules)"] is not None, "ABLATION_STEPS must be a snapshot step of the main run"
ablation_scores = {name: features.confident_fraction(features.classify(classifier, images))
                   for name, images in ablations.items()}

# %% tags=["nbval-ignore-output"]
for name, score in ablation_scores.items():
    print(f"{name:32s} confidently classified: {score:.0%} of 64 samples")

# %%
mean_real = mnist.images.mean(0)
mean_error = {name: (images.mean(0) - mean_real).pow(2).mean().item() for name, images in ablations.items()}
if PROFILE == "quick":  # a claim about this early step: with more steps the generator without BatchNorm recovers
    assert mean_error["no BatchNorm in G"] > 3 * mean_error["baseline (all rules)"]
    print("at step 400, without BatchNorm in G the mean generated image is more than 3x further from the "
          "data's mean image than with it (grey backgrounds)")
fig, axes = plt.subplots(1, 3, figsize=(12, 4.4))
for ax, (name, images) in zip(axes, ablations.items()):
    plot.image_grid(images[:36], nrow=6, ax=ax, title=f"{name}\nstep {ABLATION_STEPS}")
plt.show()

# %% [markdown]
# *Reading the figure.* Without BatchNorm the generator is still drawing grey, checkerboard-textured
# patches at this step — the uneven overlaps of section 4.2, which BatchNorm's per-channel rescaling
# helps the network get past from the small $\mathcal N(0, 0.02)$ initialisation. It is a head
# start, not a wall: after 1,500 steps (the full profile) the gap on this measure is no longer
# threefold. With ReLU in the
# discriminator the samples are close to the baseline's at this budget: on one seed and a
# two-minute run we cannot see an effect of that rule, which the paper's authors found to matter
# for stability on larger images. (The classifier's confidence, printed above, is a blunt tool on
# such early samples; the background check below is not.)
#
# ## 4.5 Walking the latent space
#
# Each $z$ is a point in $\mathbb R^{64}$; a smooth generator maps nearby points to similar
# images. Interpolating between two codes shows how one digit morphs into another. With Gaussian
# $z$ in high dimension, almost all the mass lies near the sphere of radius $\sqrt{64} = 8$, and a
# straight line between two codes passes *inside* it: its midpoint has norm about $8/\sqrt 2$, a
# region the generator never saw in training. **Spherical** interpolation (slerp) follows the
# great circle instead and keeps the norm {cite:p}`white2016sampling`:
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
assert (norms_slerp.max(0).values - norms_slerp.min(0).values).max() < 0.2 * norms_slerp.mean()
print(f"linear midpoints have {ratio:.2f} x the norm of the end points (1/sqrt(2) = 0.71 for independent codes); "
      "spherical ones stay within 20% of it")

# %%
rows = {}
for name, path in [("lerp", lerp), ("slerp", slerp)]:
    codes = torch.stack([path(ends[0], ends[1], t) for t in ts], dim=1).reshape(-1, Z_DIM)  # (4 * 9, Z)
    rows[name] = train.sample(generator, codes)
fig, axes = plt.subplots(1, 2, figsize=(12, 5.8))
for ax, (name, images) in zip(axes, rows.items()):
    plot.image_grid(images, nrow=9, ax=ax, title=f"{name}: each row goes from one code to another")
plt.show()

# %% [markdown]
# *Reading the figure.* Each row starts at one random code and ends at another. Digits morph
# through plausible intermediate shapes — the generator has learned a smooth map, not a lookup
# table. For this small generator the two paths give nearly the same images: it tolerates the
# shorter codes in the middle of the straight line. Slerp is the safe default; the difference
# shows more with larger latent spaces and sharper generators.
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
# shading and ten garment classes. The same DCGAN, unchanged:

# %%
g_fashion, _ = dcgan_run(FASHION_STEPS, images=fashion.images, desc="DCGAN on Fashion-MNIST")
fashion_samples = train.sample(g_fashion, fixed_noise)
fig, (ax_real, ax_fake) = plt.subplots(1, 2, figsize=(10, 5.3))
plot.image_grid(fashion.images[:49], nrow=7, ax=ax_real, title="real Fashion-MNIST")
plot.image_grid(fashion_samples[:49], nrow=7, ax=ax_fake, title=f"DCGAN samples, {FASHION_STEPS:,} steps")
plt.show()
assert fashion_samples.shape == (64, 1, 28, 28)
print(f"classes: {', '.join(data.FASHION_CLASSES)}")

# %% [markdown]
# *Reading the figure.* After about a thousand steps the samples are mostly top-like silhouettes
# (shirts, pullovers, dresses) with coarse shading; other classes are rare or blurry at this
# stage. Textures and logos need far longer training (the full profile trains 6,000 steps).
#
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
upsampled = F.conv2d(F.interpolate(x_demo, scale_factor=2, mode="nearest"), k_demo.flip(-1, -2), padding=2)[..., :10, :10]
assert torch.allclose(transposed, fractional, atol=1e-5) and not torch.allclose(transposed, upsampled, atol=1e-2)
print(f"ConvTranspose2d(stride 2) == zero-insertion + Conv2d: shapes {tuple(transposed.shape)}; "
      "nearest-neighbour upsampling + the same Conv2d gives a different result")

# %% [markdown]
# ```{admonition} Mistake 2: BatchNorm on the discriminator's input layer
# :class: warning
# DCGAN leaves BatchNorm out of the discriminator's first layer. There, BatchNorm (in training
# mode) normalises every channel over the batch, so the first layer cannot see an overall change
# of contrast of a batch: the first convolution is linear, and BatchNorm removes any per-channel
# scale (and shift). A discriminator that cannot see that its whole batch is too faint is easy
# to fool.
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
# ## 4.8 At full scale
#
# The full profile trains the same networks longer (12,000 steps on MNIST). That generator ships
# with the book (`data/checkpoints/04_dcgan_mnist_generator.pt`; provenance in `data/README.md`).
# Loading it and sampling from a fixed seed is deterministic.

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
    full_probabilities = features.classify(classifier, shipped["mnist"][1])
    shares = torch.bincount(full_probabilities.argmax(1), minlength=10).float() / len(full_probabilities)
    assert features.confident_fraction(full_probabilities) >= 0.5 and (shares > 0).sum() >= 9
    print("the classifier labels at least half of the full-scale DCGAN's 64 samples confidently, "
          "and finds at least 9 of the 10 digit classes among them")

# %% [markdown]
# ## Exercises
#
# 1. What output size does `nn.ConvTranspose2d(c, c, kernel_size=4, stride=2, padding=1)` give for
#    an input of size $H$? Check it on $H = 7$ and $H = 14$.
# 2. Re-run the ablations with `SEED = 1` and `SEED = 2`. Which differences survive the change of seed?
# 3. Add a third transposed convolution to make $56 \times 56$ images. Which layer's stride and padding
#    must change to keep the others as they are?
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
# 2. On short runs the ablation grids change noticeably with the seed; differences that hold for
#    every seed are the ones worth believing — one seed is an anecdote.
# 3. None of the existing layers: append `ConvTranspose2d(w, 1, 4, 2, 1)` after a new
#    `ConvTranspose2d(w, w, 4, 2, 1)` + BatchNorm + ReLU block (moving Tanh to the new last layer),
#    and give the discriminator one more stride-2 convolution with a $7 \times 7$ final kernel.
# ```
#
# ## Summary
#
# - DCGAN's rules: strided and transposed convolutions instead of pooling, BatchNorm except at G's
#   output and D's input, no hidden fully connected layers, ReLU/Tanh in G and LeakyReLU in D, Adam
#   with $2\times10^{-4}$ and $\beta_1 = 0.5$.
# - A transposed convolution stamps the kernel at stride offsets; uneven overlaps make checkerboards.
# - At the same CPU time a DCGAN makes far cleaner digits than an MLP GAN.
# - Interpolate Gaussian latent codes along great circles (slerp), not straight lines.
# - Sample with `eval()` when the generator has BatchNorm.
#
# ## References
#
# The works cited in this chapter, with all the others of the book, are listed in the
# [bibliography](../bibliography).
