# %% [markdown]
# # 5. Wasserstein GANs: weight clipping and the gradient penalty
#
# Chapter 2 ended on a cliff: when the data and the generator's samples do not overlap, the
# Jensen–Shannon divergence is stuck at $\log 2$, and a perfect discriminator tells the generator nothing
# through the minimax loss, and nothing stable through the non-saturating one {cite:p}`arjovsky2017principled`. {cite:t}`arjovsky2017wgan` replaced the divergence by the **Wasserstein-1 distance**,
# which keeps growing with the distance between the distributions, and trained a *critic* to
# estimate it. The critic must be 1-Lipschitz; this chapter shows the two classic ways to make
# it so — weight clipping {cite:p}`arjovsky2017wgan` and the gradient penalty
# {cite:p}`gulrajani2017improved` — and a third, spectral normalisation {cite:p}`miyato2018spectral`.
#
# **You will learn**
# - why $W_1$ gives a gradient where JS and KL give none, on the paper's parallel-lines example
#   and on chapter 2's disjoint uniforms (now solved);
# - the Kantorovich–Rubinstein duality in one formula, and how well a trained critic estimates $W_1$;
# - WGAN with weight clipping and WGAN-GP on MNIST, with the same networks, seed and number of generator steps, and
#   two diagnostics of clipping: critic weights piled at $\pm c$ (Gulrajani et al.'s Figure 1(b)) and a
#   critic slope far from 1;
# - why the critic's loss, unlike a GAN discriminator's, is a training curve worth reading;
# - common mistakes, each shown running: a Sigmoid on the critic, no constraint at all, BatchNorm
#   in a penalised critic (and `gantut`'s refusal of it), a gradient norm over the wrong dimensions,
#   clipping the generator, and mixed sign conventions in the generator's loss.
#
# **Run time.** Quick profile: two to three minutes on two CPU cores (section 5.4's two WGAN runs are loaded
# from the book's data; `RETRAIN = True` trains them, about two and a half minutes more). A WGAN makes five
# critic steps per generator step, so on a CPU the quick runs on MNIST are short: they show the
# mechanics and the diagnostics, not finished digits. The full profile trains the same models for 24
# (WGAN) and 33 (SN-GAN) times as many steps, with batches of 64, at the papers' learning rates (fast on a GPU; about half an hour
# on a CPU core); those generators ship with the book and appear in section 5.9.

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
RETRAIN = False          # quick profile: train section 5.4's two runs here instead of loading them

# %%
import copy
import math
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from scipy.optimize import linear_sum_assignment, linprog
from scipy.stats import wasserstein_distance
from torch import nn

from gantut import data, features, losses, metrics, nets, plot, runs, theory, train, utils

WGAN_STEPS = utils.by_profile(PROFILE, quick=250, full=6_000)   # generator steps, clipping and penalty alike
LR_SCALE = utils.by_profile(PROFILE, quick=2, full=1)            # quick: twice the papers' learning rates
SN_STEPS = utils.by_profile(PROFILE, quick=300, full=10_000)     # spectral normalisation (one critic step each)
N_CRITIC, CLIP, LAMBDA = 5, 0.01, 10.0                           # the papers' settings
BATCH = utils.by_profile(PROFILE, quick=32, full=64)              # quick: half the batch, half the cost per step
Z_DIM, WIDTH = 64, 32
CHECKPOINTS = {name: utils.CHECKPOINT_DIR / f"05_{name}_generator.pt" for name in ("wgan_clip", "wgan_gp", "sngan")}
QUICK_RUNS = utils.CHECKPOINT_DIR / "05_wgan_quick_runs.pt"        # section 5.4's quick runs, as trained below
device = utils.setup(SEED)

# %% tags=["nbval-ignore-output"]
# Which data was found depends on the machine (full MNIST online, the shipped subset offline).
mnist = data.mnist("train")

# %% [markdown]
# ## 5.1 Three distances on parallel lines
#
# Example 1 of {cite:t}`arjovsky2017wgan`: $Z \sim U[0, 1]$, the data $P_0$ is the segment
# $\{0\} \times [0, 1]$ and the generator's $P_\theta$ the segment $\{\theta\} \times [0, 1]$.
# For $\theta \neq 0$ the supports are disjoint, so
#
# $$ \mathrm{KL}(P_0 \| P_\theta) = \infty, \qquad \mathrm{JS}(P_0, P_\theta) = \log 2, \qquad
#    W_1(P_0, P_\theta) = |\theta| , $$ (three-distances)
#
# where the **Wasserstein-1** (earth mover's) distance is the least average distance that mass must
# travel to turn one distribution into the other,
#
# $$ W_1(P, Q) = \inf_{\gamma \in \Pi(P, Q)} \mathbb E_{(x, y) \sim \gamma} \|x - y\| , $$ (w1-primal)
#
# the infimum over all couplings $\gamma$ with marginals $P$ and $Q$. Here every point moves
# sideways by $|\theta|$. Only $W_1$ changes continuously with $\theta$ and has a derivative (everywhere
# but at $\theta = 0$) that points the generator towards the data.
#
# We check all three numerically. For $W_1$ between two samples of equal size the optimal coupling
# is a matching, which `scipy.optimize.linear_sum_assignment` finds exactly. For JS and KL we give
# the lines a tiny width $\sigma$ (Gaussian across the line) and use chapter 2's grid functions on the
# horizontal coordinate (the vertical one is the same for both distributions and drops out); as
# $\sigma \to 0$ they tend to {eq}`three-distances`.

# %%
def w1_matching(a, b):
    """W1 between two equal-size point clouds (n, d): the mean distance of the optimal matching."""
    cost = np.linalg.norm(a[:, None, :] - b[None, :, :], axis=-1)
    rows, cols = linear_sum_assignment(cost)
    return cost[rows, cols].mean()


rng = np.random.default_rng(SEED)
n_points, sigma = 400, 0.01
heights_data, heights_gen = rng.uniform(0, 1, n_points), rng.uniform(0, 1, n_points)  # Z of each sample
segment = lambda theta, heights: np.stack([np.full(n_points, theta), heights], axis=1)
thetas = np.linspace(-1, 1, 41)
w1_samples = np.array([w1_matching(segment(0.0, heights_data), segment(t, heights_gen)) for t in thetas])
x_grid = np.linspace(-1.2, 1.2, 24_001)
line = lambda theta: np.exp(-(x_grid - theta) ** 2 / (2 * sigma**2)) / (sigma * np.sqrt(2 * np.pi))
js_values = np.array([theory.js_divergence(line(0.0), line(t), x_grid) for t in thetas])
kl_values = np.array([theory.kl_gaussians(0.0, sigma, t, sigma) for t in thetas])  # = theta^2 / (2 sigma^2)

# Every matched pair is |theta| apart sideways, so no matching costs less than |theta|; the optimal one
# costs at most |theta| + the 1D W1 between the two samples' heights (finite-sample noise that vanishes
# as n grows). A matching worse than pairing equal heights would break the upper bound.
height_mismatch = wasserstein_distance(heights_data, heights_gen)           # 1D W1 (section 5.2)
far = np.abs(thetas) >= 0.1
slopes_w1 = np.diff(w1_samples) / np.diff(thetas)                           # between neighbouring offsets
assert (w1_samples <= np.abs(thetas) + height_mismatch + 1e-9).all()
assert np.allclose(slopes_w1[thetas[1:] <= -0.1], -1, atol=0.1) and np.allclose(slopes_w1[thetas[:-1] >= 0.1], 1, atol=0.1)
assert np.allclose(js_values[far], np.log(2), atol=1e-3)
print(f"W1 from optimal matchings of {n_points} points is within {height_mismatch:.3f} (the 1D W1 between the two "
      "samples' heights) of |theta| for all 41 offsets, with slope -1 left of 0 and +1 right of it (within 0.1)")
print(f"JS on the grid = log 2 within 0.001 for every |theta| >= 0.1 (lines of width {sigma})")

# %%
fig, ax = plt.subplots(figsize=(9.5, 3.8))
ax.plot(thetas, w1_samples, "o", ms=4, color=plot.COLORS["data"], label=r"$W_1$ (optimal matching of samples)")
ax.plot(thetas, np.abs(thetas), color=plot.COLORS["data"], lw=1, label=r"$|\theta|$")
ax.plot(thetas, js_values, lw=2, color=plot.COLORS["generator"], label="JS (nats)")
ax.plot(thetas, np.minimum(kl_values, 1.2), lw=2, ls="--", color=plot.COLORS["other"], label="KL (nats, cut at 1.2)")
ax.axhline(np.log(2), color="k", lw=0.8, ls=":", label="log 2")
ax.set(xlabel=r"generator offset $\theta$", ylabel="distance / divergence", ylim=(0, 1.25),
       title="Only the Wasserstein distance grows continuously with the offset")
ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
plt.show()

# %% [markdown]
# *Reading the figure.* JS jumps to $\log 2$ as soon as the lines separate and stays flat: its
# derivative is 0, so a generator trained on it has nowhere to go. KL shoots off to infinity. $W_1$
# is a V: its slope is $\pm 1$ everywhere except at $\theta = 0$, and its negative gradient always points
# towards 0.
#
# ## 5.2 Chapter 2's disjoint case, solved
#
# Chapter 2's generator $G_\theta(z) = z + \theta$, $z \sim U[0, 1]$, against data uniform on $[1, 2]$,
# had $\mathrm{JS} = \log 2$ for every $\theta$ outside $[0, 2]$. Its Wasserstein distance is simply the
# shift, $W_1 = |\theta - 1|$. On the real line $W_1$ has a closed form, $W_1 = \int |F_P(t) - F_Q(t)|\,dt$
# between the two CDFs ({cite:t}`villani2003topics`, §2.2), which `scipy.stats.wasserstein_distance` evaluates
# exactly between empirical CDFs. For two samples of equal size $n$ it is also the mean gap between the
# sorted samples, $\frac1n \sum_i |x_{(i)} - y_{(i)}|$: the optimal plan matches them in order, since
# two matches that cross can be uncrossed without lengthening them. The cell checks that claim against
# the exact optimal matching of `linear_sum_assignment` on 200 points, and scipy's $W_1$ against $|t - 1|$.

# %%
u_data = 1 + torch.rand(20_000, generator=torch.Generator().manual_seed(SEED)).numpy()
u_noise = torch.rand(20_000, generator=torch.Generator().manual_seed(SEED + 1)).numpy()
offsets = np.linspace(-3, 4, 29)
w1_uniform = np.array([wasserstein_distance(u_data, u_noise + t) for t in offsets])
w1_sorted = np.array([np.abs(np.sort(u_data) - np.sort(u_noise + t)).mean() for t in offsets])
assert np.allclose(w1_uniform, w1_sorted, rtol=1e-9, atol=1e-12)     # scipy's CDF form = the sorted-sample form
small_a, small_b = u_data[:200], u_noise[:200] + 0.8                  # the in-order matching is optimal: against
cost = np.abs(small_a[:, None] - small_b[None, :])                    # the exact assignment of 200 points
rows, cols = linear_sum_assignment(cost)
assert np.isclose(cost[rows, cols].mean(), np.abs(np.sort(small_a) - np.sort(small_b)).mean(), rtol=1e-5)
assert cost.diagonal().mean() > 1.5 * cost[rows, cols].mean()         # an unsorted matching is far from optimal
assert np.abs(w1_uniform - np.abs(offsets - 1)).max() < 0.02
print("matching sorted samples in order costs exactly what the optimal assignment of 200 points costs; W1 between "
      "20,000 samples of U[1, 2] and of U[t, t + 1] equals |t - 1| within 0.02 for all 29 offsets")

# %% [markdown]
# ## 5.3 The critic: Kantorovich–Rubinstein duality
#
# The infimum over couplings in {eq}`w1-primal` is intractable for images. Its dual form is not
# (the Kantorovich–Rubinstein theorem; {cite:t}`villani2003topics`, Theorem 1.14, and
# {cite:t}`villani2009optimal`, Remark 6.5):
#
# $$ W_1(P_{data}, P_g) = \sup_{\|f\|_L \le 1} \; \mathbb E_{x \sim P_{data}}[f(x)] - \mathbb E_{x \sim P_g}[f(x)] , $$ (kr-duality)
#
# the supremum over all **1-Lipschitz** functions $f$ ($|f(x) - f(y)| \le \|x - y\|$). In words: find
# the function that scores real samples as high and generated ones as low as it can, *without
# changing faster than distance*; the gap between the average scores is the distance. A neural
# network $f_w$ — the **critic** — plays $f$. It outputs a raw score, not a probability: no Sigmoid.
# Without the Lipschitz constraint the supremum is infinite (multiply $f$ by 10 and the gap grows
# tenfold), which is why every WGAN needs one of the constraints below.
#
# **The duality, checked.** Between two *discrete* distributions both sides of {eq}`kr-duality` are
# linear programs. The primal {eq}`w1-primal` chooses a transport plan $\gamma_{ij} \ge 0$ with row sums
# $p_i$ and column sums $q_j$ and minimises $\sum_{ij} \gamma_{ij}\|x_i - y_j\|$. The dual chooses one
# value $f_k$ per support point and maximises $\sum_k f_k\,(p_k - q_k)$ subject to
# $f_k - f_l \le \|z_k - z_l\|$ for every pair of points — the Lipschitz constraint, written out. Below, six
# weighted points against five in the plane, both solved by `scipy.optimize.linprog`:

# %%
def w1_primal_lp(xs, p, ys, q):
    """min over plans gamma (n, m) >= 0 with gamma 1 = p, gamma^T 1 = q of sum gamma_ij |x_i - y_j|."""
    cost = np.linalg.norm(xs[:, None] - ys[None], axis=-1)                     # (n, m)
    n, m = cost.shape
    rows = np.kron(np.eye(n), np.ones(m))                                       # (n, n*m): row sums of gamma
    cols = np.kron(np.ones(n), np.eye(m))                                       # (m, n*m): column sums
    result = linprog(cost.ravel(), A_eq=np.vstack([rows, cols]), b_eq=np.concatenate([p, q]), bounds=(0, None))
    assert result.status == 0, result.message
    return result.fun, result.x.reshape(n, m)


def w1_dual_lp(xs, p, ys, q):
    """max over f (one value per point of xs and ys) of sum f (p - q), subject to f_k - f_l <= |z_k - z_l|."""
    points, weights = np.vstack([xs, ys]), np.concatenate([p, -q])
    k, l = np.nonzero(~np.eye(len(points), dtype=bool))                        # every ordered pair k != l
    constraints = np.zeros((len(k), len(points)))
    constraints[np.arange(len(k)), k], constraints[np.arange(len(k)), l] = 1.0, -1.0
    bounds = np.linalg.norm(points[k] - points[l], axis=1)
    result = linprog(-weights, A_ub=constraints, b_ub=bounds, bounds=(None, None))
    assert result.status == 0, result.message
    return -result.fun, result.x


lp_rng = np.random.default_rng(SEED)
xs, ys = lp_rng.normal(size=(6, 2)), lp_rng.normal(size=(5, 2)) + [2.0, 0.0]
p_lp, q_lp = lp_rng.dirichlet(np.ones(6)), lp_rng.dirichlet(np.ones(5))
w1_primal, plan = w1_primal_lp(xs, p_lp, ys, q_lp)
w1_dual, f_star = w1_dual_lp(xs, p_lp, ys, q_lp)
points_lp = np.vstack([xs, ys])
lipschitz = max(abs(f_star[k] - f_star[l]) / np.linalg.norm(points_lp[k] - points_lp[l])
                for k in range(len(points_lp)) for l in range(len(points_lp)) if k != l)
moved = np.argwhere(plan > 1e-9)                                                # pairs (i, j) that exchange mass
slope_on_moved = [(f_star[i] - f_star[len(xs) + j]) / np.linalg.norm(xs[i] - ys[j]) for i, j in moved]
assert abs(w1_primal - w1_dual) < 1e-6 and lipschitz < 1 + 1e-6
assert np.allclose(plan.sum(1), p_lp) and np.allclose(plan.sum(0), q_lp)
assert np.allclose(slope_on_moved, 1.0, atol=1e-6)
print(f"primal (cheapest plan): {w1_primal:.4f}   dual (best 1-Lipschitz f): {w1_dual:.4f}")
print(f"largest slope of f between any two points: {lipschitz:.3f}; slope of f along each of the "
      f"{len(moved)} pairs the plan moves mass between: 1 within 1e-6")

# %% [markdown]
# The two programs agree to the last digit, and the optimal $f$ falls with slope exactly 1 from
# $x_i$ to $y_j$ wherever the optimal plan moves mass between them (complementary slackness). That is
# the fact the gradient penalty builds on.
#
# The **gradient penalty** {cite:p}`gulrajani2017improved`: the optimal critic has gradient norm 1
# almost everywhere on the straight lines between points $x$ and $y$ that the *optimal coupling*
# pairs (their Proposition 1). The coupling is unknown during training, so the penalty uses a
# heuristic, motivated by that proposition and supported by experiments rather than a proof: it
# pairs a real sample $x$ with an *independently drawn*
# generated sample $\tilde x$ and penalises deviations from 1 at a random point between them,
# $\hat x = \epsilon x + (1 - \epsilon)\tilde x$, $\epsilon \sim U[0, 1]$:
#
# $$ L_{critic} = \mathbb E[f(\tilde x)] - \mathbb E[f(x)] + \lambda\, \mathbb E_{\hat x}\big[(\|\nabla_{\hat x} f(\hat x)\|_2 - 1)^2\big],
#    \qquad \lambda = 10 . $$ (gp-loss)
#
# Here it is by hand, for a batch; the norm is taken over **all** of a sample's coordinates
# (for images: over every pixel of the image), then squared deviations are averaged over the batch.

# %%
def gradient_penalty_by_hand(critic, real, fake, weight, rng):
    eps = torch.rand(len(real), *[1] * (real.dim() - 1), generator=rng)      # one epsilon per sample
    points = (eps * real + (1 - eps) * fake).requires_grad_(True)             # (N, ...)
    (grads,) = torch.autograd.grad(critic(points).sum(), points, create_graph=True)
    norms = grads.flatten(1).norm(dim=1)                                       # (N,): one norm per sample
    return weight * ((norms - 1) ** 2).mean()


torch.manual_seed(SEED)
image_critic = nets.DCGANDiscriminator(width=8, norm="layer")
real_batch, fake_batch = mnist.images[:16], torch.rand(16, 1, 28, 28) * 2 - 1
mine = gradient_penalty_by_hand(image_critic, real_batch, fake_batch, LAMBDA, torch.Generator().manual_seed(1))
theirs = losses.gradient_penalty(image_critic, real_batch, fake_batch, LAMBDA, rng=torch.Generator().manual_seed(1))
assert torch.allclose(mine, theirs)
print("the penalty by hand equals gantut.losses.gradient_penalty on a batch of 16 images")

# %% [markdown]
# ```{admonition} A trap of the penalty in one dimension
# :class: note
# The two-sided penalty $(\|\nabla f\| - 1)^2$ is smallest at slope $+1$ *and* at slope $-1$. A *linear* 1D
# critic that starts out sloping the wrong way (higher on the generator's samples than on the data) can
# only turn around by passing through slope 0, where the penalty is $\lambda = 10$ — a wall that the
# gain of turning, about $W_1$, cannot climb when $W_1 < 2\lambda$. It settles where
# $sW_1 - \lambda(|s| - 1)^2$ is largest on the wrong side, at slope $-(1 - W_1/(2\lambda))$, with a *negative*
# gap. An MLP critic is not linear: it can turn one region at a time, so some wrong-way starts escape.
# In higher dimensions the gradient can also rotate instead of shrinking, so image critics need not get
# stuck this way; in 1D we use the **one-sided** penalty $\max(0, \|\nabla f\| - 1)^2$, which has no
# wall. {cite:t}`gulrajani2017improved` mention it and keep the two-sided one;
# {cite:t}`petzka2018regularization` argue for the one-sided form (often called WGAN-LP). Either way the
# best slope on the right side is $s^* = 1 + W_1/(2\lambda)$, not 1: the penalty trades a little
# steepness for gap, so the gap at the optimum is $s^* W_1$, above $W_1$.
# The cell below starts eight critics sloping the wrong way between $U[-2, -1]$ and $U[1, 2]$ ($W_1 = 3$),
# from eight initialisations, with each penalty.
# ```

# %%
def gap_from_wrong_start(one_sided, seed, steps=400):
    """Train a 1D critic between U[-2, -1] (generated) and U[1, 2] (data), starting with the wrong orientation.
    Returns the mean gap over the last 50 steps (the minibatch gap fluctuates from step to step)."""
    torch.manual_seed(seed)
    rng = torch.Generator().manual_seed(seed)
    critic = nets.MLPDiscriminator(in_shape=(1,), hidden=(64, 64))
    probe = torch.tensor([[-1.5], [1.5]])
    with torch.no_grad():
        if critic(probe)[1] > critic(probe)[0]:  # make it start higher on the generated side
            critic.net[-1].weight.neg_()
            critic.net[-1].bias.neg_()
    optimizer = torch.optim.Adam(critic.parameters(), lr=1e-3, betas=(0.5, 0.9))
    gaps = []
    for _ in range(steps):
        real, fake = 1 + torch.rand(256, 1, generator=rng), torch.rand(256, 1, generator=rng) - 2
        gap = -losses.critic_loss(critic(real), critic(fake))
        loss = -gap + losses.gradient_penalty(critic, real, fake, LAMBDA, rng, one_sided=one_sided)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        gaps.append(gap.item())
    return float(np.mean(gaps[-50:]))


W1_BOXES, STARTS = 3.0, 8
trapped = -(1 - W1_BOXES / (2 * LAMBDA)) * W1_BOXES          # the wrong-side optimum: -2.55
best = (1 + W1_BOXES / (2 * LAMBDA)) * W1_BOXES              # the right-side optimum s* W1: 3.45
gaps_two_sided = np.array([gap_from_wrong_start(False, SEED + i) for i in range(STARTS)])
gaps_one_sided = np.array([gap_from_wrong_start(True, SEED + i) for i in range(STARTS)])
n_trapped = int((np.abs(gaps_two_sided - trapped) < 0.1).sum())
assert np.abs(gaps_one_sided - best).max() < 0.1     # the one-sided penalty turns every start around, to s* W1
assert n_trapped >= 2                                  # the wall is real: several two-sided starts stay on the wrong side
assert all(abs(g - trapped) < 0.1 or g > 3 for g in gaps_two_sided)   # the others escaped to the right side
print(f"one-sided penalty: all {STARTS} wrong-way starts turn around, to a gap within 0.1 of s* W1 = {best:.2f};\n"
      f"two-sided penalty: some stay trapped within 0.1 of -(1 - W1/(2 lambda)) W1 = {trapped:.2f}, the others escape")

# %% tags=["nbval-ignore-output"]
print(f"two-sided: {n_trapped} of {STARTS} trapped; mean gap over the last 50 of 400 steps, per start: "
      f"{np.round(gaps_two_sided, 2).tolist()}\none-sided: {np.round(gaps_one_sided, 2).tolist()}")

# %% [markdown]
# **How well does a trained critic estimate $W_1$?** Take a bimodal data distribution and a
# Gaussian "generator" in 1D, where the exact $W_1$ comes from sorted samples, and train a small
# MLP critic to maximise the gap of {eq}`kr-duality`, once with the penalty and once with weight clipping
# (every weight clamped to $[-c, c]$ after each step, $c = 0.01$).

# %%
p_data = data.mixture_1d([-2.0, 2.0], 0.5)
p_gen = data.mixture_1d([4.0], 0.8)
rng_1d = torch.Generator().manual_seed(SEED)
w1_exact = wasserstein_distance(p_data.sample(200_000, rng_1d).numpy().ravel(), p_gen.sample(200_000, rng_1d).numpy().ravel())


def fit_critic(constraint, steps, lr, seed=SEED, p=p_data, q=p_gen, sigmoid=False):
    """Train a 1D MLP critic to maximise E_p f - E_q f under a constraint; return it and its estimates.

    constraint: "penalty" or "clip". sigmoid=True puts a Sigmoid on the critic's output (a mistake, section 5.8).
    """
    torch.manual_seed(seed)
    rng = torch.Generator().manual_seed(seed)
    critic = nets.MLPDiscriminator(in_shape=(1,), hidden=(64, 64))
    if sigmoid:
        critic = nn.Sequential(critic, nn.Sigmoid())
    optimizer = (torch.optim.Adam(critic.parameters(), lr=lr, betas=(0.5, 0.9)) if constraint == "penalty"
                 else torch.optim.RMSprop(critic.parameters(), lr=lr))
    estimates = []
    for step in range(steps):
        real, fake = p.sample(512, rng), q.sample(512, rng)
        loss = losses.critic_loss(critic(real), critic(fake))
        estimates.append(-loss.item())
        if constraint == "penalty":
            loss = loss + losses.gradient_penalty(critic, real, fake, LAMBDA, rng=rng, one_sided=True)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if constraint == "clip":
            train.clip_weights(critic, CLIP)
    return critic, estimates


critic_gp, estimates_gp = fit_critic("penalty", 1_500, lr=1e-3)
critic_clip, estimates_clip = fit_critic("clip", 1_500, lr=1e-3)
with torch.no_grad():
    eval_rng = torch.Generator().manual_seed(SEED + 5)
    real_eval, fake_eval = p_data.sample(100_000, eval_rng), p_gen.sample(100_000, eval_rng)
    gap = {name: (c(real_eval).mean() - c(fake_eval).mean()).item() for name, c in
           [("penalty", critic_gp), ("clipping", critic_clip)]}
slope_rng = torch.Generator().manual_seed(SEED + 6)
slopes = {name: losses.critic_gradient_norms(c, losses.interpolates(real_eval[:5000], fake_eval[:5000], slope_rng))
          for name, c in [("penalty", critic_gp), ("clipping", critic_clip)]}
slope_predicted = 1 + w1_exact / (2 * LAMBDA)
# Tolerance: over training seeds the median slope of this 1,500-step critic varies by about +-0.05 around
# s*; within 0.1 of s* and closer to s* than to 1 still tells s* = 1.2 apart from the naive slope 1.
median_slope = slopes["penalty"].median().item()
assert abs(median_slope - slope_predicted) < 0.1 and abs(median_slope - slope_predicted) < abs(median_slope - 1)
assert w1_exact < gap["penalty"] < 1.1 * slope_predicted * w1_exact
assert gap["clipping"] < 0.1 * w1_exact and slopes["clipping"].max() < 0.1
print(f"exact W1 from sorted samples: {w1_exact:.2f}")
print(f"critic with the gradient penalty: the gap exceeds W1, and the median slope on interpolates is within "
      f"0.1 of 1 + W1 / (2 lambda) = {slope_predicted:.2f}, and closer to it than to 1")
k_bound = (CLIP * 8) * (CLIP * 64) * (CLIP * 8)   # largest operator norms of 64x1, 64x64, 1x64 matrices with |w| <= c
print(f"critic with weight clipping: the gap is below W1 / 10 and the slope never reaches 0.1; its Lipschitz "
      f"constant K is at most (8c)(64c)(8c) = 4096 c^3 = {k_bound:.4f}, so its gap is at most K * W1 = {k_bound * w1_exact:.3f}")

# %% tags=["nbval-ignore-output"]
print(f"penalty: gap {gap['penalty']:.2f}, median slope {slopes['penalty'].median().item():.3f}; "
      f"clipping: gap {gap['clipping']:.4f} ({gap['clipping'] / (k_bound * w1_exact):.0%} of the bound K W1), "
      f"largest slope {slopes['clipping'].max().item():.4f}")

# %%
xs = np.linspace(-5, 7, 600)
with torch.no_grad():
    f_gp = critic_gp(torch.tensor(xs, dtype=torch.float32)[:, None]).numpy()
    f_clip = critic_clip(torch.tensor(xs, dtype=torch.float32)[:, None]).numpy()
fig, (ax_f, ax_e) = plt.subplots(1, 2, figsize=(12, 3.8))
ax_f.fill_between(xs, p_data.pdf(xs), alpha=0.2, color=plot.COLORS["data"], label="data density")
ax_f.fill_between(xs, p_gen.pdf(xs), alpha=0.2, color=plot.COLORS["generator"], label="generator density")
ax_r = ax_f.twinx()
ax_r.plot(xs, f_gp - f_gp.mean(), color=plot.COLORS["discriminator"], lw=2, label="critic f, penalty")
ax_r.plot(xs, (f_clip - f_clip.mean()) / max(np.ptp(f_clip), 1e-12) * np.ptp(f_gp), color="k", lw=1.2, ls="--",
          label="critic f, clipping (rescaled)")
ax_r.set_ylabel("critic score (centred)")
ax_f.set(xlabel="x", ylabel="density", title="The critic: high on the data, steady slope in between")
handles = ax_f.get_legend_handles_labels()[0] + ax_r.get_legend_handles_labels()[0]
ax_f.legend(handles, [h.get_label() for h in handles], frameon=False, fontsize=8, loc="upper left")
ax_e.plot(plot.smooth(estimates_gp, 25), color=plot.COLORS["discriminator"], label="penalty")
ax_e.plot(plot.smooth(estimates_clip, 25), color="k", ls="--", label="clipping")
ax_e.axhline(w1_exact, color=plot.COLORS["data"], lw=1, ls=":", label=f"exact $W_1$ = {w1_exact:.2f}")
ax_e.set(xlabel="critic step", ylabel="E[f(data)] - E[f(generated)] (25-step average)",
         title="The estimate during the critic's training")
ax_e.legend(frameon=False, fontsize=8)
plt.show()

# %% [markdown]
# *Reading the figure.* Left: the penalised critic is high on the data, low on the generator's
# mode and falls steadily between them — the shape the duality asks for. The clipped critic has a
# similar shape (drawn rescaled) but a tiny slope. Right: the clipped critic's gap stays near zero:
# every clipped critic is $K$-Lipschitz with $K$ set by $c$ and the architecture — here at most
# $(8c)(64c)(8c) = 4096\,c^3 \approx 0.004$, the product of the largest operator norms its three weight
# matrices can have — so the best of them reaches at most $K \cdot W_1$, and training reaches only part of
# that (printed above): the gap is a lower bound on $K \cdot W_1$ — it can still point the generator the right
# way, as in this 1D case,
# useless as a number, and, as section 5.5 shows, hard to optimise.
#
# The penalised critic's gap *overshoots* $W_1$, by about a predictable amount: the penalty is soft.
# If the critic's slope along the transport paths is $s$, the gap is about $s\,W_1$ and the penalty
# about $\lambda (s - 1)^2$; the critic maximises $s\,W_1 - \lambda(s - 1)^2$, so
# $s^* = 1 + W_1 / (2\lambda)$, here $1 + 4/20 = 1.2$, close to the measured median slope printed above (a
# one-slope heuristic: the exact optimum's slope varies along the transport path).
# The overshoot is small when $W_1 \ll 2\lambda$, that is, once the generator is close to the data.
#
# **The generator can now learn from disjoint supports.** Back to $G_\theta(z) = z + \theta$ from
# $\theta = -2$, with a penalised critic, in the loop of WGAN-GP (Algorithm 1 of
# {cite:t}`gulrajani2017improved`): $n_{critic} = 5$ critic steps, then one generator step on
# $-\mathbb E[f(G(z))]$. Three settings differ from Algorithm 1's: the penalty is the one-sided one of
# section 5.3 (Petzka et al.'s; in 1D the two-sided one can trap the critic, as shown above), Adam's
# $\beta_1$ is 0.5 instead of 0, and the learning rates are this toy's own.

# %%
def wgan_gp_1d(theta_start, steps, g_loss=losses.generator_loss_wasserstein, seed=SEED):
    """WGAN-GP on the disjoint uniforms: data U[1, 2], G_theta(z) = z + theta. Returns theta per step."""
    torch.manual_seed(seed)
    rng = torch.Generator().manual_seed(seed)
    critic = nets.MLPDiscriminator(in_shape=(1,), hidden=(64, 64))
    theta = torch.tensor([theta_start], requires_grad=True)
    c_opt = torch.optim.Adam(critic.parameters(), lr=1e-3, betas=(0.5, 0.9))
    g_opt = torch.optim.Adam([theta], lr=2e-2, betas=(0.5, 0.9))
    path = [theta.item()]
    for step in range(steps):
        for _ in range(N_CRITIC):
            real = 1 + torch.rand(256, 1, generator=rng)
            fake = (torch.rand(256, 1, generator=rng) + theta).detach()
            penalty = losses.gradient_penalty(critic, real, fake, LAMBDA, rng, one_sided=True)  # 1D: see the note above
            loss = losses.critic_loss(critic(real), critic(fake)) + penalty
            c_opt.zero_grad(set_to_none=True)
            loss.backward()
            c_opt.step()
        fake = torch.rand(256, 1, generator=rng) + theta
        g_opt.zero_grad(set_to_none=True)
        g_loss(critic(fake)).backward()   # only theta is stepped below; the critic's gradients are cleared above
        g_opt.step()
        path.append(theta.item())
    return np.array(path)


theta_path = wgan_gp_1d(-2.0, 300)
assert abs(theta_path[-1] - 1) < 0.15 and theta_path[150] > 0
print("theta went from -2 to within 0.15 of 1 (where the data sit) in 300 generator steps")

# %%
fig, (ax_d, ax_t) = plt.subplots(1, 2, figsize=(12, 3.6))
ax_d.plot(offsets, w1_uniform, "o-", ms=3, color=plot.COLORS["data"], label=r"$W_1$ from samples")
ax_d.plot(offsets, (1 - np.maximum(0, 1 - np.abs(offsets - 1))) * np.log(2), color=plot.COLORS["generator"],
          lw=2, label="JS (chapter 2)")
ax_d.set(xlabel=r"generator offset $\theta$ (data on [1, 2])", ylabel="nats / distance",
         title=r"$W_1$ keeps pointing at the data")
ax_d.legend(frameon=False, fontsize=8)
ax_t.plot(theta_path, color=plot.COLORS["discriminator"], lw=2, label=r"$\theta$ (WGAN-GP)")
ax_t.axhline(1, color=plot.COLORS["data"], ls="--", lw=1, label=r"data: $\theta$ = 1")
ax_t.axhspan(-3, 0, color="grey", alpha=0.12, label="supports disjoint")
ax_t.set(xlabel="generator step", ylabel=r"$\theta$", ylim=(-2.5, 2), title="WGAN-GP walks across the gap")
ax_t.legend(frameon=False, fontsize=8, loc="lower right")
plt.show()

# %% [markdown]
# *Reading the figure.* Left: where JS is flat, $W_1$ still slopes towards the data. Right: the
# generator starts with supports two units apart — the situation in which chapter 2's saturating
# loss got no gradient — and still moves to the data: between the supports the critic's slope points
# the way $\partial W_1/\partial\theta$ does. How fast $\theta$ moves is Adam's doing (it normalises the
# gradient's size), and near the data it does not settle: it keeps swinging around 1 (within the 0.15
# checked). Oscillation around an equilibrium is what chapter 9 studies on the Dirac-GAN, where
# {cite:t}`mescheder2018converge` show that WGAN and WGAN-GP with finitely many critic steps per
# generator step need not converge; whether this one comes from the game or from Adam itself (with
# $\beta_1 = 0.5$ at this step size, Adam can circle a plain minimum too), this run does not tell apart.
#
# ## 5.4 Weight clipping and the gradient penalty on MNIST
#
# Now both constraints with the same DCGAN-style networks as chapter 4, with one change: the
# critic has **no BatchNorm** (`norm="none"`), for both constraints, so that the two runs differ only in
# the constraint and in both networks' optimisers and learning rates (the table). The papers' clipped DCGAN critics kept BatchNorm, and
# {cite:t}`arjovsky2017wgan` warn that with a small clipping value and no BatchNorm the gradients can
# vanish: our clipping run is in the regime they warned about, a handicap the penalty run does not have.
# The constraint and optimiser settings are the papers':
#
# | | weight clipping {cite:p}`arjovsky2017wgan` | gradient penalty {cite:p}`gulrajani2017improved` |
# | --- | --- | --- |
# | critic steps per generator step | 5 | 5 |
# | constraint | clamp every critic weight to $[-0.01, 0.01]$ | $\lambda = 10$, eq. {eq}`gp-loss` |
# | optimiser | RMSprop, lr $5\times 10^{-5}$ (Algorithm 1) | Adam, lr $10^{-4}$, $\beta = (0.5, 0.9)$ (the authors' MNIST code) |
#
# The Adam setting needs a word: Algorithm 1 of {cite:t}`gulrajani2017improved` lists
# $\beta_1 = 0$, $\beta_2 = 0.9$, while the authors' published MNIST script uses $\beta_1 = 0.5$,
# $\beta_2 = 0.9$; we follow the script, since our networks are of the same DCGAN family as its. The quick profile
# doubles both learning rates (`LR_SCALE`) so that its few steps get further, and halves the batch
# (32 instead of 64) so that they cost half as much; the full profile uses the table's values and
# batches of 64.
#
# `gantut.train.train` takes both as hooks: `after_d_step=lambda c: train.clip_weights(c, 0.01)` clamps
# the critic after each of its steps, and `penalty=losses.gradient_penalty` adds the last term of {eq}`gp-loss`. The losses are `losses.critic_loss`
# and `losses.generator_loss_wasserstein`; the history's `w_estimate` is the critic's gap
# $\mathbb E[f(x)] - \mathbb E[f(G(z))]$ at each step (penalty excluded).
#
# The two quick-profile runs take about two and a half minutes on one CPU core. The quick profile loads
# them from `data/checkpoints/05_wgan_quick_runs.pt` (networks, the samples shown below, the critic's
# estimate at every step and the Fréchet distances of section 5.6), which the cell below writes when
# `RETRAIN = True` (set it in the parameters cell to train them yourself). The full profile always trains.

# %%
def wgan_run(constraint, steps, seed=SEED, snapshots=(), scores=None, desc=None):
    """Train G and a critic on MNIST with "clip" or "penalty"; return G, the critic, history, snapshots, seconds.

    Samples from fixed_noise are kept at the steps in snapshots; if scores is a dict, the
    Frechet distance of score_noise's samples to held-out digits is stored in it every score_every steps.
    """
    utils.seed_everything(seed)
    generator = nets.DCGANGenerator(z_dim=Z_DIM, width=WIDTH).apply(nets.init_weights).to(device)
    critic = nets.DCGANDiscriminator(width=WIDTH, norm="none").apply(nets.init_weights).to(device)
    if constraint == "clip":
        g_opt, c_opt = (torch.optim.RMSprop(m.parameters(), lr=5e-5 * LR_SCALE) for m in (generator, critic))
        constraint_args = {"after_d_step": lambda c: train.clip_weights(c, CLIP)}  # clamp after each critic step
    else:
        g_opt, c_opt = (torch.optim.Adam(m.parameters(), lr=1e-4 * LR_SCALE, betas=(0.5, 0.9)) for m in (generator, critic))
        constraint_args = {"penalty": lambda c, real, fake: losses.gradient_penalty(c, real, fake, LAMBDA)}
    frames = {}

    def keep(step, generator, critic, history):
        if step in snapshots:
            frames[step] = train.sample(generator, fixed_noise)
        if scores is not None and step % score_every == 0:
            fake_features = features.embed(classifier, train.sample(generator, score_noise))
            scores[step] = metrics.fid(held_out_features, fake_features)

    start = time.perf_counter()
    history = train.train(generator, critic, data.batches(mnist.images, BATCH, device,
                          rng=torch.Generator().manual_seed(seed)), steps, g_opt, c_opt,
                          d_loss=losses.critic_loss, g_loss=losses.generator_loss_wasserstein, n_critic=N_CRITIC,
                          callback=keep, every=1, desc=desc or f"WGAN ({constraint})", **constraint_args)
    return generator, critic, history, frames, time.perf_counter() - start


fixed_noise = torch.randn(64, Z_DIM, generator=torch.Generator().manual_seed(SEED))
shown_steps = sorted({1, WGAN_STEPS // 4, WGAN_STEPS // 2, WGAN_STEPS})
classifier, held_out_features = runs.digit_yardstick(device)   # section 5.6's yardstick: 1,000 held-out digits
score_noise = torch.randn(500, Z_DIM, generator=torch.Generator().manual_seed(SEED + 1))
score_every = max(WGAN_STEPS // 5, 1)                  # 50 (quick) or 1,200 (full): divides WGAN_STEPS
CONSTRAINTS = ("clip", "penalty")


def run_modules() -> nn.ModuleDict:
    """Both runs' generator, critic and snapshots (25 samples per shown step, as frozen parameters): one saveable module."""
    return nn.ModuleDict({constraint: nn.ModuleDict({
        "generator": nets.DCGANGenerator(z_dim=Z_DIM, width=WIDTH),
        "critic": nets.DCGANDiscriminator(width=WIDTH, norm="none"),
        "snapshots": nn.ParameterDict({f"step_{step}": nn.Parameter(torch.zeros(25, 1, 28, 28), requires_grad=False)
                                       for step in shown_steps})}) for constraint in CONSTRAINTS})


def train_runs(modules: nn.ModuleDict | None = None) -> dict:
    """Train both runs into `wgan_runs`; copy them into modules (if given); return what the figures need besides the networks."""
    wgan_runs.update({constraint: wgan_run(constraint, WGAN_STEPS, snapshots=shown_steps,
                                 scores=frechet if constraint == "penalty" else None) for constraint in CONSTRAINTS})
    for constraint, (generator, critic, _, frames, _) in (wgan_runs.items() if modules is not None else ()):
        modules[constraint]["generator"].load_state_dict(generator.state_dict())
        modules[constraint]["critic"].load_state_dict(critic.state_dict())
        for step in shown_steps:
            modules[constraint]["snapshots"][f"step_{step}"].copy_(frames[step][:25])
    return {"steps": WGAN_STEPS, "batch": BATCH, "n_critic": N_CRITIC, "seed": SEED, "data": mnist.source,
            "seconds": {c: wgan_runs[c][4] for c in CONSTRAINTS}, "frechet": {str(k): v for k, v in frechet.items()},
            "w_estimate": {c: wgan_runs[c][2]["w_estimate"] for c in CONSTRAINTS}}


frechet, wgan_runs = {}, {}
trained_here = PROFILE == "full"
if PROFILE == "full":
    train_runs()
    if SAVE_CHECKPOINT:  # shown in section 5.9
        for constraint, name in (("clip", "wgan_clip"), ("penalty", "wgan_gp")):
            generator, _, _, _, seconds = wgan_runs[constraint]
            utils.save_checkpoint(CHECKPOINTS[name], generator, half=True, config={"z_dim": Z_DIM, "width": WIDTH},
                                  steps=WGAN_STEPS, n_critic=N_CRITIC, batch=BATCH, seed=SEED, data=mnist.source,
                                  train_seconds=round(seconds), hardware=utils.hardware())
else:   # quick: load the shipped runs (or train and save them, RETRAIN = True), as wgan_runs = {constraint: (G, critic, history, frames, seconds)}
    modules = run_modules()
    quick_meta = runs.load_or_train(QUICK_RUNS, modules, lambda: train_runs(modules), profile=PROFILE, retrain=RETRAIN,
                                    save=RETRAIN or not QUICK_RUNS.exists(), steps=WGAN_STEPS, batch=BATCH)
    trained_here = quick_meta["trained_here"]
    if not wgan_runs:
        frechet.update({int(step): value for step, value in quick_meta["frechet"].items()})
        wgan_runs.update({c: (modules[c]["generator"].to(device).eval(), modules[c]["critic"].to(device),
                    {"w_estimate": quick_meta["w_estimate"][c]},
                    {step: modules[c]["snapshots"][f"step_{step}"].detach() for step in shown_steps},
                    quick_meta["seconds"][c]) for c in CONSTRAINTS})
    print(f"section 5.4's runs: {WGAN_STEPS:,} generator steps each, trained on {quick_meta['hardware']}")
    if quick_meta["seed"] != SEED:
        print(f"the shipped runs are seed {quick_meta['seed']}'s (this run's SEED is {SEED}); RETRAIN = True trains them with it")

# %% tags=["nbval-ignore-output"]
for constraint, (_, _, history, _, seconds) in wgan_runs.items():
    print(f"{constraint:8s}: {WGAN_STEPS:,} generator steps ({N_CRITIC * WGAN_STEPS:,} critic steps) in {seconds:.0f} s, "
          f"{WGAN_STEPS / seconds:.1f} generator steps/s, {(N_CRITIC + 1) * WGAN_STEPS * BATCH / seconds:,.0f} images/s "
          f"through the networks ({utils.hardware() if trained_here else quick_meta['hardware'] + ', when the shipped runs were trained'})")

# %%
fig, axes = plt.subplots(2, len(shown_steps), figsize=(3.1 * len(shown_steps), 6.8))
for row, (constraint, (_, _, _, frames, _)) in zip(axes, wgan_runs.items()):
    for ax, step in zip(row, shown_steps):
        plot.image_grid(frames[step][:25], nrow=5, ax=ax, title=f"{constraint}, step {step:,}")
fig.suptitle("The same noise, seed and number of generator steps: weight clipping (top) and gradient penalty (bottom)")
plt.show()

# %% [markdown]
# *Reading the figure.* With the quick profile's settings (the table's learning rates doubled, batch 32,
# no BatchNorm in either critic), weight clipping moves slowly: its RMSprop learning rate is small and
# its critic is weak (next section); this run does not separate the two causes. After the quick profile's 250
# generator steps its samples are still grey blobs with a dark frame, while the penalised WGAN has
# reached stroke-like shapes. Neither run reaches clean digits in the quick profile's 250 steps; at full
# scale (section 5.9) about half of the penalised generator's samples are read confidently, fewer of the
# clipped one's. (One seed and a short run: the *mechanics* below are the
# point here, not the ranking.)
#
# ## 5.5 Two diagnostics of clipping
#
# What does clipping do to the critic? Figure 1(b) of {cite:t}`gulrajani2017improved` shows two symptoms of a
# clipped critic: its weights pile up at the two ends of the clipping range (the right panel), and in
# a deep critic the gradient norms vanish or explode from layer to layer (the left panel; their
# Figure 1(a) shows the value surfaces of critics on 2D data). We reproduce the first on our trained
# critics and, instead of the second, measure the quantity the duality itself is about:
#
# 1. **The weights pile up at $\pm c$.** The clipped critic pushes most of its weights against
#    the walls of the box; it becomes a network of near-binary weights, a poor function class.
# 2. **The critic's slope on the data is far from 1.** The duality wants gradient norm 1 between data
#    and samples; we measure $\|\nabla_{\hat x} f(\hat x)\|_2$ on interpolates. A clipped critic has
#    a much smaller slope — which by itself would not slow training, since a critic scaled by a constant
#    has the same maximiser and RMSprop cancels a constant scale of the gradient; what matters more is
#    how *uniform* its slope is, i.e. how close to linear the clipped critic has become (the spread of
#    its norms, printed below), the capacity problem of {cite:t}`gulrajani2017improved`. The penalised
#    critic's slope is not 1 either, but where the soft penalty puts
#    it: if the critic's gap is $g \approx s\,W_1$ and $s^* = 1 + W_1/(2\lambda)$ (the 1D experiment of
#    section 5.3), eliminating $W_1$ gives $s^* = \big(1 + \sqrt{1 + 2g/\lambda}\big)/2$, a prediction from
#    the critic's own gap.

# %%
def weights_of(critic):
    return torch.cat([m.weight.detach().flatten() for m in critic.modules() if isinstance(m, nn.Conv2d)]).cpu()


diag_rng = torch.Generator().manual_seed(SEED + 3)
real_diag = mnist.images[:512]
diagnostics = {}
for constraint, (generator, critic, _, _, _) in wgan_runs.items():
    fake_diag = train.sample(generator, torch.randn(512, Z_DIM, generator=diag_rng))
    norms = losses.critic_gradient_norms(critic, losses.interpolates(real_diag, fake_diag, diag_rng))
    w = weights_of(critic)
    with torch.no_grad():
        critic_gap = (critic(real_diag.to(device)).mean() - critic(fake_diag.to(device)).mean()).item()
    diagnostics[constraint] = {"weights": w.numpy(), "norms": norms.numpy(), "gap": critic_gap,
                               "at the walls": ((w.abs() - CLIP).abs() < 0.01 * CLIP).float().mean().item()}
assert diagnostics["clip"]["at the walls"] > 10 * diagnostics["penalty"]["at the walls"]
assert np.median(diagnostics["clip"]["norms"]) < 0.5 * np.median(diagnostics["penalty"]["norms"])
print("clipping puts more than 10x as many critic weights at +-c (within 1%) as the penalty, and its "
      "median gradient norm on interpolates is less than half the penalised critic's")
if PROFILE == "quick":  # the numbers of this run (the full profile's critics train much longer)
    assert diagnostics["clip"]["at the walls"] > 0.5 and diagnostics["penalty"]["at the walls"] < 0.05
    assert np.median(diagnostics["clip"]["norms"]) < 0.2
    print("here: more than half of the clipped critic's weights sit at +-c and its median gradient norm is "
          "below 0.2; the penalised critic has fewer than 5% there")
slope_from_gap = (1 + np.sqrt(1 + 2 * diagnostics["penalty"]["gap"] / LAMBDA)) / 2
penalised_median = np.median(diagnostics["penalty"]["norms"])
assert abs(penalised_median - slope_from_gap) < 0.15 and abs(penalised_median - slope_from_gap) < abs(penalised_median - 1)
print("the penalised critic's median slope is within 0.15 of s* = (1 + sqrt(1 + 2 g / lambda)) / 2 predicted from its "
      "own gap g, and closer to it than to 1")

# %% tags=["nbval-ignore-output"]
for constraint, d in diagnostics.items():
    print(f"{constraint:8s}: {d['at the walls']:.1%} of conv weights within 1% of +-{CLIP}; gradient norm on "
          f"interpolates: median {np.median(d['norms']):.3f}, 5-95% range {np.percentile(d['norms'], 5):.3f}"
          f"-{np.percentile(d['norms'], 95):.3f}; critic gap g on these 512 + 512 images {d['gap']:.2f}")
print(f"penalty: s* predicted from the gap {slope_from_gap:.3f}")

# %%
fig, (ax_w, ax_n) = plt.subplots(1, 2, figsize=(12, 3.8))
bins = np.linspace(-0.06, 0.06, 61)
for constraint, color in (("clip", "k"), ("penalty", plot.COLORS["discriminator"])):
    ax_w.hist(np.clip(diagnostics[constraint]["weights"], -0.06, 0.06), bins=bins, alpha=0.55, color=color,
              density=True, label=constraint)
    ax_n.hist(diagnostics[constraint]["norms"], bins=np.linspace(0, 2.5, 51), alpha=0.55, color=color,
              density=True, label=constraint)
ax_w.axvline(-CLIP, color="k", lw=0.8, ls=":")
ax_w.axvline(CLIP, color="k", lw=0.8, ls=":", label=r"$\pm c$")
ax_w.set(xlabel="critic weight (conv layers; values beyond 0.06 shown at the edge)", ylabel="density",
         title="Clipping piles the weights at the walls")
ax_n.axvline(1, color=plot.COLORS["data"], lw=1, ls="--", label="norm 1")
ax_n.set(xlabel=r"$\|\nabla_{\hat x} f(\hat x)\|_2$ on 512 interpolates", ylabel="density",
         title="Clipping flattens the critic; the penalty keeps its slope near s*")
ax_w.legend(frameon=False)
ax_n.legend(frameon=False)
plt.show()

# %% [markdown]
# *Reading the figure.* Left: the clipped critic's weights form two spikes at $\pm 0.01$ (dotted
# lines); the penalised critic's weights spread smoothly. Right: the clipped critic's slope on
# interpolates is a small fraction of 1. The penalised critic's slope sits above 1, where the soft
# penalty's trade-off puts it (the prediction from its gap, printed above): with a penalty weight $\lambda$
# the gradient norms on the interpolates sit near $s^*$, not at 1. (These are the only points measured;
# they bound the critic's Lipschitz constant from below.)
#
# ## 5.6 A loss curve that means something
#
# A GAN discriminator's loss says little about the samples: in chapter 3 it settled below $\log 4$ and
# stayed flat while the samples improved. The WGAN critic's gap $\mathbb E[f(x)] - \mathbb E[f(G(z))]$ estimates a distance, so
# it should *fall as the samples improve* {cite:p}`arjovsky2017wgan`. Below: the penalised critic's
# estimate over training, beside the Fréchet distance of the classifier features of 500 samples to
# held-out digits (the measure of chapter 4, defined in chapter 7), recorded during the same run of
# section 5.4.

# %%
w_curve = plot.smooth(wgan_runs["penalty"][2]["w_estimate"], max(WGAN_STEPS // 40, 1))
peak_step = int(np.argmax(w_curve))
assert w_curve[-1] < 0.6 * w_curve[peak_step] and peak_step < 0.3 * WGAN_STEPS
print("the critic's estimate of W1 peaks in the first 30% of training, then falls below 60% of its peak")
assert list(frechet.values())[-1] < 0.67 * list(frechet.values())[0]
assert all(later < earlier for earlier, later in zip(list(frechet.values()), list(frechet.values())[1:]))
print("over the same steps the Frechet distance of the samples to held-out digits falls at every measurement, "
      "by more than a third in all")
fig, (ax_w, ax_f) = plt.subplots(1, 2, figsize=(12, 3.6))
ax_w.plot(wgan_runs["penalty"][2]["w_estimate"], color=plot.COLORS["discriminator"], alpha=0.25, lw=0.8)
ax_w.plot(w_curve, color=plot.COLORS["discriminator"], lw=2, label="critic's estimate (smoothed)")
ax_w.set(xlabel="generator step", ylabel=r"$\mathbb{E}[f(x)] - \mathbb{E}[f(G(z))]$",
         title="WGAN-GP: the critic's estimate of W1")
ax_w.legend(frameon=False)
ax_f.plot(list(frechet), list(frechet.values()), "o-", color=plot.COLORS["generator"], lw=2)
ax_f.set(xlabel="generator step", ylabel="Frechet distance (classifier features)",
         title="Sample quality at the same steps (lower is better)")
plt.show()

# %% tags=["nbval-ignore-output"]
print("step   W estimate (smoothed)   Frechet distance")
for step, value in frechet.items():
    print(f"{step:5d}   {w_curve[step - 1]:8.2f}              {value:8.1f}")

# %% [markdown]
# *Reading the figure.* The estimate shoots up while the critic learns to tell the random
# generator's blobs from digits, then falls as the generator improves (after a second, smaller rise
# early on); the sample
# quality, measured independently, improves over the same steps. Compare chapter 3's losses, which
# said nothing about the samples. The estimate is noisy (a fresh batch each step) and comparable
# only within one run: it depends on the critic's architecture and the penalty's weight.
#
# ## 5.7 Spectral normalisation
#
# A third way to bound the Lipschitz constant {cite:p}`miyato2018spectral`: divide each layer's
# weight matrix by its largest singular value $\sigma(W)$, estimated with one step of power
# iteration per training step. For a fully connected layer that makes the layer 1-Lipschitz, and a
# network of such layers and LeakyReLUs (1-Lipschitz too) is 1-Lipschitz. For a **convolution** the
# paper normalises the kernel reshaped to a matrix (output channels × inputs of one patch), which is
# not the convolution's operator norm; we measure the gap below. It needs no second backward pass
# and no clamping, only one power-iteration step per layer and forward pass, and works with one critic step per generator step. Miyato et al. train it with
# both the standard (non-saturating) loss and the hinge loss; we use the standard one.
# `nets.spectral_normalize` wraps every layer with `torch.nn.utils.parametrizations.spectral_norm`.

# %%
def sn_pair(seed=SEED):
    utils.seed_everything(seed)
    g_net = nets.DCGANGenerator(z_dim=Z_DIM, width=WIDTH).apply(nets.init_weights).to(device)
    d_net = nets.spectral_normalize(nets.DCGANDiscriminator(width=WIDTH, norm="none").apply(nets.init_weights)).to(device)
    return g_net, d_net, *(torch.optim.Adam(m.parameters(), lr=2e-4, betas=(0.5, 0.999)) for m in (g_net, d_net))


def score_at_wgan_steps(step, generator, critic, history):
    """The Frechet distance at WGAN_STEPS generator steps, where section 5.4's WGAN-GP run stopped."""
    if step == WGAN_STEPS:
        frechet_sn_at[step] = metrics.fid(held_out_features, features.embed(classifier, train.sample(generator, score_noise)))


frechet_sn_at = {}
g_sn, d_sn, g_opt_sn, d_opt_sn = sn_pair()
start = time.perf_counter()
history_sn = train.train(g_sn, d_sn, data.batches(mnist.images, BATCH, device, rng=torch.Generator().manual_seed(SEED)),
                         SN_STEPS, g_opt_sn, d_opt_sn, callback=score_at_wgan_steps, every=50, desc="SN-GAN")
seconds_sn = time.perf_counter() - start
if PROFILE == "full" and SAVE_CHECKPOINT:
    utils.save_checkpoint(CHECKPOINTS["sngan"], g_sn, half=True, config={"z_dim": Z_DIM, "width": WIDTH},
                          steps=SN_STEPS, batch=BATCH, seed=SEED, data=mnist.source,
                          train_seconds=round(seconds_sn), hardware=utils.hardware())

# %% [markdown]
# What does a generator step cost with each constraint? A WGAN-GP generator step runs five critic
# steps, each with a second backward pass for the penalty; an SN-GAN step runs one critic step, and
# PyTorch's spectral normalisation takes one power-iteration step per layer at every forward pass of the
# critic in training mode (three per generator step here). The cell below first *counts* the critic's forward passes per generator
# step (a forward hook; the same on every machine), then times both, alternating between them in one
# process, after a warm-up, three rounds of ten generator steps each, medians. The WGAN-GP timing goes
# through `wgan_run`, which also reads its history back at every step, so the measured ratio is approximate.

# %%
def sn_seconds_per_step(steps):
    g_net, d_net, g_opt, d_opt = sn_pair()
    batches = data.batches(mnist.images, BATCH, device, rng=torch.Generator().manual_seed(SEED))
    train.train(g_net, d_net, batches, 1, g_opt, d_opt, progress=False)        # warm-up
    start = time.perf_counter()
    train.train(g_net, d_net, batches, steps, g_opt, d_opt, progress=False)
    if device.type == "cuda":
        torch.cuda.synchronize()
    return (time.perf_counter() - start) / steps


def critic_passes(run_two_steps) -> float:
    """Forward passes through any DCGANDiscriminator per generator step, while run_two_steps() trains 2 steps."""
    with utils.forward_passes(nets.DCGANDiscriminator) as calls:
        run_two_steps()
    return len(calls) / 2


def two_sn_steps():
    g_net, d_net, g_opt, d_opt = sn_pair()
    train.train(g_net, d_net, data.batches(mnist.images, BATCH, device, rng=torch.Generator().manual_seed(SEED)), 2,
                g_opt, d_opt, progress=False)


passes = {"SN-GAN": critic_passes(two_sn_steps),
          "WGAN-GP": critic_passes(lambda: wgan_run("penalty", 2, desc="WGAN-GP, counting"))}
assert passes == {"SN-GAN": 3, "WGAN-GP": N_CRITIC * 3 + 1}
print(f"critic forward passes per generator step: SN-GAN {passes['SN-GAN']:.0f} (real, fake, and the generator's "
      f"fake), WGAN-GP {passes['WGAN-GP']:.0f} ({N_CRITIC} critic steps of real, fake and interpolates, each with a "
      "second backward pass for the penalty, then the generator's fake)")

wgan_run("penalty", 1, desc="WGAN-GP, warm-up")
step_cost = {"SN-GAN": [], "WGAN-GP": []}
for _ in range(3):   # interleaved: both see the same state of the machine
    step_cost["SN-GAN"].append(sn_seconds_per_step(10))
    step_cost["WGAN-GP"].append(wgan_run("penalty", 10, desc="WGAN-GP, timed")[4] / 10)
cost = {name: float(np.median(values)) for name, values in step_cost.items()}

# %% tags=["nbval-ignore-output"]
print(f"on this machine ({utils.hardware()}): {1000 * cost['SN-GAN']:.0f} ms per SN-GAN generator step, "
      f"{1000 * cost['WGAN-GP']:.0f} ms per WGAN-GP generator step ({cost['WGAN-GP'] / cost['SN-GAN']:.1f}x)")
print(f"Frechet distance of 500 samples to held-out digits after {WGAN_STEPS:,} generator steps, one run each: "
      f"SN-GAN {frechet_sn_at[WGAN_STEPS]:.0f}, WGAN-GP {frechet[WGAN_STEPS]:.0f}; SN-GAN after {SN_STEPS:,} steps "
      f"{metrics.fid(held_out_features, features.embed(classifier, train.sample(g_sn, score_noise))):.0f}")

# %%
fig, ax = plt.subplots(figsize=(5, 5.3))
plot.image_grid(train.sample(g_sn, fixed_noise)[:49], nrow=7, ax=ax, title=f"SN-GAN, {SN_STEPS:,} steps")
plt.show()

# %% [markdown]
# *Reading the figure.* With one critic step per generator step, a spectral-normalisation step makes 3
# passes through the critic against WGAN-GP's 16 (counted above), and no second backward pass; what that
# saves in seconds depends on the machine (the timings above are this machine's). After the
# same number of generator steps the SN-GAN's samples were further along by the Fréchet distance in the
# runs printed above — one run each, so an illustration, not a ranking (in the quick profile: strokes and
# loops, few finished digits).
#
# **Is each layer 1-Lipschitz?** The normalised object is the kernel reshaped to a matrix. The
# layer's Lipschitz constant is the operator norm of the convolution $C$ itself, as a linear map
# from the input image to the output image. We find it by power iteration on $C^\top C$:
# `conv2d` applies $C$, and autograd's backward pass applies $C^\top$ (chapter 4). A kernel $k \times k$
# with stride $s$ reads each input pixel in up to $\lceil k/s \rceil^2$ patches, which bounds the
# operator norm by $\lceil k/s \rceil$ times the reshaped norm: 2 for our $4 \times 4$, stride-2 layers.

# %%
def conv_operator_norm(conv: nn.Conv2d, in_shape, iterations: int = 200, seed: int = SEED) -> float:
    """Largest singular value of the linear map x (C, H, W) -> conv(x) without bias, by power iteration on C^T C."""
    weight = conv.weight.detach()
    v = torch.randn(1, *in_shape, generator=torch.Generator().manual_seed(seed)).to(weight.device)
    for _ in range(iterations):
        v = (v / v.norm()).requires_grad_(True)
        out = F.conv2d(v, weight, stride=conv.stride, padding=conv.padding)        # C v
        (v,) = torch.autograd.grad(out, v, grad_outputs=out)                       # C^T C v
    return v.norm().sqrt().item()   # ||C^T C v|| -> sigma^2 for a unit v


convs = [m for m in d_sn.modules() if isinstance(m, nn.Conv2d)]
# During training spectral_norm takes one power-iteration step per forward pass, so its estimate of sigma(W)
# trails the weight: the reshaped norm of W / sigma_estimate ends near 1, not at 1 (printed below). More
# forward passes in training mode (no gradient, no BatchNorm here) let the iteration converge.
d_sn.eval()   # reading .weight in training mode would itself take a power-iteration step
trailing = np.array([torch.linalg.matrix_norm(m.weight.flatten(1), ord=2).item() for m in convs])
d_sn.train()
with torch.no_grad():
    for _ in range(200):
        d_sn(mnist.images[:1].to(device))
d_sn.eval()
in_shapes = {}
hooks = [m.register_forward_hook(lambda m, inputs, out: in_shapes.__setitem__(m, tuple(inputs[0].shape[1:]))) for m in convs]
with torch.no_grad():
    d_sn(mnist.images[:1].to(device))
for hook in hooks:
    hook.remove()
lipschitz_table = [(torch.linalg.matrix_norm(m.weight.flatten(1), ord=2).item(), conv_operator_norm(m, in_shapes[m]),
                    math.ceil(m.kernel_size[0] / m.stride[0])) for m in convs]
reshaped_norms, operator_norms = np.array([row[0] for row in lipschitz_table]), np.array([row[1] for row in lipschitz_table])
assert np.abs(reshaped_norms - 1).max() < 1e-3                                   # what spectral_norm normalises, once converged
assert all(op <= overlap * r + 1e-3 for r, op, overlap in lipschitz_table)      # the power iteration respects the bound
assert abs(operator_norms[-1] - reshaped_norms[-1]) < 1e-3                       # 7x7 kernel on a 7x7 input: a dense layer
assert (operator_norms[:2] > 1.2).all()
print("both strided layers have operator norms above 1.2: the layer-by-layer guarantee of a 1-Lipschitz critic "
      "is lost; what remains is the bound by the product of the operator norms")

# %% tags=["nbval-ignore-output"]
for i, (m, (reshaped, operator, overlap)) in enumerate(zip(convs, lipschitz_table)):
    print(f"conv layer {i + 1}: input {in_shapes[m]}, kernel {m.kernel_size[0]}, stride {m.stride[0]}: "
          f"reshaped-kernel norm {reshaped:.3f}, operator norm {operator:.3f} (at most {overlap} x {reshaped:.3f})")
print(f"product of the operator norms: {np.prod(operator_norms):.2f}")
print("reshaped-kernel norms at the end of training, before the extra power iterations: "
      + ", ".join(f"{v:.3f}" for v in trailing))

# %% [markdown]
# The reshaped-kernel norms are exactly 1 only once the power iteration has converged: during training it
# takes one step per forward pass, so at the end of training they sit near 1 (printed above, before the
# extra iterations), at or slightly above 1: the power-iteration estimate of $\sigma(W)$ never exceeds
# it, so during training each reshaped kernel is slightly *more* than 1-Lipschitz. The last layer, a $7 \times 7$ kernel on
# a $7 \times 7$ input, is a dense layer in disguise, and there the two norms agree (a check on the power
# iteration). The strided layers have operator norms well
# above 1, so the usual argument "every layer is 1-Lipschitz, so the critic is" does not apply to
# convolutional critics normalised this way: what it gives is a bound by the product of the layers'
# operator norms (printed above; at most $2 \cdot 2 \cdot 1 = 4$ here), not 1. For a GAN's
# discriminator a bounded, stable constant is what matters; for an estimate of $W_1$ itself it would
# not be.
#
# ## 5.8 Common mistakes
#
# One more belongs here and is shown running in chapter 9, where zero-centred penalties use the same
# machinery: a hand-written penalty whose gradient is taken without `create_graph=True` has the right
# value and changes nothing in training. `losses.gradient_penalty` builds the graph.
#
# ```{admonition} Mistake 1: keeping the Sigmoid on the critic
# :class: warning
# A critic's output is a score on the whole real line, not a probability. The mistake is easy to make
# when a DCGAN discriminator is turned into a clipped critic (its weights clamped, its Sigmoid
# forgotten), so we run that case first: 1D critics between $\mathcal N(0, 0.5^2)$ and the
# same Gaussian shifted by $W_1 = 16$, clipped at $c = 0.01$, with and without a Sigmoid.
# ```

# %%
def sigmoid_case(constraint, shift, sigmoid, steps):
    """Fit a 1D critic between N(0, 0.5^2) and N(shift, 0.5^2); return (gap, mean slope at the generated samples, largest |raw score|)."""
    p_near, q_far = data.mixture_1d([0.0], 0.5), data.mixture_1d([shift], 0.5)
    real_s, fake_s = p_near.sample(2000, torch.Generator().manual_seed(7)), q_far.sample(2000, torch.Generator().manual_seed(8))
    critic, _ = fit_critic(constraint, steps, lr=1e-3, p=p_near, q=q_far, sigmoid=sigmoid)
    raw_critic = critic[0] if sigmoid else critic
    with torch.no_grad():
        gap_s = (critic(real_s).mean() - critic(fake_s).mean()).item()
        largest_raw = torch.cat([raw_critic(real_s), raw_critic(fake_s)]).abs().max().item()
    return gap_s, losses.critic_gradient_norms(critic, fake_s).mean().item(), largest_raw


clipped = {sigmoid: sigmoid_case("clip", 16.0, sigmoid, 400) for sigmoid in (False, True)}
slope_ratio = clipped[True][1] / clipped[False][1]
assert max(clipped[False][2], clipped[True][2]) < 0.1 and abs(slope_ratio - 0.25) < 0.03
print(f"clipped critics: raw scores stay below 0.1 in size, where sigmoid(s) = 1/2 + s/4 to within 0.1%; "
      f"with the Sigmoid the slope at the generated samples is {slope_ratio:.2f} of the raw critic's (sigmoid'(0) = 1/4)")

# %% [markdown]
# With clipping at $c = 0.01$ the Sigmoid does almost nothing: the clipped critic's scores are so small
# that the Sigmoid works in its linear range, $\sigma(s) \approx \tfrac12 + s/4$, and the critic behaves
# like the raw one divided by 4 — a smaller gradient, not a saturated one. (RMSprop divides each update
# by the gradient's running size, so the factor 4 does not even slow the critic down, and the clamp
# shapes both critics alike.) The Sigmoid bites when the scores are large, as they are with the
# gradient penalty (or a larger $c$). Then the gap between real and generated scores is capped at 1
# whatever the distance, and for generated samples far from the data the Sigmoid saturates: the
# slope — the gradient the generator receives — vanishes, the very problem WGAN was made to solve.
# Penalised critics at $W_1 = 1$ and $16$:

# %%
sigmoid_table = {(shift, sigmoid): sigmoid_case("penalty", shift, sigmoid, 800)[:2]
                 for shift in (1.0, 16.0) for sigmoid in (False, True)}
assert sigmoid_table[16.0, True][1] < 1e-3 < sigmoid_table[1.0, True][1]
assert min(sigmoid_table[shift, False][1] for shift in (1.0, 16.0)) > 0.9
print("penalised critics: with a Sigmoid, the slope at the generated samples is below 0.001 at W1 = 16 (but not "
      "at W1 = 1); without it the slope there is above 0.9 at both distances")

# %% tags=["nbval-ignore-output"]
print(f"clipped, W1 = 16:  raw critic gap {clipped[False][0]:.4f}, slope {clipped[False][1]:.1e};  "
      f"Sigmoid critic gap {clipped[True][0]:.4f}, slope {clipped[True][1]:.1e}")
print("penalty, W1     raw critic: gap  slope at samples     Sigmoid critic: gap  slope at samples")
for shift in (1.0, 16.0):
    (g_raw, s_raw), (g_sig, s_sig) = sigmoid_table[shift, False], sigmoid_table[shift, True]
    print(f"{shift:4.0f}              {g_raw:14.2f}  {s_raw:16.3f}     {g_sig:19.3f}  {s_sig:16.1e}")

# %% [markdown]
# ```{admonition} Mistake 2: no Lipschitz constraint at all
# :class: warning
# Some write-ups list the WGAN steps with neither clipping nor a penalty. Then nothing stops the
# critic from scaling its scores up: the "estimate" of $W_1$ grows without bound while the
# distributions stay where they are.
# ```

# %%
torch.manual_seed(SEED)
rng_free = torch.Generator().manual_seed(SEED)
free_critic = nets.MLPDiscriminator(in_shape=(1,), hidden=(64, 64))
free_opt = torch.optim.Adam(free_critic.parameters(), lr=1e-3, betas=(0.5, 0.9))
free_gaps = []
for step in range(600):
    real, fake = p_data.sample(512, rng_free), p_gen.sample(512, rng_free)
    loss = losses.critic_loss(free_critic(real), free_critic(fake))
    free_opt.zero_grad(set_to_none=True)
    loss.backward()
    free_opt.step()
    free_gaps.append(-loss.item())
assert free_gaps[-1] > 10 * w1_exact and free_gaps[-1] > 2 * free_gaps[299]
print(f"an unconstrained critic's 'estimate' passes 10x the true W1 ({w1_exact:.2f}) and is still growing "
      "fast after 600 steps on two fixed distributions")

# %% [markdown]
# ```{admonition} Mistake 3: BatchNorm in a critic trained with the penalty
# :class: warning
# The penalty constrains the gradient of $f(\hat x)$ with respect to *that* sample. A critic with
# BatchNorm (in training mode) is not a function of one sample: each score depends on the whole
# batch, so the per-sample gradient norm is not the quantity the duality is about, and the penalty
# constrains the wrong thing. Gulrajani et al. drop BatchNorm from the critic and suggest layer
# normalisation instead (`norm="layer"`, which normalises within each sample). The cell shows both
# halves: a digit's score changes with the rest of its batch, and the score of the first sample has a
# gradient with respect to the *other* samples — a "per-sample" penalty written by hand would silently
# mix the batch into it. `losses.gradient_penalty` refuses such a critic with an error that says why.
# ```

# %%
torch.manual_seed(SEED)
bn_critic, ln_critic = nets.DCGANDiscriminator(width=8, norm="batch"), nets.DCGANDiscriminator(width=8, norm="layer")
digit = mnist.images[:1]
batch_a = torch.cat([digit, mnist.images[1:16]])
batch_b = torch.cat([digit, torch.rand(15, 1, 28, 28) * 2 - 1])  # the same digit among noise images
for name, critic in (("BatchNorm", bn_critic), ("LayerNorm", ln_critic)):
    scores = [critic(batch)[0].item() for batch in (batch_a, batch_b)]
    print(f"{name}: score of the same digit in two batches: differ by {abs(scores[0] - scores[1]):.1e}")
assert abs(bn_critic(batch_a)[0] - bn_critic(batch_b)[0]) > 1e-3
assert abs(ln_critic(batch_a)[0] - ln_critic(batch_b)[0]) < 1e-5
cross = {}
for name, critic in (("BatchNorm", bn_critic), ("LayerNorm", ln_critic)):
    points = batch_a.clone().requires_grad_(True)
    (grads,) = torch.autograd.grad(critic(points)[0].sum(), points)   # d score_0 / d every sample of the batch
    cross[name] = grads[1:].abs().sum().item()
assert cross["BatchNorm"] > 0 and cross["LayerNorm"] == 0
try:
    losses.gradient_penalty(bn_critic, batch_a, batch_b)
    refusal = None
except ValueError as error:
    refusal = str(error)
assert refusal is not None and "BatchNorm" in refusal
print("the first sample's score has a nonzero gradient with respect to the other 15 samples with BatchNorm, exactly "
      f"zero with LayerNorm; gantut refuses the BatchNorm critic:\n  ValueError: {refusal}")

# %% [markdown]
# ```{admonition} Mistake 3b: the gradient norm over the wrong dimensions
# :class: warning
# A slip in hand-written penalties: `grads.norm(2, dim=1)` on image gradients of shape (N, 1, 28, 28)
# takes the norm over the single channel — one number per *pixel*, not one per image — and the penalty
# then pushes every pixel's partial derivative towards 1, a different constraint altogether (for a
# critic of slope exactly 1 it is far from 0). Flatten each sample's gradient first, as `gantut` does.
# ```

# %%
slope_one = lambda images: images.flatten(1) @ torch.full((784,), 1 / 28.0)        # |grad| = 1 for every image
image_points = mnist.images[:8].clone().requires_grad_(True)
(image_grads,) = torch.autograd.grad(slope_one(image_points).sum(), image_points)    # (8, 1, 28, 28)
per_image, per_pixel = image_grads.flatten(1).norm(dim=1), image_grads.norm(2, dim=1)  # (8,) and (8, 28, 28)
assert torch.allclose(per_image, torch.ones(8)) and losses.gradient_penalty(slope_one, mnist.images[:8], -mnist.images[:8]) < 1e-6
assert torch.allclose(per_pixel, torch.full_like(per_pixel, 1 / 28.0)) and ((per_pixel - 1) ** 2).mean() > 0.9
print("a critic of slope 1: per image the gradient norm is 1 and gantut's penalty below 1e-6; per pixel (norm over "
      "dim=1) every norm is 1/28 and the same penalty term is above 0.9")

# %% [markdown]
# ```{admonition} Mistake 4: clipping the generator
# :class: warning
# Clipping is a constraint on the *critic*. `train.clip_weights` clamps *every* parameter to $[-c, c]$,
# and in this generator that includes BatchNorm's scale $\gamma$ and shift $\beta$. Both parts do damage
# when the generator samples (in eval mode): BatchNorm's stored running statistics no longer match the
# shrunk convolutions' outputs, and $\gamma$, clamped to $\pm 0.01$, scales each block's output down a
# hundredfold. The generator's output becomes almost constant whatever $z$ is. The cell clips a copy
# of section 5.4's trained WGAN-GP generator and compares it with the original.
# ```

# %%
trained_generator = wgan_runs["penalty"][0]
clipped_generator = copy.deepcopy(trained_generator)
train.clip_weights(clipped_generator, CLIP)  # the mistake
spread = {name: train.sample(model, fixed_noise).std(0).mean().item()
          for name, model in (("trained", trained_generator), ("clipped", clipped_generator))}
assert spread["clipped"] < 0.01 * spread["trained"]
print("clipping every parameter of the trained generator cuts the pixel spread across 64 samples a hundredfold and more")

# %% tags=["nbval-ignore-output"]
print(f"section 5.4's trained generator: pixel spread across 64 samples {spread['trained']:.2f}; the same generator "
      f"with every parameter clipped to +-{CLIP}: {spread['clipped']:.0e} (real digits: "
      f"{mnist.images[:64].std(0).mean().item():.1f})")

# %% [markdown]
# ```{admonition} Mistake 5: two sign conventions mixed
# :class: warning
# Which sign is right depends on which way the critic scores. This book's critic scores real samples
# *high*, so the generator must *maximise* $\mathbb E[f(G(z))]$, i.e. minimise $-\mathbb E[f(G(z))]$
# (`losses.generator_loss_wasserstein`). The authors' own WGAN code uses the opposite convention — its
# critic scores generated samples high — and there the generator correctly minimises $+\mathbb E[f(G(z))]$.
# The mistake is to take the generator's loss from one convention and the critic's from the other: the
# generator then runs away from the data. In 1D, from $\theta = 0.5$ (supports overlapping), with this
# book's critic and the other convention's generator loss:
# ```

# %%
theta_wrong = wgan_gp_1d(0.5, 100, g_loss=lambda fake_scores: fake_scores.mean())
theta_right = wgan_gp_1d(0.5, 100)
assert theta_wrong[-1] < -1 and abs(theta_right[-1] - 1) < 0.2
print("with +E[f(G(z))] theta runs from 0.5 to below -1, away from the data; with -E[f(G(z))] it ends "
      "within 0.2 of 1, on the data")

# %% [markdown]
# ```{admonition} And a naming mistake: "the non-saturating loss is the WGAN loss"
# :class: warning
# The non-saturating loss $-\log \sigma(l)$ (chapter 1) is the standard GAN's generator loss on a
# discriminator's logit. The WGAN generator loss is $-f(G(z))$ on an unbounded critic score: its
# gradient with respect to the score is $-1$ everywhere, whereas the non-saturating loss's gradient
# $-(1 - \sigma(l))$ fades as $l$ grows. They are different games; neither is "also called" the other
# (nor is WGAN "also called" a Lipschitz GAN).
# ```

# %%
scores_demo = torch.tensor([-6.0, 0.0, 6.0], requires_grad=True)
(g_wgan,) = torch.autograd.grad(losses.generator_loss_wasserstein(scores_demo) * 3, scores_demo)
(g_ns,) = torch.autograd.grad(losses.generator_loss(scores_demo) * 3, scores_demo)
print("score:                          " + "  ".join(f"{s:6.1f}" for s in scores_demo.tolist()))
print("d/d score, WGAN generator loss: " + "  ".join(f"{g:6.3f}" for g in g_wgan.tolist()))
print("d/d score, non-saturating loss: " + "  ".join(f"{g:6.3f}" for g in g_ns.tolist()))
assert torch.allclose(g_wgan, -torch.ones(3)) and torch.allclose(g_ns, -(1 - torch.sigmoid(scores_demo.detach())), atol=1e-6)

# %% [markdown]
# ## 5.9 At full scale
#
# The full profile trains the two WGANs for 6,000 generator steps (30,000 critic steps) at the
# papers' learning rates, and the SN-GAN for 10,000 steps. The generators ship with the book
# (`data/checkpoints/05_*.pt`; the command, hardware and training time are in `data/README.md`). Loading them and sampling from a fixed seed is deterministic.
# The yardstick is the one of chapter 4: the Fréchet distance between classifier features of 1,000
# samples and 1,000 held-out digits (lower is better), and the share of samples the classifier
# labels with at least 90% confidence.

# %%
full_scale = {}
for name, path in CHECKPOINTS.items():
    if not path.exists():
        print(f"data/checkpoints/{path.name} is missing: run this notebook with PROFILE='full' and SAVE_CHECKPOINT=True")
        continue
    model = nets.DCGANGenerator(z_dim=Z_DIM, width=WIDTH)
    meta = utils.load_checkpoint(path, model)
    images = train.sample(model, torch.randn(1000, Z_DIM, generator=torch.Generator().manual_seed(1234)))
    full_scale[name] = {"meta": meta, "images": images,
                        "frechet": metrics.fid(held_out_features, features.embed(classifier, images)),
                        "confident": features.confident_fraction(features.classify(classifier, images))}
    print(f"loaded {path.name}: {meta['steps']:,} generator steps, trained on {meta['hardware']}")
if full_scale:
    fig, axes = plt.subplots(1, len(full_scale), figsize=(5.2 * len(full_scale), 5.6), squeeze=False)
    for ax, (name, result) in zip(axes[0], full_scale.items()):
        plot.image_grid(result["images"][:49], nrow=7, ax=ax, title=f"{name}, {result['meta']['steps']:,} steps")
    fig.suptitle("At full scale: the shipped generators, the same noise", y=1.03)
    plt.show()

# %% tags=["nbval-ignore-output"]
for name, result in full_scale.items():
    print(f"{name:10s} Frechet distance {result['frechet']:6.1f}   confidently classified {result['confident']:.0%}   "
          f"training time {result['meta']['train_seconds']:,} s ({result['meta']['hardware']})")

# %%
if len(full_scale) == 3:
    assert max(full_scale["wgan_gp"]["frechet"], full_scale["sngan"]["frechet"]) < 0.5 * full_scale["wgan_clip"]["frechet"]
    assert full_scale["wgan_clip"]["confident"] < min(full_scale["wgan_gp"]["confident"], full_scale["sngan"]["confident"])
    print("at full scale WGAN-GP and SN-GAN are less than half as far from the held-out digits as WGAN with "
          "clipping, and more of their samples are classified confidently")

# %% [markdown]
# *Reading the figure.* After the same 6,000 generator steps, the clipped WGAN still draws thick,
# smudged strokes; WGAN-GP draws digits of which the classifier reads about half with confidence
# (printed above). SN-GAN took more generator steps (10,000), each a fraction of the cost of a WGAN-GP
# step (section 5.7 measures the ratio on the machine running this page). By the classifier's measures
# the penalty and spectral normalisation both end well ahead of clipping (checked above). These are one
# training run each, and the clipping run carries the handicap of section 5.4 (no BatchNorm in its critic):
# they show an ordering against this clipping run, not a ranking of the penalty against spectral
# normalisation. Chapter 7 scores these generators beside the other chapters' with the same metric.

# %% [markdown]
# ## Exercises
#
# 1. Show that $W_1(\mathcal N(\mu_1, \sigma^2), \mathcal N(\mu_2, \sigma^2)) = |\mu_1 - \mu_2|$ and check it
#    with `scipy.stats.wasserstein_distance`. What is $W_1$ between $\delta_0$ and $\tfrac12\delta_{-1} + \tfrac12\delta_{1}$?
# 2. Re-run the 1D critic of section 5.3 with $\lambda = 1$ and $\lambda = 100$. How do the estimate and
#    the slope between the modes change?
# 3. Train the clipped WGAN with $c = 0.1$ instead of $0.01$. What happens to the weight histogram and
#    to the gradient norms on interpolates?
#
# ```{admonition} Solution 1
# :class: dropdown
# Shifting a distribution by $\Delta$ moves every unit of mass by $|\Delta|$, and no coupling does
# better (the 1-Lipschitz $f(x) = x\,\mathrm{sign}(\Delta)$ attains the bound in {eq}`kr-duality`), so
# $W_1 = |\mu_1 - \mu_2|$ whatever $\sigma$. For the point masses, each half of the mass at 0 travels
# distance 1: $W_1 = 1$. The cell below checks both.
# ```

# %% tags=["hide-input"]
rng_ex = np.random.default_rng(SEED)
a, b = rng_ex.normal(0.0, 1.5, 50_000), rng_ex.normal(2.5, 1.5, 50_000)
print(f"W1(N(0, 1.5^2), N(2.5, 1.5^2)) from samples: {wasserstein_distance(a, b):.2f}")
print(f"W1(delta_0, (delta_-1 + delta_1) / 2) = {wasserstein_distance([0.0, 0.0], [-1.0, 1.0]):.1f}")
assert abs(wasserstein_distance(a, b) - 2.5) < 0.05 and wasserstein_distance([0.0, 0.0], [-1.0, 1.0]) == 1.0

# %% [markdown]
# ```{admonition} Solutions 2 and 3
# :class: dropdown
# 2. Section 5.3's trade-off predicts it: $s^* = 1 + W_1/(2\lambda)$ with $W_1 \approx 4$ gives a slope of
#    about 3 and a gap of about $3 W_1 \approx 12$ at $\lambda = 1$ — the estimate overshoots $W_1$
#    threefold — and $s^* = 1.02$, a gap within 2% of $W_1$, at $\lambda = 100$. How fast the critic gets
#    there is the experiment's to show; $\lambda = 10$ is the paper's choice.
# 3. With $c = 0.1$ fewer weights hit the walls, the critic's Lipschitz constant grows (larger gradient
#    norms, up to exploding ones in deeper critics), and training can become less stable — the
#    trade-off that made Arjovsky et al. call clipping "a clearly terrible way to enforce a Lipschitz
#    constraint".
# ```
#
# ## Summary
#
# - $W_1$ measures how far mass must move; unlike JS and KL it changes continuously when supports do not
#   overlap, so it gives the generator a direction.
# - By the Kantorovich–Rubinstein duality a 1-Lipschitz critic estimates $W_1$ from samples; the critic
#   outputs raw scores, and the generator minimises $-\mathbb E[f(G(z))]$.
# - Weight clipping enforces the constraint crudely: weights pile at $\pm c$, and the critic's slope is
#   small and nearly uniform (a nearly linear critic); in these runs clipping trained slowest. The gradient penalty holds the slope near 1 — above it, by the amount its
#   soft trade-off predicts; spectral normalisation
#   normalises each reshaped kernel cheaply, which bounds a strided convolution's norm only up to a
#   factor $\lceil k/s \rceil$.
# - The critic's estimate falls as the samples improve: a loss curve worth plotting.
# - No BatchNorm in a penalised critic; never clip the generator; keep one sign convention for the critic.
#
# ## References
#
# - Arjovsky, M. & Bottou, L. (2017). Towards Principled Methods for Training Generative Adversarial Networks. *International Conference on Learning Representations (ICLR)*.
# - Arjovsky, M., Chintala, S. & Bottou, L. (2017). Wasserstein Generative Adversarial Networks. *Proceedings of the 34th International Conference on Machine Learning (ICML)*.
# - Gulrajani, I., Ahmed, F., Arjovsky, M., et al. (2017). Improved Training of Wasserstein GANs. *Advances in Neural Information Processing Systems 30 (NIPS 2017)*.
# - Miyato, T., Kataoka, T., Koyama, M., et al. (2018). Spectral Normalization for Generative Adversarial Networks. *International Conference on Learning Representations (ICLR)*.
# - Villani, C. (2003). Topics in Optimal Transportation. *American Mathematical Society*.
# - Villani, C. (2009). Optimal Transport: Old and New. *Springer*.
# - Petzka, H., Fischer, A. & Lukovnikov, D. (2018). On the Regularization of Wasserstein GANs. *International Conference on Learning Representations (ICLR)*.
# - Mescheder, L., Geiger, A. & Nowozin, S. (2018). Which Training Methods for GANs do actually Converge? *Proceedings of the 35th International Conference on Machine Learning (ICML)*.
#
# Every work cited in the book is in the [bibliography](../bibliography).
