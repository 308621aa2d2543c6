import numpy as np
import pytest
import torch
from scipy import integrate, stats

from gantut import theory

X = np.linspace(-25, 25, 50001)  # wide enough that every density integrates to 1 within 1e-12


def gauss(mu, sigma):
    return stats.norm(mu, sigma).pdf(X)


@pytest.mark.parametrize("mu1, s1, mu2, s2", [(0, 1, 0, 1), (0, 1, 1, 1), (0.5, 0.7, -1, 2.0)])
def test_kl_on_a_grid_matches_the_gaussian_closed_form(mu1, s1, mu2, s2):
    closed = theory.kl_gaussians(mu1, s1, mu2, s2)
    assert abs(theory.kl_divergence(gauss(mu1, s1), gauss(mu2, s2), X) - closed) < 1e-8


def test_kl_closed_form_against_a_hand_value():
    # KL(N(0,1) || N(1,2^2)) = log 2 + (1 + 1)/8 - 1/2
    assert np.isclose(theory.kl_gaussians(0, 1, 1, 2), np.log(2) + 0.25 - 0.5)


def test_jsd_of_identical_densities_is_zero_and_of_disjoint_is_log2():
    p = gauss(0, 1)
    assert abs(theory.js_divergence(p, p, X)) < 1e-12
    left = np.where((X > -3) & (X < -1), 0.5, 0.0)
    right = np.where((X > 1) & (X < 3), 0.5, 0.0)
    assert np.isclose(theory.js_divergence(left, right, X), np.log(2), atol=1e-3)
    assert theory.kl_divergence(left, right, X) == np.inf


def test_jsd_is_symmetric_and_bounded():
    p, q = gauss(0, 1), gauss(1.5, 0.5)
    a, b = theory.js_divergence(p, q, X), theory.js_divergence(q, p, X)
    assert np.isclose(a, b) and 0 < a < np.log(2)


def test_jsd_against_scipy_quad():
    p, q = stats.norm(0, 1), stats.norm(1, 1)

    def integrand(x):
        m = (p.pdf(x) + q.pdf(x)) / 2
        return 0.5 * p.pdf(x) * np.log(p.pdf(x) / m) + 0.5 * q.pdf(x) * np.log(q.pdf(x) / m)

    reference, _ = integrate.quad(integrand, -15, 15)
    assert abs(theory.js_divergence(gauss(0, 1), gauss(1, 1), X) - reference) < 1e-9


def test_optimal_discriminator_of_identical_densities_is_one_half():
    p = gauss(0, 1)
    assert np.allclose(theory.optimal_discriminator(p, p), 0.5)
    assert theory.optimal_discriminator([1.0, 0.0, 0.0], [0.0, 1.0, 0.0]).tolist() == [1.0, 0.0, 0.5]


def test_optimal_discriminator_beats_any_other_discriminator():
    p, q = gauss(0, 1), gauss(2, 1)
    best = theory.virtual_training_criterion(p, q, X)
    for d in (np.full_like(X, 0.5), 1 / (1 + np.exp(-(1.0 - X)))):
        assert theory.value(d, p, q, X) < best


@pytest.mark.parametrize("q", [gauss(0, 1), gauss(1, 1), gauss(0, 3), 0.5 * gauss(-2, 0.5) + 0.5 * gauss(2, 0.5)])
def test_virtual_training_criterion_is_minus_log4_plus_two_jsd(q):
    p = gauss(0, 1)
    c = theory.virtual_training_criterion(p, q, X)
    assert abs(c - (-np.log(4) + 2 * theory.js_divergence(p, q, X))) < 1e-9
    assert c >= -np.log(4) - 1e-9


def test_generator_gradients_match_autograd():
    logits = torch.linspace(-6, 6, 25, dtype=torch.float64, requires_grad=True)
    saturating = torch.log1p(-torch.sigmoid(logits)).sum()
    (grad_sat,) = torch.autograd.grad(saturating, logits)
    non_saturating = (-torch.nn.functional.logsigmoid(logits)).sum()
    (grad_ns,) = torch.autograd.grad(non_saturating, logits)
    d = torch.sigmoid(logits).detach().numpy()
    assert np.allclose(theory.saturating_grad(d), grad_sat.numpy())
    assert np.allclose(theory.non_saturating_grad(d), grad_ns.numpy())


def test_bilinear_game_simultaneous_spirals_out_alternating_stays_bounded():
    lr, steps = 0.1, 200
    sim = theory.bilinear_game(1.0, 0.0, lr, steps)
    radius = np.linalg.norm(sim, axis=1)
    assert np.allclose(radius, (1 + lr**2) ** (np.arange(steps + 1) / 2))
    alt = theory.bilinear_game(1.0, 0.0, lr, steps, alternating=True)
    assert np.linalg.norm(alt, axis=1).max() < 1.1
    # x^2 + y^2 - lr*x*y is conserved by the alternating updates
    invariant = alt[:, 0] ** 2 + alt[:, 1] ** 2 - lr * alt[:, 0] * alt[:, 1]
    assert np.allclose(invariant, invariant[0])


def test_bad_densities_are_refused():
    with pytest.raises(ValueError, match="non-negative"):
        theory.js_divergence(-gauss(0, 1), gauss(0, 1), X)
    with pytest.raises(ValueError, match="grid"):
        theory.kl_divergence(gauss(0, 1)[:10], gauss(0, 1)[:10], X)


def test_value_at_the_optimal_discriminator_is_the_criterion_where_d_star_is_not_rounded():
    x = np.linspace(-6, 8, 14001)
    p, q = stats.norm(0, 1).pdf(x), stats.norm(2, 1).pdf(x)
    d_star = theory.optimal_discriminator(p, q)
    assert 0 < d_star.min() and d_star.max() < 1
    assert np.isclose(theory.value(d_star, p, q, x), theory.virtual_training_criterion(p, q, x), rtol=0, atol=1e-12)


def test_js_divergence_refuses_functions_that_are_not_densities():
    x = np.linspace(-8, 8, 2001)
    p, q = stats.norm(0, 1).pdf(x), stats.norm(1, 1).pdf(x)
    assert 0 < theory.js_divergence(p, q, x) <= np.log(2)
    with pytest.raises(ValueError, match="integrates to 3"):
        theory.js_divergence(3 * p, q, x)              # was above log 2 without a word
