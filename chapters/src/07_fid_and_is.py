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
# - the biases: FID of two samples of the *same* data is not 0 and falls like $1/N$, and how to
#   extrapolate it to $N = \infty$; KID is unbiased; IS depends on the number of splits and on the
#   order of the samples;
# - how the three react to noise, blur and dropped classes, and precision and recall, which separate
#   the quality of samples from the coverage of the data;
# - the leaderboard of the book's generators, with spreads over noise draws, and a nearest-neighbour
#   check for the one thing all these metrics reward: copying the training set;
# - five common mistakes: images in the wrong range, torchmetrics' input convention, resizing the two
#   sets differently, too few samples, FIDs compared across feature extractors.
#
# **Run time.** Quick profile: under three minutes on the two-core CPU that built this page; nothing is trained (the
# generators are the ones shipped with chapters 3–5 and 8). The full profile repeats the resamplings
# of section 7.3 more often.

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

REPEATS = utils.by_profile(PROFILE, quick=10, full=30)         # resamplings per point of the bias curves
TIMING_N, TIMING_DIM = 5_000, 2048                              # the speed comparison: Inception-sized features
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
# are meaningless, and nothing ties its features to what matters for digits (stroke shape, class). A
# network that knows the domain measures what it was trained to see — for a digit classifier, class
# identity first (section 7.5 shows what that implies). (`features.load_inception` is there for
# readers who score natural images and have its weights.)
#
# The **Inception Score** uses the classifier's predicted class distribution $p(y\mid x)$:
#
# $$ \mathrm{IS} = \exp\Big(\mathbb E_{x \sim p_g}\, \mathrm{KL}\big(p(y\mid x)\,\|\,p(y)\big)\Big), \qquad
#    p(y) = \mathbb E_{x \sim p_g}\, p(y \mid x) . $$ (is)
#
# It is large when each sample is classified confidently (peaked $p(y\mid x)$) *and* the classes are
# balanced (flat $p(y)$); it lies between 1 and the number of classes. It never looks at real data.
# Its logarithm is the mutual information between the sample and its predicted label, and
# {cite:t}`barratt2018note` list what follows from that and from the classifier's role: sensitivity to
# the classifier's weights and to how the samples are split, and no penalty for copying the training set.
#
# The **Fréchet distance** fits a Gaussian to the features of real and of generated images and
# computes the *squared* 2-Wasserstein distance between the two Gaussians {cite:p}`heusel2017ttur`
# (the name "distance" notwithstanding, FID is $W_2^2$, in squared feature units):
#
# $$ \mathrm{FID} = \|\mu_r - \mu_g\|^2 + \operatorname{tr}\Sigma_r + \operatorname{tr}\Sigma_g
#    - 2\operatorname{tr}\Big[\big(\Sigma_r^{1/2}\,\Sigma_g\,\Sigma_r^{1/2}\big)^{1/2}\Big] , $$ (fid)
#
# the trace of a matrix square root, not the square root of a trace. The matrix inside has the same
# eigenvalues as $\Sigma_r\Sigma_g$ (similar to it when $\Sigma_r$ is invertible), so the last term is also written $\operatorname{tr}\big[(\Sigma_r\Sigma_g)^{1/2}\big]$.
#
# `metrics.frechet_distance` computes the last trace from the eigenvalues of one symmetric matrix:
# with $\Sigma_r = LL^\top$ (Cholesky), $\Sigma_r\Sigma_g$ has the eigenvalues of $L^\top\Sigma_g L$, so no general
# matrix square root is needed (a singular $\Sigma_r$ goes through its symmetric square root instead). The
# closed form is {cite:t}`dowson1982frechet`'s. When the covariances commute (e.g. both diagonal) the formula becomes
# $\|\mu_r - \mu_g\|^2 + \|\Sigma_r^{1/2} - \Sigma_g^{1/2}\|_F^2$, which we use as the exact answer.
#
# The **kernel inception distance** {cite:p}`binkowski2018demystifying` is the squared maximum mean
# discrepancy with the kernel $k(x, y) = (x^\top y / d + 1)^3$, estimated without bias (the unbiased
# estimator of {cite:t}`gretton2012kernel`):
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

# In one dimension W2 has a second closed form: the optimal coupling pairs equal quantiles, so W2^2 is
# the mean squared difference of the two sorted samples. FID must equal it, not its square root.
one_d = [np.sort(rng.normal(1.0, 2.0, 200_000)), np.sort(rng.normal(-0.5, 0.5, 200_000))]
w2_squared = np.mean((one_d[0] - one_d[1]) ** 2)
fid_1d = metrics.fid(one_d[0][:, None], one_d[1][:, None])
assert abs(fid_1d - w2_squared) < 0.01 * w2_squared and abs(fid_1d - np.sqrt(w2_squared)) > 1
print(f"1D: FID {fid_1d:.2f}, W2^2 from sorted samples {w2_squared:.2f}, W2 {np.sqrt(w2_squared):.2f}: FID is the square")

# %% [markdown]
# For general covariances the classic code computes $\operatorname{tr}\sqrt{\Sigma_r\Sigma_g}$ with
# `scipy.linalg.sqrtm` of a non-symmetric matrix. The symmetric form gives the same number and is
# several times faster; here on 5,000 features of 2,048 dimensions, the size of an Inception-based FID:

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
# `calculate_frechet_distance` (the PyTorch port of the official implementation) and torchmetrics, given an "extractor"
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
# scipy's `sqrtm`, which pytorch-fid calls, warns here that $\Sigma_r\Sigma_g$ is singular (the warning is
# silenced above): many of the classifier's 128 ReLU features are 0 for every held-out digit (the count is
# printed below), so the covariance of the reference digits has zero rows. Its
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
# **FID is biased.** Two samples of the same distribution have FID $> 0$: the estimated means and
# covariances are noisy, and the noise does not cancel — the mean term alone adds
# $\operatorname{tr}\Sigma_r/N_r + \operatorname{tr}\Sigma_g/N_g$ in expectation {cite:p}`binkowski2018demystifying`. For $N$ well above the
# feature dimension $d$ the expected FID is, to first order, $\mathrm{FID}_\infty + b/N$, and
# {cite:t}`chong2020effectively`, who derive this, turn it into a remedy: compute FID at several $N$,
# fit a line in $1/N$ and report its value at $1/N = 0$, $\mathrm{FID}_\infty$. KID's estimator is unbiased, so its
# expected value between samples of one distribution is 0 at every $N$. Below: two *disjoint* random
# halves of the training digits, $N$ of each, drawn afresh for every repetition (at the largest $N$
# the repetitions split the same pool differently), ten repetitions (thirty in the full profile). The
# true value is 0 for both metrics. We fit the line only where $N \ge 4d$ ($N$ = 750 to 2,000; our
# rule of thumb, not the papers'), and get an error bar for $\mathrm{FID}_\infty$ by fitting each
# repetition's curve separately.

# %%
sizes = np.array([150, 200, 300, 500, 750, 1000, 1500, 2000])
train_features = features.embed(classifier, train_digits.images).double()
d_features = train_features.shape[1]
bias = {"FID": [], "KID": [], "KID, biased estimator": []}
bias_rng = np.random.default_rng(SEED)


def kid_biased(x, y):
    """The V-statistic: the same MMD^2 with the diagonal terms k(x_i, x_i), k(y_i, y_i) kept (a common slip)."""
    x, y = np.asarray(x), np.asarray(y)
    kernel = lambda u, v: (u @ v.T / x.shape[1] + 1) ** 3
    return kernel(x, x).mean() + kernel(y, y).mean() - 2 * kernel(x, y).mean()


for n in sizes:
    rows = {name: [] for name in bias}
    for _ in range(REPEATS):
        pick = bias_rng.permutation(len(train_features))[:2 * n]
        a, b = train_features[pick[:n]], train_features[pick[n:]]
        rows["FID"].append(metrics.fid(a, b))
        rows["KID"].append(metrics.kid(a, b, subsets=1, subset_size=n)[0])
        rows["KID, biased estimator"].append(kid_biased(a, b))
    for name in bias:
        bias[name].append(rows[name])
bias = {name: np.array(values) for name, values in bias.items()}     # (len(sizes), REPEATS)
fid_means = bias["FID"].mean(1)
far = sizes >= 4 * d_features                                         # N >= 4 d: where FID ~ FID_inf + b / N
fit_far = np.polyfit(1 / sizes[far], fid_means[far], 1)               # (b, FID_inf)
per_repeat = [np.polyfit(1 / sizes[far], bias["FID"][far, r], 1)[1] for r in range(REPEATS)]
fid_inf_error = np.std(per_repeat, ddof=1) / np.sqrt(REPEATS)             # standard error of FID_inf

fig, axes = plt.subplots(1, 2, figsize=(11.5, 3.9))
axes[0].errorbar(1 / sizes, fid_means, yerr=bias["FID"].std(1, ddof=1), marker="o", ls="none", capsize=3,
                 color=plot.COLORS["data"], label="real vs real (disjoint halves)")
inverse = np.linspace(0, 1 / sizes[0], 100)
axes[0].plot(inverse, np.polyval(fit_far, inverse), color=plot.COLORS["generator"], ls="--",
             label=f"line through N $\\geq$ {4 * d_features}: FID$_\\infty$ = {fit_far[1]:.1f} ± {fid_inf_error:.1f}")
axes[0].axhline(0, color="k", lw=0.8)
axes[0].set(xlabel="1 / N", ylabel="FID", title="FID of real vs real is a line in 1/N through 0")
for name, style in (("KID", "o"), ("KID, biased estimator", "s")):
    axes[1].errorbar(sizes, bias[name].mean(1), yerr=bias[name].std(1, ddof=1), marker=style, capsize=3, label=name)
axes[1].axhline(0, color="k", lw=0.8, ls=":")
axes[1].set(xlabel="samples per set N", ylabel="KID", xscale="log",
            title="KID of real vs real: the unbiased estimator stays at 0")
axes[1].set_xticks(sizes[::2], [f"{n:,}" for n in sizes[::2]])
axes[1].minorticks_off()
for ax in axes:
    ax.legend(frameon=False, fontsize=8)
plt.show()

# %% tags=["nbval-ignore-output"]
for n, fids, kids, biased in zip(sizes, bias["FID"], bias["KID"], bias["KID, biased estimator"]):
    print(f"N = {n:5d}: FID {fids.mean():6.2f} ± {fids.std(ddof=1):4.2f}   KID {kids.mean():8.4f} ± {kids.std(ddof=1):.4f}   "
          f"biased KID {biased.mean():8.4f} ± {biased.std(ddof=1):.4f}")
print(f"fit through N >= {4 * d_features}: FID ~ {fit_far[1]:.2f} (± {fid_inf_error:.2f}) + {fit_far[0]:.0f} / N")
print(f"FID_inf from single repetitions: {np.mean(per_repeat):.2f} ± {np.std(per_repeat, ddof=1):.2f}; "
      f"{int((np.asarray(per_repeat) < 0).sum())} of {len(per_repeat)} negative")

# %%
assert fid_means[sizes == 500][0] > 3 * fid_means[-1] and fit_far[0] > 0   # the 1/N bias
assert abs(fit_far[1]) < 3 * fid_inf_error                                  # extrapolated to N = infinity: 0
kid_error = bias["KID"].std(1, ddof=1) / np.sqrt(REPEATS)                     # standard error of each mean
assert all(abs(bias["KID"].mean(1)) < 4 * kid_error)
biased_error = bias["KID, biased estimator"].std(1, ddof=1) / np.sqrt(REPEATS)
assert bias["KID, biased estimator"].mean(1)[0] > 4 * biased_error[0]
print("FID of real vs real falls more than 3x from N = 500 to 2,000; the line in 1/N through N >= 4d, averaged "
      "over the repetitions, extrapolates to 0 within 3 standard errors; "
      "the unbiased KID is within 4 standard errors of 0 at every N, the biased one is not")

# %% [markdown]
# So an FID is only comparable with another FID computed from the **same number of samples** (and the
# same reference set) — a necessary condition, not a sufficient one, since $b$ also depends on the
# distributions compared (section 7.5 shows one case). The $1/N$ law is an expansion for $N \gg d$, and the extrapolation is only as
# good as the points it rests on: fitted to one repetition's curve, the intercept scatters with a
# standard deviation about half the FID at $N = 2{,}000$ (printed above), and a single-repetition fit
# can come out negative (how many did is printed), which is impossible for a squared distance. Chong and Forsyth fit it between 5,000 and 50,000 samples of 2,048-dimensional
# Inception features; here, averaging the resamplings at $N \ge 4d$ puts the intercept of two samples of
# one distribution within its error of the true value, 0. KID can be reported from a few hundred samples; its standard deviation says how far to
# trust it. The assertion on KID would fail for the biased estimator (the diagonal terms kept), as the
# second curve shows.
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
        kid_mean, kid_sd = metrics.kid(real_features, damaged_features, KID_SUBSETS, KID_SIZE)
        rows.append((metrics.fid(real_features, damaged_features), kid_mean,
                     metrics.inception_score(torch.log(features.classify(classifier, images)).double(), kind="logits")[0],
                     kid_sd))
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
    for level, (fid_value, kid_value, is_value, _) in zip(levels, rows):
        print(f"  {level:5}: FID {fid_value:8.2f}   KID {kid_value:7.3f}   IS {is_value:5.2f}")

# %%
for name, (levels, rows) in sensitivity.items():
    assert rows[-1, 0] > 5 * rows[0, 0] and rows[-1, 1] > rows[0, 1] + 3 * (rows[-1, 3] + rows[0, 3]), name
    assert rows[-1, 2] < rows[0, 2], name
kept_is = sensitivity["classes kept"][1][:, 2]
assert abs(kept_is[-1] - 2) < 0.5
print("every damage raises FID more than 5x and KID by more than 3 times the summed spreads over its subsets, and "
      "lowers IS; with only 2 classes kept, IS is "
      "about 2 — the number of classes a perfect classifier would see")

# %% [markdown]
# *Reading the figure.* All three notice all three damages, but differently. IS measures only
# "confident and balanced": with two classes kept it says 2, however perfect the digits; it cannot
# see a generator that copies the training set. FID and KID compare with real data and react to all
# three damages (though not to copying, section 7.5).
#
# ## 7.5 The leaderboard
#
# The main MNIST generator of each chapter (not the short or multi-seed comparison runs that chapters 5,
# 8 and 9 also ship), three draws of 1,000 samples each (noise seeds 1234 to 1236),
# against the 1,000 held-out digits: FID and KID on the classifier's features and the "MNIST score" (IS with the
# classifier, 10 splits). Chapter 8's conditional generator is asked for each class 100 times (an even
# spread of labels, which an unconditional generator has to find on its own); its four loss-zoo
# generators are chapter 4's DCGAN trained with four losses against one LayerNorm discriminator; chapter 9's
# are the same DCGAN and a scaled-down pair of R3GAN-style residual networks, both trained with the
# relativistic loss, lazy R1 + R2 penalties and no normalisation in $D$ for 6,250 steps (ten minutes of
# training on a two-thread CPU for the DCGAN, about twenty for the residual pair). The
# reference row is three disjoint sets of 1,000 real training digits: what a sampler of the data itself
# scores with this number of samples (in expectation, for samples whose class counts vary as a random
# draw's do; see the reading of the table). (Chapter 6's 2D and stacked-MNIST generators model other data; chapter 6 scores them by
# mode coverage.) Each ± below is the sample standard deviation over the three noise draws of **one**
# trained generator: the noise of the estimate, not the spread over training seeds. Every row is one
# training run, so a gap between two rows ranks those two trained generators, not their recipes.

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
    "ch. 9 modern, DCGAN nets": (dcgan_generator(), "09_modern_generator.pt"),
    "ch. 9 modern, residual nets": (nets.ResidualGenerator(z_dim=64, width=16), "09_modern_residual_generator.pt"),
}
NOISE_SEEDS = (1234, 1235, 1236)      # three noise draws per generator; three disjoint sets of real digits
board_images = {"real training digits": [train_digits.images[i * N_SCORE:(i + 1) * N_SCORE] for i in range(len(NOISE_SEEDS))]}
board_steps = {}
for name, (model, filename) in shipped.items():
    meta = utils.load_checkpoint(utils.CHECKPOINT_DIR / filename, model) if filename else zoo_meta
    board_steps[name] = meta["steps"]
    labels = torch.arange(N_SCORE) % 10 if "conditional" in name else None   # 100 of each class
    board_images[name] = [train.sample(model, torch.randn(N_SCORE, model.z_dim, generator=torch.Generator().manual_seed(seed)),
                                       labels) for seed in NOISE_SEEDS]


def scores_of(images) -> dict:
    """FID, KID, MNIST score, precision and recall of 1,000 images against the 1,000 held-out digits."""
    image_features = features.embed(classifier, images).double()
    with torch.no_grad():   # the logits from the same features: one pass through the classifier, not two
        logits = classifier.head(image_features.float().to(device)).double().cpu()
    return {"FID": metrics.fid(real_features, image_features),
            "KID": metrics.kid(real_features, image_features, KID_SUBSETS, KID_SIZE)[0],
            "IS": metrics.inception_score(logits, kind="logits")[0],
            **metrics.precision_recall(real_features, image_features)}


board = {}   # name: {metric: (mean, sample standard deviation over the three draws)}
for name, draws in board_images.items():
    per_draw = [scores_of(images) for images in draws]
    board[name] = {metric: (np.mean([row[metric] for row in per_draw]), np.std([row[metric] for row in per_draw], ddof=1))
                   for metric in per_draw[0]}
    board[name]["steps"] = board_steps.get(name)

# %% tags=["nbval-ignore-output"]
lines = ["| samples | generator steps | FID | KID | MNIST score (IS) | precision | recall |", "|---|---|---|---|---|---|---|"]
for name, row in sorted(board.items(), key=lambda item: item[1]["FID"][0]):
    steps = f"{row['steps']:,}" if row["steps"] else "-"
    lines.append(f"| {name} | {steps} | {row['FID'][0]:.1f} ± {row['FID'][1]:.1f} | {row['KID'][0]:.2f} ± {row['KID'][1]:.2f} | "
                 f"{row['IS'][0]:.2f} ± {row['IS'][1]:.2f} | {row['precision'][0]:.2f} ± {row['precision'][1]:.2f} | "
                 f"{row['recall'][0]:.2f} ± {row['recall'][1]:.2f} |")
display(Markdown("\n".join(lines)))
print("ranked by mean FID:", ", ".join(sorted(board, key=lambda name: board[name]["FID"][0])))

# %%
ranked = sorted(board, key=lambda name: board[name]["FID"][0])
fig, axes = plt.subplots(math.ceil(len(board_images) / 4), 4, figsize=(9, 3 * math.ceil(len(board_images) / 4)))
for ax in axes.flat[len(board_images):]:
    ax.axis("off")
for ax, name in zip(axes.flat, ranked):
    label = name.replace("modern, ", "modern,\n")   # two lines for chapter 9's long names
    plot.image_grid(board_images[name][0][:16], nrow=4, ax=ax, title=f"{label}\nFID {board[name]['FID'][0]:.0f}")
fig.suptitle("The leaderboard's samples, best mean FID first (16 of the 1,000 of the first draw)")
plt.show()


# %%
def ahead(better: str, worse: str, metric: str = "FID", by: float = 2.0) -> bool:
    """True when `better` beats `worse` on this board's metric by more than `by` times the sum of their spreads
    over draws (`metrics.ahead`). Lower is better for FID and KID, higher for IS, precision and recall. A margin,
    not a significance test: three draws give rough spreads, and every draw shares the same 1,000 held-out digits.
    """
    return metrics.ahead(board, better, worse, metric, by)


generators = [name for name in board if name != "real training digits"]
assert all(ahead("real training digits", name) for name in generators)
assert all(ahead(name, "ch. 5 WGAN, clipping") for name in ("ch. 5 WGAN-GP", "ch. 5 SN-GAN"))
assert all(ahead("ch. 8 conditional DCGAN", name) for name in generators if name != "ch. 8 conditional DCGAN")
assert all(ahead(name, "ch. 4 DCGAN") for name in ("ch. 5 WGAN-GP", "ch. 5 SN-GAN", "ch. 8 zoo: WGAN-GP"))
assert all(ahead("ch. 8 zoo: WGAN-GP", f"ch. 8 zoo: {loss}") for loss in ("non-saturating", "hinge", "LSGAN"))
same_band = ("ch. 4 DCGAN", "ch. 8 zoo: non-saturating", "ch. 8 zoo: hinge", "ch. 8 zoo: LSGAN")
assert not any(ahead(a, b) for a in same_band for b in same_band if a != b)
lipschitz_band = ("ch. 5 WGAN-GP", "ch. 5 SN-GAN", "ch. 8 zoo: WGAN-GP")
assert not any(ahead(a, b) for a in lipschitz_band for b in lipschitz_band if a != b)
modern_band = ("ch. 9 modern, DCGAN nets", "ch. 9 modern, residual nets")
assert all(ahead(a, b) for a in modern_band for b in ("ch. 5 WGAN-GP", "ch. 5 SN-GAN"))
assert ahead("ch. 9 modern, residual nets", "ch. 8 zoo: WGAN-GP") and not ahead("ch. 9 modern, DCGAN nets", "ch. 8 zoo: WGAN-GP")
assert not any(ahead(a, b, by=1.0) for a in modern_band for b in modern_band if a != b)
assert board["ch. 3 MLP GAN"]["FID"][0] > 2 * board["ch. 4 DCGAN"]["FID"][0]
assert ahead("ch. 3 MLP GAN", "ch. 4 DCGAN", "precision") and ahead("ch. 4 DCGAN", "ch. 3 MLP GAN", "recall")
assert abs(board["ch. 3 MLP GAN"]["IS"][0] - board["ch. 4 DCGAN"]["IS"][0]) < 0.5
assert board["ch. 8 conditional DCGAN"]["IS"][0] > board["real training digits"]["IS"][0] + 3 * board["real training digits"]["IS"][1]
# The same conditional generator, the same noise, labels drawn at random instead of 100 of each class:
conditional = shipped["ch. 8 conditional DCGAN"][0]
random_labels = torch.randint(0, 10, (N_SCORE,), generator=torch.Generator().manual_seed(5))
random_images = train.sample(conditional, torch.randn(N_SCORE, 64, generator=torch.Generator().manual_seed(1234)),
                             random_labels)
random_is = metrics.inception_score(torch.log(features.classify(classifier, random_images)).double(), kind="logits")
assert random_is[0] < board["ch. 8 conditional DCGAN"]["IS"][0] - 0.2
assert abs(random_is[0] - board["real training digits"]["IS"][0]) < 0.3
print("by more than twice the spreads over draws: every generator is behind the real digits, the conditional DCGAN "
      "ahead of every other generator, chapter 9's two modern runs ahead of chapter 5's WGAN-GP and SN-GAN (the "
      "residual run also of the zoo's WGAN-GP, the DCGAN run not), both WGAN-GPs and SN-GAN ahead of chapter 4's "
      "DCGAN and of clipping, the zoo's WGAN-GP ahead of the zoo's other losses; chapter 9's two runs cannot be told "
      "apart even by once the summed spreads; by twice them, the WGAN-GPs and SN-GAN cannot be told apart, nor "
      "chapter 4's DCGAN and the zoo's non-saturating, hinge and LSGAN GANs; the MLP GAN has more than twice the DCGAN's FID, a higher precision and a lower recall, and an "
      "MNIST score within 0.5 of it; the conditional generator's MNIST score beats the real digits'")

# %% tags=["nbval-ignore-output"]
print(f"MNIST score of the conditional generator: 100 of each class {board['ch. 8 conditional DCGAN']['IS'][0]:.2f}, "
      f"random labels {random_is[0]:.2f} ± {random_is[1]:.2f}; real training digits {board['real training digits']['IS'][0]:.2f}")
zoo_rows = {name: board[name]["FID"] for name in board if name.startswith("ch. 8 zoo")}
print("loss zoo, FID mean ± std over draws: " + ", ".join(f"{name[11:]} {m:.1f} ± {sd:.1f}" for name, (m, sd) in zoo_rows.items()))
print(f"real training digits vs held-out, N = {N_SCORE:,}: FID {board['real training digits']['FID'][0]:.1f}; section 7.3's "
      f"two halves of the training digits at N = 1,000: {bias['FID'][sizes == 1000].mean():.1f} (the 1/N fit predicts "
      f"{fit_far[1] + fit_far[0] / 1000:.1f})")
print(f"class counts, held-out reference: {torch.bincount(held_out.labels[:N_SCORE], minlength=10).tolist()}; real row's "
      f"first draw: {torch.bincount(train_digits.labels[:N_SCORE], minlength=10).tolist()}")
floor_rng = np.random.default_rng(SEED + 31)
train_labels = train_digits.labels.numpy()
by_class = [np.flatnonzero(train_labels == c) for c in range(10)]
floors = {"training digits 100 per class": [], "training digits at random": []}
for _ in range(10):
    stratified_pick = np.concatenate([floor_rng.choice(members, N_SCORE // 10, replace=False) for members in by_class])
    random_pick = floor_rng.choice(len(train_labels), N_SCORE, replace=False)
    floors["training digits 100 per class"].append(metrics.fid(real_features, train_features[stratified_pick]))
    floors["training digits at random"].append(metrics.fid(real_features, train_features[random_pick]))
assert np.mean(floors["training digits 100 per class"]) < np.mean(floors["training digits at random"])
print("FID against the stratified held-out digits, N = 1,000, 10 draws each: " + ", ".join(
    f"{name} {np.mean(v):.2f} ± {np.std(v, ddof=1):.2f}" for name, v in floors.items()))

# %% [markdown]
# *Reading the table.* Each number is a mean over three draws of samples, with the standard deviation
# over the draws; only differences of more than twice the summed spreads are read as real (the
# assertions above). Among the unconditional generators FID sorts the book's models into bands. In front,
# chapter 9's two runs of the modern recipe (relativistic loss, zero-centred penalties), which cannot be
# told apart from each other; both are ahead of chapter 5's WGAN-GP and SN-GAN, and the residual run also
# of the zoo's WGAN-GP (the DCGAN run by less than the margin). Then the three trained against a
# Lipschitz-constrained discriminator (both WGAN-GPs, SN-GAN), which cannot be told apart from each
# other; then chapter 4's DCGAN with the zoo's non-saturating, hinge and LSGAN GANs, which cannot be told
# apart either (LSGAN's 10-point gap is inside twice the summed spreads); clipping and the MLP GAN last.
# The conditional generator beats them all, chapter 9's residual run by the narrowest margin, and it has
# help: it is *told* which digit to draw, in equal numbers, so it never has to find the class balance
# that FID on these features rewards — the classifier's features encode the class above all, so a
# classifier FID is in part a test of the class histogram, the effect {cite:t}`kynkaanniemi2023role` find
# for ImageNet classes in Inception-feature FID.
#
# **What the bands are not.** Each row is one training run, scored on three draws of its samples: the
# ± is the spread of the score, not of training (chapter 9 printed its residual run's FID moving from 24.5
# to 16.2 between its last two measurements, 750 steps apart: another seed or checkpoint would give
# another number), and
# {cite:t}`lucic2018equal` found that, given enough hyperparameter search and random restarts,
# differences between GAN variants largely vanish. And the rows differ in more than their names: steps (5,000 to 12,000), optimiser settings,
# critic steps per generator step and compute (chapter 8's WGAN-GP takes five critic steps per generator
# step, at its own learning rate and Adam's $\beta$). So a band is a ranking of *these trained models*,
# not of recipes. KID, whose spread over draws is larger, orders some rows differently: its means put the
# zoo's WGAN-GP level with the zoo's non-saturating GAN, chapter 9's DCGAN-nets run ahead of its
# residual-nets run, and chapter 4's DCGAN behind the zoo's non-saturating GAN — all three within twice
# KID's summed spreads, the chapter's rule, so KID ranks none of these pairs.
#
# The metrics also disagree, in instructive ways. The conditional generator's MNIST score is *higher
# than the real digits'*. Asked for labels at random instead, the same generator scores about what the
# data scores (printed above, one draw): the margin came from how the labels were dealt — in order, ten
# requests of every class in each of the ten splits (section 7.3 showed IS depends on the splits), so each
# split's $p(y)$ is nearly uniform; random labels unbalance both the whole sample and each split, and this
# control does not separate the two. A score above the data's measured the bookkeeping, not realism. The MNIST score of chapter 3's MLP GAN is close to the DCGAN's although its FID is more than
# twice as large: IS asks only for confident, varied labels. Precision and recall (next) say what FID
# folds together: in the classifier's feature space the MLP GAN's samples fall inside the data's
# manifold more often than the DCGAN's (higher precision) while they cover less of the data (lower
# recall) — although to the eye its samples are speckled with salt-and-pepper noise. Precision here
# means "typical for the classifier", not "clean".
#
# No generator reaches the real-data row: 1,000 training digits in file order against the 1,000
# held-out reference digits. Its FID is not section 7.3's real-versus-real value at the same
# $N = 1{,}000$ (two random halves of the training digits; both printed above), and the sampling design
# explains it: with the shipped data the reference set holds exactly 100 digits of each class, the row's
# training digits only roughly 100 (the class counts are printed above), 7.3's random halves whatever a
# random draw gives. The noise in the class counts adds
# to FID's bias. The cell above measures the floor three ways — training digits drawn 100 per class, or at
# random, against the stratified reference — next to 7.3's random-against-random value: the fewer
# random class counts, the lower the floor. So FIDs at equal $N$ can carry different biases, and a
# generator asked for exactly 100 digits of each class (the conditional one) is compared against a
# lower floor than the unconditional ones — one more reason to read only large differences. These are classifier-feature scores on MNIST: they rank *these* models and cannot be
# compared with the Inception-feature FIDs of papers.
#
# **Precision and recall.** FID folds two failures into one number: samples that do not look like
# data (low *quality*) and data that no sample looks like (low *coverage*). {cite:t}`sajjadi2018assessing`
# proposed separating them as precision and recall of distributions; the improved precision and
# recall of {cite:t}`kynkaanniemi2019improved` estimate them from $k$-nearest-neighbour balls, and
# {cite:t}`naeem2020reliable` later made them less sensitive to outliers (density and coverage). Around each real feature vector draw a
# ball reaching to its $k$-th nearest real neighbour ($k = 3$, the paper's choice); the union of the
# balls estimates the data's manifold. **Precision** is the share of generated samples inside it;
# **recall** is the share of real samples inside the manifold built the same way from the generated
# samples (`metrics.precision_recall`, tested against a hand count). The table's last two columns
# are these, on the classifier's features. Section 7.4's damages show what each sees.

# %% tags=["nbval-ignore-output"]
pr_damage = {}
for name, damage, levels in (("classes kept", dropped, (10, 6, 2)), ("Gaussian noise (std)", noisy, (0.0, 0.4, 0.8))):
    pr_damage[name] = {level: metrics.precision_recall(real_features, features.embed(classifier, damage(level)).double())
                       for level in levels}
    for level, result in pr_damage[name].items():
        print(f"{name:21s} {level:4}: precision {result['precision']:.2f}, recall {result['recall']:.2f}")

# %%
two_classes, all_classes = pr_damage["classes kept"][2], pr_damage["classes kept"][10]
assert abs(two_classes["precision"] - all_classes["precision"]) < 0.05 and two_classes["recall"] < 0.4 * all_classes["recall"]
loud, clean = pr_damage["Gaussian noise (std)"][0.8], pr_damage["Gaussian noise (std)"][0.0]
assert loud["precision"] < 0.75 * clean["precision"] and loud["recall"] < 0.1 * clean["recall"]
print("two classes kept: precision unchanged (within 0.05) while recall falls below 40% of the undamaged digits'; "
      "noise of std 0.8 lowers both, precision by more than a quarter and recall almost to 0")

# %% [markdown]
# Dropping classes is the damage FID cannot name and precision and recall can: every remaining digit
# is a good digit (precision unchanged), but much of the data has no sample near it (recall falls
# with the classes kept, somewhat less than in proportion: with 2 of 10 classes, most of the data has no
# sample near it). Strong noise hurts both, recall most: the balls drawn
# around the noisy samples' features contain almost no real digit.

# %% [markdown]
# **A generator that copies its training set wins.** The table's best row is a "generator" that
# returns training digits: it has the best FID, and none of the metrics above can tell it from a
# generator that has learned the distribution. The check is a nearest-neighbour test in pixel space: how far is each
# sample from the closest of the training digits the generators were trained on, compared with
# held-out real digits, which nobody trained on? A copy has distance 0; a generator that has learned
# something new should look like the held-out digits.

# %%
train_pixels = train_digits.images.flatten(1).double()
memorisation = {"held-out real digits": metrics.nearest_neighbour_distances(held_out.images[:N_SCORE].flatten(1).double(), train_pixels),
                "copies of training digits": metrics.nearest_neighbour_distances(board_images["real training digits"][0].flatten(1).double(), train_pixels)}
near_copies = (board_images["real training digits"][0] + 0.1 * torch.randn(N_SCORE, 1, 28, 28, generator=torch.Generator().manual_seed(SEED))).clamp(-1, 1)
memorisation["near-copies (training digits + noise of std 0.1)"] = metrics.nearest_neighbour_distances(near_copies.flatten(1).double(), train_pixels)
for name in generators:                              # every generator of the leaderboard
    memorisation[name] = metrics.nearest_neighbour_distances(board_images[name][0].flatten(1).double(), train_pixels)
shown_in_figure = ("held-out real digits", "copies of training digits", "near-copies (training digits + noise of std 0.1)",
                   "ch. 4 DCGAN", "ch. 5 SN-GAN", "ch. 8 conditional DCGAN")
fig, ax = plt.subplots(figsize=(9, 3.6))
for name in shown_in_figure:
    ax.hist(memorisation[name], bins=np.linspace(0, 25, 51), histtype="step", lw=1.8, label=name)
ax.set(xlabel=f"pixel distance to the nearest of the {len(train_pixels):,} training digits", ylabel="samples (of 1,000)",
       title="Copies sit at 0; these generators' samples are at least as far from the training set as unseen digits")
ax.legend(frameon=False, fontsize=8)
plt.show()

# %%
held_out_median = np.median(memorisation["held-out real digits"])
too_close = lambda name: np.mean(memorisation[name] < 0.4 * held_out_median)   # share of suspiciously close samples
real_rate = too_close("held-out real digits")                 # what unseen real digits score: the rate to compare with
allowed = real_rate + 3 * np.sqrt(max(real_rate, 1 / N_SCORE) * (1 - real_rate) / N_SCORE)   # + 3 binomial SDs
assert too_close("near-copies (training digits + noise of std 0.1)") > 0.9 > allowed
for name in generators:
    assert too_close(name) <= allowed and np.median(memorisation[name]) > 0.9 * held_out_median, name
    assert (memorisation[name] < 1.0).sum() == 0, name                # no near-duplicate at all
print("noisy near-copies of training digits: more than 90% lie within 0.4 of the held-out digits' median distance of "
      f"a training digit; each of the {len(generators)} generators of the leaderboard: no more than held-out real digits "
      "do, plus three binomial standard deviations, no sample within distance 1 of a training digit, and a median "
      "distance at least 0.9 of the held-out digits'")

# %% tags=["nbval-ignore-output"]
print(f"share within 0.4 of the held-out median: held-out real digits {real_rate:.1%}, allowed {allowed:.1%}")
for name, distances in memorisation.items():
    print(f"{name:28s} median nearest-neighbour distance {np.median(distances):5.2f}, 5th percentile "
          f"{np.percentile(distances, 5):5.2f}, within 0.4 of the held-out median {too_close(name):.1%}")

# %% [markdown]
# None of the leaderboard's generators emits an exact copy, and none has more samples close to a training
# digit than unseen real digits do, within the test's margin of a few per cent (all twelve are tested;
# the figure shows three): their
# samples are about as far from the training digits as unseen real digits are, or farther, while the test
# flags exact and noisy copies. Pixel distance has
# a blind spot: a copy shifted by a pixel or two is far from its original in pixels, so a serious check
# also compares in a feature space. A small training set and a large generator can memorise, and FID
# would reward it; the nearest-neighbour check is cheap and belongs next to every FID.
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
assert wrong_fid > 5 * board["ch. 4 DCGAN"]["FID"][0]

# %% [markdown]
# Identical digits, an FID more than five times that of chapter 4's generator: the number measures the
# bug. Check the range where images enter the metric, as `plot.check_images` does.
#
# ```{admonition} Mistake: torchmetrics' input convention
# :class: warning
# torchmetrics' `FrechetInceptionDistance` expects `uint8` images in $[0, 255]$ by default; with
# `normalize=True` it expects floats in $[0, 1]$ and converts them itself with `(imgs * 255).byte()`
# (its source). A generator's $[-1, 1]$ output passed with `normalize=True` is therefore multiplied by
# 255 and cast to bytes. A negative float cast to `uint8` wraps around modulo 256 in the PyTorch build
# used here (older builds on some ARM CPUs saturated to 0 instead); we write the wrap-around out
# explicitly below. The background ($-1 \to -255 \to 1$)
# survives by luck, nearly black; the grey pixels at the edges of the strokes, between $-1$ and $0$,
# come out brighter, and the brightness jumps where the sign changes. The same conversion on held-out
# digits, and what the classifier's FID makes of it:
# ```

# %%
as_bytes = ((held_out.images[:N_SCORE] * 255).long() % 256)   # torchmetrics' conversion of [-1, 1] input, x86 wrap-around
seen = as_bytes.double() / 255 * 2 - 1                         # what the network then sees, back in [-1, 1]
right = ((held_out.images[:N_SCORE] + 1) / 2 * 255).round().byte().double() / 255 * 2 - 1   # the correct route
background = held_out.images[:N_SCORE] == -1
print(f"background pixels (-1): after the wrong conversion {seen[background].unique().tolist()}, after the right one "
      f"{right[background].unique().tolist()}")
fid_wrong_convention = metrics.fid(real_features, features.embed(classifier, seen.float()).double())
fid_right_convention = metrics.fid(real_features, features.embed(classifier, right.float()).double())
edges = (held_out.images[:N_SCORE] > -1) & (held_out.images[:N_SCORE] < 0)
assert fid_right_convention < 1e-6 and fid_wrong_convention > 5
assert seen[edges].mean() > held_out.images[:N_SCORE][edges].mean() + 0.3
print("the same digits scored against themselves: FID 0 through the right conversion, above 5 through the wrong "
      "one, which brightens the pixels between -1 and 0 by more than 0.3 on average")

# %% tags=["nbval-ignore-output"]
print(f"FID, wrong conversion: {fid_wrong_convention:.1f}; real training digits against held-out ones: "
      f"{board['real training digits']['FID'][0]:.1f}")

# %% [markdown]
# A distortion of the size of the real-data floor (printed above), and a silent one: large enough that it
# could reorder generators whose FIDs are close (not shown here). Pass `((x + 1) / 2)` with `normalize=True`, or
# `((x + 1) * 127.5).round().byte()` with the default.
#
# ```{admonition} Mistake: resizing the two sets differently
# :class: warning
# Inception takes $299 \times 299$ inputs, so every image is resized before its features are taken.
# {cite:t}`parmar2022aliased` showed that common implementations resize without the low-pass filter a
# downsampling needs (aliasing), that libraries disagree, and that FID moves with the choice. A
# reference set resized one way and generated images resized another are scored partly on the
# resizer. The classifier here needs no resizing, so we make one: every image goes down to
# $14 \times 14$ and back; the reference digits with an antialiased (filtered) resize, and the samples
# once the same way and once without antialiasing.
# ```

# %%
def resized(images, antialias: bool):
    """Down to 14 x 14 (bilinear, with or without antialiasing) and back up to 28 x 28: (N, 1, 28, 28)."""
    small = F.interpolate(images, size=(14, 14), mode="bilinear", antialias=antialias, align_corners=False)
    return F.interpolate(small, size=(28, 28), mode="bilinear", align_corners=False).clamp(-1, 1)


reference_resized = features.embed(classifier, resized(held_out.images[:N_SCORE], True)).double()
resize_table = {}
for name in ("real training digits", "ch. 4 DCGAN", "ch. 5 SN-GAN"):
    images = board_images[name][0]
    resize_table[name] = tuple(metrics.fid(reference_resized, features.embed(classifier, resized(images, antialias)).double())
                               for antialias in (True, False))
assert all(mixed > same + 10 for same, mixed in resize_table.values())
assert resize_table["real training digits"][1] > 2 * resize_table["ch. 4 DCGAN"][0]
print("resized with the other filter, every set's FID rises by more than 10; real training digits resized the other "
      "way score more than twice the FID of the DCGAN resized like the reference")

# %% tags=["nbval-ignore-output"]
for name, (same, mixed) in resize_table.items():
    print(f"{name:22s} FID, both sets resized alike {same:6.1f}; samples resized without antialiasing {mixed:6.1f}")

# %% [markdown]
# Without antialiasing, a bilinear resize by an exact factor of 2 averages each 2 x 2 block; with it,
# PyTorch widens the filter to a triangle over a larger neighbourhood. Both are reasonable; mixing
# them is not: the mismatch alone makes real digits look worse than a generator resized like the
# reference. Resize both sets with the same code, ideally with a properly antialiased resizer, as
# clean-fid does.
#
# ```{admonition} Mistake: too few samples
# :class: warning
# With fewer samples than feature dimensions the covariance estimate (rank at most $N - 1 < d$) is
# singular and the FID is dominated by bias; with a few more samples bias is still a large share of it
# (section 7.3; at $N = 200$ real digits against real digits score a third of the DCGAN's value, printed
# below). The classic code computes `scipy.linalg.sqrtm` of the
# product $\Sigma_r\Sigma_g$, which is not symmetric. With 50 samples (fewer than the 61 features that
# are not dead, section 7.2) the product has a large null space and the computed square root comes out
# *complex*; its imaginary parts are small enough for pytorch-fid's tolerance ($10^{-3}$), so that code
# drops them and returns a number dominated by bias: two sets of 50 real digits score far from 0 with the
# same code (both printed below). `metrics.fid` refuses $N \le d$:
# ```

# %%
N_FEW = 50


def classic_fid(a: np.ndarray, b: np.ndarray) -> tuple[float, np.ndarray]:
    """What the classic code computes, unchecked: FID with scipy's sqrtm of the product, real part; and the root."""
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")                              # sqrtm warns that the product is singular
        root = linalg.sqrtm(cov_a @ cov_b)
    value = np.sum((a.mean(0) - b.mean(0)) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2 * np.trace(root).real
    return float(value), root


classic_few, few_root = classic_fid(real_features[:N_FEW].numpy(), fake_features[:N_FEW].numpy())
classic_real_few, _ = classic_fid(real_features[:N_FEW].numpy(), real_features[N_FEW:2 * N_FEW].numpy())
assert np.iscomplexobj(few_root) and 0 < np.abs(np.diagonal(few_root).imag).max() < 1e-3
assert classic_few > 1.5 * board["ch. 4 DCGAN"]["FID"][0] and classic_real_few > 0.5 * classic_few   # mostly bias
print(f"classic sqrtm with N = {N_FEW}: a complex result whose imaginary parts pass pytorch-fid's tolerance of 1e-3; "
      "the 'FID' it returns for the DCGAN is more than 1.5 times the one from 1,000 samples, and two sets of real "
      "digits score more than half of it")
try:
    metrics.fid(real_features[:N_FEW], fake_features[:N_FEW])
except ValueError as error:
    print("ValueError:", error)

# %% tags=["nbval-ignore-output"]
print(f"classic code with N = {N_FEW}: the DCGAN {classic_few:.0f}, two sets of held-out digits {classic_real_few:.0f}")
print(f"with 200 samples: FID of real vs real {bias['FID'][sizes == 200].mean():.0f}, of the DCGAN "
      f"{metrics.fid(real_features[:200], fake_features[:200]):.0f} (1,000 samples: {board['ch. 4 DCGAN']['FID'][0]:.0f})")

# %% [markdown]
# ```{admonition} Mistake: comparing FIDs computed with different feature extractors
# :class: warning
# FID is a distance *in a feature space*; change the network (or its layer, or the resizing) and the
# scale changes, and the gaps between generators do not change in proportion. Three of the leaderboard's
# generators, scored on the classifier's features and on pixels averaged over 4 x 4 blocks (49
# dimensions; raw pixels, 784 of them, would need more than 3,000 samples for the $N \ge 4d$ rule of
# section 7.3):
# ```

# %% tags=["nbval-ignore-output"]
pixel = lambda images: nn.functional.avg_pool2d(images, 4).flatten(1).double()     # (N, 49)
extractor_table = {}
for name in ("ch. 4 DCGAN", "ch. 5 WGAN-GP", "ch. 5 WGAN, clipping"):
    extractor_table[name] = (metrics.fid(real_features, features.embed(classifier, board_images[name][0]).double()),
                            metrics.fid(pixel(held_out.images[:N_SCORE]), pixel(board_images[name][0])))
for name, (classifier_fid, pixel_fid) in extractor_table.items():
    print(f"{name:22s} classifier-feature FID {classifier_fid:7.1f}   pooled-pixel FID {pixel_fid:7.2f}")

# %%
ratios = [pixel_fid / classifier_fid for classifier_fid, pixel_fid in extractor_table.values()]
assert max(ratios) > 1.5 * min(ratios)
print("the ratio between pooled-pixel FID and classifier FID differs by more than 1.5x between generators: "
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
# $d^2/N$ of them in squares; the means add $2d/N$. For two standard Gaussians the first-order value
# is $(d^2 + 5d)/(2N)$, which is $168/N$ at $d = 16$, so $N \cdot \mathrm{FID}$ settles near 168
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
# - FID is biased (about $1/N$ for $N \gg d$, which can be extrapolated away); KID is not. IS depends on
#   the split count and the sample order.
# - Precision and recall separate the quality of samples from the coverage of the data; a
#   nearest-neighbour check catches exact and noisy copies of the training set, which every one of these
#   metrics rewards.
# - On the book's unconditional generators, with spreads over draws, FID separates bands: chapter 9's
#   modern runs, the WGAN-GPs and SN-GAN, then chapter 4's DCGAN with the non-saturating, hinge and LSGAN
#   GANs, then clipping and the MLP GAN (the modern DCGAN run is ahead of chapter 8's WGAN-GP by less than
#   the margin). Each row is one training run: the bands rank these trained generators, not recipes.
# - Check the image range and the library's input convention where images enter the metric; resize
#   both sets the same way; use enough samples; compare FIDs only under the same protocol.
#
# ## References
#
# - Salimans, T., Goodfellow, I., Zaremba, W., et al. (2016). Improved Techniques for Training GANs. *Advances in Neural Information Processing Systems 29 (NIPS 2016)*.
# - Heusel, M., Ramsauer, H., Unterthiner, T., et al. (2017). GANs Trained by a Two Time-Scale Update Rule Converge to a Local Nash Equilibrium. *Advances in Neural Information Processing Systems 30 (NIPS 2017)*.
# - Bińkowski, M., Sutherland, D. J., Arbel, M., et al. (2018). Demystifying MMD GANs. *International Conference on Learning Representations*.
# - Barratt, S. & Sharma, R. (2018). A Note on the Inception Score.
# - Dowson, D. C. & Landau, B. V. (1982). The Fréchet Distance between Multivariate Normal Distributions. *Journal of Multivariate Analysis*.
# - Gretton, A., Borgwardt, K. M., Rasch, M. J., et al. (2012). A Kernel Two-Sample Test. *Journal of Machine Learning Research*.
# - Chong, M. J. & Forsyth, D. (2020). Effectively Unbiased FID and Inception Score and Where to Find Them. *IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)*.
# - Kynkäänniemi, T., Karras, T., Aittala, M., et al. (2023). The Role of ImageNet Classes in Fréchet Inception Distance. *International Conference on Learning Representations (ICLR)*.
# - Lucic, M., Kurach, K., Michalski, M., et al. (2018). Are GANs Created Equal? A Large-Scale Study. *Advances in Neural Information Processing Systems*.
# - Sajjadi, M. S. M., Bachem, O., Lucic, M., et al. (2018). Assessing Generative Models via Precision and Recall. *Advances in Neural Information Processing Systems (NeurIPS)*.
# - Kynkäänniemi, T., Karras, T., Laine, S., et al. (2019). Improved Precision and Recall Metric for Assessing Generative Models. *Advances in Neural Information Processing Systems*.
# - Naeem, M. F., Oh, S. J., Uh, Y., et al. (2020). Reliable Fidelity and Diversity Metrics for Generative Models. *Proceedings of the 37th International Conference on Machine Learning (ICML)*.
# - Parmar, G., Zhang, R. & Zhu, J. (2022). On Aliased Resizing and Surprising Subtleties in GAN Evaluation. *IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)*.
#
# Every work cited in the book is in the [bibliography](../bibliography).
