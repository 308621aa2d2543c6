"""Metrics for generated samples: the Frechet distance between feature statistics.

Heusel et al. (2017) define FID as the Frechet distance between Gaussians fitted to features of
real and generated images:
    d^2 = |mu1 - mu2|^2 + tr(S1) + tr(S2) - 2 tr((S1^{1/2} S2 S1^{1/2})^{1/2}).
The symmetric form under the trace has the same eigenvalues as (S1 S2)^{1/2} and is computed
with eigendecompositions of symmetric matrices only. Chapter 7 builds on this module.
"""
from __future__ import annotations

import numpy as np
import torch


def _symmetric_sqrt(matrix: np.ndarray) -> np.ndarray:
    """Square root of a symmetric positive semi-definite matrix; round-off negatives clamped to 0."""
    eigenvalues, eigenvectors = np.linalg.eigh((matrix + matrix.T) / 2)
    return (eigenvectors * np.sqrt(np.clip(eigenvalues, 0, None))) @ eigenvectors.T


def feature_statistics(features: torch.Tensor | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean (d,) and covariance (d, d) of features (N, d), in float64, centred before multiplying.

    Needs more samples than feature dimensions: with N <= d the covariance is singular and the
    Frechet distance is not meaningful.
    """
    features = np.asarray(features.detach().cpu() if isinstance(features, torch.Tensor) else features, dtype=np.float64)
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


def frechet_distance(mu1: np.ndarray, sigma1: np.ndarray, mu2: np.ndarray, sigma2: np.ndarray) -> float:
    """Squared Frechet (2-Wasserstein) distance between N(mu1, sigma1) and N(mu2, sigma2), in float64."""
    mu1, mu2 = np.asarray(mu1, np.float64), np.asarray(mu2, np.float64)
    sigma1, sigma2 = np.asarray(sigma1, np.float64), np.asarray(sigma2, np.float64)
    if mu1.shape != mu2.shape or sigma1.shape != sigma2.shape or sigma1.shape != (len(mu1), len(mu1)):
        raise ValueError(f"mismatched statistics: means {mu1.shape} and {mu2.shape}, "
                         f"covariances {sigma1.shape} and {sigma2.shape}")
    root1 = _symmetric_sqrt(sigma1)
    cross = np.trace(_symmetric_sqrt(root1 @ sigma2 @ root1))
    distance = float(np.sum((mu1 - mu2) ** 2) + np.trace(sigma1) + np.trace(sigma2) - 2 * cross)
    return max(distance, 0.0)  # round-off can leave a tiny negative number when the two are equal


def fid(real_features, fake_features) -> float:
    """Frechet distance between the Gaussian statistics of two feature sets (N1, d) and (N2, d)."""
    return frechet_distance(*feature_statistics(real_features), *feature_statistics(fake_features))
