# %% [markdown]
# # 7. FID, KID and the Inception Score, from their definitions
#
# Papers rank GANs by two numbers, the **Inception Score** {cite:p}`salimans2016improved` and the
# **Fréchet Inception Distance** {cite:p}`heusel2017ttur`, and readers meet them as black boxes whose
# values differ from one library to the next. This chapter builds both, and the **kernel inception
# distance** {cite:p}`binkowski2018demystifying`, from their definitions; checks them against exact
# answers and the reference libraries; measures their biases; and then ranks the GANs of this book.
#
# **You will learn**
# - what IS, FID and KID compute, and the closed form of FID that makes it checkable;
# - that `gantut.metrics` agrees with pytorch-fid and torchmetrics on the same features;
# - the biases: FID of two samples of the *same* data is not 0 and falls like $1/N$; KID is unbiased;
#   IS depends on the number of splits and on the order of the samples;
# - how the three react to noise, blur and dropped classes;
# - the leaderboard of the book's generators, and where it disagrees with the eye;
# - three common mistakes: images in the wrong range, too few samples, FIDs compared across
#   feature extractors.
#
# **Run time.** Quick profile: under a minute on two CPU cores; nothing is trained (the generators
# are the ones shipped with chapters 3–5). The full profile repeats the resamplings of section 7.3
# more often.

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

# %%
import math
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from IPython.display import Markdown, display
from scipy import linalg

from gantut import data, features, metrics, nets, plot, train, utils

REPEATS = utils.by_profile(PROFILE, quick=3, full=10)          # resamplings per point of the bias curves
TIMING_N, TIMING_DIM = 10_000, 2048                             # the speed comparison: Inception-sized features
KID_SUBSETS, KID_SIZE = 20, 500                                 # KID: subsets of 500, as small-sample practice
N_SCORE = 1_000                                                 # samples per generator in the leaderboard
device = utils.setup(SEED)

# %% tags=["nbval-ignore-output"]
# Which data was found depends on the machine (full MNIST online, the shipped subset offline).
train_digits, held_out = data.mnist("train"), data.mnist("test")

# %% [markdown]
# ## 7.1 Three definitions
#
# All three metrics look at images through a fixed network. For natural images it is Inception-v3
# trained on ImageNet; for digits this book uses its own small MNIST classifier (`gantut.features`,
# 97.3% accurate on held-out digits), as much of the literature does for MNIST-like data. Inception-v3
# never saw a handwritten digit: its features describe ImageNet's textures and objects, and a grey
# 28 x 28 digit blown up to 299 x 299 is far from anything it was trained on, so its "classes" for digits
# are meaningless and its features weigh what matters for digits (stroke shape, class) arbitrarily. A
# network that knows the domain measures what we care about. (`features.load_inception` is there for
# readers who score natural images and have its weights.)
#
# The **Inception Score** uses the classifier's predicted class distribution $p(y\mid x)$:
#
# $$ \mathrm{IS} = \exp\Big(\mathbb E_{x \sim p_g}\, \mathrm{KL}\big(p(y\mid x)\,\|\,p(y)\big)\Big), \qquad
#    p(y) = \mathbb E_{x \sim p_g}\, p(y \mid x) . $$ (is)
#
# It is large when each sample is classified confidently (peaked $p(y\mid x)$) *and* the classes are
# balanced (flat $p(y)$); it lies between 1 and the number of classes. It never looks at real data.
#
# The **Fréchet distance** fits a Gaussian to the features of real and of generated images and
# computes the 2-Wasserstein distance between the two Gaussians {cite:p}`heusel2017ttur`:
#
# $$ \mathrm{FID} = \|\mu_r - \mu_g\|^2 + \operatorname{tr}\Sigma_r + \operatorname{tr}\Sigma_g
#    - 2\operatorname{tr}\big(\Sigma_r^{1/2}\,\Sigma_g\,\Sigma_r^{1/2}\big)^{1/2} . $$ (fid)
#
# `metrics.frechet_distance` computes the last trace with eigendecompositions of symmetric matrices
# only. When the covariances commute (e.g. both diagonal) the formula becomes
# $\|\mu_r - \mu_g\|^2 + \|\Sigma_r^{1/2} - \Sigma_g^{1/2}\|_F^2$, which we use as the exact answer.
#
# The **kernel inception distance** {cite:p}`binkowski2018demystifying` is the squared maximum mean
# discrepancy with the kernel $k(x, y) = (x^\top y / d + 1)^3$, estimated without bias:
#
# $$ \mathrm{KID} = \frac{1}{m(m-1)}\sum_{i \ne j} \big[k(x_i, x_j) + k(y_i, y_j)\big]
#    - \frac{2}{m^2}\sum_{i, j} k(x_i, y_j) , $$ (kid)
#
# averaged over random subsets of $m$ real features $x$ and $m$ generated features $y$. Its scale
# follows the features' scale: papers on Inception features quote KID $\times 10^3$; with this book's
# classifier features the values run into the hundreds.

# %%
rng = np.random.default_rng(SEED)
for d in (2, 64, 2048):
    mu_r, mu_g = rng.normal(size=d), rng.normal(size=d)
    var_r, var_g = rng.uniform(0.2, 2, d), rng.uniform(0.2, 2, d)
    exact = np.sum((mu_r - mu_g) ** 2) + np.sum((np.sqrt(var_r) - np.sqrt(var_g)) ** 2)
    value = metrics.frechet_distance(mu_r, np.diag(var_r), mu_g, np.diag(var_g))
    assert abs(value - exact) < 1e-9 * exact
    print(f"d = {d:4d}: Frechet distance {value:10.3f}, closed form {exact:10.3f}")
print("diagonal Gaussians: the implementation equals the closed form to a relative 1e-9")

# %% [markdown]
# For general covariances the classic code computes $\operatorname{tr}\sqrt{\Sigma_r\Sigma_g}$ with
# `scipy.linalg.sqrtm` of a non-symmetric matrix. The symmetric form gives the same number and is
# several times faster; here on 10,000 features of 2,048 dimensions, the size of an Inception-based FID:

# %%
a = rng.normal(size=(TIMING_N, TIMING_DIM))
b = rng.normal(size=(TIMING_N, TIMING_DIM)) * rng.uniform(0.5, 1.5, TIMING_DIM) + 0.1
mu_a, sigma_a = metrics.feature_statistics(a)
mu_b, sigma_b = metrics.feature_statistics(b)
start = time.perf_counter()
ours = metrics.frechet_distance(mu_a, sigma_a, mu_b, sigma_b)
ours_seconds = time.perf_counter() - start
start = time.perf_counter()
root = linalg.sqrtm(sigma_a @ sigma_b)
classic = np.sum((mu_a - mu_b) ** 2) + np.trace(sigma_a) + np.trace(sigma_b) - 2 * np.trace(root).real
classic_seconds = time.perf_counter() - start
assert abs(ours - classic) < 1e-6 * classic
print(f"d = {TIMING_DIM}: symmetric eigendecompositions and scipy's sqrtm agree to a relative 1e-6")

# %% tags=["nbval-ignore-output"]
print(f"symmetric form {ours_seconds:.2f} s, scipy.linalg.sqrtm {classic_seconds:.2f} s "
      f"({classic_seconds / ours_seconds:.0f}x slower)")

# %% [markdown]
# ## 7.2 Agreement with the reference libraries
#
# The same features, three implementations: `gantut.metrics`, pytorch-fid's
# `calculate_frechet_distance` (the port used by most papers) and torchmetrics, given an "extractor"
# that returns the features it is given. The features are the classifier's 128-dimensional
# penultimate activations of 1,000 held-out digits and 1,000 digits from chapter 4's shipped DCGAN.

# %%
classifier = features.load_mnist_classifier().to(device)
dcgan = nets.DCGANGenerator(z_dim=64, width=32)
utils.load_checkpoint(utils.CHECKPOINT_DIR / "04_dcgan_mnist_generator.pt", dcgan)
dcgan_images = train.sample(dcgan, torch.randn(N_SCORE, 64, generator=torch.Generator().manual_seed(1234)))
real_features = features.embed(classifier, held_out.images[:N_SCORE]).double()
fake_features = features.embed(classifier, dcgan_images).double()


class GivenFeatures(torch.nn.Module):
    """Returns its input: lets torchmetrics score features we computed (it probes with a dummy image first)."""

    def __init__(self, d: int):
        super().__init__()
        self.d = d

    def forward(self, x):
        return torch.zeros(len(x), self.d, dtype=torch.float64) if x.dim() == 4 else x


import warnings

from pytorch_fid.fid_score import calculate_frechet_distance
from torchmetrics.image.fid import FrechetInceptionDistance
from torchmetrics.image.inception import InceptionScore
from torchmetrics.image.kid import KernelInceptionDistance

warnings.filterwarnings("ignore", module="torchmetrics")  # notes about buffers and defaults
warnings.filterwarnings("ignore", message="Matrix is singular")  # pytorch-fid; see the note below
torchmetrics_fid = FrechetInceptionDistance(feature=GivenFeatures(128))
torchmetrics_fid.set_dtype(torch.float64)
torchmetrics_fid.update(real_features, real=True)
torchmetrics_fid.update(fake_features, real=False)
torchmetrics_kid = KernelInceptionDistance(feature=GivenFeatures(128), subsets=1, subset_size=N_SCORE)
torchmetrics_kid.update(real_features, real=True)
torchmetrics_kid.update(fake_features, real=False)
dcgan_logits = torch.log(features.classify(classifier, dcgan_images)).double()
torchmetrics_is = InceptionScore(feature=GivenFeatures(10), splits=1)
torchmetrics_is.update(dcgan_logits)
values = {
    "FID": (metrics.fid(real_features, fake_features),
            {"pytorch-fid": calculate_frechet_distance(*metrics.feature_statistics(real_features),
                                                       *metrics.feature_statistics(fake_features)),
             "torchmetrics": torchmetrics_fid.compute().item()}),
    "KID (all samples)": (metrics.kid(real_features, fake_features, subsets=1, subset_size=N_SCORE)[0],
                          {"torchmetrics": torchmetrics_kid.compute()[0].item()}),
    "IS (one split)": (metrics.inception_score(dcgan_logits, splits=1, kind="logits")[0],
                       {"torchmetrics": torchmetrics_is.compute()[0].item()}),
}

# %% tags=["nbval-ignore-output"]
for name, (ours, references) in values.items():
    for library, reference in references.items():
        print(f"{name:18s} gantut {ours:12.6f}   {library:12s} {reference:12.6f}   "
              f"relative difference {abs(ours - reference) / abs(reference):.1e}")

# %%
assert all(abs(ours - ref) < 1e-5 * abs(ref) for ours, refs in values.values() for ref in refs.values())
print("FID, KID and IS: gantut agrees with pytorch-fid and torchmetrics to a relative 1e-5 on the same features")

# %% [markdown]
# pytorch-fid warns here that $\Sigma_r\Sigma_g$ is singular (the warning is silenced above): some of the
# classifier's 128 ReLU features are 0 for every digit, so both covariances have zero rows. Its
# `sqrtm` still returns the right trace; the symmetric form needs no warning, since square roots of
# positive semi-definite matrices exist whether or not they are singular.

# %%
dead = int((real_features.std(0) == 0).sum())
print(f"features that are 0 for all 1,000 held-out digits: {dead} of 128")
assert dead > 0

# %% [markdown]
# The implementations agree; what makes published numbers disagree is everything *around* the formula
# — the network, the resizing, the number of samples — which the rest of the chapter measures. (One
# difference of convention: torchmetrics shuffles samples before splitting them for IS, the original
# code does not.)
#
# ## 7.3 The biases
#
# **FID is biased.** Two samples of the same distribution have FID $> 0$: the estimated covariances
# are noisy, and the noise does not cancel. The bias falls roughly like $1/N$ {cite:p}`binkowski2018demystifying`.
# KID's estimator is unbiased, so its expected value between samples of one distribution is 0 at
# every $N$. Below: real training digits against held-out digits, $N$ of each, resampled three times
# (ten in the full profile).

# %%
sizes = (200, 300, 500, 1000)
train_features = features.embed(classifier, train_digits.images).double()
bias = {"FID": [], "KID": []}
bias_rng = np.random.default_rng(SEED)
for n in sizes:
    fids, kids = [], []
    for _ in range(REPEATS):
        a = train_features[bias_rng.choice(len(train_features), n, replace=False)]
        b = real_features[bias_rng.choice(len(real_features), n, replace=False)]
        fids.append(metrics.fid(a, b))
        kids.append(metrics.kid(a, b, subsets=1, subset_size=n)[0])
    bias["FID"].append(fids)
    bias["KID"].append(kids)
fid_means = np.array([np.mean(v) for v in bias["FID"]])
slope, intercept = np.polyfit(1 / np.array(sizes), fid_means, 1)   # FID ~ intercept + slope / N

fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
for ax, name in zip(axes, ("FID", "KID")):
    values = np.array(bias[name])
    ax.errorbar(sizes, values.mean(1), yerr=values.std(1), marker="o", capsize=3, color=plot.COLORS["data"],
                label="real train vs real held-out")
    ax.set(xlabel="samples per set N", ylabel=name, xscale="log")
    ax.axhline(0, color="k", lw=0.8, ls=":")
n_grid = np.linspace(sizes[0], sizes[-1], 100)
axes[0].plot(n_grid, intercept + slope / n_grid, color=plot.COLORS["generator"], ls="--", label=f"fit a + b / N")
axes[0].set_title("FID of real vs real is far from 0 and falls like 1/N")
axes[1].set_title("KID of real vs real stays near 0 at every N")
for ax in axes:
    ax.legend(frameon=False, fontsize=8)
plt.show()

# %% tags=["nbval-ignore-output"]
for n, fids, kids in zip(sizes, bias["FID"], bias["KID"]):
    print(f"N = {n:5d}: FID {np.mean(fids):6.2f} ± {np.std(fids):4.2f}   KID {np.mean(kids):8.4f} ± {np.std(kids):.4f}")
print(f"fit: FID ~ {intercept:.2f} + {slope:.0f} / N")

# %%
assert fid_means[0] > 2.5 * fid_means[-1] and slope > 0
assert all(abs(np.mean(k)) < 3 * np.std(k) + 0.01 for k in bias["KID"])
print("FID between two real samples shrinks by more than 2.5x from N = 200 to N = 1000 (a 1/N bias); "
      "KID stays within noise of 0")

# %% [markdown]
# So an FID is only comparable with another FID computed from the **same number of samples** (and the
# same reference set). KID can be reported from a few hundred samples; its standard deviation over
# subsets says how far to trust it.
#
# **IS depends on how the samples are split and in what order.** The score is computed per split and
# averaged; each split's marginal $p(y)$ is estimated from fewer samples as the number of splits
# grows. And if the samples are sorted by class, every split sees one class: $p(y)$ is peaked and the
# score collapses towards 1. Real held-out digits, shuffled and sorted:

# %% tags=["nbval-ignore-output"]
real_logits = torch.log(features.classify(classifier, held_out.images)).double()
order = torch.argsort(held_out.labels, stable=True)
is_table = {splits: (metrics.inception_score(real_logits, splits, kind="logits"),
                     metrics.inception_score(real_logits[order], splits, kind="logits"))
            for splits in (1, 2, 5, 10)}
for splits, ((shuffled, spread), (sorted_score, _)) in is_table.items():
    print(f"{splits:2d} splits: IS {shuffled:.2f} ± {spread:.2f} (samples in loader order), "
          f"{sorted_score:.2f} (sorted by class)")

# %%
assert is_table[1][0][0] > 9 and is_table[10][1][0] < 1.5
assert is_table[1][0][0] > is_table[10][0][0]
print("real digits score above 9 of a possible 10 with one split; sorted by class and cut into 10 splits "
      "they score below 1.5; more splits give a lower score")

# %% [markdown]
# Salimans et al. used 50,000 samples in 10 splits; an IS is comparable only with that protocol (and
# the same network). `metrics.inception_score` refuses splits with fewer samples than classes.
#
# ## 7.4 What the metrics notice
#
# After {cite:t}`heusel2017ttur`: take real digits, damage them step by step, and watch the metrics.
# Three damages: Gaussian noise, blur, and **dropped classes** (only the first $k$ digit classes —
# mode dropping, the subject of chapter 6). 800 damaged training digits are scored against the 1,000
# held-out ones.

# %%
from torchvision.transforms.functional import gaussian_blur

N_DAMAGED = 800
damage_rng = torch.Generator().manual_seed(SEED)
base = train_digits.images[torch.randperm(len(train_digits.labels), generator=damage_rng)[:N_DAMAGED]]


def noisy(level):
    return (base + level * torch.randn(base.shape, generator=damage_rng)).clamp(-1, 1)


def blurred(level):
    return base if level == 0 else gaussian_blur(base, kernel_size=9, sigma=level)


def dropped(k):
    kept = torch.nonzero(train_digits.labels < k).squeeze(1)
    return train_digits.images[kept[torch.randperm(len(kept), generator=damage_rng)[:N_DAMAGED]]]


damages = {"Gaussian noise (std)": (noisy, (0.0, 0.1, 0.2, 0.4, 0.8)),
           "blur (kernel std, pixels)": (blurred, (0.0, 0.5, 1.0, 1.5, 2.0)),
           "classes kept": (dropped, (10, 8, 6, 4, 2))}
sensitivity = {}
for name, (damage, levels) in damages.items():
    rows = []
    for level in levels:
        images = damage(level)
        damaged_features = features.embed(classifier, images).double()
        rows.append((metrics.fid(real_features, damaged_features),
                     metrics.kid(real_features, damaged_features, KID_SUBSETS, KID_SIZE)[0],
                     metrics.inception_score(torch.log(features.classify(classifier, images)).double(), kind="logits")[0]))
    sensitivity[name] = (levels, np.array(rows))

fig, axes = plt.subplots(3, 3, figsize=(12, 8.5), sharex="col", layout="constrained")
for col, (name, (levels, rows)) in enumerate(sensitivity.items()):
    for row, metric in enumerate(("FID", "KID", "IS")):
        axes[row, col].plot(levels, rows[:, row], marker="o", color=plot.COLORS["data"])
        axes[row, col].set_ylabel(metric)
    axes[2, col].set_xlabel(name)
    axes[0, col].set_title(name.split(" (")[0])
    if name == "classes kept":
        axes[2, col].invert_xaxis()
fig.suptitle("Real digits, damaged step by step: FID and KID rise, IS falls")
plt.show()

# %% tags=["nbval-ignore-output"]
for name, (levels, rows) in sensitivity.items():
    print(name)
    for level, (fid_value, kid_value, is_value) in zip(levels, rows):
        print(f"  {level:5}: FID {fid_value:8.2f}   KID {kid_value:7.3f}   IS {is_value:5.2f}")

# %%
for name, (levels, rows) in sensitivity.items():
    assert rows[-1, 0] > 5 * rows[0, 0] and rows[-1, 1] > rows[0, 1] + 0.05, name
    assert rows[-1, 2] < rows[0, 2], name
kept_is = sensitivity["classes kept"][1][:, 2]
assert abs(kept_is[-1] - 2) < 0.5
print("every damage raises FID more than 5x and KID clearly, and lowers IS; with only 2 classes kept, IS is "
      "about 2 — the number of classes a perfect classifier would see")

# %% [markdown]
# *Reading the figure.* All three notice all three damages, but differently. IS measures only
# "confident and balanced": with two classes kept it says 2, however perfect the digits; it cannot
# see a generator that copies the training set. FID and KID compare with real data and react to
# everything, FID most steeply.
#
# ## 7.5 The leaderboard
#
# Every MNIST generator this book ships, 1,000 samples each from the same noise seed, against the
# 1,000 held-out digits: FID and KID on the classifier's features and the "MNIST score" (IS with the
# classifier, 10 splits). Chapter 8's conditional generator is asked for each class 100 times (an even
# spread of labels, which an unconditional generator has to find on its own); its four loss-zoo
# generators are chapter 4's DCGAN trained with four losses against one LayerNorm discriminator. The
# reference row is 1,000 real training digits: the best any generator could hope for with this number
# of samples. (Chapter 6's 2D and stacked-MNIST generators model other data; chapter 6 scores them by
# mode coverage.)

# %%
def dcgan_generator():
    return nets.DCGANGenerator(z_dim=64, width=32)


zoo = nn.ModuleDict({name: dcgan_generator() for name in ("non_saturating", "lsgan", "hinge", "wgan_gp")})
zoo_meta = utils.load_checkpoint(utils.CHECKPOINT_DIR / "08_mnist_loss_generators.pt", zoo)
shipped = {   # name: (generator, file), or (generator, None) for a member of the zoo loaded above
    "ch. 3 MLP GAN": (nets.MLPGenerator(z_dim=100), "03_mlp_gan_generator.pt"),
    "ch. 4 DCGAN": (dcgan_generator(), "04_dcgan_mnist_generator.pt"),
    "ch. 5 WGAN, clipping": (dcgan_generator(), "05_wgan_clip_generator.pt"),
    "ch. 5 WGAN-GP": (dcgan_generator(), "05_wgan_gp_generator.pt"),
    "ch. 5 SN-GAN": (dcgan_generator(), "05_sngan_generator.pt"),
    "ch. 8 conditional DCGAN": (nets.ConditionalDCGANGenerator(64, 32, 10), "08_conditional_dcgan_generator.pt"),
    **{f"ch. 8 zoo: {label}": (zoo[key], None) for key, label in
       (("non_saturating", "non-saturating"), ("lsgan", "LSGAN"), ("hinge", "hinge"), ("wgan_gp", "WGAN-GP"))},
}
board_images = {"real training digits": train_digits.images[:N_SCORE]}
board_steps = {}
for name, (model, filename) in shipped.items():
    meta = utils.load_checkpoint(utils.CHECKPOINT_DIR / filename, model) if filename else zoo_meta
    board_steps[name] = meta["steps"]
    z = torch.randn(N_SCORE, model.z_dim, generator=torch.Generator().manual_seed(1234))
    labels = torch.arange(N_SCORE) % 10 if "conditional" in name else None   # 100 of each class
    board_images[name] = train.sample(model, z, labels)
board = {}
for name, images in board_images.items():
    board_features = features.embed(classifier, images).double()
    kid_mean, kid_std = metrics.kid(real_features, board_features, KID_SUBSETS, KID_SIZE)
    board[name] = {"FID": metrics.fid(real_features, board_features), "KID": (kid_mean, kid_std),
                   "IS": metrics.inception_score(torch.log(features.classify(classifier, images)).double(), kind="logits"),
                   "steps": board_steps.get(name)}

# %% tags=["nbval-ignore-output"]
lines = ["| samples | generator steps | FID | KID | MNIST score (IS) |", "|---|---|---|---|---|"]
for name, row in sorted(board.items(), key=lambda item: item[1]["FID"]):
    steps = f"{row['steps']:,}" if row["steps"] else "-"
    lines.append(f"| {name} | {steps} | {row['FID']:.1f} | {row['KID'][0]:.3f} ± {row['KID'][1]:.3f} | "
                 f"{row['IS'][0]:.2f} ± {row['IS'][1]:.2f} |")
display(Markdown("\n".join(lines)))
print("ranked by FID:", ", ".join(sorted(board, key=lambda name: board[name]["FID"])))

# %%
fig, axes = plt.subplots(math.ceil(len(board_images) / 4), 4, figsize=(9, 3 * math.ceil(len(board_images) / 4)))
for ax in axes.flat[len(board_images):]:
    ax.axis("off")
for ax, name in zip(axes.flat, sorted(board, key=lambda name: board[name]["FID"])):
    plot.image_grid(board_images[name][:16], nrow=4, ax=ax, title=f"{name}\nFID {board[name]['FID']:.0f}")
fig.suptitle("The leaderboard's samples, best FID first (16 of the 1,000 scored)")
plt.show()

# %%
ranked = sorted(board, key=lambda name: board[name]["FID"])
assert ranked[0] == "real training digits"
assert board["ch. 5 WGAN, clipping"]["FID"] > 2 * min(board["ch. 5 WGAN-GP"]["FID"], board["ch. 5 SN-GAN"]["FID"])
assert ranked.index("ch. 5 WGAN, clipping") > ranked.index("ch. 5 WGAN-GP")
assert board["ch. 3 MLP GAN"]["FID"] > 2 * board["ch. 4 DCGAN"]["FID"]
assert abs(board["ch. 3 MLP GAN"]["IS"][0] - board["ch. 4 DCGAN"]["IS"][0]) < 0.5
assert ranked[1] == "ch. 8 conditional DCGAN" and board[ranked[1]]["IS"][0] > board["real training digits"]["IS"][0]
# The same conditional generator, the same noise, labels drawn at random instead of 100 of each class:
conditional = shipped["ch. 8 conditional DCGAN"][0]
random_labels = torch.randint(0, 10, (N_SCORE,), generator=torch.Generator().manual_seed(5))
random_images = train.sample(conditional, torch.randn(N_SCORE, 64, generator=torch.Generator().manual_seed(1234)),
                             random_labels)
random_is = metrics.inception_score(torch.log(features.classify(classifier, random_images)).double(), kind="logits")
assert random_is[0] < board["ch. 8 conditional DCGAN"]["IS"][0] - 0.2
assert abs(random_is[0] - board["real training digits"]["IS"][0]) < 0.3
zoo_fids = {name: row["FID"] for name, row in board.items() if name.startswith("ch. 8 zoo")}
assert min(zoo_fids, key=zoo_fids.get) == "ch. 8 zoo: WGAN-GP"
print("real digits rank first; WGAN with clipping has more than twice the FID of WGAN-GP or SN-GAN and ranks below them; "
      "the MLP GAN's FID is more than twice the DCGAN's while their MNIST scores differ by less than 0.5; "
      "the conditional generator ranks first among generators and its MNIST score beats the real digits'; "
      "of the loss zoo, WGAN-GP scores best")
print(f"MNIST score of the conditional generator: 100 of each class {board['ch. 8 conditional DCGAN']['IS'][0]:.2f}, "
      f"random labels {random_is[0]:.2f} ± {random_is[1]:.2f}; real training digits {board['real training digits']['IS'][0]:.2f}")

# %% [markdown]
# *Reading the table.* Among the unconditional generators FID ranks as chapters 4, 5 and 8 did by eye:
# the ones trained against a Lipschitz-constrained discriminator (gradient penalty, spectral
# normalisation) first, well ahead of chapter 4's DCGAN and of clipping; the three chapter 8 losses
# without a constraint (non-saturating, hinge, LSGAN) land next to chapter 4's DCGAN. The conditional
# generator beats them all by a wide margin, and it has help: it is *told* which digit to draw, in equal
# numbers, so it never has to find the class balance that FID checks. The metrics also disagree, in
# instructive ways. The conditional generator's MNIST score is *higher than the real digits'*. Asked
# for labels at random instead, the same generator scores about what the data scores (printed above):
# the margin came from the ten splits (section 7.3 showed IS depends on them), each of which holds
# exactly ten of every class when the labels are dealt out in order, so each split's $p(y)$ is
# perfectly uniform. A score above the data's measured the bookkeeping, not realism. The MNIST score of
# chapter 3's MLP GAN is close to the DCGAN's although its FID is more than twice as large: IS asks
# only for confident, varied labels, and the MLP GAN's digits are legible, just blotchy
# and, as chapter 6 measured, too often 1s. KID puts the clipped WGAN ahead of the DCGAN where FID does
# the opposite — with standard deviations over subsets that show how uncertain KID is at 500 samples.
# No generator reaches the real-data row, whose FID is the bias of section 7.3 at $N = 1{,}000$. These
# are classifier-feature scores on MNIST: they rank *these* models and cannot be compared with the
# Inception-feature FIDs of papers.
#
# ## 7.6 Common mistakes
#
# ```{admonition} Mistake: images in the wrong range
# :class: warning
# Generators output $[-1, 1]$; `ToTensor()` gives $[0, 1]$; image files hold $0 \dots 255$. A feature
# network fed the wrong range sees different images. `gantut.features` refuses $[0, 1]$ input with a
# message; here is what happens when the check is bypassed — the *same* real digits, in $[0, 1]$,
# against themselves in $[-1, 1]$:
# ```

# %% tags=["nbval-ignore-output"]
try:
    features.embed(classifier, (held_out.images + 1) / 2)
except ValueError as error:
    print("ValueError:", error)
with torch.no_grad():
    wrong_range = classifier.embed(((held_out.images[:N_SCORE] + 1) / 2).to(device)).cpu().double()  # check bypassed
wrong_fid = metrics.fid(real_features, wrong_range)
print(f"FID between held-out digits and the same digits in [0, 1]: {wrong_fid:.0f}")
assert wrong_fid > 5 * board["ch. 4 DCGAN"]["FID"]

# %% [markdown]
# Identical digits, an FID more than five times that of chapter 4's generator: the number measures the
# bug. Check the range where images enter the metric, as `plot.check_images` does.
#
# ```{admonition} Mistake: too few samples
# :class: warning
# With fewer samples than feature dimensions the covariance is singular and FID is meaningless (the
# classic code returns complex numbers or warns); with a few more it is dominated by the bias of 7.3.
# `metrics.fid` refuses $N \le d$:
# ```

# %% tags=["nbval-ignore-output"]
try:
    metrics.fid(real_features[:100], fake_features[:100])
except ValueError as error:
    print("ValueError:", error)
print(f"with 200 samples: FID of real vs real {np.mean(bias['FID'][0]):.0f}, of the DCGAN "
      f"{metrics.fid(real_features[:200], fake_features[:200]):.0f} (1,000 samples: {board['ch. 4 DCGAN']['FID']:.0f})")

# %% [markdown]
# ```{admonition} Mistake: comparing FIDs computed with different feature extractors
# :class: warning
# FID is a distance *in a feature space*; change the network (or its layer, or the resizing) and the
# scale changes, and possibly the ranking. The same two generators, scored on the classifier's
# features and on raw pixels (784 dimensions):
# ```

# %% tags=["nbval-ignore-output"]
pixel = lambda images: images.flatten(1).double()
extractor_table = {}
for name in ("ch. 4 DCGAN", "ch. 5 WGAN-GP", "ch. 5 WGAN, clipping"):
    extractor_table[name] = (board[name]["FID"], metrics.fid(pixel(held_out.images[:N_SCORE]), pixel(board_images[name])))
for name, (classifier_fid, pixel_fid) in extractor_table.items():
    print(f"{name:22s} classifier-feature FID {classifier_fid:7.1f}   pixel FID {pixel_fid:7.1f}")

# %%
ratios = [pixel_fid / classifier_fid for classifier_fid, pixel_fid in extractor_table.values()]
assert max(ratios) > 1.5 * min(ratios)
print("the ratio between pixel FID and classifier FID differs by more than 1.5x between generators: "
      "the two feature spaces do not even agree up to a scale")

# %% [markdown]
# The rule: quote FID with the network, the layer, the image preprocessing, the number of generated
# samples and the reference set, and compare only numbers that share all five. Between papers, that
# is rarely the case.
#
# ## Exercises
#
# 1. Show that $1 \le \mathrm{IS} \le C$ for $C$ classes. When is each bound reached?
# 2. Two samples of $N$ points from the same $d$-dimensional standard Gaussian: estimate their FID for
#    $d = 16$ and $N = 50, 100, 200, 400$. Does $N \cdot \mathrm{FID}$ settle?
#
# ```{admonition} Solution 1
# :class: dropdown
# $\log \mathrm{IS} = \mathbb E_x \mathrm{KL}(p(y\mid x)\,\|\,p(y)) = I(x; y) = H(y) - H(y \mid x)$,
# the mutual information between image and label. It is at least 0 (so IS $\ge 1$), with equality when
# $p(y\mid x)$ does not depend on $x$ (one class for everything, or the same uncertain prediction for
# everything); and at most $H(y) \le \log C$ (so IS $\le C$), with equality when every prediction is
# certain ($H(y\mid x) = 0$) and the classes are equally frequent.
# ```
#
# ```{admonition} Solution 2
# :class: dropdown
# Each covariance entry has an error of order $1/\sqrt N$, and the trace terms collect about
# $d^2/N$ of them in squares: $\mathrm{FID} \approx c\, d^2 / N$, so $N \cdot \mathrm{FID}$ settles
# (printed below, for a few repetitions each).
# ```

# %% tags=["hide-input", "nbval-ignore-output"]
exercise_rng = np.random.default_rng(SEED)
for n in (50, 100, 200, 400):
    values = [metrics.fid(exercise_rng.normal(size=(n, 16)), exercise_rng.normal(size=(n, 16))) for _ in range(20)]
    print(f"N = {n:3d}: FID {np.mean(values):.3f}, N * FID {n * np.mean(values):.1f}")

# %% [markdown]
# ## Summary
#
# - IS asks "confident and balanced?" of generated samples alone; FID and KID compare the features
#   of generated and real samples. All three depend on the feature network.
# - `gantut.metrics` computes FID through symmetric matrices in float64, KID as an unbiased MMD, IS with
#   a float64 log-softmax, and agrees with pytorch-fid and torchmetrics on the same features.
# - FID is biased (about $1/N$); KID is not. IS depends on the split count and the sample order.
# - On the book's generators, FID and KID rank WGAN-GP and SN-GAN above the clipped WGAN.
# - Check the image range where it enters the metric; use enough samples; compare FIDs only under the
#   same protocol.
#
# ## References
#
# - Salimans, T., Goodfellow, I., Zaremba, W., et al. (2016). Improved Techniques for Training GANs. *Advances in Neural Information Processing Systems 29 (NIPS 2016)*.
# - Heusel, M., Ramsauer, H., Unterthiner, T., et al. (2017). GANs Trained by a Two Time-Scale Update Rule Converge to a Local Nash Equilibrium. *Advances in Neural Information Processing Systems 30 (NIPS 2017)*.
# - Bi\'nkowski, M., Sutherland, D. J., Arbel, M., et al. (2018). Demystifying MMD GANs. *International Conference on Learning Representations*.
#
# Every work cited in the book is in the [bibliography](../bibliography).
