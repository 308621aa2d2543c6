"""Metrics for generated samples: FID, KID and Inception Score on features, and mode coverage.

Heusel et al. (2017) define FID as the Frechet distance between Gaussians fitted to features of
real and generated images:
    d^2 = |mu1 - mu2|^2 + tr(S1) + tr(S2) - 2 tr((S1^{1/2} S2 S1^{1/2})^{1/2}).
The trace term is tr[(S1 S2)^{1/2}]: with the Cholesky factor S1 = L L^T it is the sum of the
square roots of the eigenvalues of the symmetric L^T S2 L (trace_sqrt_product), with no matrix
square root formed. The kernel inception distance (Binkowski
et al. 2018) is an unbiased MMD with a cubic polynomial kernel; the Inception Score (Salimans et
al. 2016) the exponentiated mean KL between each sample's class distribution and the marginal.

Mode coverage on mixtures with known modes, after Metz et al. (2017), Srivastava et al. (2017,
VEEGAN) and Lin et al. (2018, PacGAN): a sample is "high quality" within 3 standard deviations
of its nearest centre; a mode is covered when it gets enough of them; the KL divergence of the
generated mode histogram from the true weights. For labelled images the same questions are
asked of a classifier's labels (chapter 6).
"""
from __future__ import annotations


import numpy as np
import torch
from scipy.stats import entropy
from .utils import is_whole


def _float64(array) -> np.ndarray:
    """A tensor (any device) or array-like as a float64 NumPy array."""
    if isinstance(array, torch.Tensor) and array.device.type == "meta":
        raise ValueError("a tensor on the meta device has no values to compute a metric on: "
                         "compute the features on a real device (cpu or cuda)")
    return np.asarray(array.detach().cpu() if isinstance(array, torch.Tensor) else array, dtype=np.float64)


def _symmetric_sqrt(matrix: np.ndarray) -> np.ndarray:
    """Square root of a symmetric positive semi-definite matrix; round-off negatives clamped to 0."""
    eigenvalues, eigenvectors = np.linalg.eigh((matrix + matrix.T) / 2)
    return (eigenvectors * np.sqrt(np.clip(eigenvalues, 0, None))) @ eigenvectors.T


def trace_sqrt_product(sigma1: np.ndarray, sigma2: np.ndarray) -> float:
    """tr[(sigma1 sigma2)^{1/2}], the sum of the square roots of the eigenvalues of sigma1 sigma2.

    With sigma1 = L L^T (Cholesky), sigma1 sigma2 = L (L^T sigma2 L) L^{-1} has the eigenvalues of the
    symmetric L^T sigma2 L: one Cholesky factor and one symmetric eigenvalue problem, no matrix square
    root that only its trace would be taken of. A sigma1 that is only positive semi-definite (Cholesky
    fails) goes through its symmetric square root instead: sigma1^{1/2} sigma2 sigma1^{1/2}, same eigenvalues.
    """
    sigma1, sigma2 = np.asarray(sigma1, np.float64), np.asarray(sigma2, np.float64)
    if sigma1.ndim != 2 or sigma1.shape[0] != sigma1.shape[1] or sigma1.shape != sigma2.shape:
        raise ValueError(f"need two square covariances of one size, got {sigma1.shape} and {sigma2.shape}")
    if not (np.isfinite(sigma1).all() and np.isfinite(sigma2).all()):
        raise ValueError("the covariances contain NaN or inf")
    try:
        factor = np.linalg.cholesky((sigma1 + sigma1.T) / 2)
    except np.linalg.LinAlgError:
        factor = _symmetric_sqrt(sigma1)
    inner = factor.T @ sigma2 @ factor
    eigenvalues = np.linalg.eigvalsh((inner + inner.T) / 2)
    return float(np.sqrt(np.clip(eigenvalues, 0, None)).sum())  # round-off negatives clamped to 0


def feature_statistics(features: torch.Tensor | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean (d,) and covariance (d, d) of features (N, d), in float64, centred before multiplying.

    Needs more samples than feature dimensions: with N <= d the covariance is singular and the
    Frechet distance is not meaningful.
    """
    features = _float64(features)
    if features.ndim != 2:
        raise ValueError(f"features must have shape (N, d), got {features.shape}")
    n, d = features.shape
    if n <= d:
        raise ValueError(f"need more samples than feature dimensions for a covariance: got N = {n} <= d = {d}; "
                         "use more samples (FID is usually computed on 10,000 or more)")
    if not np.isfinite(features).all():
        raise ValueError("features contain NaN or inf")
    mean = features.mean(0)
    centred = features - mean
    return mean, centred.T @ centred / (n - 1)


COVARIANCE_TOLERANCE = 1e-4  # relative: asymmetry and negative eigenvalues this small count as round-off


def _check_covariance(name: str, sigma: np.ndarray) -> None:
    """Refuse a matrix that is not a covariance: not symmetric, or an eigenvalue below -tolerance x the largest
    |eigenvalue| (a genuine covariance has none; round-off and float32 arithmetic leave tiny negatives).
    A Cholesky factorisation that succeeds proves it positive definite at a fraction of an eigensolver's cost."""
    scale = np.abs(sigma).max(initial=0.0)
    if not np.allclose(sigma, sigma.T, rtol=0, atol=COVARIANCE_TOLERANCE * scale):
        raise ValueError(f"{name} is not symmetric, so it is not a covariance: pass the covariance of the features "
                         "(metrics.feature_statistics)")
    symmetric = (sigma + sigma.T) / 2
    try:
        np.linalg.cholesky(symmetric)
        return
    except np.linalg.LinAlgError:
        pass                                   # singular or indefinite: look at the eigenvalues
    eigenvalues = np.linalg.eigvalsh(symmetric)
    lowest, largest = eigenvalues.min(initial=0.0), np.abs(eigenvalues).max(initial=0.0)
    if lowest < -COVARIANCE_TOLERANCE * largest:
        raise ValueError(f"{name} is not positive semi-definite (most negative eigenvalue {lowest:.4g}, largest "
                         f"|eigenvalue| {largest:.4g}), so it is not a covariance: pass the covariance of the features "
                         "(metrics.feature_statistics), not a matrix of features, standard deviations or its inverse")


def frechet_distance(mu1: np.ndarray, sigma1: np.ndarray, mu2: np.ndarray, sigma2: np.ndarray) -> float:
    """Squared Frechet (2-Wasserstein) distance between N(mu1, sigma1) and N(mu2, sigma2), in float64.

    mu1, mu2: (d,); sigma1, sigma2: (d, d) covariances (symmetric, positive semi-definite up to round-off:
    anything else is refused, since the distance would be meaningless).
    """
    mu1, mu2 = np.asarray(mu1, np.float64), np.asarray(mu2, np.float64)
    sigma1, sigma2 = np.asarray(sigma1, np.float64), np.asarray(sigma2, np.float64)
    if mu1.shape != mu2.shape or sigma1.shape != sigma2.shape or sigma1.shape != (len(mu1), len(mu1)):
        raise ValueError(f"mismatched statistics: means {mu1.shape} and {mu2.shape}, "
                         f"covariances {sigma1.shape} and {sigma2.shape}")
    if not (np.isfinite(mu1).all() and np.isfinite(mu2).all() and np.isfinite(sigma1).all() and np.isfinite(sigma2).all()):
        raise ValueError("the statistics contain NaN or inf")
    _check_covariance("sigma1", sigma1)
    _check_covariance("sigma2", sigma2)
    cross = trace_sqrt_product(sigma1, sigma2)
    distance = float(np.sum((mu1 - mu2) ** 2) + np.trace(sigma1) + np.trace(sigma2) - 2 * cross)
    return max(distance, 0.0)  # round-off can leave a tiny negative number when the two are equal


def _feature_pair(real_features, fake_features) -> tuple[np.ndarray, np.ndarray]:
    """Two feature sets (N1, d), (N2, d) as float64 arrays, checked for shape and NaN."""
    real, fake = _float64(real_features), _float64(fake_features)
    if real.ndim != 2 or fake.ndim != 2 or real.shape[1] == 0 or fake.shape[1] == 0:
        raise ValueError(f"features must have shape (N, d) with d >= 1, got {real.shape} and {fake.shape}")
    if real.shape[1] != fake.shape[1]:
        raise ValueError(f"real and generated features have different sizes ({real.shape[1]} and {fake.shape[1]}): "
                         "extract both with the same network and layer")
    if not (np.isfinite(real).all() and np.isfinite(fake).all()):
        raise ValueError("features contain NaN or inf")
    return real, fake


def fid(real_features, fake_features) -> float:
    """Frechet distance between the Gaussian statistics of two feature sets (N1, d) and (N2, d)."""
    real, fake = _feature_pair(real_features, fake_features)
    return frechet_distance(*feature_statistics(real), *feature_statistics(fake))


def kid(real_features, fake_features, subsets: int = 100, subset_size: int = 1000,
        rng: np.random.Generator | torch.Generator | int | None = None) -> tuple[float, float]:
    """Kernel inception distance (Binkowski et al. 2018): the unbiased MMD^2 with the kernel
    k(x, y) = (x . y / d + 1)^3, averaged over random subsets of subset_size from each set.

    real_features (N1, d), fake_features (N2, d). Returns (mean, standard deviation) over the
    subsets. Unbiased: its expectation is 0 when both sets come from the same distribution, so
    small negative values happen; unlike FID it needs no more samples than dimensions.
    subset_size is capped at the smaller set's size (one subset of everything: deterministic).
    rng: a NumPy Generator, a seeded torch.Generator or an int seed (default: seed 0).
    """
    real, fake = _feature_pair(real_features, fake_features)
    if not is_whole(subsets):
        raise ValueError(f"subsets must be a whole number >= 1, got {subsets!r}")
    if not is_whole(subset_size, 2):
        raise ValueError(f"subset_size must be a whole number >= 2, got {subset_size!r}")
    m = min(subset_size, len(real), len(fake))
    if m < 2:
        raise ValueError(f"KID needs at least 2 samples in each set, got {len(real)} and {len(fake)}")
    if rng is None or isinstance(rng, int):
        rng = np.random.default_rng(0 if rng is None else rng)
    elif isinstance(rng, torch.Generator):
        rng = np.random.default_rng(int(torch.randint(2**62, (1,), generator=rng, device=rng.device)))
    elif not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, a torch.Generator or an int seed, "
                        f"got {type(rng).__name__}")
    d = real.shape[1]
    estimates = []
    for _ in range(subsets):
        x = real if m == len(real) else real[rng.choice(len(real), m, replace=False)]
        y = fake if m == len(fake) else fake[rng.choice(len(fake), m, replace=False)]
        k_xx, k_yy, k_xy = ((x @ x.T / d + 1) ** 3, (y @ y.T / d + 1) ** 3, (x @ y.T / d + 1) ** 3)
        off_diagonal = lambda k: (k.sum() - np.trace(k)) / (m * (m - 1))
        estimates.append(off_diagonal(k_xx) + off_diagonal(k_yy) - 2 * k_xy.mean())
        if m == len(real) == len(fake):
            break  # every subset would be the whole set
    return float(np.mean(estimates)), float(np.std(estimates))


def nearest_neighbour_distances(queries, references, exclude_self: bool = False) -> np.ndarray:
    """Euclidean distance from each query (N, d) to its nearest reference (M, d): (N,) float64.

    exclude_self=True when queries and references are the same set (each point's own distance 0 skipped).
    Used for the memorisation check of chapter 7: generated samples should be no closer to the
    training set than held-out real samples are.
    """
    query, reference = _feature_pair(queries, references)
    distances = _pairwise_distances(query, reference)
    if exclude_self:
        if len(query) != len(reference):
            raise ValueError("exclude_self needs the queries and the references to be the same set")
        np.fill_diagonal(distances, np.inf)
    return distances.min(1)


def _pairwise_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """|a_i - b_j| for (N, d) and (M, d): (N, M), through |a|^2 + |b|^2 - 2 a.b, clamped at 0."""
    squared = (a**2).sum(1)[:, None] + (b**2).sum(1)[None, :] - 2 * a @ b.T
    return np.sqrt(np.clip(squared, 0, None))


def precision_recall(real_features, fake_features, k: int = 3) -> dict:
    """Improved precision and recall (Kynkaenniemi et al. 2019) of generated features against real ones.

    Each real feature vector gets a ball whose radius is the distance to its k-th nearest real
    neighbour (itself excluded); the union of the balls estimates the real manifold. Precision is
    the share of generated samples inside it; recall is the share of real samples inside the
    generated manifold, built the same way from the generated features.
    real_features (N1, d), fake_features (N2, d), both with more than k samples. k = 3 is the paper's.
    Returns {"precision": float, "recall": float}.
    """
    real, fake = _feature_pair(real_features, fake_features)
    if not is_whole(k):
        raise ValueError(f"k must be a whole number >= 1, got {k!r}")
    if min(len(real), len(fake)) <= k:
        raise ValueError(f"precision and recall need more than k = {k} samples in each set, "
                         f"got {len(real)} and {len(fake)}")

    def radii(points):                     # (N,): distance to the k-th nearest other point
        distances = _pairwise_distances(points, points)
        return np.sort(distances, axis=1)[:, k]       # column 0 is the point itself

    def inside(queries, centres, centre_radii):       # share of queries within some centre's ball
        return float((_pairwise_distances(queries, centres) <= centre_radii[None, :]).any(1).mean())

    return {"precision": inside(fake, real, radii(real)), "recall": inside(real, fake, radii(fake))}


def inception_score(scores, splits: int = 10, *, kind: str) -> tuple[float, float]:
    """Inception Score (Salimans et al. 2016): exp(E_x KL(p(y|x) || p(y))), per split.

    scores: (N, C), with kind saying what they are (no default: the two are easy to confuse):
    kind="logits": classifier logits or log-probabilities (log-softmax taken here in float64);
    kind="probabilities": class probabilities, rows summing to 1 (what features.classify returns).
    Logits whose rows all look like probabilities are refused. The N samples are cut into `splits` consecutive
    parts *in the given order* (shuffle class-sorted samples first); p(y) is each part's mean
    prediction. Returns (mean, standard deviation) over the parts, the convention of the original
    code (np.std, not the sample standard deviation). Between 1 (one class, or uniform predictions)
    and C (confident predictions, all classes equally often).
    """
    if kind not in ("logits", "probabilities"):
        raise ValueError(f"kind must be 'logits' or 'probabilities', got {kind!r}")
    scores = _float64(scores)
    if scores.ndim != 2:
        raise ValueError(f"scores must have shape (N, C), got {scores.shape}")
    if not np.isfinite(scores).all():
        raise ValueError(f"{kind} contain NaN or inf")
    n, c = scores.shape
    if n == 0 or c == 0:
        raise ValueError(f"scores are empty (shape {scores.shape}): pass (N, C) scores of N >= 1 samples over "
                         "C >= 1 classes (at least C samples per split)")
    looks_like_probabilities = (scores >= 0).all() and np.allclose(scores.sum(1), 1, atol=1e-4)
    if kind == "probabilities":
        if not looks_like_probabilities:
            raise ValueError("probabilities must be non-negative with rows summing to 1; "
                             "for logits pass kind='logits'")
        log_p = np.log(np.clip(scores, 1e-300, None))
    elif looks_like_probabilities:
        raise ValueError("these scores look like probabilities (non-negative, rows summing to 1), not logits: "
                         "pass kind='probabilities' (features.classify returns probabilities)")
    else:
        log_p = scores - scores.max(1, keepdims=True)
        log_p = log_p - np.log(np.exp(log_p).sum(1, keepdims=True))     # log-softmax
    if not is_whole(splits) or c < 1 or n // splits < c:
        raise ValueError(f"each of the {splits} splits needs at least as many samples as classes ({c}); "
                         f"got {n} samples: use more samples or fewer splits")
    values = []
    for part in np.array_split(log_p, splits):
        p = np.exp(part)
        log_marginal = np.log(p.mean(0) + 1e-300)
        values.append(np.exp(np.mean(np.sum(p * (part - log_marginal), axis=1))))
    return float(np.mean(values)), float(np.std(values))


# ----------------------------------------------------------------------------- mode coverage

def mode_coverage(samples, mixture, n_std: float = 3.0, min_share: float = 0.2) -> dict:
    """How a generator's samples (N, d) cover the modes of a GaussianMixture (gantut.data).

    Each sample goes to its nearest centre; it is *high quality* if it lies within n_std of that
    centre's standard deviation. A mode is *covered* when it receives at least min_share of the
    high-quality samples a perfect generator would give it (min_share * N * weight). Returns
      modes: number of modes covered (0..K);
      high_quality: share of samples that are high quality (0..1);
      kl: KL(generated mode histogram || mode weights) in nats over the high-quality samples,
          with the histogram smoothed by 1e-10 so a missing mode gives a large finite value
          (inf if there are no high-quality samples);
      counts: high-quality samples per mode, (K,) int;
      favourite_share: share of *all* samples whose nearest centre is the most frequent one
          (1.0: collapse onto one mode; about 1/K when spread evenly, however blurry);
      far_share: share of samples farther from every centre than the two closest centres are from
          each other: samples that have left the data (a diverged generator is not a collapsed one,
          though its samples too all have one nearest centre).
    Conventions for "covered" differ between papers; this one is stated, tested and used throughout.
    """
    if not (n_std > 0 and 0 <= min_share <= 1):
        raise ValueError(f"n_std must be > 0 and min_share in [0, 1], got {n_std} and {min_share}")
    samples = _float64(samples)
    if samples.ndim != 2 or samples.shape[1] != mixture.dim:
        raise ValueError(f"samples must have shape (N, {mixture.dim}), got {samples.shape}")
    if len(samples) < mixture.n_modes:
        raise ValueError(f"need at least as many samples as modes ({mixture.n_modes}), got {len(samples)}")
    if not np.isfinite(samples).all():
        raise ValueError("samples contain NaN or inf: the generator diverged")
    distances = np.linalg.norm(samples[:, None, :] - mixture.means[None], axis=-1)  # (N, K)
    nearest = distances.argmin(1)
    good = distances[np.arange(len(samples)), nearest] <= n_std * mixture.stds[nearest]
    counts = np.bincount(nearest[good], minlength=mixture.n_modes)
    covered = int((counts >= min_share * len(samples) * mixture.weights).sum())
    favourite = np.bincount(nearest, minlength=mixture.n_modes).max() / len(samples)
    between = np.linalg.norm(mixture.means[:, None] - mixture.means[None], axis=-1)
    spacing = between[~np.eye(mixture.n_modes, dtype=bool)].min() if mixture.n_modes > 1 else np.inf
    far = distances.min(1) > spacing
    return {"modes": covered, "high_quality": float(good.mean()), "kl": histogram_kl(counts, mixture.weights),
            "counts": counts, "favourite_share": float(favourite), "far_share": float(far.mean())}


def histogram_kl(counts, weights) -> float:
    """KL(counts / sum || weights) in nats; counts smoothed by 1e-10 (inf if there are no counts)."""
    counts, weights = np.asarray(counts, dtype=np.float64), np.asarray(weights, dtype=np.float64)
    if counts.shape != weights.shape:
        raise ValueError(f"counts and weights must have the same shape, got {counts.shape} and {weights.shape}")
    if (counts < 0).any() or (weights < 0).any() or not np.isfinite(counts).all() \
            or not np.isclose(weights.sum(), 1, atol=1e-6):
        raise ValueError("counts must be non-negative and weights a distribution (non-negative, summing to 1)")
    if counts.sum() == 0:
        return float("inf")
    return float(entropy(counts + 1e-10, weights))      # scipy normalises the counts to shares


def label_coverage(labels, n_classes: int, min_share: float = 0.2) -> dict:
    """Mode coverage of labelled samples: labels (N,) ints in 0..n_classes-1 (a classifier's answers).

    A class is covered when it has at least one sample and at least min_share of its fair share
    N / n_classes (min_share=0: at least one sample, the count of the PacGAN tables). Returns
    counts per class (n_classes,), classes covered and kl: KL(class histogram || uniform) in nats
    (0 for perfectly balanced classes, log n_classes for a single class).
    """
    if not is_whole(n_classes):
        raise ValueError(f"n_classes must be a whole number >= 1, got {n_classes!r}")
    labels = np.asarray(labels.cpu() if isinstance(labels, torch.Tensor) else labels)
    if labels.size and not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be integer class indices, got dtype {labels.dtype}; take .argmax(1) of probabilities")
    if labels.ndim != 1 or len(labels) == 0:
        raise ValueError(f"labels must be a non-empty 1D array, got shape {labels.shape}")
    if labels.min() < 0 or labels.max() >= n_classes:
        raise ValueError(f"labels must lie in 0..{n_classes - 1}, got {labels.min()}..{labels.max()}")
    counts = np.bincount(labels, minlength=n_classes)
    threshold = max(1.0, min_share * len(labels) / n_classes)
    return {"counts": counts, "classes": int((counts >= threshold).sum()),
            "kl": histogram_kl(counts, np.full(n_classes, 1 / n_classes))}


def stacked_mnist_coverage(modes, confidence, min_confidence: float = 0.9) -> dict:
    """Stacked-MNIST coverage from features.stacked_reading's (modes (N,) in 0..999, confidence (N,) in [0, 1]).

    Returns label_coverage's counts, classes (modes with at least one sample) and kl over all N samples, plus
    confident: the share of samples whose three digits were all read with probability >= min_confidence, and
    confident_modes: the modes seen among those alone (0 if there are none).
    """
    modes, confidence = (torch.as_tensor(np.asarray(v.cpu() if isinstance(v, torch.Tensor) else v)) for v in (modes, confidence))
    if modes.shape != confidence.shape:
        raise ValueError(f"modes and confidence must have the same shape (N,), got {tuple(modes.shape)} and "
                         f"{tuple(confidence.shape)}; pass both outputs of features.stacked_reading")
    sure = confidence >= min_confidence
    return {**label_coverage(modes, 1000, min_share=0), "confident": sure.float().mean().item(),
            "confident_modes": label_coverage(modes[sure], 1000, min_share=0)["classes"] if sure.any() else 0}


def check_probabilities(probabilities: torch.Tensor) -> torch.Tensor:
    """A classifier's probabilities (N, C): non-empty, in [0, 1], rows summing to 1 (else a ValueError)."""
    if not isinstance(probabilities, torch.Tensor):
        probabilities = torch.as_tensor(np.asarray(probabilities))
    if probabilities.dim() != 2 or len(probabilities) == 0:
        raise ValueError(f"probabilities must have shape (N, C) with N >= 1, got {tuple(probabilities.shape)}")
    if probabilities.device.type == "meta":
        raise ValueError("probabilities on the meta device have no values to count: classify on a real device")
    row_sums = probabilities.detach().double().sum(1)
    if (probabilities < 0).any() or not torch.allclose(row_sums, torch.ones_like(row_sums), atol=1e-3):
        raise ValueError("each row of probabilities must be non-negative and sum to 1: pass softmax outputs "
                         "(features.classify), not logits")
    return probabilities


def class_coverage(probabilities: torch.Tensor, n_classes: int | None = None, min_share: float = 0.2) -> dict:
    """label_coverage of each sample's most likely class, from a classifier's probabilities (N, C)
    (e.g. features.classify). Returns counts (C,), classes covered and kl to uniform, in nats."""
    probabilities = check_probabilities(probabilities)
    return label_coverage(probabilities.argmax(1), n_classes or probabilities.shape[1], min_share)


LOWER_IS_BETTER = ("FID", "KID")


def ahead(board: dict, better: str, worse: str, metric: str = "FID", by: float = 2.0) -> bool:
    """True when `better` beats `worse` on `metric` by more than `by` times the sum of their spreads.

    board: {name: {metric: (mean, standard deviation over draws)}}, as chapters 7 and 9 build their
    leaderboards. Lower is better for FID and KID, higher for every other metric (IS, precision, recall).
    A margin, not a significance test: three draws give rough spreads, and every draw shares the same
    held-out digits. The book reads only differences beyond by = 2 as real.
    """
    for name in (better, worse):
        if name not in board:
            raise KeyError(f"{name!r} is not on the board; it has {sorted(board)}")
        if metric not in board[name]:
            raise KeyError(f"{name!r} has no {metric!r} score; it has {sorted(board[name])}")
    (mean_a, std_a), (mean_b, std_b) = board[better][metric], board[worse][metric]
    if min(std_a, std_b) < 0 or by < 0:
        raise ValueError(f"spreads and the margin must be >= 0, got {std_a}, {std_b} and by={by}")
    gain = mean_b - mean_a if metric in LOWER_IS_BETTER else mean_a - mean_b
    return gain > by * (std_a + std_b)
