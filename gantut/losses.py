"""Losses of the GAN games, written on the discriminator's logits.

Goodfellow et al. (2014): the minimax game (eq. 1) and the non-saturating generator loss
(Section 3). With D = sigmoid(l): log D = logsigmoid(l) = -softplus(-l) and
log(1 - D) = logsigmoid(-l) = -softplus(l), finite for every logit; never apply a Sigmoid
before these functions.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F


def _logits(name: str, logits: torch.Tensor) -> torch.Tensor:
    if logits.dim() == 2 and logits.shape[1] == 1:
        logits = logits.squeeze(1)
    if logits.dim() != 1:
        raise ValueError(f"{name} must have shape (N,) or (N, 1), got {tuple(logits.shape)}")
    return logits


def discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """-E[log D(x)] - E[log(1 - D(G(z)))]: the binary cross-entropy with real = 1, fake = 0.

    real_logits, fake_logits: (N,) or (N, 1). Returns a scalar. At D = 1/2 it equals log 4.
    """
    real_logits, fake_logits = _logits("real_logits", real_logits), _logits("fake_logits", fake_logits)
    return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()


def generator_loss_saturating(fake_logits: torch.Tensor) -> torch.Tensor:
    """E[log(1 - D(G(z)))], minimised by G (the minimax game). Its gradient vanishes as D(G(z)) -> 0.

    fake_logits: (N,) or (N, 1). Returns a scalar.
    """
    return -F.softplus(_logits("fake_logits", fake_logits)).mean()


def generator_loss(fake_logits: torch.Tensor) -> torch.Tensor:
    """-E[log D(G(z))], minimised by G: the non-saturating loss that GANs use in practice.

    fake_logits: (N,) or (N, 1). Returns a scalar.
    """
    return F.softplus(-_logits("fake_logits", fake_logits)).mean()
