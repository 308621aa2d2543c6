import math

import pytest
import torch

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
    with pytest.raises(ValueError, match="shape"):
        losses.discriminator_loss(torch.zeros(4, 2), torch.zeros(4))
