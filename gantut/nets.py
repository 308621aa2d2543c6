"""Generator and discriminator networks, and the DCGAN weight initialisation.

MLP networks as in Goodfellow et al. (2014); the N(0, 0.02) initialisation of Radford et
al. (2016). Discriminators return *logits* (no Sigmoid): the losses in gantut.losses apply
the sigmoid inside a numerically stable log-sigmoid.
"""
from __future__ import annotations

import math
from typing import Sequence

import torch
from torch import nn


class MLPGenerator(nn.Module):
    """z (N, z_dim) -> samples (N, *out_shape).

    Hidden layers: Linear -> [BatchNorm1d] -> LeakyReLU(0.2). The output goes through Tanh
    (values in [-1, 1], the range of the image data) unless out_activation is None (toy data
    on the real line).
    """

    def __init__(self, z_dim: int = 100, hidden: Sequence[int] = (256, 512, 1024),
                 out_shape: Sequence[int] = (1, 28, 28), batchnorm: bool = False,
                 out_activation: str | None = "tanh"):
        super().__init__()
        if out_activation not in ("tanh", None):
            raise ValueError(f"out_activation must be 'tanh' or None, got {out_activation!r}")
        self.z_dim, self.out_shape = z_dim, tuple(out_shape)
        layers, width = [], z_dim
        for size in hidden:
            layers.append(nn.Linear(width, size))
            if batchnorm:
                layers.append(nn.BatchNorm1d(size))  # eps and momentum left at their defaults
            layers.append(nn.LeakyReLU(0.2))
            width = size
        layers.append(nn.Linear(width, math.prod(self.out_shape)))
        if out_activation == "tanh":
            layers.append(nn.Tanh())
        self.net = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        if z.dim() != 2 or z.shape[1] != self.z_dim:
            raise ValueError(f"z must have shape (N, {self.z_dim}), got {tuple(z.shape)}; "
                             "an MLP generator takes flat noise, not (N, z_dim, 1, 1)")
        return self.net(z).view(len(z), *self.out_shape)


class MLPDiscriminator(nn.Module):
    """samples (N, *in_shape) -> logits (N,).

    Hidden layers: Linear -> LeakyReLU(0.2) [-> Dropout]. No Sigmoid at the end.
    """

    def __init__(self, in_shape: Sequence[int] = (1, 28, 28), hidden: Sequence[int] = (1024, 512, 256),
                 dropout: float = 0.0):
        super().__init__()
        self.in_shape = tuple(in_shape)
        layers, width = [], math.prod(self.in_shape)
        for size in hidden:
            layers += [nn.Linear(width, size), nn.LeakyReLU(0.2)]
            if dropout:
                layers.append(nn.Dropout(dropout))
            width = size
        layers.append(nn.Linear(width, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if tuple(x.shape[1:]) != self.in_shape:
            raise ValueError(f"input must have shape (N, {', '.join(map(str, self.in_shape))}), got {tuple(x.shape)}")
        return self.net(x.flatten(1)).squeeze(1)


def init_weights(module: nn.Module, std: float = 0.02) -> nn.Module:
    """DCGAN initialisation, in place: Linear/Conv weights ~ N(0, std), BatchNorm weights ~ N(1, std), biases 0.

    Use as model.apply(init_weights). Returns the module.
    """
    if isinstance(module, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(module.weight, 0.0, std)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)):
        nn.init.normal_(module.weight, 1.0, std)
        nn.init.zeros_(module.bias)
    return module


def count_parameters(model: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
