# %% [markdown]
# # 1. GANs as a two-player game
#
# A generative adversarial network {cite:p}`goodfellow2014gan` learns to *sample* from a
# distribution without ever writing its density down. Two networks play a game: a
# **generator** $G$ turns noise into samples, a **discriminator** $D$ tells real samples from
# generated ones. This chapter sets up that game exactly, and checks its formulas in code.
#
# **You will learn**
# - what an implicit generative model is, and how a function pushes noise into a distribution;
# - the value function $V(D, G)$ of the minimax game, and what each player wants;
# - the KL and Jensen–Shannon divergences, computed on a grid and checked against closed forms and scipy;
# - the saturating and non-saturating generator losses, and why the first one slows to a crawl when
#   the discriminator wins;
# - why training a game by gradient steps is harder than minimising a loss, and one remedy.
#
# **Run time.** Quick profile: about a minute on the two-thread CPU that built this page (it scales with
# the CPU's speed). Nothing here needs a GPU;
# the full profile only uses more samples.

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

PROFILE = os.environ.get("GANTUT_PROFILE", "quick")  # "quick" or "full" (more samples for the histograms)
SEED = 0

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from scipy import optimize, stats
from scipy.spatial import distance

from gantut import data, plot, theory, utils

N_SAMPLES = utils.by_profile(PROFILE, quick=200_000, full=2_000_000)  # samples for histograms
device = utils.setup(SEED)
x = np.linspace(-25, 25, 50_001)  # the grid of this chapter: wide enough that every density integrates to 1

# %% [markdown]
# ## 1.1 Generative models that only sample
#
# An **explicit** model writes a density $p_\theta(x)$ down and is trained by maximum
# likelihood. An **implicit** model {cite:p}`mohamed2016implicit` only gives a way to draw
# samples: take noise $z \sim p_z$ (here $\mathcal N(0, 1)$) and return $x = G(z)$. The
# distribution of $G(z)$, written $p_g$, is the **push-forward** of $p_z$ through $G$. Sampling is
# one forward pass. Evaluating $p_g(x)$ is another matter.
#
# - When $z$ has fewer dimensions than $x$, as in every image GAN of this book (64 or 100 noise
#   dimensions for images of 784 values or more), $p_g$ lives on a set of lower dimension and has
#   **no density at all**. {cite:t}`arjovsky2017principled` (Lemma 1) show this for networks built from
#   affine maps and the usual nonlinearities.
# - When $p_g$ has a density, computing it needs $G$'s inverse and the determinant of its Jacobian (for
#   an invertible $G$), or a sum or integral over every $z$ that maps to $x$ (for one that is not).
#   A GAN's networks provide neither.
#
# So a GAN cannot be trained by maximising the likelihood $p_g(x)$ of the data; the discriminator is what
# replaces it.
#
# That a function of Gaussian noise can produce any 1D distribution is a classical fact:
# if $F$ is the target's cumulative distribution function and $\Phi$ the standard normal's,
#
# $$ G(z) = F^{-1}(\Phi(z)) \quad\Longrightarrow\quad G(z) \sim p_{data}. $$ (push-forward)
#
# Let us build this $G$ for a two-component mixture and check the claim with a
# Kolmogorov–Smirnov test.

# %%
target = data.mixture_1d(means=[-2.0, 1.5], stds=[0.5, 0.8], weights=[0.3, 0.7])


def target_cdf(values):
    """F(x) of the mixture, in closed form."""
    values = np.asarray(values, dtype=np.float64)[..., None]
    return (target.weights * stats.norm.cdf(values, target.means[:, 0], target.stds)).sum(-1)


def generator(z):
    """G(z) = F^{-1}(Phi(z)): the inverse CDF, by interpolation on the grid."""
    return np.interp(stats.norm.cdf(z), target_cdf(x), x)


z = torch.randn(N_SAMPLES, generator=torch.Generator().manual_seed(SEED)).double().numpy()
samples = generator(z)
# Compared with samples drawn from the mixture directly (pick a component, add its noise), which do not
# go through target_cdf. The threshold is the test's critical value at the 0.1% level, 1.95 sqrt(2 / N):
# a correct G fails it once in a thousand seeds, and a CDF wrong by well over that somewhere (a component's
# weight off by 0.02, or the wide component's width by 15%, does that) fails it.
direct = target.sample(N_SAMPLES, torch.Generator().manual_seed(SEED + 1)).squeeze(1).double().numpy()
ks = stats.ks_2samp(samples, direct).statistic
critical = 1.95 * np.sqrt(2 / N_SAMPLES)
assert ks < critical
# The test's power, checked: the same number of draws from slightly wrong mixtures fail it.
wrong_mixtures = {"weights 0.32 / 0.68": data.mixture_1d(means=[-2.0, 1.5], stds=[0.5, 0.8], weights=[0.32, 0.68]),
                  "wide component 15% wider": data.mixture_1d(means=[-2.0, 1.5], stds=[0.5, 0.92], weights=[0.3, 0.7])}
wrong_ks = {name: stats.ks_2samp(mixture.sample(N_SAMPLES, torch.Generator().manual_seed(SEED + 2)).squeeze(1).double().numpy(),
                                 direct).statistic for name, mixture in wrong_mixtures.items()}
assert all(value > critical for value in wrong_ks.values())
print("two-sample Kolmogorov-Smirnov test of G(z) against direct draws from the mixture: below the 0.1% critical value; "
      "draws from a mixture with weights 0.32 / 0.68, or with the wide component 15% wider, fail it")

# %% tags=["nbval-ignore-output"]
print(f"KS distance {ks:.4f}, critical value {critical:.4f} ({N_SAMPLES:,} samples each); wrong mixtures: " +
      ", ".join(f"{name} {value:.4f}" for name, value in wrong_ks.items()))

# %%
fig, (ax_map, ax_hist) = plt.subplots(1, 2, figsize=(11, 3.8))
zs = np.linspace(-3.5, 3.5, 400)
ax_map.plot(zs, generator(zs), color=plot.COLORS["generator"], lw=2)
ax_map.set(xlabel="noise z", ylabel="G(z)", title="The generator is just a function")
plot.density_1d(x, {"target density $p_{data}$": target.pdf(x)}, samples={"histogram of G(z)": samples},
                ax=ax_hist, title="Its samples follow the target", xlim=(-5, 5), bins=80)
ax_map.set_xlim(-3.5, 3.5)
plt.show()

# %% [markdown]
# *Reading the figure.* On the left, $G$'s slope is $\varphi(z) / p_{data}(G(z))$ ($\varphi$ the noise's
# density): steep in the gap between the two bumps, where the target has little mass and a small range
# of $z$ must cross it, and moderate on the bumps, where many $z$ land; a function moves probability mass
# around by stretching and squeezing. On the right,
# the histogram of the samples $G(z)$ sits on the target density. In high dimensions such maps exist too
# — the triangular (Knothe–Rosenblatt) map applies conditional inverse CDFs one coordinate at a time, and
# optimal-transport maps are another kind — but they need conditional CDFs or densities that we do not
# have for images, so they must be learnt from samples — normalising flows do it by maximum likelihood, which needs $G$ invertible with a tractable
# Jacobian. A GAN *learns* a $G$ that does the same job with no density at all, using a discriminator as its teacher.
#
# ## 1.2 The game
#
# The discriminator $D(x) \in (0, 1)$ is the probability it assigns to "$x$ is real". GANs
# define the value function {cite:p}`goodfellow2014gan`
#
# $$ V(D, G) = \mathbb E_{x \sim p_{data}}[\log D(x)] + \mathbb E_{z \sim p_z}[\log(1 - D(G(z)))] $$ (value)
#
# and the game
#
# $$ \min_G \max_D V(D, G). $$ (minimax)
#
# - $D$ **maximises** $V$: high $D$ on real data, low $D$ on generated samples. $-V$ is the binary
#   cross-entropy of a classifier with real = 1 and fake = 0 (the mean loss on real samples plus the
#   mean loss on generated ones), so the discriminator minimises $L_D = -V$.
# - $G$ **minimises** $V$; only the second term depends on it. Its loss is
#   $L_G = \mathbb E_z[\log(1 - D(G(z)))]$, minimised: it wants $D(G(z))$ close to 1.
#
# For a picture, take $p_{data} = \mathcal N(0, 1)$ and generators $G_\theta(z) = z + \theta$, so
# $p_g = \mathcal N(\theta, 1)$. For each $\theta$ we let $D$ play its best response inside the
# logistic family $D(x) = \sigma(a x + b)$, found by a numerical optimiser, and record the value
# $\max_D V$. The generator should want $\theta = 0$.
#
# A solution of such a game is a **Nash equilibrium**: a pair $(D, G)$ in which neither player can do
# better by changing only its own strategy. For a zero-sum game like this one it is a saddle point of
# $V$: a maximum in $D$ and a minimum in $G$. That is the picture in the space of distributions; for two
# networks a global equilibrium in pure strategies need not exist {cite:p}`farnia2020gans` (mixtures of
# generators and discriminators restore approximate ones {cite:p}`arora2017generalization`), and gradient methods can at best
# find local ones — for a game played in turns, local minimax points {cite:p}`jin2020local`.

# %%
def log_sigmoid(logits):
    return -np.logaddexp(0.0, -logits)  # log sigma(l), finite for every l


def game_value(a, b, p_data, p_g):
    """V(D, G) for D(x) = sigmoid(a x + b), integrated on the grid x."""
    logits = a * x + b
    return theory.integrate(p_data * log_sigmoid(logits) + p_g * log_sigmoid(-logits), x)


def best_response(p_data, p_g):
    """The logistic discriminator that maximises V, and the value it reaches."""
    result = optimize.minimize(lambda ab: -game_value(*ab, p_data, p_g), x0=[0.0, 0.0], method="BFGS",
                               options={"gtol": 1e-10})
    return result.x, -result.fun


p_data = stats.norm(0, 1).pdf(x)
thetas = np.linspace(-4, 4, 41)
values, params = [], []
for theta in thetas:
    (a, b), v = best_response(p_data, stats.norm(theta, 1).pdf(x))
    values.append(v)
    params.append((a, b))
values, params = np.array(values), np.array(params)

# With equal variances the log density ratio is linear, log p_data/p_g = -theta x + theta^2/2,
# so the best logistic D must have a = -theta and b = theta^2 / 2 (chapter 2 proves why).
assert np.allclose(params[:, 0], -thetas, atol=1e-3) and np.allclose(params[:, 1], thetas**2 / 2, atol=1e-3)
# That D is the best of *all* discriminators here, so max_D V = -log 4 + 2 JSD(p_data || p_g) (chapter 2):
# computed independently, by integrating the JSD on the grid. A solver stuck short of the maximum, or a
# value function with a wrong term, would miss it.
via_jsd = np.array([-np.log(4) + 2 * theory.js_divergence(p_data, stats.norm(t, 1).pdf(x), x) for t in thetas])
print(f"max_D V equals -log 4 + 2 JSD at all {len(thetas)} values of theta within 1e-6; lowest at theta = "
      f"{thetas[np.argmin(values)]:.1f}, where it is {values.min():.4f} (-log 4 = {-np.log(4):.4f})")
assert np.abs(values - via_jsd).max() < 1e-6
assert (np.diff(values[thetas >= 0]) > 0).all() and (np.diff(values[thetas <= 0]) < 0).all()   # rises with |theta|

# %%
fig, (ax_d, ax_v) = plt.subplots(1, 2, figsize=(11, 3.8))
theta = 2.0
(a, b), _ = best_response(p_data, stats.norm(theta, 1).pdf(x))
plot.density_1d(x, {"$p_{data}$": p_data, f"$p_g$ (theta = {theta:g})": stats.norm(theta, 1).pdf(x)},
                discriminator=1 / (1 + np.exp(-(a * x + b))), ax=ax_d, xlim=(-5, 6),
                title="D's best response: above 1/2 where p_data > p_g")
ax_v.plot(thetas, values, color=plot.COLORS["generator"], lw=2, label=r"$\max_D V(D, G_\theta)$")
ax_v.axhline(-np.log(4), ls="--", color="k", lw=1, label=r"$-\log 4$")
ax_v.set(xlabel=r"generator parameter $\theta$ (mean of $p_g$)", ylabel="value of the game",
         title="G's choice: the value is lowest at theta = 0")
ax_v.legend(frameon=False)
plt.show()
d_at_mode = 1 / (1 + np.exp(-b))  # D(0) = sigmoid(a * 0 + b)
print(f"best logistic D at the data's mode x = 0: {d_at_mode:.3f}; p_data / (p_data + p_g) there: "
      f"{1 / (1 + np.exp(-theta**2 / 2)):.3f}")

# %% [markdown]
# *Reading the figure.* Left: against $p_g = \mathcal N(2, 1)$ the best discriminator is a
# sigmoid that crosses $\tfrac12$ half-way between the two densities, where they are equal. It is
# not "1 on data, 0 on fakes": at the data's mode it says $1/(1 + e^{-2}) \approx 0.88$, because
# $p_g$ still has mass there (printed above). Right: after $D$'s best
# response, the value is lowest — exactly $-\log 4 \approx -1.386$ — when the generator matches
# the data. Chapter 2 proves that this holds for every data distribution.
#
# ```{note}
# Three framings of GANs that you will meet, each half true. *GANs are maximum likelihood*: the
# standard GAN is not. With the minimax loss and the optimal discriminator its generator minimises the Jensen–Shannon
# divergence (chapter 2), not the KL divergence that maximum likelihood minimises, and its likelihood
# cannot be evaluated anyway (section 1.1). Yet
# {cite:t}`goodfellow2014distinguishability` gives a generator cost whose expected gradient, against the
# optimal discriminator, equals that of maximum likelihood. *GANs are reinforcement learning*: they are
# not trained with rewards from an environment, but {cite:t}`pfau2016connecting` show that a GAN can be
# viewed as an actor-critic method in an environment where the actor cannot affect the reward. *GANs come
# from classical game theory*: game theory supplies the vocabulary (zero-sum games, equilibria) and the
# minimax form, not the method. The method's precursors are in machine learning: noise-contrastive
# estimation {cite:p}`gutmann2010nce` fits a model by training a classifier to tell data from a fixed
# noise distribution, and predictability minimisation {cite:p}`schmidhuber1992predictability` pits two
# networks against each other; the 2014 paper let the generator itself be the "noise" the classifier
# learns to reject.
# ```
#
# ## 1.3 Measuring how far two distributions are
#
# The **Kullback–Leibler divergence** {cite:p}`kullback1951information`
#
# $$ \mathrm{KL}(p \,\|\, q) = \int p(x) \log \frac{p(x)}{q(x)}\, dx $$ (kl)
#
# is $\ge 0$, zero only when $p = q$, *not symmetric*, and infinite as soon as $p$ puts mass where
# $q$ has none. The **Jensen–Shannon divergence** {cite:p}`lin1991divergence` compares both to their
# average $m = (p + q)/2$:
#
# $$ \mathrm{JSD}(p \,\|\, q) = \tfrac12 \mathrm{KL}(p \,\|\, m) + \tfrac12 \mathrm{KL}(q \,\|\, m), \qquad 0 \le \mathrm{JSD} \le \log 2. $$ (jsd)
#
# It is symmetric and always finite. Both are **f-divergences**, $\int q\, f(p/q)$ for a convex $f$ with
# $f(1) = 0$, and f-GAN {cite:p}`nowozin2016fgan` trains a GAN for any member of that family.
# `gantut.theory` computes both by numerical integration; for
# two Gaussians KL has a closed form to check against:
#
# $$ \mathrm{KL}\big(\mathcal N(\mu_1, \sigma_1^2) \,\|\, \mathcal N(\mu_2, \sigma_2^2)\big) = \log\frac{\sigma_2}{\sigma_1} + \frac{\sigma_1^2 + (\mu_1 - \mu_2)^2}{2\sigma_2^2} - \frac12. $$ (kl-gauss)

# %%
mus = np.linspace(0, 8, 33)
p = stats.norm(0, 1).pdf(x)
kl_pq, kl_qp, jsd, kl_closed, kl_closed_qp = [], [], [], [], []
for mu in mus:
    q = stats.norm(mu, 2).pdf(x)
    kl_pq.append(theory.kl_divergence(p, q, x))
    kl_qp.append(theory.kl_divergence(q, p, x))
    jsd.append(theory.js_divergence(p, q, x))
    kl_closed.append(theory.kl_gaussians(0, 1, mu, 2))
    kl_closed_qp.append(theory.kl_gaussians(mu, 2, 0, 1))
error = max(np.max(np.abs(np.array(kl_pq) - kl_closed)), np.max(np.abs(np.array(kl_qp) - kl_closed_qp)))
print(f"KL on the grid equals the closed form within 1e-12 for all {len(mus)} pairs, both orders")
assert error < 1e-12
# JSD checked against an independent implementation: scipy's Jensen-Shannon distance (its square root) of
# the two densities discretised on the grid, in nats.
scipy_jsd = np.array([distance.jensenshannon(p, stats.norm(mu, 2).pdf(x)) ** 2 for mu in mus])
jsd_error = np.abs(np.array(jsd) - scipy_jsd).max()
assert jsd_error < 1e-6
# The plateau: from mu = 6 to mu = 8, KL(p || q) still grows by several nats; JSD, near log 2, hardly moves.
six, eight = np.searchsorted(mus, 6.0), np.searchsorted(mus, 8.0)
kl_growth, jsd_growth = kl_pq[eight] - kl_pq[six], jsd[eight] - jsd[six]
print(f"from mu = 6 to mu = 8: KL(p || q) grows by {kl_growth:.2f} nats, JSD by {jsd_growth:.4f} "
      f"(JSD at mu = 8: {jsd[-1]:.4f}, log 2 = {np.log(2):.4f})")
assert kl_growth > 3 and jsd_growth < 0.1 and jsd[-1] > 0.98 * np.log(2), "JSD saturates near log 2, KL does not"

# %% tags=["nbval-ignore-output"]
# The measured errors (their last digits depend on the CPU's arithmetic, so this cell's output is not compared).
print(f"largest |KL on the grid - closed form|: {error:.1e}; largest |JSD - scipy's|: {jsd_error:.1e}")

# %%
fig, ax = plt.subplots(figsize=(7, 3.8))
ax.plot(mus, kl_pq, lw=2, label=r"KL$(p\,\|\,q)$")
ax.plot(mus, kl_qp, lw=2, label=r"KL$(q\,\|\,p)$")
ax.plot(mus, jsd, lw=2, label="JSD$(p\\,\\|\\,q)$")
ax.axhline(np.log(2), ls="--", color="k", lw=1, label="log 2")
ax.set(xlabel=r"distance between the means $\mu$", ylabel="divergence (nats)", ylim=(0, 5),
       title=r"$p = \mathcal{N}(0, 1)$, $q = \mathcal{N}(\mu, 2^2)$: KL grows, JSD saturates")
ax.legend(frameon=False)
plt.show()

# %% [markdown]
# *Reading the figure.* The two KLs differ (KL is not symmetric) and grow without bound as the
# distributions separate. JSD approaches $\log 2$: once two distributions barely overlap,
# moving them further apart hardly changes it. Remember this plateau: chapter 2 shows it is
# what starves the minimax (saturating) generator, and chapter 5 replaces JSD by a distance that does not
# saturate.
#
# **Which divergence you minimise changes the answer.** Fit a single Gaussian $q$ to a
# two-bump $p$ by minimising each divergence. Minimising $\mathrm{KL}(p\,\|\,q)$ (what maximum
# likelihood does) must cover all of $p$'s mass; minimising $\mathrm{KL}(q\,\|\,p)$ may not put
# mass where $p$ has none, so for bumps as far apart as these it picks one
# {cite:p}`minka2005divergence,goodfellow2016tutorial`; {cite:t}`theis2016note` show such fits in 2D for KL, MMD and JSD. Forward KL to a
# Gaussian has a single minimum (it matches the mean and the variance of $p$); reverse KL and JSD can
# have several, one per bump and one covering both, so we start the optimiser from a narrow and from a
# wide Gaussian and keep the better end point.

# %%
bimodal = data.mixture_1d(means=[-3.0, 3.0], stds=1.0, weights=[0.5, 0.5])
p_bi = bimodal.pdf(x)


def fit(divergence, starts=((1.0, 0.0), (0.0, 1.0))):
    """The Gaussian q = N(mean, exp(log_std)^2) minimising divergence(q); one result per start."""
    objective = lambda params: divergence(stats.norm(params[0], np.exp(params[1])).pdf(x))
    return [optimize.minimize(objective, x0=start, method="Nelder-Mead",
                              options={"xatol": 1e-7, "fatol": 1e-10, "maxiter": 4000}) for start in starts]


divergences = {
    "min KL(p || q)": lambda q: theory.kl_divergence(p_bi, q, x),
    "min KL(q || p)": lambda q: theory.kl_divergence(q, p_bi, x),
    "min JSD(p || q)": lambda q: theory.js_divergence(p_bi, q, x),
}
tidy = lambda value, digits: round(value, digits) + 0.0  # never print -0.00
fits, ends = {}, {}
for label, divergence in divergences.items():
    narrow, wide = ends[label] = fit(divergence)
    best_fit = min((narrow, wide), key=lambda result: result.fun)
    fits[label] = best_fit.x
    print(f"{label:16s} narrow start -> mean {tidy(narrow.x[0], 2):+.2f}, value {narrow.fun:.3f}; "
          f"wide start -> mean {tidy(wide.x[0], 2):+.2f}, value {wide.fun:.3f}")
(mean_f, log_std_f), (mean_r, _), (mean_j, _) = fits.values()
# Forward KL to a Gaussian is moment matching: mean 0, variance 1 + 3^2 = 10.
print(f"forward KL fit: mean {tidy(mean_f, 4):.4f}, variance {np.exp(2 * log_std_f):.4f} (moments of p: 0 and 10)")
assert abs(mean_f) < 1e-3 and abs(np.exp(2 * log_std_f) - 10) < 1e-3
assert abs(abs(mean_r) - 3) < 0.05, "reverse KL picks a bump"
assert abs(mean_j) < 1e-3, "JSD prefers covering both bumps for this p"
assert all(abs(ends[label][0].x[0] - 3) < 0.1 for label in ("min KL(q || p)", "min JSD(p || q)")), \
    "from the narrow start (a Gaussian at 1, nearer the right bump), reverse KL and JSD end on that bump"

# %%
fig, ax = plt.subplots(figsize=(8, 3.8))
ax.fill_between(x, p_bi, color=plot.COLORS["data"], alpha=0.25, label="p (two bumps)")
for (label, (mean, log_std)), style in zip(fits.items(), ["-", "-", "--"]):
    ax.plot(x, stats.norm(mean, np.exp(log_std)).pdf(x), style, lw=2, label=label)
ax.set(xlim=(-8, 8), xlabel="x", ylabel="density",
       title="The best single Gaussian depends on the divergence")
ax.legend(frameon=False)
plt.show()

# %% [markdown]
# *Reading the figure.* Forward KL spreads $q$ over both bumps and puts its peak where $p$ has
# almost no mass; reverse KL locks onto one bump and ignores the other. (The covering JSD fit lies almost
# exactly on the forward-KL curve and hides it.) JSD has both kinds of
# minimum (the printout above): for bumps at $\pm 3$ the covering one is lower, but an optimiser
# started off-centre slides onto the nearer bump and stays there. Which one is lower depends on how far apart the bumps are:
# move them apart and refit.

# %%
separations = [2.0, 2.5, 3.0, 4.0, 5.0, 8.0]
one_bump, covering = {"JSD": [], "KL(q || p)": []}, {"JSD": [], "KL(q || p)": []}
for d in separations:
    p_d = data.mixture_1d(means=[-d, d], stds=1.0, weights=[0.5, 0.5]).pdf(x)
    for name, divergence in (("JSD", lambda q: theory.js_divergence(p_d, q, x)),
                             ("KL(q || p)", lambda q: theory.kl_divergence(q, p_d, x))):
        on_bump, across = fit(divergence, starts=((d, 0.0), (0.0, np.log(d))))
        assert abs(across.x[0]) < 1e-3                                  # the covering fit ends centred
        value = lambda mean, log_std: divergence(stats.norm(mean, np.exp(log_std)).pdf(x))
        # Started on a bump, the fit either stays near it (a one-bump minimum exists) or slides to the centre.
        has_bump_minimum = abs(on_bump.x[0] - d) < 0.5
        assert has_bump_minimum or abs(on_bump.x[0]) < 1e-3
        for fitted in (on_bump, across) if has_bump_minimum else (across,):
            # a minimum, not a saddle: a step in any of 8 directions raises it
            steps_around = [(0.05 * np.cos(angle), 0.05 * np.sin(angle)) for angle in np.arange(8) * np.pi / 4]
            assert min(value(fitted.x[0] + dm, fitted.x[1] + ds) for dm, ds in steps_around) > fitted.fun
        one_bump[name].append(on_bump.fun if has_bump_minimum else np.inf)   # inf: the bump start slid to the centre
        covering[name].append(across.fun)
    describe = lambda name, digits: (f"{one_bump[name][-1]:.{digits}f}" if np.isfinite(one_bump[name][-1])
                                     else "none (started on a bump, the fit slid to the centre)")
    print(f"bumps at +-{d:g}: best one-bump Gaussian vs best covering one: JSD {describe('JSD', 4)} vs "
          f"{covering['JSD'][-1]:.4f}, reverse KL {describe('KL(q || p)', 3)} vs {covering['KL(q || p)'][-1]:.3f}")
one_bump, covering = ({name: np.array(v) for name, v in values.items()} for values in (one_bump, covering))
seeks = {name: one_bump[name] < covering[name] for name in one_bump}   # True where one bump is the better fit
assert (seeks["JSD"] == (np.array(separations) >= 5)).all()
assert (seeks["KL(q || p)"] == (np.array(separations) >= 3)).all()
print("one bump fits better from +-5 on for JSD, from +-3 on for the reverse KL; closer bumps are covered by both")

# %% [markdown]
# Both divergences switch. Close bumps ($\pm 2$ to $\pm 4$): JSD prefers to cover them (at $\pm 2$ and
# $\pm 2.5$ a fit started on a bump slides to the centre); further apart ($\pm 5$, $\pm 8$), a Gaussian on one bump is the better fit. The
# reverse KL switches earlier: it covers bumps at $\pm 2$ (the bump start slides to the centre) and $\pm 2.5$, and picks one from
# $\pm 3$ on. "Mode-seeking" is a property of a divergence *and* of how separated the modes are; the reverse
# KL turns to it sooner than JSD, and the forward KL never does.
# {cite:t}`huszar2015not` makes the "in between" precise: a generalised JSD,
# $\pi\,\mathrm{KL}(p_{data} \| m) + (1 - \pi)\,\mathrm{KL}(p_g \| m)$ with $m = \pi p_{data} + (1 - \pi) p_g$, divided by
# $\pi$ (or by $1 - \pi$), tends to the forward KL as $\pi \to 0$ (or to the reverse KL as $\pi \to 1$). A generator that settles on
# some modes of the data and ignores the others is the **mode collapse** of chapter 6.
#
# ## 1.4 Two generator losses
#
# Write the discriminator as $D(x) = \sigma(\ell(x))$ with logit $\ell$. For a generated sample with
# logit $\ell$ and $D = \sigma(\ell)$, the generator can use
#
# - the **saturating** (minimax) loss $\;\log(1 - \sigma(\ell))$, minimised, straight from {eq}`value`;
# - the **non-saturating** loss $\;-\log \sigma(\ell)$, minimised, proposed in the same paper
#   {cite:p}`goodfellow2014gan`: instead of minimising the log-probability that $D$ is *right*
#   about a fake, maximise the log-probability that it is *wrong* — make it say "real".
#
# Both losses push $D(G(z))$ up, and the paper notes that both lead to the same fixed point of
# the dynamics: at $p_g = p_{data}$ the best discriminator is $D^* = \tfrac12$ everywhere, a constant,
# so neither loss has a gradient left for $G$. The non-saturating version is not a zero-sum game: $G$
# minimises $-\log D(G(z))$, not $V$, so the minimax reading of section 1.2 describes only the fixed
# point the two games share {cite:p}`goodfellow2016tutorial` (section 3.2.3). Their gradients with respect to the logit
# differ, because $\sigma'(\ell) = \sigma(\ell)(1 - \sigma(\ell))$:
#
# $$ \frac{\partial}{\partial \ell} \log(1 - \sigma(\ell)) = -\sigma(\ell) = -D, \qquad
#    \frac{\partial}{\partial \ell} \big(-\log \sigma(\ell)\big) = -(1 - \sigma(\ell)) = -(1 - D). $$ (gen-grads)
#
# When the discriminator wins easily — as it can early in training, while the generator's samples are far
# from the data — $D(G(z)) \approx 0$: the saturating
# gradient is $\approx 0$ exactly when the generator most needs a signal, while the
# non-saturating one is $\approx -1$. Let autograd check {eq}`gen-grads`.

# %%
logits = torch.linspace(-8, 8, 401, dtype=torch.float64, requires_grad=True)
(autograd_sat,) = torch.autograd.grad(torch.log1p(-torch.sigmoid(logits)).sum(), logits)
(autograd_ns,) = torch.autograd.grad((-F.logsigmoid(logits)).sum(), logits)
d_fake = torch.sigmoid(logits).detach().numpy()
grad_error = max(np.abs(theory.saturating_grad(d_fake) - autograd_sat.numpy()).max(),
                 np.abs(theory.non_saturating_grad(d_fake) - autograd_ns.numpy()).max())
assert grad_error < 1e-12
print("autograd agrees with -D and -(1 - D) within 1e-12 at 401 logits in [-8, 8]")
early = 0.01
ratio = theory.non_saturating_grad(early) / theory.saturating_grad(early)
print(f"at D(G(z)) = {early}: non-saturating gradient is {ratio:.0f} times the saturating one")

# %% [markdown]
# ```{admonition} Mistake: the losses computed from probabilities
# :class: warning
# `torch.log(1 - torch.sigmoid(logit))` is the saturating loss on paper. In float32, once the logit
# passes about 17, `sigmoid` rounds to exactly 1: the loss is $-\infty$ and its gradient NaN, which then
# spreads to every weight. The opposite case, a fake that $D$ rejects surely, fails silently:
# `nn.BCELoss` on `torch.sigmoid(logit)` (the non-saturating loss written with probabilities) divides
# its gradient by $\max(\sigma(1 - \sigma), 10^{-12})$, so once $\sigma$ falls below about $10^{-12}$ (a
# logit below about $-28$) the gradient shrinks with $\sigma$ — about $4 \times 10^{-6}$ at logit $-40$,
# where the right gradient is $-1$ — and once `sigmoid` returns exactly 0 (in float32 below about $-88.7$,
# where $e^{-\ell}$ overflows, or $-87.3$ on a CPU set to flush denormal numbers to zero)
# the loss is clamped at 100 and the gradient is 0. No NaN, no warning: a generator that stops learning
# from the samples $D$ rejects most surely. Work with logits: $\log(1 - \sigma(\ell)) = \log\sigma(-\ell)$, which
# `F.logsigmoid` computes stably (and `F.binary_cross_entropy_with_logits` for the cross-entropy).
# ```

# %%
confident = torch.tensor(30.0, requires_grad=True)           # a fake that D is sure is real (float32)
naive = torch.log(1 - torch.sigmoid(confident))
(naive_grad,) = torch.autograd.grad(naive, confident)
stable = F.logsigmoid(-confident)
(stable_grad,) = torch.autograd.grad(stable, confident)
assert torch.isinf(naive) and torch.isnan(naive_grad)
assert torch.isclose(stable, torch.tensor(-30.0)) and torch.isclose(stable_grad, torch.tensor(-1.0))
print(f"logit 30: log(1 - sigmoid) = {naive.item()}, gradient {naive_grad.item()}; "
      f"logsigmoid(-logit) = {stable.item():.1f}, gradient {stable_grad.item():.1f}")
for logit, loss_then, fades in ((-40.0, 40.0, lambda g: 0 < abs(g) < 1e-4), (-120.0, 100.0, lambda g: g == 0)):
    rejected = torch.tensor([logit], requires_grad=True)        # a fake that D is sure is fake (float32)
    from_probabilities = torch.nn.BCELoss()(torch.sigmoid(rejected), torch.ones(1))   # -log D(G(z)) via probabilities
    (probability_grad,) = torch.autograd.grad(from_probabilities, rejected)
    with_logits = F.binary_cross_entropy_with_logits(rejected, torch.ones(1))
    (logits_grad,) = torch.autograd.grad(with_logits, rejected)
    assert torch.isclose(from_probabilities, torch.tensor(loss_then)) and fades(probability_grad.item())
    assert torch.isclose(with_logits, torch.tensor(-logit)) and torch.isclose(logits_grad, torch.tensor([-1.0])).all()
    print(f"logit {logit:.0f}: BCELoss(sigmoid(logit), 1) = {from_probabilities.item():.0f}, gradient "
          f"{probability_grad.item():.1e}; binary_cross_entropy_with_logits = {with_logits.item():.0f}, "
          f"gradient {logits_grad.item():.0f}")

# %% tags=["nbval-ignore-output"]
print(f"largest |formula - autograd| over the 401 logits and both losses: {grad_error:.1e}")

# %%
fig, (ax_loss, ax_grad) = plt.subplots(1, 2, figsize=(11, 3.8))
d_axis = np.linspace(1e-3, 1 - 1e-3, 500)
ax_loss.plot(d_axis, np.log1p(-d_axis), lw=2, label=r"saturating: $\log(1 - D)$")
ax_loss.plot(d_axis, -np.log(d_axis), lw=2, label=r"non-saturating: $-\log D$")
ax_loss.set(xlabel="D(G(z))", ylabel="generator loss (minimised)", title="Both losses fall as D(G(z)) rises")
ax_grad.semilogy(d_axis, np.abs(theory.saturating_grad(d_axis)), lw=2, label="saturating: |-D|")
ax_grad.semilogy(d_axis, np.abs(theory.non_saturating_grad(d_axis)), lw=2, label="non-saturating: |-(1 - D)|")
ax_grad.axvspan(0, 0.1, color="grey", alpha=0.15, label="D winning: D(G(z)) < 0.1")
ax_grad.set(xlabel="D(G(z))", ylabel="|gradient w.r.t. the logit|", title="When D wins, the saturating loss barely pushes")
for ax in (ax_loss, ax_grad):
    ax.legend(frameon=False)
plt.show()

# %% [markdown]
# *Reading the figure.* Left: both losses decrease as the generator fools $D$ more. Right: where
# the discriminator wins ($D(G(z))$ near 0, shaded) the saturating loss is flat in the logit — its
# gradient with respect to the logit is $-D$ — and the generator learns almost nothing through the logit
# (section 1.6 shows how slowly it then moves). This is why the 2014 paper recommends the
# non-saturating loss, and why it is the usual default when a GAN is trained with the cross-entropy of
# {eq}`value`; the other losses of chapters 5 and 8 (Wasserstein, least squares, hinge) give the
# generator other costs altogether.
#
# **The fix changes what is minimised.** Hold the discriminator at its best response $D^*$ for the
# current generator $p_{g,\theta_0}$ (chapter 2 derives $D^* = p_{data}/(p_{data} + p_g)$) and move
# $\theta$. The saturating loss's gradient is then that of $2\,\mathrm{JSD}(p_{data}\,\|\,p_{g,\theta})$ (the value
# $C(G) = -\log 4 + 2\,\mathrm{JSD}$ of chapter 2, whose $D^*$-dependence has zero gradient at $D^*$), but
# Theorem 2.5 of {cite:t}`arjovsky2017principled` shows that the non-saturating one is
#
# $$ \mathbb E_z\big[-\nabla_\theta \log D^*(G_\theta(z))\big]\Big|_{\theta_0}
#    = \nabla_\theta\Big[\mathrm{KL}(p_{g,\theta}\,\|\,p_{data}) - 2\,\mathrm{JSD}(p_{g,\theta}\,\|\,p_{data})\Big]\Big|_{\theta_0}, $$ (ns-gradient)
#
# the gradient of a reverse KL (which punishes samples where the data has none, and barely
# punishes missed modes) *minus* twice a JSD. The cure has its own weakness, in a different setting: when
# the supports are disjoint or lie on low-dimensional manifolds, so that a perfect discriminator exists,
# and $D$ is that discriminator plus independent noise in its value and gradient, Theorem 2.6 of the same
# paper shows that the non-saturating gradient follows a centred Cauchy distribution, with no mean and no
# variance (chapter 2 returns to it). Eq. {eq}`ns-gradient` itself assumes densities. Check it with $p_{data} = \mathcal N(0, 1)$ and
# $p_{g,\theta} = \mathcal N(\theta, 0.7^2)$: differentiate both sides in $\theta$ by central differences,
# on the grid, at several $\theta_0$, and compare with the candidates one might guess; the saturating
# loss is checked against $\nabla\,2\,\mathrm{JSD}$ in the same way.

# %%
p_data_ns = stats.norm(0, 1)
log_p_data = p_data_ns.logpdf(x)
h = 1e-4  # central-difference step in theta


def ns_loss(theta, theta0):
    """E_{x ~ N(theta, 0.7^2)}[-log D*(x)] with D* the best response to N(theta0, 0.7^2), held fixed."""
    minus_log_d_star = np.logaddexp(0.0, stats.norm(theta0, 0.7).logpdf(x) - log_p_data)  # -log D* = log(1 + p_g/p_data)
    return theory.integrate(stats.norm(theta, 0.7).pdf(x) * minus_log_d_star, x)


def saturating_loss(theta, theta0):
    """E_{x ~ N(theta, 0.7^2)}[log(1 - D*(x))] with D* held at its value for theta0."""
    log_one_minus_d_star = -np.logaddexp(0.0, log_p_data - stats.norm(theta0, 0.7).logpdf(x))  # log(p_g / (p_data + p_g))
    return theory.integrate(stats.norm(theta, 0.7).pdf(x) * log_one_minus_d_star, x)


def divergence_gradient(divergence, theta0):
    """d/dtheta of divergence(p_g_theta) at theta0, by central differences."""
    value_at = lambda theta: divergence(stats.norm(theta, 0.7).pdf(x))
    return (value_at(theta0 + h) - value_at(theta0 - h)) / (2 * h)


reverse_kl = lambda q: theory.kl_divergence(q, p_data_ns.pdf(x), x)
two_jsd = lambda q: 2 * theory.js_divergence(q, p_data_ns.pdf(x), x)
print(f"{'theta0':>6s} {'NS gradient':>12s} {'grad(KL-2JSD)':>14s} {'grad(2 JSD)':>12s} {'grad KL':>9s}")
worst_match, closest_wrong = 0.0, np.inf
for theta0 in [-2.0, -0.5, 1.0, 3.0]:
    lhs = (ns_loss(theta0 + h, theta0) - ns_loss(theta0 - h, theta0)) / (2 * h)
    candidates = {"KL - 2 JSD": divergence_gradient(lambda q: reverse_kl(q) - two_jsd(q), theta0),
                  "2 JSD": divergence_gradient(two_jsd, theta0), "KL": divergence_gradient(reverse_kl, theta0)}
    print(f"{theta0:6.1f} {lhs:12.5f} {candidates['KL - 2 JSD']:14.5f} {candidates['2 JSD']:12.5f} {candidates['KL']:9.5f}")
    saturating = (saturating_loss(theta0 + h, theta0) - saturating_loss(theta0 - h, theta0)) / (2 * h)
    worst_match = max(worst_match, abs(lhs - candidates["KL - 2 JSD"]), abs(saturating - candidates["2 JSD"]))
    closest_wrong = min(closest_wrong, abs(lhs - candidates["2 JSD"]), abs(lhs - candidates["KL"]))
assert worst_match < 1e-5 and closest_wrong > 1e6 * worst_match
print("|NS gradient - grad(KL - 2 JSD)| and |saturating gradient - grad(2 JSD)| < 1e-5; the wrong guesses for "
      f"the NS gradient miss by at least {np.floor(closest_wrong * 1000) / 1000:.3f}, over a million times more")

# %% [markdown]
# The non-saturating gradient matches $\nabla[\mathrm{KL}(p_g\,\|\,p_{data}) - 2\,\mathrm{JSD}]$ to
# finite-difference precision and misses both "it minimises JSD" and "it minimises the reverse KL"
# by at least 0.057 at these four points (the table; near $\theta_0 = 3$ the reverse KL comes within 9%
# of it), over a million times the numerical error. The $-2\,\mathrm{JSD}$ term pushes the wrong way (towards *larger* JSD), and
# the reverse KL is the mode-seeking divergence of section 1.3. Whether this explains why GANs drop
# modes rather than blur them (chapter 6) is contested. {cite:t}`shannon2020nonsaturating` argue that the
# non-saturating loss approximately minimises a divergence that behaves like the reverse KL, which would
# explain sharp samples with little variety. {cite:t}`goodfellow2016tutorial` (section 3.2.5) argues the
# opposite: GANs trained with a cost whose gradient is maximum likelihood's, i.e. the forward KL, still
# produce sharp samples and still select a small number of modes, so the choice of divergence is not
# what makes them do it; {cite:t}`fedus2018many` go further and show GANs learning where the
# divergence-minimisation view predicts that they fail. Section 1.3 adds a caution of its own: JSD, the divergence of the original
# game, covers close bumps and picks one of two distant ones, so "which divergence" depends on the data
# as well. The tutorial's own account of mode collapse (its section 5.1.1) is about the order of play
# instead: simultaneous gradient steps do not distinguish $\min_G \max_D V$ from $\max_D \min_G V$, and in
# the second the generator's best response maps every $z$ to the one point the current $D$ finds most
# real.
#
# ## 1.5 Why a game is harder than a loss
#
# Gradient descent on a loss goes downhill. In a game, each player goes downhill on *its own*
# loss, and the two can chase each other forever. The smallest example is the bilinear game
#
# $$ \min_x \max_y \; x\,y, $$ (bilinear)
#
# whose unique equilibrium is $(0, 0)$. Simultaneous gradient play with step $\eta$,
# $x \leftarrow x - \eta y,\; y \leftarrow y + \eta x$, multiplies the distance to the equilibrium by
# $\sqrt{1 + \eta^2}$ at every step: it spirals **out**. (In matrix form the step is
# $(x, y) \leftarrow (I - \eta A)(x, y)$ with $A = \begin{pmatrix} 0 & 1 \\ -1 & 0 \end{pmatrix}$; the
# eigenvalues $1 \pm i\eta$ of $I - \eta A$ have modulus $\sqrt{1 + \eta^2} > 1$. Purely imaginary
# eigenvalues of the game's Jacobian, $\pm i$ here, are what makes gradient play rotate instead of
# descend {cite:p}`mescheder2017numerics`; chapter 9 returns to them.) Alternating play ($y$ sees the new $x$) keeps
# $x^2 + y^2 - \eta x y$ constant: it **cycles** forever. Neither converges, although the
# equilibrium exists {cite:p}`mescheder2018converge,gidel2019negative`. Whether GAN training
# inherits this depends, among other things, on the distributions, the losses, any regulariser and the
# step size. When $p_{data}$ and $p_g$ have densities (are absolutely
# continuous) and some further conditions hold, the equilibrium is locally stable for simultaneous
# gradient play in the limit of small steps {cite:p}`nagarajan2017gradient`: started close enough, with a
# small enough step, it converges; when the data is
# concentrated on a point or a thin set, as images are believed to be, it need not: {cite:t}`mescheder2018converge`
# show that on a GAN with a single data point (the Dirac-GAN of chapter 9) unregularised gradient play
# need not converge: near the equilibrium its dynamics rotate, like the game above. The tiny GAN of section 1.6 has densities on both sides (though it alternates its steps),
# and it settles.
#
# One remedy, **extra-gradient** {cite:p}`korpelevich1976extragradient,gidel2019variational`, shows that
# the rotation can be beaten: each player first takes a trial step, then takes its real step from the
# current point with the gradient evaluated at the trial point. For the bilinear game that step is
# $(I - \eta A - \eta^2 I)$, whose eigenvalues $1 - \eta^2 \pm i\eta$ have modulus
# $\sqrt{1 - \eta^2 + \eta^4} < 1$ for $0 < \eta < 1$: it spirals **in**.

# %%
lr, steps = 0.1, 300
simultaneous = theory.bilinear_game(1.0, 0.0, lr, steps)
alternating = theory.bilinear_game(1.0, 0.0, lr, steps, alternating=True)
radius_sim = np.linalg.norm(simultaneous, axis=1)
radius_alt = np.linalg.norm(alternating, axis=1)
assert np.allclose(radius_sim, (1 + lr**2) ** (np.arange(steps + 1) / 2))
invariant = alternating[:, 0] ** 2 + alternating[:, 1] ** 2 - lr * alternating[:, 0] * alternating[:, 1]
assert np.allclose(invariant, invariant[0]) and radius_alt.min() > 0.9


def extragradient(x0, y0, lr, steps):
    """Extra-gradient play on min_x max_y xy: a trial step, then the real step with the trial point's gradient.
    Returns the iterates, shape (steps + 1, 2)."""
    path = [(x0, y0)]
    for _ in range(steps):
        x_now, y_now = path[-1]
        x_trial, y_trial = x_now - lr * y_now, y_now + lr * x_now       # the simultaneous step, as a trial
        path.append((x_now - lr * y_trial, y_now + lr * x_trial))       # from the current point, trial gradients
    return np.array(path)


extra = extragradient(1.0, 0.0, lr, steps)
radius_extra = np.linalg.norm(extra, axis=1)
assert np.allclose(radius_extra, (1 - lr**2 + lr**4) ** (np.arange(steps + 1) / 2))
print(f"after {steps} steps: simultaneous distance {radius_sim[-1]:.1f} "
      f"(= (1 + lr^2)^(steps/2) = {(1 + lr**2) ** (steps / 2):.1f}); "
      f"alternating stays between {radius_alt.min():.2f} and {radius_alt.max():.2f}; "
      f"extra-gradient {radius_extra[-1]:.2f} (= (1 - lr^2 + lr^4)^(steps/2))")

# %%
fig, (ax_path, ax_r) = plt.subplots(1, 2, figsize=(11, 4.2))
ax_path.plot(*simultaneous[:60].T, ".-", ms=3, lw=1, label="simultaneous (60 steps)")
ax_path.plot(*alternating.T, ".-", ms=2, lw=1, label=f"alternating ({steps} steps)")
ax_path.plot(*extra.T, ".-", ms=2, lw=1, label=f"extra-gradient ({steps} steps)")
ax_path.plot(0, 0, "k*", ms=12, label="equilibrium (0, 0)")
ax_path.set(xlabel="x (the minimising player)", ylabel="y (the maximising player)", aspect="equal",
            xlim=(-1.9, 1.9), ylim=(-1.9, 1.9), title="Gradient play on min_x max_y xy")
ax_r.plot(radius_sim, lw=2, label="simultaneous")
ax_r.plot(radius_alt, lw=2, label="alternating")
ax_r.plot(radius_extra, lw=2, label="extra-gradient")
ax_r.set(xlabel="step", ylabel="distance to the equilibrium", title="Out, round and round, or (extra-gradient) in")
ax_path.legend(frameon=False, fontsize=7, loc="upper left")
ax_r.legend(frameon=False, fontsize=8)
plt.show()

# %% [markdown]
# *Reading the figure.* Left: the simultaneous iterates spiral away from the star; the
# alternating ones go round it on an ellipse, never closing in; the extra-gradient ones spiral in.
# Right: the distance to the equilibrium grows geometrically, oscillates within a few per cent, or shrinks geometrically (each
# extra-gradient step evaluates the gradients twice, so its 300 steps cost 600 evaluations).
# Other remedies exist: optimistic gradient steps {cite:p}`popov1980modification`, used for GANs by
# {cite:t}`daskalakis2018optimism`; negative momentum {cite:p}`gidel2019negative`; averaging the iterates
# {cite:p}`yazici2019unusual`; consensus optimisation {cite:p}`mescheder2017numerics`; letting the generator
# look ahead at the discriminator's next steps, the unrolled GAN {cite:p}`metz2017unrolled` (chapter 6); and
# zero-centred gradient penalties
# {cite:p}`roth2017stabilizing,mescheder2018converge` (chapter 9). Giving the two players different learning
# rates, the two time-scale rule {cite:p}`heusel2017ttur`, is not one of them: on this game, simultaneous
# steps of sizes $\eta_x$ and $\eta_y$ multiply $x^2/\eta_x + y^2/\eta_y$ by exactly $1 + \eta_x \eta_y$ per step (expand
# one step to check), so the iterates still spiral out; its convergence result needs other assumptions. The lesson for now is that
# gradient play on a game need not go steadily towards its equilibrium, so a GAN's losses should not be
# read like a loss going downhill (section 1.6 shows one that goes down for the wrong reason).
#
# ## 1.6 A tiny GAN: the two losses, and a common mistake
#
# (Another slip of the training loop, fakes not detached in $D$'s step, is shown running in chapter 3.)
#
# ```{admonition} Mistake: the generator's loss written as the discriminator's loss
# :class: warning
# A common slip gives the generator the loss
# $-\mathbb E[\log D(x)] - \mathbb E[\log(1 - D(G(z)))]$. That is $L_D = -V$, the
# *discriminator's* loss. Its first term does not depend on $G$; minimising the second,
# $-\log(1 - D(G(z)))$, drives $D(G(z))$ **down**: the generator learns to look *more* fake.
# The same error hides in "the generator maximises $\log(1 - D(G(z)))$" — it minimises it.
# ```
#
# Watch it happen in the smallest GAN there is: data $\mathcal N(0, 1)$, generator
# $G_\theta(z) = z + \theta$ starting near $\theta = 2$, logistic discriminator $\sigma(a x + b)$,
# one plain gradient step (SGD, the same learning rate for every loss) for each player in turn — the
# alternating schedule of Algorithm 1 of the 2014 paper, with $k = 1$ discriminator step per generator step
# (here the generator's step reuses the discriminator's noise batch) — five
# seeds. A seed draws the start ($\theta$ uniform in $[1.5, 2.5]$, $a$ and $b$ from $\mathcal N(0, 0.1^2)$)
# and the mini-batches, so the seeds are five different training runs, not five noise draws of one. The
# same two correct losses then start far from the data, near $\theta = 6$, where the discriminator wins
# quickly and $D(G(z))$ is small early on (below 0.15 on average over the first 50 steps, every seed), in or near the regime of section 1.4's shaded band.

# %%
GAME_STEPS = 300


def tiny_gan(generator_loss, start=2.0, steps=GAME_STEPS, lr=0.05, seed=SEED, g_optimizer=torch.optim.SGD):
    """Alternating steps on the 1D game (SGD for D; `g_optimizer(params, lr=lr)` for G, SGD by default); theta
    starts uniform in [start - 0.5, start + 0.5] (drawn with `seed`).

    Returns a dict of arrays of shape (steps,): theta after every generator step, the generator's loss, the
    part of it that depends on G through D's fake term, -log(1 - D(G(z))), the mean D(G(z)), and D's loss."""
    rng = torch.Generator().manual_seed(seed)
    theta = (start - 0.5 + torch.rand((), generator=rng)).requires_grad_()
    a, b = (0.1 * torch.randn(2, generator=rng)).unbind()
    a, b = a.clone().requires_grad_(), b.clone().requires_grad_()
    opt_d, opt_g = torch.optim.SGD([a, b], lr=lr), g_optimizer([theta], lr=lr)
    record = {"theta": [], "loss": [], "fake_term": [], "d_fake": [], "loss_d": []}
    for _ in range(steps):
        real, z = torch.randn(256, generator=rng), torch.randn(256, generator=rng)
        fake = (z + theta).detach()
        loss_d = -(F.logsigmoid(a * real + b).mean() + F.logsigmoid(-(a * fake + b)).mean())
        opt_d.zero_grad(); loss_d.backward(); opt_d.step()
        record["loss_d"].append(loss_d.item())
        fake_logits = a * (z + theta) + b
        loss_g = generator_loss(a * real + b, fake_logits)
        opt_g.zero_grad(); loss_g.backward(); opt_g.step()
        record["theta"].append(theta.item())
        record["loss"].append(loss_g.item())
        record["fake_term"].append(F.softplus(fake_logits).mean().item())       # -log(1 - sigmoid(l))
        record["d_fake"].append(torch.sigmoid(fake_logits).mean().item())
    return {key: np.array(values) for key, values in record.items()}


losses = {
    "non-saturating: -log D(G(z))": lambda real_logits, fake_logits: -F.logsigmoid(fake_logits).mean(),
    "saturating: log(1 - D(G(z)))": lambda real_logits, fake_logits: F.logsigmoid(-fake_logits).mean(),
    "WRONG: D's loss used for G": lambda real_logits, fake_logits:
        -(F.logsigmoid(real_logits).mean() + F.logsigmoid(-fake_logits).mean()),
}
NS, SAT, WRONG = losses
SEEDS = [SEED + k for k in range(5)]


def play(start, names):
    """Every loss in names from `start`, every seed: {name: {key: (seeds, steps) array}}."""
    out = {}
    for name in names:
        records = [tiny_gan(losses[name], start=start, seed=seed) for seed in SEEDS]
        out[name] = {key: np.stack([r[key] for r in records]) for key in records[0]}
    return out


near, far = play(2.0, losses), play(6.0, [NS, SAT])


def first_arrival(path, within=0.5):
    """The first generator step after which theta stays within `within` of the data mean 0."""
    outside = np.nonzero(np.abs(path) >= within)[0]
    return GAME_STEPS + 1 if len(outside) and outside[-1] == GAME_STEPS - 1 else (outside[-1] + 2 if len(outside) else 1)


arrival = {name: np.array([first_arrival(path) for path in run["theta"]]) for name, run in near.items()}
far_arrival = {name: np.array([first_arrival(path) for path in run["theta"]]) for name, run in far.items()}
later = arrival[SAT] - arrival[NS]                # paired: the same seed, the same start and batches
wrong_early, wrong_late = near[WRONG]["loss"][:, :20].mean(1), near[WRONG]["loss"][:, -20:].mean(1)
fake_early, fake_late = near[WRONG]["fake_term"][:, :20].mean(1), near[WRONG]["fake_term"][:, -20:].mean(1)
assert (arrival[NS] <= GAME_STEPS).all() and (arrival[SAT] <= GAME_STEPS).all(), "both correct losses reach the data"
assert (later > 0).all() and later.mean() > 2 * later.std(ddof=1), "the saturating loss arrives later, on every seed"
for name in (NS, SAT):
    overshoot, end = near[name]["theta"].min(1), near[name]["theta"][:, -1]
    assert (overshoot < -0.1).all() and (np.abs(end) < 0.2).all(), "overshoot below -0.1, then back near 0, every seed"
    first, then = near[name]["d_fake"][:, :5].mean(1), near[name]["d_fake"][:, 19:50].mean(1)
    assert (then < first).all() and (then < 0.5).all(), "near: D(G(z)) drops (steps 20-50 vs 1-5), below 1/2"
    assert (far[name]["d_fake"][:, :50].mean(1) < 0.15).all(), "far away, D soon wins: D(G(z)) < 0.15 on average early on"
moved = {name: np.abs(run["theta"][:, -1] - run["theta"][:, 0]) for name, run in far.items()}
assert (far_arrival[NS] <= GAME_STEPS).all() and (moved[SAT] < 0.2 * moved[NS]).all(), "far away, the saturating loss stalls"
assert (near[WRONG]["theta"][:, -1] > 3.0).all(), "with D's loss, G moves away on every seed"
assert (wrong_late < 0.5 * wrong_early).all() and (fake_late < 0.5 * fake_early).all(), "... while its loss goes down"
d_fake_late = {name: run["d_fake"][:, -20:].mean(1) for name, run in near.items()}
assert (d_fake_late[WRONG] < 0.5 * near[WRONG]["d_fake"][:, :5].mean(1)).all(), "with D's loss, D(G(z)) falls by half"
assert all((np.abs(d_fake_late[name] - 0.5) < 0.1).all() for name in (NS, SAT)), "correct losses: D(G(z)) ends near 1/2"
d_loss_end = {name: run["loss_d"][:, -20:].mean(1) for name, run in near.items()}
assert all((np.abs(d_loss_end[name] - np.log(4)) < 0.02).all() for name in (NS, SAT)), "at equilibrium L_D = log 4"
assert (d_loss_end[WRONG] < 0.5).all(), "with D's loss used for G, D's loss ends far below log 4: D is winning"
print(f"on every one of {len(SEEDS)} seeds: from near theta = 2 both correct losses bring theta within 0.5 of the "
      "data mean, overshoot below it and end within 0.2 of it, the saturating loss later than the non-saturating "
      "one; from near theta = 6 the non-saturating loss reaches the data within 300 steps while the saturating one "
      "moves theta less than a fifth as far; with D's loss theta ends beyond 3 while the generator's loss, and "
      "its own fake term, fall by more than half, and so does D(G(z)); D(G(z)) ends within 0.1 of 1/2 and D's loss "
      "within 0.02 of log 4 with the correct losses; D's loss ends below 0.5 with D's loss used for G")

# %% tags=["nbval-ignore-output"]
print(f"seeds {SEEDS}")
for label, runs, arrived in (("near theta = 2", near, arrival), ("near theta = 6", far, far_arrival)):
    for name in (NS, SAT):
        reached = ", ".join(str(k) if k <= GAME_STEPS else "never" for k in arrived[name])
        print(f"{label}, {name:30s} within 0.5 of 0 from step {reached}; theta at step {GAME_STEPS}: "
              f"{', '.join(f'{t:+.2f}' for t in runs[name]['theta'][:, -1])}; lowest theta "
              f"{', '.join(f'{t:+.2f}' for t in runs[name]['theta'].min(1))}; mean D(G(z)) over the first 50 "
              f"steps {', '.join(f'{d:.3f}' for d in runs[name]['d_fake'][:, :50].mean(1))}")
print(f"near theta = 2, saturating minus non-saturating arrival: {', '.join(map(str, later))} steps "
      f"(mean {later.mean():.1f}, sample SD {later.std(ddof=1):.1f}, n = {len(SEEDS)})")
print(f"{WRONG}: theta at step {GAME_STEPS} {', '.join(f'{t:+.2f}' for t in near[WRONG]['theta'][:, -1])}; "
      f"generator's loss, mean of the first 20 steps {', '.join(f'{v:.3f}' for v in wrong_early)}, of the last 20 "
      f"{', '.join(f'{v:.3f}' for v in wrong_late)}; its fake term -log(1 - D(G(z))) "
      f"{', '.join(f'{v:.3f}' for v in fake_early)} -> {', '.join(f'{v:.3f}' for v in fake_late)}")
for name, values in d_loss_end.items():
    print(f"D's loss, mean of the last 20 steps, {name}: {', '.join(f'{v:.3f}' for v in values)} (log 4 = {np.log(4):.3f}); "
          f"mean D(G(z)): {', '.join(f'{v:.2f}' for v in d_fake_late[name])}")

# %%
fig, (ax_near, ax_far) = plt.subplots(1, 2, figsize=(12, 3.9), sharey=True)
steps_axis = np.arange(1, GAME_STEPS + 1)
for name, run in near.items():
    ax_near.plot(steps_axis, run["theta"][0], lw=2, label=name)
for name, run in far.items():
    ax_far.plot(steps_axis, run["theta"][0], lw=2, label=name)
for ax in (ax_near, ax_far):
    ax.axhline(0, ls="--", color="k", lw=1, label="data mean (the goal)")
    ax.set(xlabel="generator step")
    ax.legend(frameon=False, fontsize=8)
ax_near.set(ylabel=r"generator parameter $\theta$", title="Start near 2: D's loss used for G runs away")
ax_far.set(title="Start near 6: D wins early, the saturating loss crawls")
plt.show()

# %% [markdown]
# *Reading the figure* (the first seed's runs, `SEED`; the printouts above have all five seeds). Left:
# both correct losses bring $\theta$ to the data ($\theta = 0$), overshoot below it and come back
# (on every seed), a damped oscillation rather than the endless circling of section 1.5; the linearisation further
# below (section 1.7) shows why. At the start
# $a, b \approx 0$, so $D \approx \tfrac12$ and both gradients are about equal; as the discriminator
# learns, $D(G(z))$ drops below $\tfrac12$, the non-saturating gradient $-(1 - D)$ becomes larger than the
# saturating $-D$ (section 1.4), and at the same learning rate the non-saturating loss arrives first on
# every seed. In this one-parameter generator the two gradients always point the same way and differ
# only in size, so the difference is one of step size under plain SGD: an optimiser that normalises the
# step, such as Adam, removes the stall but not the gap (the run after the figure, from the far start). What carries over to a generator with many
# parameters is the weighting: each fake's contribution to the gradient is weighted by $1 - D(G(z))$
# in the non-saturating loss and by $D(G(z))$ in the saturating one, so the saturating loss learns least
# from the fakes the discriminator rejects most surely. Right: started far away, the discriminator soon wins ($D(G(z))$ averages below 0.15 over the
# first 50 steps on every seed, printed), and
# the saturating loss moves $\theta$ less than a fifth as far in 300 steps as the non-saturating loss,
# which crosses the whole distance — the weak signal of section 1.4 (under plain SGD; see above). With the discriminator's loss (left) the generator moves *away*
# from the data, and the generator's own loss gives no warning that reads as one: it goes down (printed
# above), and so does the term of it that $G$ controls, as a loss should. It is $L_D$ itself, evaluated
# just after $D$'s step on the same batch, one $D$ step later than $D$'s own loss, so the two fall
# together: both players now minimise the same function, and the game has become a cooperative one against the data. The warning
# is in what the losses measure. $D(G(z))$, the discriminator's score of the fakes, falls by more than half
# over the run (asserted): the generator is making its samples look *more* fake. With the correct losses
# it ends near $\tfrac12$ and $D$'s loss near $\log 4 \approx 1.386$, its value when $D$ outputs $\tfrac12$
# everywhere (section 1.2); with $D$'s loss used for $G$, $D$'s loss falls far below $\log 4$ and $G$'s
# falls with it, instead of rising as $D$ wins — the discriminator is winning, and the generator helps.
# The converse proves nothing: $L_D = \log 4$ whenever $D$ outputs $\tfrac12$, which a discriminator too
# weak to tell the two distributions apart also does (chapter 2 shows one).
#
# **The control: Adam for the generator.** The same far start, the same seeds and learning rate, with
# Adam ($\beta = (0.5, 0.999)$) instead of SGD for $G$ only. Adam divides each step by a running
# estimate of the gradient's size, so in one dimension the size of the gradient — all that separates
# the two losses here — matters much less. Adam also adds momentum and averages the gradient's size over
# past steps, so it changes more than the step size. The control that changes *only* the step size
# normalises each step of $G$ to length lr: Adam with $\beta = (0, 0)$ and $\epsilon = 0$ does exactly that,
# $\theta \leftarrow \theta - \mathrm{lr}\cdot g/|g|$. In one dimension the two losses' gradients always
# have the same sign, so if size were all that separates them, the two runs would be the same, step for step.

# %%
adam = lambda params, lr: torch.optim.Adam(params, lr=lr, betas=(0.5, 0.999))
far_adam = {name: np.stack([tiny_gan(losses[name], start=6.0, seed=seed, g_optimizer=adam)["theta"] for seed in SEEDS])
            for name in (NS, SAT)}
adam_arrival = {name: np.array([first_arrival(path) for path in paths]) for name, paths in far_adam.items()}
assert all((adam_arrival[name] <= GAME_STEPS).all() for name in (NS, SAT)), "with Adam both losses reach the data"
assert (adam_arrival[SAT] > adam_arrival[NS]).all(), "... the saturating loss still later, on every seed"
print(f"with Adam for G, from near theta = 6, on every one of {len(SEEDS)} seeds: the saturating loss, too, brings theta "
      "within 0.5 of the data mean within 300 steps (with SGD it moved theta less than a fifth as far), "
      "though still later than the non-saturating loss")

normalised = lambda params, lr: torch.optim.Adam(params, lr=lr, betas=(0.0, 0.0), eps=0.0)   # steps of length lr
far_normalised = {name: np.stack([tiny_gan(losses[name], start=6.0, seed=seed, g_optimizer=normalised)["theta"]
                                  for seed in SEEDS]) for name in (NS, SAT)}
normalised_gap = np.abs(far_normalised[SAT] - far_normalised[NS]).max()
assert normalised_gap < 1e-5, "with normalised steps the two losses give the same run"
assert (np.array([first_arrival(path) for path in far_normalised[SAT]]) <= GAME_STEPS).all()
print("with G's steps normalised to length lr, the saturating and non-saturating runs from near theta = 6 are the "
      "same run on every seed (theta within 1e-5 at every step; in one dimension a normalised step keeps only the "
      "gradient's sign, which the two losses share), and both reach the data")

# %% tags=["nbval-ignore-output"]
print(f"normalised steps: largest |theta_saturating - theta_non-saturating| over all steps and seeds {normalised_gap:.1e}")
for name in (NS, SAT):
    print(f"Adam, {name:30s} within 0.5 of 0 from step {', '.join(map(str, adam_arrival[name]))}; theta at step "
          f"{GAME_STEPS}: {', '.join(f'{t:+.2f}' for t in far_adam[name][:, -1])}")

# %% [markdown]
# In this toy the saturating loss's stall is a matter of step size alone: with steps normalised to a fixed
# length the two losses give the same run. Adam, which normalises by a running average and adds momentum,
# removes the stall but not the gap (the saturating loss still arrives later on every seed, printed
# above): its step still depends on how the gradient's size changes from step to step. In a network with many
# parameters the weighting by $D(G(z))$ also decides *which* fakes the generator learns from, and so the
# *direction* of its step. Two parameters are enough to see it: $G(z) = \mu + s z$ with $p_g = \mathcal N(2, 2^2)$
# against data $\mathcal N(0, 1)$, and $D$ held at its best response $D^* = p_{data}/(p_{data} + p_g)$ (chapter 2).
# Both gradients are taken in $(\mu, \log s)$, on the same 200,000 draws of $z$. Chapter 3 shows the
# practical outcome on MNIST with Adam and a discriminator given a 50-step head start: a saturating
# generator whose fakes stay rejected (median $D(G(z)) < 0.05$ over its steps 6–40) on every seed, with a
# gradient more than 20 times smaller than the non-saturating one's.

# %%
mu = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
log_s = torch.tensor(np.log(2.0), dtype=torch.float64, requires_grad=True)
z_many = torch.randn(200_000, generator=torch.Generator().manual_seed(SEED), dtype=torch.float64)
fakes = mu + log_s.exp() * z_many
# D*'s logit, log p_data(x) - log p_g(x), with p_g frozen at the current (mu, s): D is held fixed, x moves with G
best_logit = (torch.distributions.Normal(0.0, 1.0).log_prob(fakes)
              - torch.distributions.Normal(mu.detach(), log_s.detach().exp()).log_prob(fakes))
direction = {
    "saturating": torch.stack(torch.autograd.grad(F.logsigmoid(-best_logit).mean(), (mu, log_s), retain_graph=True)),
    "non-saturating": torch.stack(torch.autograd.grad(-F.logsigmoid(best_logit).mean(), (mu, log_s)))}
angle = np.degrees(np.arccos((direction["saturating"] @ direction["non-saturating"]
                              / (direction["saturating"].norm() * direction["non-saturating"].norm())).item()))
# A descent step is minus the gradient: both move the mean towards 0; they disagree on the spread.
assert direction["saturating"][0] > 0 and direction["non-saturating"][0] > 0
assert direction["saturating"][1] < 0 < direction["non-saturating"][1] and angle > 45
print("at p_g = N(2, 2^2) against D*: a gradient step moves the mean towards the data with both losses, but "
      "widens the generator's spread with the saturating loss and narrows it with the non-saturating one "
      "(the two directions more than 45 degrees apart)")

# %% tags=["nbval-ignore-output"]
for name, gradient in direction.items():
    print(f"{name:15s} gradient in (mu, log s): ({gradient[0].item():+.3f}, {gradient[1].item():+.3f})")
print(f"angle between the two: {angle:.0f} degrees")

# %% [markdown]
# The non-saturating loss weights each fake by $1 - D$, so the fakes far out in $p_g$'s tails — mostly the
# right one, which holds far more of them — which $D^*$ rejects most surely, dominate its gradient: pull them in, narrow the generator. The
# saturating loss weights by $D$, so the fakes that already overlap the data dominate, and they ask for
# a little more spread. Same data, same discriminator, same samples: the loss alone turned the step by
# the angle printed above.
#
# ## 1.7 Why the tiny GAN settles
#
# Linearise one round of play (a $D$ step, then a $G$ step, with the expected
# gradients) around the equilibrium $a = b = \theta = 0$ and look at the eigenvalues of that map. (For
# simultaneous steps of size $\eta$ along a vector field with Jacobian $J$ the linearised map is $I + \eta J$;
# an eigenvalue $\lambda$ of $J$ becomes $1 + \eta\lambda$, inside the unit circle exactly when
# $\operatorname{Re}\lambda < 0$ and $\eta < 2|\operatorname{Re}\lambda| / |\lambda|^2$, so the purely imaginary
# eigenvalues of section 1.5's bilinear game fail for every step size {cite:p}`mescheder2017numerics`.) Moduli
# below 1 mean the iterates approach the equilibrium (spiralling, for a complex pair); moduli of exactly 1 mean that, to first order, the iterates go round
# the equilibrium on an ellipse, closing in no more than the alternating play of section 1.5 did. Compare the tiny GAN with the
# same game on point masses — data always at 0, the generator always at $\theta$ (the Dirac-GAN of
# chapter 9, here with a bias $b$ in $D$) — and with the mixed case, point-mass data and a generator
# that keeps its noise, with the non-saturating loss and the same step 0.05. The expectations over $x$ and $z$ are
# computed by Gauss–Hermite quadrature: exact for the Jacobian at the equilibrium (only low moments of
# $x$ and $z$ enter it), and very accurate for the full map iterated after it.

# %%
nodes, node_weights = np.polynomial.hermite_e.hermegauss(64)                  # E over N(0, 1)
nodes, node_weights = torch.tensor(nodes), torch.tensor(node_weights / node_weights.sum())


def one_round(params, point_mass, saturating=False, lr=0.05, noisy_generator=False):
    """One D step then one G step (non-saturating, or saturating) with expected gradients; params = (a, b, theta).
    point_mass: data at 0 and generator at theta (unless noisy_generator: G(z) = theta + z still)."""
    a, b, theta = params.unbind()
    point = (torch.zeros(1, dtype=torch.float64), torch.ones(1, dtype=torch.float64))
    real, w_real = point if point_mass else (nodes, node_weights)
    z, w_fake = point if point_mass and not noisy_generator else (nodes, node_weights)
    fake = theta + z
    d_real, d_fake = torch.sigmoid(a * real + b), torch.sigmoid(a * fake + b)
    # gradients of L_D = E softplus(-(a x + b)) + E softplus(a G(z) + b) in a and b
    a_new = a - lr * ((w_real * -(1 - d_real) * real).sum() + (w_fake * d_fake * fake).sum())
    b_new = b - lr * ((w_real * -(1 - d_real)).sum() + (w_fake * d_fake).sum())
    # gradient in theta of L_G = E softplus(-(a_new G(z) + b_new)) (non-saturating) or E -softplus(a_new G(z) + b_new)
    # (saturating, log(1 - D)), D held at its new values
    d_new = torch.sigmoid(a_new * fake + b_new)
    g_theta = -(w_fake * (d_new if saturating else 1 - d_new) * a_new).sum()
    return torch.stack([a_new, b_new, theta - lr * g_theta])


moduli, eigenvalues = {}, {}
for label, point_mass, noisy in (("densities (the tiny GAN)", False, False), ("point masses (Dirac-GAN)", True, False),
                                 ("point-mass data, noisy G", True, True)):
    jacobians = [torch.autograd.functional.jacobian(
        lambda v: one_round(v, point_mass, saturating=saturating, noisy_generator=noisy), torch.zeros(3, dtype=torch.float64))
        for saturating in (False, True)]
    assert torch.allclose(*jacobians, atol=1e-12)        # the same linearisation for both losses (D = 1/2 there)
    eigenvalues[label] = np.linalg.eigvals(jacobians[0].numpy())
    moduli[label] = np.sort(np.abs(eigenvalues[label]))[::-1]
    print(f"{label:26s} eigenvalue moduli of one round (either loss): {', '.join(f'{m:.4f}' for m in moduli[label])}")
assert moduli["densities (the tiny GAN)"].max() < 0.99                     # every direction contracts ...
assert np.abs(eigenvalues["densities (the tiny GAN)"].imag).max() > 1e-3   # ... along a spiral (a complex pair)
assert abs(moduli["point masses (Dirac-GAN)"].max() - 1) < 1e-9            # one rotation neither grows nor shrinks
assert moduli["point-mass data, noisy G"].max() < 1 - 1e-3                  # the generator's noise alone damps it

# The linearisation cannot decide the second case: iterate the full map from theta = 1 (a = b = 0).
distance = {}
for label, point_mass in (("densities", False), ("point masses", True)):
    for loss_name, saturating in (("non-saturating", False), ("saturating", True)):
        params, path = torch.tensor([0.0, 0.0, 1.0], dtype=torch.float64), []
        for _ in range(10 * GAME_STEPS):
            params = one_round(params, point_mass, saturating=saturating)
            path.append(torch.linalg.norm(params).item())
        distance[label, loss_name] = path
        print(f"{label:12s} {loss_name:14s}: distance to the equilibrium after {GAME_STEPS} rounds "
              f"{path[GAME_STEPS - 1]:.3f}, after {10 * GAME_STEPS:,} {path[-1]:.3f}")
for loss_name in ("non-saturating", "saturating"):
    assert distance["densities", loss_name][GAME_STEPS - 1] < 0.05
    assert distance["point masses", loss_name][GAME_STEPS - 1] > 10 * distance["densities", loss_name][GAME_STEPS - 1]
assert distance["point masses", "non-saturating"][-1] > 0.2 and distance["point masses", "saturating"][-1] > 0.9
for loss_name in ("non-saturating", "saturating"):   # ... no spiral out: at most 1% beyond the start, then closer
    assert distance["point masses", loss_name][-1] < distance["point masses", loss_name][GAME_STEPS - 1] < 1.01

# %% [markdown]
# With densities every eigenvalue has modulus below 1 (a complex pair among them, so the iterates spiral in): near the equilibrium the distance shrinks
# geometrically, at the rate of the largest modulus, and after 300 rounds little is left — the damped
# overshoot of the figure. The damping comes from the discriminator's loss: its curvature in $a$ is set by the mean square
# of the real and generated samples, which pulls $a$ back towards 0 at every step. With point masses at
# the equilibrium that mean square is zero and a pair of eigenvalues sits exactly on the unit circle, so
# the linearisation only carries the iterates round the equilibrium, and what happens is decided by the terms it
# leaves out. Iterating the full map from a distance of 1 (printed above): after 300 rounds the point-mass
# play is more than ten times further away than the densities' play, with either loss. With the
# non-saturating loss it creeps in slowly, still more than 0.2 away after 3,000 rounds; with the
# saturating loss its distance to the equilibrium has hardly shrunk, still above 0.9. That is section 1.5's contrast in computed form: with densities
# the equilibrium attracts, with point masses it barely does. (Both the data and the generator are point
# masses here; a generator that keeps its noise against point-mass data still damps $a$ — every modulus
# of that mixed case is below 1 (asserted) — so the Dirac-GAN is the extreme case. In the language of
# {cite:t}`balduzzi2018mechanics`, $D$'s curvature is the symmetric (damping) part of the game's Jacobian
# and the coupling between $a$ and $\theta$ its antisymmetric (rotating) part; with point masses the
# curvature in $a$ vanishes at the equilibrium, and the pair $(a, \theta)$ only rotates. Adding noise to
# both distributions on purpose, *instance noise*, was proposed so that disjoint supports overlap and the
# divergence is defined again ({cite:t}`arjovsky2017principled`, Section 3; {cite:t}`sonderby2017amortised`);
# {cite:t}`mescheder2018converge` show that it also works through this damping (chapter 9). The linearisation is the same for both losses, as checked: $D = \tfrac12$
# at the equilibrium.)
#
# ## Exercises
#
# 1. Derive the closed form {eq}`kl-gauss` and check it against `theory.kl_divergence` for
#    $\mathcal N(1, 1)$ and $\mathcal N(-1, 2^2)$, in both orders.
# 2. For $p = \mathcal N(0, 1)$ and $q = \mathcal N(\mu, 1)$, find the $\mu$ at which JSD reaches half
#    of its maximum, $\tfrac12\log 2$.
# 3. Show that alternating play on {eq}`bilinear` keeps $x^2 + y^2 - \eta\, x y$ constant.
#
# ```{admonition} Solution 1
# :class: dropdown
# $\mathrm{KL} = \mathbb E_p[\log p - \log q]$ with $\log \mathcal N(x; \mu, \sigma^2) = -\log\sigma - \tfrac12\log 2\pi - (x-\mu)^2/2\sigma^2$.
# Under $p$, $\mathbb E[(x - \mu_1)^2] = \sigma_1^2$ and $\mathbb E[(x - \mu_2)^2] = \sigma_1^2 + (\mu_1 - \mu_2)^2$, so
# $\mathrm{KL} = \log\frac{\sigma_2}{\sigma_1} - \tfrac12 + \frac{\sigma_1^2 + (\mu_1-\mu_2)^2}{2\sigma_2^2}$. The cell below checks it.
# ```

# %% tags=["hide-input"]
for (m1, s1), (m2, s2) in [((1, 1), (-1, 2)), ((-1, 2), (1, 1))]:
    grid_value = theory.kl_divergence(stats.norm(m1, s1).pdf(x), stats.norm(m2, s2).pdf(x), x)
    closed = theory.kl_gaussians(m1, s1, m2, s2)
    print(f"KL(N({m1}, {s1}^2) || N({m2}, {s2}^2)): grid {grid_value:.6f}, closed form {closed:.6f}")
    assert abs(grid_value - closed) < 1e-8

# %% [markdown]
# ```{admonition} Solution 2
# :class: dropdown
# JSD increases with $\mu$, so a root finder on $\mathrm{JSD}(\mu) - \tfrac12\log 2$ does it (cell below):
# $\mu \approx 2.04$. Two unit Gaussians whose means are two standard deviations apart
# are already "half as far apart as possible" for JSD.
# ```

# %% tags=["hide-input"]
half = optimize.brentq(lambda mu: theory.js_divergence(p, stats.norm(mu, 1).pdf(x), x) - np.log(2) / 2, 0.1, 10)
print(f"JSD(N(0,1) || N(mu,1)) = log(2)/2 at mu = {half:.3f}")
assert abs(half - 2.04) < 0.01

# %% [markdown]
# ```{admonition} Solution 3
# :class: dropdown
# With $x' = x - \eta y$ and $y' = y + \eta x'$: $x'^2 + y'^2 - \eta x' y' = x'^2 + y^2 + 2\eta x' y + \eta^2 x'^2 - \eta x' y - \eta^2 x'^2
# = x'^2 + \eta x' y + y^2 = x'(x' + \eta y) + y^2 = (x - \eta y) x + y^2 = x^2 + y^2 - \eta x y$.
# The level sets of this quadratic form are ellipses (for $\eta < 2$): the iterates cycle.
# ```
#
# ## Summary
#
# - A GAN's generator is an implicit model: a function that pushes noise into a distribution.
# - The game is $\min_G \max_D V(D, G)$ with $V$ of {eq}`value`; $D$ minimises the cross-entropy
#   $-V$, $G$ minimises $\log(1 - D(G(z)))$, or in practice the non-saturating $-\log D(G(z))$, which
#   keeps pushing when $D$ wins (the saturating loss weights each fake by $D(G(z))$, and its gradient
#   shrinks there).
# - KL is asymmetric and unbounded; JSD is symmetric and saturates at $\log 2$.
# - Gradient play on a game can cycle or diverge even when an equilibrium exists; extra-gradient steps
#   converge on the bilinear game (for step sizes below 1).
#
# Next, chapter 2 derives the best discriminator and what the generator minimises against it.
#
# ## References
#
# - Goodfellow, I., Pouget-Abadie, J., Mirza, M., et al. (2014). Generative Adversarial Nets. *Advances in Neural Information Processing Systems 27 (NIPS 2014)*.
# - Mohamed, S. & Lakshminarayanan, B. (2016). Learning in Implicit Generative Models. arXiv:1610.03483.
# - Arjovsky, M. & Bottou, L. (2017). Towards Principled Methods for Training Generative Adversarial Networks. *International Conference on Learning Representations (ICLR)*.
# - Farnia, F. & Ozdaglar, A. (2020). Do GANs always have Nash equilibria? *Proceedings of the 37th International Conference on Machine Learning (ICML)*.
# - Arora, S., Ge, R., Liang, Y., et al. (2017). Generalization and Equilibrium in Generative Adversarial Nets (GANs). *Proceedings of the 34th International Conference on Machine Learning (ICML)*.
# - Jin, C., Netrapalli, P. & Jordan, M. I. (2020). What is Local Optimality in Nonconvex-Nonconcave Minimax Optimization? *Proceedings of the 37th International Conference on Machine Learning (ICML)*.
# - Goodfellow, I. J. (2014). On Distinguishability Criteria for Estimating Generative Models. arXiv:1412.6515.
# - Pfau, D. & Vinyals, O. (2016). Connecting Generative Adversarial Networks and Actor-Critic Methods. arXiv:1610.01945.
# - Gutmann, M. & Hyvärinen, A. (2010). Noise-contrastive estimation: A new estimation principle for unnormalized statistical models. *Proceedings of the 13th International Conference on Artificial Intelligence and Statistics (AISTATS)*.
# - Schmidhuber, J. (1992). Learning Factorial Codes by Predictability Minimization. *Neural Computation*.
# - Kullback, S. & Leibler, R. A. (1951). On Information and Sufficiency. *The Annals of Mathematical Statistics*.
# - Lin, J. (1991). Divergence Measures Based on the Shannon Entropy. *IEEE Transactions on Information Theory*.
# - Nowozin, S., Cseke, B. & Tomioka, R. (2016). f-GAN: Training Generative Neural Samplers using Variational Divergence Minimization. *Advances in Neural Information Processing Systems 29 (NIPS 2016)*.
# - Minka, T. (2005). Divergence measures and message passing.
# - Goodfellow, I. (2016). NIPS 2016 Tutorial: Generative Adversarial Networks. arXiv:1701.00160.
# - Theis, L., van den Oord, A. & Bethge, M. (2016). A note on the evaluation of generative models. *International Conference on Learning Representations (ICLR)*.
# - Huszár, F. (2015). How (not) to Train your Generative Model: Scheduled Sampling, Likelihood, Adversary? arXiv:1511.05101.
# - Shannon, M., Poole, B., Mariooryad, S., et al. (2020). Non-saturating GAN Training as Divergence Minimization. arXiv:2010.08029.
# - Fedus, W., Rosca, M., Lakshminarayanan, B., et al. (2018). Many Paths to Equilibrium: GANs Do Not Need to Decrease a Divergence at Every Step. *International Conference on Learning Representations (ICLR)*.
# - Mescheder, L., Nowozin, S. & Geiger, A. (2017). The Numerics of GANs. *Advances in Neural Information Processing Systems 30 (NIPS 2017)*.
# - Mescheder, L., Geiger, A. & Nowozin, S. (2018). Which Training Methods for GANs do actually Converge? *Proceedings of the 35th International Conference on Machine Learning (ICML)*.
# - Gidel, G., Askari Hemmat, R., Pezeshki, M., et al. (2019). Negative Momentum for Improved Game Dynamics. *Proceedings of the 22nd International Conference on Artificial Intelligence and Statistics (AISTATS)*.
# - Nagarajan, V. & Kolter, J. Z. (2017). Gradient Descent GAN Optimization is Locally Stable. *Advances in Neural Information Processing Systems 30 (NIPS 2017)*.
# - Korpelevich, G. M. (1976). The extragradient method for finding saddle points and other problems. *Ekonomika i Matematicheskie Metody*.
# - Gidel, G., Berard, H., Vignoud, G., et al. (2019). A Variational Inequality Perspective on Generative Adversarial Networks. *International Conference on Learning Representations (ICLR)*.
# - Popov, L. D. (1980). A modification of the Arrow–Hurwicz method for search of saddle points. *Mathematical Notes of the Academy of Sciences of the USSR*.
# - Daskalakis, C., Ilyas, A., Syrgkanis, V., et al. (2018). Training GANs with Optimism. *International Conference on Learning Representations (ICLR)*.
# - Yazıcı, Y., Foo, C., Winkler, S., et al. (2019). The Unusual Effectiveness of Averaging in GAN Training. *International Conference on Learning Representations (ICLR)*.
# - Metz, L., Poole, B., Pfau, D., et al. (2017). Unrolled Generative Adversarial Networks. *International Conference on Learning Representations (ICLR)*.
# - Roth, K., Lucchi, A., Nowozin, S., et al. (2017). Stabilizing Training of Generative Adversarial Networks through Regularization. *Advances in Neural Information Processing Systems 30 (NIPS 2017)*.
# - Heusel, M., Ramsauer, H., Unterthiner, T., et al. (2017). GANs Trained by a Two Time-Scale Update Rule Converge to a Local Nash Equilibrium. *Advances in Neural Information Processing Systems 30 (NIPS 2017)*.
# - Balduzzi, D., Racanière, S., Martens, J., et al. (2018). The Mechanics of n-Player Differentiable Games. *Proceedings of the 35th International Conference on Machine Learning (ICML)*.
# - Sønderby, C. K., Caballero, J., Theis, L., et al. (2017). Amortised MAP Inference for Image Super-resolution. *International Conference on Learning Representations (ICLR)*.
#
# Every work cited in the book is in the [bibliography](../bibliography).
