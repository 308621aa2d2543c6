"""The analytic side of GANs, on 1D densities given on a grid.

Goodfellow et al. (2014), Section 4: the optimal discriminator (Prop. 1), the value of the
game at that discriminator, C(G) = -log 4 + 2 JSD(p_data || p_g) (Theorem 1).
Everything is in float64 NumPy and natural logarithms (divergences in nats).
"""
from __future__ import annotations

import numpy as np
from scipy.special import rel_entr


def _grid_arrays(*arrays, x=None):
    out = [np.asarray(a, dtype=np.float64) for a in arrays]
    if x is not None:
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 1 or len(x) < 2 or not np.isfinite(x).all() or (np.diff(x) <= 0).any():
            raise ValueError("x must be a 1D increasing grid of at least 2 points")
        for a in out:
            if a.shape != x.shape:
                raise ValueError(f"densities must be given on the grid x: shape {x.shape}, got {a.shape}")
    for a in out:
        if (a < 0).any() or not np.isfinite(a).all():
            raise ValueError("densities must be finite and non-negative")
    return out, x


def integrate(values, x) -> float:
    """Trapezoidal integral of values sampled on the grid x (1D, increasing, as long as values)."""
    values, x = np.asarray(values, dtype=np.float64), np.asarray(x, dtype=np.float64)
    if x.ndim != 1 or values.shape != x.shape or (np.diff(x) <= 0).any():
        raise ValueError(f"integrate needs values on an increasing 1D grid of the same length, got shapes "
                         f"{values.shape} and {x.shape}")
    return float(np.trapezoid(np.asarray(values, dtype=np.float64), np.asarray(x, dtype=np.float64)))


def optimal_discriminator(p_data, p_g) -> np.ndarray:
    """D*(x) = p_data(x) / (p_data(x) + p_g(x)) (Goodfellow et al. 2014, Prop. 1).

    Where both densities are 0 the value is irrelevant to V; we return 1/2 there.
    """
    (p_data, p_g), _ = _grid_arrays(p_data, p_g)
    if p_data.shape != p_g.shape:
        raise ValueError(f"p_data and p_g must be given at the same points, got shapes {p_data.shape} and {p_g.shape}")
    total = p_data + p_g
    return np.divide(p_data, total, out=np.full_like(total, 0.5), where=total > 0)


def kl_divergence(p, q, x) -> float:
    """KL(p || q) = integral of p log(p / q) dx; +inf if p > 0 somewhere q = 0.

    p and q must be densities on the grid x (each integrates to 1 within 5%, as for js_divergence)."""
    (p, q), x = _grid_arrays(p, q, x=x)
    _check_normalised(x, p=p, q=q)
    return _kl(p, q, x)


def _kl(p: np.ndarray, q: np.ndarray, x: np.ndarray) -> float:
    """KL(p || q) on the grid x, for checked arrays (js_divergence's mixture m is normalised by construction)."""
    if ((p > 0) & (q == 0)).any():
        return float("inf")
    return integrate(rel_entr(p, q), x)       # p log(p / q), with 0 log(0 / q) = 0


def _check_normalised(x, tolerance: float = 0.05, **densities) -> None:
    """Each density must integrate to 1 on the grid x (within tolerance): the bounds of a divergence
    between distributions do not hold for arbitrary non-negative functions."""
    for name, density in densities.items():
        mass = integrate(density, x)
        if abs(mass - 1) > tolerance:
            raise ValueError(f"{name} integrates to {mass:.4g} on the grid, not 1: pass a probability density "
                             f"(e.g. {name} / theory.integrate({name}, x)), or widen the grid to hold its mass")


def js_divergence(p, q, x) -> float:
    """JSD(p || q) = KL(p || m)/2 + KL(q || m)/2 with m = (p + q)/2; 0 <= JSD <= log 2.

    p and q must be densities on the grid x (each integrates to 1 within 5%)."""
    (p, q), x = _grid_arrays(p, q, x=x)
    _check_normalised(x, p=p, q=q)
    m = (p + q) / 2
    return 0.5 * _kl(p, m, x) + 0.5 * _kl(q, m, x)


def kl_gaussians(mu1: float, sigma1: float, mu2: float, sigma2: float) -> float:
    """Closed form KL(N(mu1, sigma1^2) || N(mu2, sigma2^2)) = log(s2/s1) + (s1^2 + (mu1-mu2)^2)/(2 s2^2) - 1/2."""
    if not np.isfinite([mu1, sigma1, mu2, sigma2]).all() or sigma1 <= 0 or sigma2 <= 0:
        raise ValueError(f"means must be finite and standard deviations positive and finite, got "
                         f"{mu1}, {sigma1}, {mu2}, {sigma2}")
    return float(np.log(sigma2 / sigma1) + (sigma1**2 + (mu1 - mu2) ** 2) / (2 * sigma2**2) - 0.5)


def value(d, p_data, p_g, x) -> float:
    """V(D, G) = E_{p_data}[log D(x)] + E_{p_g}[log(1 - D(x))], integrated on the grid x.

    d: D(x) on the grid, in [0, 1]. Terms where a density is 0 count 0.
    """
    (p_data, p_g), x = _grid_arrays(p_data, p_g, x=x)
    d = np.asarray(d, dtype=np.float64)
    if d.shape != x.shape or not np.isfinite(d).all() or (d < 0).any() or (d > 1).any():
        raise ValueError("d must be D(x) on the grid x, with values in [0, 1]")
    with np.errstate(divide="ignore"):
        log_d, log_1md = np.log(d), np.log1p(-d)
    integrand = np.where(p_data > 0, p_data * log_d, 0.0) + np.where(p_g > 0, p_g * log_1md, 0.0)
    return integrate(integrand, x)


def virtual_training_criterion(p_data, p_g, x) -> float:
    """C(G) = max_D V(D, G) = V(D*, G); equals -log 4 + 2 JSD(p_data || p_g) (Theorem 1).

    Computed with log D* = log p_data - log(p_data + p_g) (and likewise for 1 - D*), so a
    ratio that rounds D* to exactly 1 in a far tail does not turn into log 0.
    """
    (p_data, p_g), x = _grid_arrays(p_data, p_g, x=x)
    total = p_data + p_g
    integrand = np.zeros_like(total)
    for p in (p_data, p_g):
        mask = p > 0
        integrand[mask] += p[mask] * (np.log(p[mask]) - np.log(total[mask]))
    return integrate(integrand, x)


def saturating_grad(d):
    """d/dl of the saturating generator loss log(1 - sigmoid(l)), as a function of D = sigmoid(l): -D."""
    return -np.asarray(d, dtype=np.float64)


def non_saturating_grad(d):
    """d/dl of the non-saturating generator loss -log sigmoid(l), as a function of D: -(1 - D)."""
    return -(1.0 - np.asarray(d, dtype=np.float64))


def bilinear_game(x0: float, y0: float, lr: float, steps: int, alternating: bool = False) -> np.ndarray:
    """Gradient play on min_x max_y x*y from (x0, y0). Returns the trajectory, (steps + 1, 2).

    Simultaneous: x <- x - lr*y, y <- y + lr*x (both from the old point); the distance to the
    equilibrium (0, 0) grows by sqrt(1 + lr^2) each step. Alternating: y uses the new x;
    the iterates stay on a bounded closed orbit and cycle.
    """
    path = np.empty((steps + 1, 2))
    x, y = float(x0), float(y0)
    path[0] = x, y
    for t in range(1, steps + 1):
        x_new = x - lr * y
        y = y + lr * (x_new if alternating else x)
        x = x_new
        path[t] = x, y
    return path
