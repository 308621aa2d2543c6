"""Generator and discriminator networks, and the DCGAN weight initialisation.

MLP networks as in Goodfellow et al. (2014); the N(0, 0.02) initialisation of Radford et
al. (2016); residual networks without normalisation as in R3GAN (Huang et al. 2024), with the
fix-up initialisation of Zhang et al. (2019). Discriminators return *logits* (no Sigmoid): the losses in gantut.losses apply
the sigmoid inside a numerically stable log-sigmoid.
"""
from __future__ import annotations

import math
import sys
from typing import Sequence

import torch
import torch.nn.functional as F
from torch import nn
from .utils import is_whole


class MLPGenerator(nn.Module):
    """z (N, z_dim) -> samples (N, *out_shape).

    Hidden layers: Linear -> [BatchNorm1d] -> LeakyReLU(0.2) (or ReLU). The output goes through Tanh
    (values in [-1, 1], the range of the image data) unless out_activation is None (toy data
    on the real line).
    """

    def __init__(self, z_dim: int = 100, hidden: Sequence[int] = (256, 512, 1024),
                 out_shape: Sequence[int] = (1, 28, 28), batchnorm: bool = False,
                 out_activation: str | None = "tanh", activation: str = "leaky"):
        super().__init__()
        if out_activation not in ("tanh", None):
            raise ValueError(f"out_activation must be 'tanh' or None, got {out_activation!r}")
        _positive_ints(z_dim=z_dim, hidden=_sizes(hidden),
                       out_shape=tuple(out_shape))
        _activation(activation)
        _flags(batchnorm=batchnorm)
        self.z_dim, self.out_shape = z_dim, tuple(out_shape)
        layers, width = [], z_dim
        for size in hidden:
            layers.append(nn.Linear(width, size))
            if batchnorm:
                layers.append(nn.BatchNorm1d(size))  # eps and momentum left at their defaults
            layers.append(_activation(activation))
            width = size
        layers.append(nn.Linear(width, math.prod(self.out_shape)))
        if out_activation == "tanh":
            layers.append(nn.Tanh())
        self.net = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        if z.dim() != 2 or z.shape[1] != self.z_dim:
            raise ValueError(f"z must have shape (N, {self.z_dim}), got {tuple(z.shape)}; "
                             "an MLP generator takes flat noise, not (N, z_dim, 1, 1)")
        check_dtype(self, "z", z)
        return self.net(z).view(len(z), *self.out_shape)


def _positive_ints(**sizes) -> None:
    """Refuse sizes that are not whole numbers >= 1 (a network with a 0 or negative size makes no sense)."""
    for name, value in sizes.items():
        values = value if isinstance(value, (tuple, list)) else (value,)
        if not isinstance(value, (int, tuple, list)) or isinstance(value, bool) or \
                any(not is_whole(v) for v in values):
            raise ValueError(f"{name} must be {'whole numbers' if isinstance(value, (tuple, list)) else 'a whole number'} "
                             f">= 1, got {value!r}")


def _sizes(hidden) -> tuple:
    """Hidden layer sizes as a tuple; a bare int is refused (it is not a list of layers)."""
    if isinstance(hidden, (int, float)):
        raise ValueError(f"hidden must be a sequence of layer sizes such as (256, 512), got {hidden!r}")
    return tuple(hidden)


def _activation(name: str) -> nn.Module:
    if name not in ("leaky", "relu"):
        raise ValueError(f"activation must be 'leaky' or 'relu', got {name!r}")
    return nn.LeakyReLU(0.2) if name == "leaky" else nn.ReLU()


def _flags(**flags) -> None:
    """Refuse on/off options that are not True or False (a string such as "no" is truthy and would mean on)."""
    for name, value in flags.items():
        if not isinstance(value, bool):
            raise TypeError(f"{name} must be True or False, got {value!r}")


def _autocast_on(device_type: str) -> bool:
    try:
        return torch.is_autocast_enabled(device_type)
    except RuntimeError:  # a device type autocast does not know (meta)
        return False


def check_dtype(network: nn.Module, name: str, tensor: torch.Tensor) -> None:
    """Refuse an input whose dtype is not the network's (its first parameter's: float32 unless converted),
    with a TypeError saying how to convert it, before torch fails inside a layer. name: "images" (in [-1, 1]),
    "z" (noise) or another word for the input. Under torch.autocast the layers cast floating-point inputs
    themselves: there only non-floating inputs are refused. One comparison per call."""
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"{name} must be a tensor, got {type(tensor).__name__}")
    parameter = next(network.parameters(), None)
    if parameter is None or tensor.dtype == parameter.dtype:
        return
    if tensor.dtype.is_floating_point and _autocast_on(tensor.device.type):
        return
    wanted, got = (str(dtype).removeprefix("torch.") for dtype in (parameter.dtype, tensor.dtype))
    if name == "images":
        expected = f"{wanted} images in [-1, 1]"
        fix = "convert uint8 pixels with x.float() / 127.5 - 1" if tensor.dtype == torch.uint8 else \
            f"convert with x.to(torch.{wanted})"
    elif name == "z":
        expected = f"{wanted} noise"
        fix = "draw it with torch.randn(N, z_dim)" + ("" if wanted == "float32" else f".to(torch.{wanted})")
    else:
        expected, fix = f"{wanted} {name}", f"convert with x.to(torch.{wanted})"
    if tensor.dtype.is_floating_point:
        fix += f" (or convert the network with .to(torch.{got}))"
    raise TypeError(f"{type(network).__name__} expected {expected} (the dtype of its parameters), got {got}: {fix}")


class MinibatchStd(nn.Module):
    """Append the batch's spread as one more feature (Karras et al. 2018, minibatch standard deviation).

    x: (N, C) or (N, C, H, W) -> (N, C + 1) or (N, C + 1, H, W): the standard deviation of each
    feature over the batch, averaged over features (and positions), copied to every sample. A
    discriminator that sees it can tell a batch of near-identical samples from a varied one.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if len(x) < 2:
            raise ValueError("minibatch standard deviation needs a batch of at least 2 samples")
        spread = x.std(dim=0, unbiased=False).mean()                # a scalar for the whole batch
        extra = spread.expand(len(x), 1, *x.shape[2:])              # (N, 1[, H, W])
        return torch.cat([x, extra], dim=1)


class MLPDiscriminator(nn.Module):
    """samples (N, *in_shape) -> logits (N,).

    Hidden layers: Linear -> LeakyReLU(0.2) (or ReLU) [-> Dropout]. No Sigmoid at the end.
    minibatch_std=True appends the batch's spread (MinibatchStd) before the last layer.
    """

    def __init__(self, in_shape: Sequence[int] = (1, 28, 28), hidden: Sequence[int] = (1024, 512, 256),
                 dropout: float = 0.0, activation: str = "leaky", minibatch_std: bool = False):
        super().__init__()
        _positive_ints(in_shape=tuple(in_shape), hidden=_sizes(hidden))
        _activation(activation)
        _flags(minibatch_std=minibatch_std)
        if not 0 <= dropout < 1:
            raise ValueError(f"dropout must be a probability in [0, 1), got {dropout}")
        self.in_shape = tuple(in_shape)
        layers, width = [], math.prod(self.in_shape)
        for size in hidden:
            layers += [nn.Linear(width, size), _activation(activation)]
            if dropout:
                layers.append(nn.Dropout(dropout))
            width = size
        if minibatch_std:
            layers.append(MinibatchStd())
            width += 1
        layers.append(nn.Linear(width, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if tuple(x.shape[1:]) != self.in_shape:
            raise ValueError(f"input must have shape (N, {', '.join(map(str, self.in_shape))}), got {tuple(x.shape)}")
        check_dtype(self, "images" if len(self.in_shape) == 3 else "samples", x)
        return self.net(x.flatten(1)).squeeze(1)


class PackedDiscriminator(nn.Module):
    """PacGAN (Lin et al. 2018): the discriminator judges m samples at once.

    x: (N, C, ...) with N divisible by m -> logits (N / m,). Each group of m consecutive samples
    (all real or all generated) is concatenated along the channel axis: points (N, d) become
    (N / m, m * d), images (N, C, H, W) become (N / m, m * C, H, W). So `inner` takes m times
    the channels: an MLPDiscriminator with in_shape=(m * d,), or a DCGANDiscriminator with
    channels=m * C. Losses average over the N / m packed logits as usual.
    """

    def __init__(self, inner: nn.Module, m: int):
        super().__init__()
        _positive_ints(m=m)
        self.inner, self.m = inner, m

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if len(x) % self.m:
            raise ValueError(f"the batch size ({len(x)}) must be divisible by the packing degree m = {self.m}")
        return self.inner(x.reshape(len(x) // self.m, self.m * x.shape[1], *x.shape[2:]))  # (N / m, m * C, ...)


def init_weights(module: nn.Module, std: float = 0.02) -> nn.Module:
    """DCGAN initialisation, in place: Linear/Conv weights ~ N(0, std), BatchNorm weights ~ N(1, std), biases 0.

    Use as model.apply(init_weights): apply calls it on every submodule, children first, and it initialises
    the layers it knows. Called directly on a whole model (init_weights(model)), it initialises every layer
    inside, in the order apply would: the same seed gives the same weights. Returns the module.
    """
    if next(module.children(), None) is not None and not _called_by_apply():
        for layer in module.modules():
            _init_layer(layer, std)
    else:
        _init_layer(module, std)
    return module


def _init_layer(module: nn.Module, std: float) -> None:
    if isinstance(module, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(module.weight, 0.0, std)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)):
        nn.init.normal_(module.weight, 1.0, std)
        nn.init.zeros_(module.bias)


def _called_by_apply() -> bool:
    """Whether init_weights is running inside nn.Module.apply (called by it, or by a lambda that apply called):
    there a container is visited after its layers, and must not initialise them a second time."""
    frame = sys._getframe(2)                        # 0: here, 1: init_weights, 2: init_weights' caller
    for _ in range(2):
        if frame is None:
            return False
        if frame.f_code is nn.Module.apply.__code__:
            return True
        frame = frame.f_back
    return False


def spectral_normalize(model: nn.Module) -> nn.Module:
    """Divide the weight of every Linear/Conv layer of model by its largest singular value, in place.

    Spectral normalisation (Miyato et al. 2018) through torch.nn.utils.parametrizations.spectral_norm
    (one power iteration per forward pass in training mode). A Linear layer then has Lipschitz
    constant <= 1. For a convolution the norm is taken of the kernel reshaped to (out, in * k * k),
    not of the convolution itself: a k x k, stride s convolution can have an operator norm up to
    ceil(k / s) times larger (chapter 5 measures it). Returns the model. A model that is already
    spectrally normalised is refused: a second call would stack a second normalisation on every layer.
    """
    layers = [module for module in model.modules() if isinstance(module, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d))]
    for layer in layers:
        stacked = layer.parametrizations["weight"] if nn.utils.parametrize.is_parametrized(layer, "weight") else ()
        if any(isinstance(p, nn.utils.parametrizations._SpectralNorm) for p in stacked):
            raise ValueError("the model is already spectrally normalised (its layers carry a spectral norm): apply "
                             "spectral_normalize once, to the freshly built model")
    for layer in layers:
        nn.utils.parametrizations.spectral_norm(layer)
    return model


def count_parameters(model: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


# ----------------------------------------------------------------------------- DCGAN (28 x 28)

class DCGANGenerator(nn.Module):
    """z (N, z_dim) -> images (N, channels, 28, 28) in [-1, 1]; Radford et al. (2016) scaled to 28 x 28.

    Shapes, with width w (channels c = 1 for MNIST, 3 for stacked MNIST):
        z (N, z_dim) viewed as (N, z_dim, 1, 1)
        ConvTranspose2d(z_dim, 2w, 7)          -> (N, 2w, 7, 7)    BatchNorm, ReLU   (the projection)
        ConvTranspose2d(2w, w, 4, stride 2, 1) -> (N, w, 14, 14)   BatchNorm, ReLU
        ConvTranspose2d(w, c, 4, stride 2, 1)  -> (N, c, 28, 28)   Tanh (no BatchNorm at the output)
    batchnorm=False drops the BatchNorm layers (the ablation of chapter 4).
    """

    def __init__(self, z_dim: int = 64, width: int = 32, batchnorm: bool = True, channels: int = 1):
        super().__init__()
        _positive_ints(z_dim=z_dim, width=width, channels=channels)
        _flags(batchnorm=batchnorm)
        self.z_dim, self.width, self.channels = z_dim, width, channels
        norm = (lambda c: nn.BatchNorm2d(c)) if batchnorm else (lambda c: nn.Identity())
        self.net = nn.Sequential(
            nn.ConvTranspose2d(z_dim, 2 * width, 7, 1, 0, bias=not batchnorm), norm(2 * width), nn.ReLU(),
            nn.ConvTranspose2d(2 * width, width, 4, 2, 1, bias=not batchnorm), norm(width), nn.ReLU(),
            nn.ConvTranspose2d(width, channels, 4, 2, 1), nn.Tanh(),
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        if z.dim() == 4 and z.shape[2:] == (1, 1):
            z = z.flatten(1)
        if z.dim() != 2 or z.shape[1] != self.z_dim:
            raise ValueError(f"z must have shape (N, {self.z_dim}), got {tuple(z.shape)}")
        check_dtype(self, "z", z)
        return self.net(z[:, :, None, None])


class DCGANDiscriminator(nn.Module):
    """images (N, channels, 28, 28) -> logits (N,); strided convolutions, no pooling, no Sigmoid.

    Shapes, with width w (channels c = 1 for MNIST, 3 for stacked MNIST):
        Conv2d(c, w, 4, stride 2, 1)   -> (N, w, 14, 14)   LeakyReLU(0.2)      (no norm on the input layer)
        Conv2d(w, 2w, 4, stride 2, 1)  -> (N, 2w, 7, 7)    norm, LeakyReLU(0.2)
        Conv2d(2w, 1, 7)               -> (N, 1, 1, 1)     -> logits (N,)
    norm: "batch" (DCGAN), "layer" (a critic for the gradient penalty; GroupNorm with one group,
    i.e. LayerNorm over each sample's (C, H, W)) or "none" (a plain critic). Used as a WGAN
    critic, its output is a raw score, not a logit.
    activation: "leaky" (LeakyReLU 0.2, DCGAN) or "relu" (the ablation of chapter 4).
    """

    def __init__(self, width: int = 32, norm: str = "batch", activation: str = "leaky", channels: int = 1):
        super().__init__()
        if norm not in ("batch", "layer", "none"):
            raise ValueError(f"norm must be 'batch', 'layer' or 'none', got {norm!r}")
        _activation(activation)  # refuses an unknown name before any layer is built
        self.width, self.channels = width, channels
        middle_norm = {"batch": nn.BatchNorm2d(2 * width), "layer": nn.GroupNorm(1, 2 * width),
                       "none": nn.Identity()}[norm]
        self.net = nn.Sequential(
            nn.Conv2d(channels, width, 4, 2, 1), _activation(activation),
            nn.Conv2d(width, 2 * width, 4, 2, 1, bias=norm != "batch"), middle_norm, _activation(activation),
            nn.Conv2d(2 * width, 1, 7, 1, 0),
        )

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        if images.dim() != 4 or tuple(images.shape[1:]) != (self.channels, 28, 28):
            raise ValueError(f"images must have shape (N, {self.channels}, 28, 28), got {tuple(images.shape)}")
        check_dtype(self, "images", images)
        return self.net(images).flatten()


# ----------------------------------------------------------------------------- residual networks without normalisation

def _he_init(layer: nn.Module, scale: float = 1.0) -> nn.Module:
    """He initialisation for LeakyReLU(0.2) (std sqrt(2 / 1.04 / fan_in)), times scale (0: a zero layer); biases
    zero. In place; returns layer. The residual networks use it for every layer, also those whose input is not a
    LeakyReLU output (the first and last layers, the 1 x 1 transitions): a simple choice, not a derived one."""
    if scale == 0:
        nn.init.zeros_(layer.weight)
    else:
        nn.init.kaiming_normal_(layer.weight, a=0.2, nonlinearity="leaky_relu")
        layer.weight.data.mul_(scale)
    if layer.bias is not None:
        nn.init.zeros_(layer.bias)
    return layer


class ResidualBlock(nn.Module):
    """x + branch(x), (N, c, H, W) -> (N, c, H, W), with no normalisation layer (R3GAN's block, Huang et al. 2024).

    branch: Conv1x1(c, 2c) -> LeakyReLU(0.2) -> grouped Conv3x3(2c, 2c), groups of group_size channels
    -> LeakyReLU(0.2) -> Conv1x1(2c, c). Fix-up initialisation (Zhang et al. 2019): the branch's last
    layer starts at zero, so every block starts as the identity and the network's output variance does
    not grow with depth; the branch's other layers are He-initialised and scaled by n_blocks ** -0.25
    (Fixup's L ** (-1 / (2m - 2)) for m = 3 layers per branch).
    """

    def __init__(self, channels: int, n_blocks: int, group_size: int = 16):
        super().__init__()
        _positive_ints(channels=channels, n_blocks=n_blocks, group_size=group_size)
        hidden = 2 * channels
        if hidden % group_size:
            raise ValueError(f"2 x channels ({hidden}) must be a multiple of group_size ({group_size})")
        scale = n_blocks ** -0.25
        self.branch = nn.Sequential(
            _he_init(nn.Conv2d(channels, hidden, 1), scale), nn.LeakyReLU(0.2),
            _he_init(nn.Conv2d(hidden, hidden, 3, padding=1, groups=hidden // group_size), scale), nn.LeakyReLU(0.2),
            _he_init(nn.Conv2d(hidden, channels, 1), 0.0),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.branch(x)


class ResidualGenerator(nn.Module):
    """z (N, z_dim) -> images (N, channels, 28, 28) in [-1, 1]: R3GAN's generator (Huang et al. 2024) scaled
    down to 28 x 28: residual blocks, bilinear upsampling, no normalisation, fix-up initialisation.

    Shapes, with width w:
        Linear(z_dim, 2w * 7 * 7), LeakyReLU      -> (N, 2w, 7, 7)
        ResidualBlock(2w)                          -> (N, 2w, 7, 7)
        bilinear x2, Conv1x1(2w, w)                -> (N, w, 14, 14)
        ResidualBlock(w)                           -> (N, w, 14, 14)
        bilinear x2, Conv3x3(w, channels), Tanh    -> (N, channels, 28, 28)
    No block at 28 x 28: on a CPU it would cost more than the rest of the network.
    Initialised when built: do not apply init_weights (it would undo the fix-up initialisation).
    """

    def __init__(self, z_dim: int = 64, width: int = 32, channels: int = 1):
        super().__init__()
        _positive_ints(z_dim=z_dim, width=width, channels=channels)
        if width % 8:
            raise ValueError(f"width must be a multiple of 8 (grouped convolutions of 16 channels), got {width}")
        self.z_dim, self.width, self.channels = z_dim, width, channels
        self.basis = nn.Sequential(_he_init(nn.Linear(z_dim, 2 * width * 49)), nn.LeakyReLU(0.2))
        self.net = nn.Sequential(
            ResidualBlock(2 * width, 2),
            nn.Upsample(scale_factor=2, mode="bilinear"), _he_init(nn.Conv2d(2 * width, width, 1)),
            ResidualBlock(width, 2),
            nn.Upsample(scale_factor=2, mode="bilinear"), _he_init(nn.Conv2d(width, channels, 3, padding=1)), nn.Tanh(),
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        if z.dim() != 2 or z.shape[1] != self.z_dim:
            raise ValueError(f"z must have shape (N, {self.z_dim}), got {tuple(z.shape)}")
        check_dtype(self, "z", z)
        return self.net(self.basis(z).view(len(z), 2 * self.width, 7, 7))


class ResidualDiscriminator(nn.Module):
    """images (N, channels, 28, 28) -> logits (N,): the mirror of ResidualGenerator (R3GAN's discriminator
    scaled down): residual blocks, 2 x 2 average pooling, no normalisation, fix-up initialisation.

    Shapes, with width w:
        Conv3x3(channels, w), LeakyReLU, average pool 2   -> (N, w, 14, 14)
        ResidualBlock(w)                                  -> (N, w, 14, 14)
        Conv1x1(w, 2w), average pool 2                    -> (N, 2w, 7, 7)
        ResidualBlock(2w)                                 -> (N, 2w, 7, 7)
        flatten, Linear(2w * 7 * 7, 1)                    -> logits (N,)
    Works with the R1/R2 penalties (double backward through every layer; LeakyReLU is piecewise linear).
    Do not apply init_weights.
    """

    def __init__(self, width: int = 32, channels: int = 1):
        super().__init__()
        _positive_ints(width=width, channels=channels)
        if width % 8:
            raise ValueError(f"width must be a multiple of 8 (grouped convolutions of 16 channels), got {width}")
        self.width, self.channels = width, channels
        self.net = nn.Sequential(
            _he_init(nn.Conv2d(channels, width, 3, padding=1)), nn.LeakyReLU(0.2), nn.AvgPool2d(2),
            ResidualBlock(width, 2),
            _he_init(nn.Conv2d(width, 2 * width, 1)), nn.AvgPool2d(2),
            ResidualBlock(2 * width, 2),
            nn.Flatten(), _he_init(nn.Linear(2 * width * 49, 1)),
        )

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        if images.dim() != 4 or tuple(images.shape[1:]) != (self.channels, 28, 28):
            raise ValueError(f"images must have shape (N, {self.channels}, 28, 28), got {tuple(images.shape)}")
        check_dtype(self, "images", images)
        return self.net(images).flatten()


# ----------------------------------------------------------------------------- class-conditional DCGAN

def _check_labels(labels: torch.Tensor, n: int, n_classes: int) -> None:
    """Refuse labels that are not n integers in 0..n_classes-1."""
    if not isinstance(labels, torch.Tensor):
        raise TypeError(f"labels must be a tensor of class indices (N,), got {type(labels).__name__}")
    if labels.dtype not in (torch.int64, torch.int32) or labels.shape != (n,):
        raise ValueError(f"labels must be {n} integers (shape ({n},)), got dtype {labels.dtype}, shape {tuple(labels.shape)}")
    if n and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(f"labels must lie in 0..{n_classes - 1}, got {labels.min().item()}..{labels.max().item()}")


class ConditionalDCGANGenerator(nn.Module):
    """(z (N, z_dim), labels (N,)) -> images (N, channels, 28, 28) in [-1, 1] (Mirza & Osindero 2014).

    The label's learned embedding (N, embed_dim) is concatenated to z; the rest is DCGANGenerator
    with input size z_dim + embed_dim.
    """

    def __init__(self, z_dim: int = 64, width: int = 32, n_classes: int = 10, embed_dim: int = 16, channels: int = 1):
        super().__init__()
        _positive_ints(n_classes=n_classes, embed_dim=embed_dim)
        self.z_dim, self.n_classes = z_dim, n_classes
        self.embed = nn.Embedding(n_classes, embed_dim)
        self.body = DCGANGenerator(z_dim + embed_dim, width, channels=channels)

    def forward(self, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        if z.dim() != 2 or z.shape[1] != self.z_dim:
            raise ValueError(f"z must have shape (N, {self.z_dim}), got {tuple(z.shape)}")
        check_dtype(self, "z", z)
        _check_labels(labels, len(z), self.n_classes)
        return self.body(torch.cat([z, self.embed(labels.to(z.device))], dim=1))


class LabelChannelDiscriminator(nn.Module):
    """(images (N, channels, 28, 28), labels (N,)) -> logits (N,): the label as extra input channels.

    The label's one-hot code becomes n_classes constant 28 x 28 maps concatenated to the image,
    (N, channels + n_classes, 28, 28), judged by the DCGAN discriminator, so its first layer sees
    image and label together (chapter 8 compares it with ProjectionDiscriminator).
    """

    def __init__(self, width: int = 32, n_classes: int = 10, norm: str = "batch", channels: int = 1):
        super().__init__()
        self.n_classes, self.channels = n_classes, channels
        self.judge = DCGANDiscriminator(width, norm=norm, channels=channels + n_classes)

    def forward(self, images: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        if images.dim() != 4 or tuple(images.shape[1:]) != (self.channels, 28, 28):
            raise ValueError(f"images must have shape (N, {self.channels}, 28, 28), got {tuple(images.shape)}")
        check_dtype(self, "images", images)
        _check_labels(labels, len(images), self.n_classes)
        maps = F.one_hot(labels.to(images.device, torch.int64), self.n_classes).to(images.dtype)[:, :, None, None].expand(-1, -1, 28, 28)
        return self.judge(torch.cat([images, maps], dim=1))             # (N, channels + n_classes, 28, 28)


class ProjectionDiscriminator(nn.Module):
    """(images (N, channels, 28, 28), labels (N,)) -> logits (N,) (Miyato & Koyama 2018).

    logit = psi(phi(x)) + <embed(y), sum over positions of phi(x)>: phi is the DCGAN
    discriminator's body (N, 2w, 7, 7), psi its last convolution; the inner product with the
    label's embedding (N, 2w) lets the label change the verdict without a label input channel.
    The embedding starts at zero, so the untrained D ignores labels and learns how they matter:
    with N(0, 1) embeddings the projection (a sum over 49 positions) can swamp the logit at the start.
    """

    def __init__(self, width: int = 32, n_classes: int = 10, norm: str = "batch", channels: int = 1):
        super().__init__()
        self.n_classes = n_classes
        base = DCGANDiscriminator(width, norm=norm, channels=channels)
        self.channels = channels
        self.body, self.head = base.net[:-1], base.net[-1]          # phi: (N, 2w, 7, 7); psi: Conv2d(2w, 1, 7)
        self.embed = nn.Embedding(n_classes, 2 * width)
        nn.init.zeros_(self.embed.weight)

    def forward(self, images: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        if images.dim() != 4 or tuple(images.shape[1:]) != (self.channels, 28, 28):
            raise ValueError(f"images must have shape (N, {self.channels}, 28, 28), got {tuple(images.shape)}")
        check_dtype(self, "images", images)
        _check_labels(labels, len(images), self.n_classes)
        features = self.body(images)                                   # (N, 2w, 7, 7)
        projection = (self.embed(labels.to(images.device)) * features.sum(dim=(2, 3))).sum(1)  # (N,)
        return self.head(features).flatten() + projection
