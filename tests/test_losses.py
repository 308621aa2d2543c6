import math

import pytest
import torch
from torch import nn

from gantut import losses


def bce(p, target):
    return -(target * math.log(p) + (1 - target) * math.log(1 - p))


def test_discriminator_loss_matches_hand_computed_cross_entropy():
    real, fake = torch.tensor([0.0, 2.0]), torch.tensor([-1.0, 1.0])
    sig = lambda v: 1 / (1 + math.exp(-v))
    expected = (bce(sig(0), 1) + bce(sig(2), 1)) / 2 + (bce(sig(-1), 0) + bce(sig(1), 0)) / 2
    assert math.isclose(losses.discriminator_loss(real, fake).item(), expected, rel_tol=1e-6)


def test_discriminator_loss_at_equilibrium_is_log4():
    zeros = torch.zeros(10)
    assert math.isclose(losses.discriminator_loss(zeros, zeros).item(), math.log(4), rel_tol=1e-6)


def test_generator_losses_match_hand_values():
    logits = torch.tensor([-2.0, 0.0, 3.0])
    d = torch.sigmoid(logits)
    assert torch.isclose(losses.generator_loss(logits), -torch.log(d).mean())
    assert torch.isclose(losses.generator_loss_saturating(logits), torch.log(1 - d).mean())


def test_losses_are_finite_with_useful_gradients_at_extreme_logits():
    logits = torch.tensor([-200.0, 200.0], requires_grad=True)
    for loss in (losses.generator_loss(logits), losses.generator_loss_saturating(logits),
                 losses.discriminator_loss(logits, logits)):
        (grad,) = torch.autograd.grad(loss, logits)
        assert torch.isfinite(loss) and torch.isfinite(grad).all()
    # the non-saturating loss still pushes a hopeless fake (logit -200) with gradient -1/N
    (grad,) = torch.autograd.grad(losses.generator_loss(logits), logits)
    assert math.isclose(grad[0].item(), -0.5, rel_tol=1e-6)
    # the saturating one gives it nothing: the stall of chapter 1
    (grad,) = torch.autograd.grad(losses.generator_loss_saturating(logits), logits)
    assert abs(grad[0].item()) < 1e-30


def test_logit_shapes():
    assert losses.generator_loss(torch.zeros(4, 1)).shape == ()
    logits = torch.tensor([-2.0, 0.5, 3.0])
    assert torch.equal(losses.generator_loss(logits), losses.generator_loss(logits[:, None]))   # (N,) and (N, 1) alike
    with pytest.raises(ValueError, match="shape"):
        losses.discriminator_loss(torch.zeros(4, 2), torch.zeros(4))


# ----------------------------------------------------------------------------- Wasserstein GAN

def test_critic_loss_sign_raises_real_scores_and_lowers_fake_ones():
    real, fake = torch.tensor([2.0, 4.0]), torch.tensor([-1.0, 0.0])
    assert losses.critic_loss(real, fake).item() == -3.5  # E[f(fake)] - E[f(real)] = -0.5 - 3
    scores = torch.zeros(2, requires_grad=True)
    losses.critic_loss(scores, torch.zeros(2)).backward()
    assert (scores.grad < 0).all()  # minimising it pushes real scores up
    fake_scores = torch.zeros(2, requires_grad=True)
    losses.generator_loss_wasserstein(fake_scores).backward()
    assert (fake_scores.grad < 0).all()  # minimising G's loss pushes fake scores up too


class Quadratic(torch.nn.Module):
    """f(x) = sum of a * x^2 over a sample's pixels: grad = 2 a x, known in closed form."""

    def __init__(self, a):
        super().__init__()
        self.a = torch.nn.Parameter(torch.tensor(a))

    def forward(self, x):
        return (self.a * x ** 2).flatten(1).sum(1)


def test_gradient_penalty_matches_hand_computation_and_flattens_per_sample():
    critic = Quadratic(0.5)  # grad f(x) = x, so ||grad|| at x_hat is ||x_hat||
    real = torch.tensor([[[[3.0, 0.0], [0.0, 4.0]]], [[[1.0, 1.0], [1.0, 1.0]]]])  # (2, 1, 2, 2)
    fake = torch.zeros_like(real)
    rng_state = torch.Generator().manual_seed(3)
    eps = torch.rand(2, 1, 1, 1, generator=torch.Generator().manual_seed(3))
    expected_norms = [eps[0].item() * 5.0, eps[1].item() * 2.0]  # ||eps * real|| of the whole image
    expected = 10 * sum((n - 1) ** 2 for n in expected_norms) / 2
    penalty = losses.gradient_penalty(critic, real, fake, weight=10.0, rng=rng_state)
    assert math.isclose(penalty.item(), expected, rel_tol=1e-5)
    # the norm over one axis only (the copied bug) gives a different number on these images
    points = losses.interpolates(real, fake, torch.Generator().manual_seed(3)).requires_grad_(True)
    (grads,) = torch.autograd.grad(critic(points).sum(), points)
    wrong = 10 * ((grads.norm(2, dim=1) - 1) ** 2).mean().item()
    assert not math.isclose(wrong, expected, rel_tol=1e-2)
    # and it is differentiable with respect to the critic's parameters
    penalty.backward()
    assert critic.a.grad is not None and critic.a.grad.item() != 0


def test_critic_gradient_norms_are_one_for_a_unit_linear_critic():
    critic = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(4, 1, bias=False))
    with torch.no_grad():
        critic[1].weight.copy_(torch.tensor([[0.6, 0.0, 0.8, 0.0]]))
    norms = losses.critic_gradient_norms(lambda x: critic(x).squeeze(1), torch.randn(5, 1, 2, 2))
    assert torch.allclose(norms, torch.ones(5))
    assert losses.gradient_penalty(lambda x: critic(x).squeeze(1), torch.randn(5, 4), torch.randn(5, 4)).item() < 1e-10


def test_interpolates_lie_between_real_and_fake_and_check_shapes():
    real, fake = torch.ones(100, 3), -torch.ones(100, 3)
    points = losses.interpolates(real, fake)
    assert points.min() >= -1 and points.max() <= 1
    assert torch.allclose(points[:, 0], points[:, 2])  # one eps per sample, shared by its features
    with pytest.raises(ValueError, match="same shape"):
        losses.interpolates(torch.ones(4, 3), torch.ones(5, 3))


def test_one_sided_penalty_ignores_norms_below_one():
    critic = Quadratic(0.5)  # ||grad f(x_hat)|| = ||x_hat||
    real = torch.tensor([[0.3, 0.4], [3.0, 4.0]])  # norms 0.5 and 5 (times eps)
    fake = torch.zeros_like(real)
    eps = torch.rand(2, 1, generator=torch.Generator().manual_seed(0)).squeeze(1)
    norms = eps * torch.tensor([0.5, 5.0])
    expected = (norms - 1).clamp(min=0).pow(2).mean().item()
    got = losses.gradient_penalty(critic, real, fake, weight=1.0, rng=torch.Generator().manual_seed(0), one_sided=True)
    assert math.isclose(got.item(), expected, rel_tol=1e-5, abs_tol=1e-7)


def test_lsgan_losses_match_a_hand_computation():
    real, fake = torch.tensor([1.0, 3.0]), torch.tensor([0.0, -2.0])
    # D: 1/2 * mean((0, 2)^2) + 1/2 * mean((0, -2)^2) = 1/2 * 2 + 1/2 * 2
    assert losses.lsgan_discriminator_loss(real, fake).item() == pytest.approx(2.0)
    # G: 1/2 * mean((-1, -3)^2) = 1/2 * 5
    assert losses.lsgan_generator_loss(fake).item() == pytest.approx(2.5)
    assert losses.lsgan_discriminator_loss(torch.ones(4), torch.zeros(4)).item() == 0.0


def test_hinge_losses_match_a_hand_computation():
    real, fake = torch.tensor([2.0, 0.5, -1.0]), torch.tensor([-3.0, 0.0, 1.0])
    # real: max(0, 1 - s) = 0, 0.5, 2 -> mean 2.5 / 3; fake: max(0, 1 + s) = 0, 1, 2 -> mean 1
    assert losses.hinge_discriminator_loss(real, fake).item() == pytest.approx(2.5 / 3 + 1.0)
    assert losses.hinge_generator_loss(fake).item() == pytest.approx(2.0 / 3)
    with pytest.raises(ValueError, match="shape"):
        losses.hinge_discriminator_loss(torch.zeros(2, 2), torch.zeros(2))


# ----------------------------------------------------------------------------- R1, R2, RpGAN

def test_r1_penalty_matches_hand_computation_and_flattens_per_sample():
    # D(x) = sum of squares of the sample: grad_x D = 2x, so R1 = gamma/2 * mean_i ||2 x_i||^2 over *all* pixels
    real = torch.tensor([[[[1.0, 2.0], [0.0, -1.0]]], [[[3.0, 0.0], [0.0, 0.0]]]])   # (2, 1, 2, 2)
    critic = lambda x: (x ** 2).flatten(1).sum(1)
    expected = 0.5 * 10.0 * (4 * (1 + 4 + 0 + 1) + 4 * 9) / 2                          # = 105
    assert math.isclose(losses.r1_penalty(critic, real, gamma=10.0).item(), expected, rel_tol=1e-6)
    # a linear D has the same slope everywhere: R1 = R2 = gamma/2 ||w||^2 on any points
    linear = torch.nn.Linear(3, 1, bias=False)
    with torch.no_grad():
        linear.weight.copy_(torch.tensor([[1.0, -2.0, 2.0]]))
    for penalty in (losses.r1_penalty, losses.r2_penalty):
        assert math.isclose(penalty(linear, torch.randn(5, 3), gamma=2.0).item(), 9.0, rel_tol=1e-6)


def test_r1_is_zero_centred_unlike_the_wgan_gp_penalty():
    linear = torch.nn.Linear(2, 1, bias=False)
    with torch.no_grad():
        linear.weight.copy_(torch.tensor([[0.6, 0.8]]))                                   # slope exactly 1
    points = torch.randn(8, 2)
    assert losses.gradient_penalty(linear, points, torch.randn(8, 2)).item() < 1e-10      # WGAN-GP: slope 1 is free
    assert math.isclose(losses.r1_penalty(linear, points, gamma=1.0).item(), 0.5, rel_tol=1e-6)  # R1: slope 1 costs


def test_r1_trains_d_and_r2_does_not_reach_g():
    d = torch.nn.Linear(3, 1)
    g = torch.nn.Linear(2, 3)
    fake = g(torch.randn(4, 2))                                   # attached to G's graph
    (losses.r1_penalty(d, torch.randn(4, 3)) + losses.r2_penalty(d, fake)).backward()
    assert d.weight.grad is not None and d.weight.grad.abs().sum() > 0
    assert g.weight.grad is None                                  # R2 is D's regulariser: fakes are detached


def test_zero_centred_penalties_refuse_batchnorm_and_negative_gamma():
    with pytest.raises(ValueError, match="BatchNorm"):
        losses.r1_penalty(torch.nn.Sequential(torch.nn.Linear(3, 3), torch.nn.BatchNorm1d(3)), torch.randn(4, 3))
    with pytest.raises(ValueError, match="gamma"):
        losses.r2_penalty(torch.nn.Linear(3, 1), torch.randn(4, 3), gamma=-1.0)


def test_relativistic_losses_match_hand_computation_and_pair_samples():
    real, fake = torch.tensor([2.0, 0.0]), torch.tensor([1.0, 3.0])
    softplus = lambda v: math.log1p(math.exp(v))
    expected_d = (softplus(1.0 - 2.0) + softplus(3.0 - 0.0)) / 2                        # pairs (2, 1) and (0, 3)
    assert math.isclose(losses.relativistic_discriminator_loss(real, fake).item(), expected_d, rel_tol=1e-6)
    expected_g = (softplus(2.0 - 1.0) + softplus(0.0 - 3.0)) / 2
    assert math.isclose(losses.relativistic_generator_loss(fake, real).item(), expected_g, rel_tol=1e-6)
    # only differences count: shifting every logit leaves RpGAN unchanged, the standard loss not
    assert math.isclose(losses.relativistic_discriminator_loss(real + 5, fake + 5).item(), expected_d, rel_tol=1e-6)
    assert abs(losses.discriminator_loss(real + 5, fake + 5) - losses.discriminator_loss(real, fake)) > 0.1
    with pytest.raises(ValueError, match="pairs"):
        losses.relativistic_discriminator_loss(torch.zeros(3), torch.zeros(2))


def test_lazy_penalty_fires_every_interval_th_call_weighted_by_the_interval():
    seen = []

    def penalty(d, real, fake):
        seen.append(len(seen))
        return torch.tensor(2.0)

    hook = losses.lazy(penalty, 4)
    values = [hook(None, torch.zeros(1), torch.zeros(1)).item() for _ in range(9)]
    assert values == [0, 0, 0, 8, 0, 0, 0, 8, 0] and len(seen) == 2      # computed only when it counts
    assert sum(values) / 8 == 2.0                                         # the average is the penalty's
    every = losses.lazy(penalty, 1)
    assert [every(None, torch.zeros(1), torch.zeros(1)).item() for _ in range(3)] == [2, 2, 2]
    for bad in (0, 2.5, True):
        with pytest.raises(ValueError, match="interval"):
            losses.lazy(penalty, bad)


def test_r1_r2_is_the_sum_of_both_penalties():
    torch.manual_seed(0)
    d, real, fake = nn.Sequential(nn.Linear(3, 8), nn.LeakyReLU(0.2), nn.Linear(8, 1)), torch.randn(5, 3), torch.randn(5, 3)
    both = losses.r1_r2(2.0)(d, real, fake)
    assert torch.equal(both, losses.r1_penalty(d, real, 2.0) + losses.r2_penalty(d, fake, 2.0))
    assert both > losses.r1_penalty(d, real, 2.0) > 0
