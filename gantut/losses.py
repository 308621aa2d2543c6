"""Losses of the GAN games, written on the discriminator's logits or the critic's scores.

Goodfellow et al. (2014): the minimax game (eq. 1) and the non-saturating generator loss
(Section 3). With D = sigmoid(l): log D = logsigmoid(l) = -softplus(-l) and
log(1 - D) = logsigmoid(-l) = -softplus(l), finite for every logit; never apply a Sigmoid
before these functions.

Arjovsky, Chintala & Bottou (2017), WGAN: the critic f is any 1-Lipschitz function and its
raw, unbounded scores estimate W1 = max_f E[f(x)] - E[f(G(z))] (Kantorovich-Rubinstein).
Gulrajani et al. (2017), WGAN-GP: the Lipschitz constraint as a gradient penalty on
interpolates between real and generated samples.

Mao et al. (2017), LSGAN: least squares on raw scores (targets 1 for real, 0 for fake).
Lim & Ye (2017), the hinge loss, used by SN-GAN (Miyato et al. 2018) and BigGAN.

Mescheder, Geiger & Nowozin (2018): the zero-centred gradient penalties R1 (on real data) and
R2 (on generated samples), which make the GAN game locally convergent.
Jolicoeur-Martineau (2019): the relativistic pairing loss (RpGAN), where D scores a real sample
*against* a generated one; Huang et al. (2024, R3GAN) combine it with R1 and R2.
"""
from __future__ import annotations

import warnings
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from .utils import is_whole, module_device


def _logits(name: str, logits: torch.Tensor) -> torch.Tensor:
    """Scores (N,) or (N, 1) as (N,); a ValueError/TypeError saying what is wrong otherwise (no host sync)."""
    if not isinstance(logits, torch.Tensor) or not logits.dtype.is_floating_point:
        raise TypeError(f"{name} must be a floating-point tensor of raw scores, got "
                        f"{logits.dtype if isinstance(logits, torch.Tensor) else type(logits).__name__}")
    if logits.dim() == 2 and logits.shape[1] == 1:
        logits = logits.squeeze(1)
    if logits.dim() != 1:
        raise ValueError(f"{name} must have shape (N,) or (N, 1), got {tuple(logits.shape)}")
    if len(logits) == 0:
        raise ValueError(f"{name} is empty: a loss needs at least one sample")
    return logits


PROBABILITY_CHECK_MIN = 16   # logits without a graph: fewer values than this are not judged by their range
RESHAPES = ("View", "UnsafeView", "Reshape", "Squeeze", "Unsqueeze", "Select", "Slice", "Expand", "Clone",
            "ToCopy", "Alias", "T", "Transpose", "Permute")   # autograd nodes that only move or copy values


def _made_by_sigmoid(tensor: torch.Tensor) -> bool:
    """Whether tensor is a sigmoid's output, possibly reshaped or copied: its autograd graph says so
    (no values read, so no host synchronisation on a GPU)."""
    node = tensor.grad_fn
    for _ in range(8):
        name = type(node).__name__.removesuffix("Backward0").removesuffix("Backward1") if node is not None else ""
        if name == "Sigmoid":
            return True
        if name not in RESHAPES or not node.next_functions:
            return False
        node = node.next_functions[0][0]
    return False


def _warn_if_probabilities(*logits: torch.Tensor, by_values: bool = True) -> None:
    """A UserWarning when a sigmoid loss is given probabilities, i.e. D ends in a Sigmoid.

    Logits computed by a sigmoid (their autograd graph ends in one, through reshapes) always warn. Logits
    without a graph (a loss evaluated on stored numbers) warn when by_values, they are on the CPU, there are
    at least PROBABILITY_CHECK_MIN of them, all lie in [0, 1] and they are not all equal. The range alone is
    not used on logits with a graph: a small D's real logits can all lie in [0, 1] during training."""
    if any(_made_by_sigmoid(t) for t in logits):
        found = "they were computed by a sigmoid"
    elif by_values and all(t.grad_fn is None and t.device.type == "cpu" for t in logits) \
            and sum(t.numel() for t in logits) >= PROBABILITY_CHECK_MIN:
        values = torch.cat([t.detach().flatten() for t in logits])
        if not (values.min() >= 0 and values.max() <= 1 and values.max() > values.min()):
            return
        found = "all in [0, 1]"
    else:
        return
    warnings.warn(f"these logits look like probabilities ({found}); the losses take logits: remove the Sigmoid "
                  "at D's output (gantut.nets discriminators return logits)", UserWarning, stacklevel=3)


def discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """-E[log D(x)] - E[log(1 - D(G(z)))]: the binary cross-entropy with real = 1, fake = 0.

    real_logits, fake_logits: (N,) or (N, 1). Returns a scalar. At D = 1/2 it equals log 4.
    Warns when given probabilities instead of logits: values computed by a sigmoid (a Sigmoid at D's
    output), or, for values without an autograd graph, 16 or more of them all in [0, 1].
    """
    real_logits, fake_logits = _logits("real_logits", real_logits), _logits("fake_logits", fake_logits)
    _warn_if_probabilities(real_logits, fake_logits)
    return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()


def generator_loss_saturating(fake_logits: torch.Tensor) -> torch.Tensor:
    """E[log(1 - D(G(z)))], minimised by G (the minimax game). Its gradient vanishes as D(G(z)) -> 0.

    fake_logits: (N,) or (N, 1). Returns a scalar. Warns when the logits come from a Sigmoid.
    """
    fake_logits = _logits("fake_logits", fake_logits)
    _warn_if_probabilities(fake_logits, by_values=False)  # fakes alone can all score in [0, 1]
    return -F.softplus(fake_logits).mean()


def generator_loss(fake_logits: torch.Tensor) -> torch.Tensor:
    """-E[log D(G(z))], minimised by G: the non-saturating loss that GANs use in practice.

    fake_logits: (N,) or (N, 1). Returns a scalar. Warns when the logits come from a Sigmoid.
    """
    fake_logits = _logits("fake_logits", fake_logits)
    _warn_if_probabilities(fake_logits, by_values=False)  # fakes alone can all score in [0, 1]
    return F.softplus(-fake_logits).mean()


# ----------------------------------------------------------------------------- Wasserstein GAN

def critic_loss(real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
    """E[f(G(z))] - E[f(x)], minimised by the critic f: it *raises* real scores and lowers fake ones.

    real_scores, fake_scores: the critic's raw outputs, (N,) or (N, 1) — no Sigmoid. Returns a
    scalar; its negative, E[f(x)] - E[f(G(z))], is the critic's estimate of W1 (times the
    critic's Lipschitz constant K).
    """
    real_scores, fake_scores = _logits("real_scores", real_scores), _logits("fake_scores", fake_scores)
    return fake_scores.mean() - real_scores.mean()


def generator_loss_wasserstein(fake_scores: torch.Tensor) -> torch.Tensor:
    """-E[f(G(z))], minimised by G: move the samples to where the critic scores *high* (real-like).

    fake_scores: (N,) or (N, 1). Returns a scalar. (+E[f(G(z))] is the wrong sign: it pushes
    the samples away from the data.)
    """
    return -_logits("fake_scores", fake_scores).mean()


def interpolates(real: torch.Tensor, fake: torch.Tensor, rng: torch.Generator | None = None) -> torch.Tensor:
    """x_hat = eps * real + (1 - eps) * fake with one eps ~ U[0, 1] per sample. real, fake: (N, ...)."""
    if real.shape != fake.shape:
        raise ValueError(f"real and fake must have the same shape, got {tuple(real.shape)} and {tuple(fake.shape)}")
    shape = (len(real), *[1] * (real.dim() - 1))
    draw_on = rng.device if rng is not None else real.device   # a CPU generator works for GPU data
    eps = torch.rand(shape, device=draw_on, generator=rng).to(real.device)
    return eps * real + (1 - eps) * fake


def critic_gradient_norms(critic: nn.Module, points: torch.Tensor, create_graph: bool = False) -> torch.Tensor:
    """||grad_x f(x)||_2 for each sample x of points (N, ...); returns (N,).

    Each sample's gradient is flattened over *all* its dimensions before the norm. (Taking the
    norm over dim=1 only, as in widely copied code, gives per-row norms of an image, not the
    gradient's norm.) create_graph=True keeps the graph so that the norms can be trained on.
    """
    return _input_gradients(critic, points, create_graph).norm(dim=1).to(points.device)   # on the points' device


def _input_gradients(model: nn.Module, points: torch.Tensor, create_graph: bool) -> torch.Tensor:
    """grad_x model(x) for each sample of points (N, ...), flattened over all its dimensions: (N, d),
    on the model's device."""
    if points.dim() < 2 or not points.dtype.is_floating_point:
        raise ValueError(f"points must be a floating-point batch (N, ...) with N samples, got dtype {points.dtype}, "
                         f"shape {tuple(points.shape)}; a batch of scalars is (N, 1)")
    if len(points) == 0:
        raise ValueError(f"the batch is empty (shape {tuple(points.shape)}): a gradient penalty averages over "
                         "samples and needs at least one")
    points = points.detach().to(module_device(model, points.device)).requires_grad_(True)
    (grads,) = torch.autograd.grad(model(points).sum(), points, create_graph=create_graph)
    return grads.flatten(1)


def _refuse_batchnorm(model: nn.Module, penalty: str) -> None:
    """A per-sample gradient penalty is meaningless when BatchNorm ties each score to the whole batch."""
    if isinstance(model, nn.Module) and any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in model.modules()):
        raise ValueError(f"{penalty} is per sample, and BatchNorm makes each score depend on the whole batch: build "
                         "the network without BatchNorm (e.g. DCGANDiscriminator(norm='layer' or 'none'))")


def gradient_penalty(critic: nn.Module, real: torch.Tensor, fake: torch.Tensor, weight: float = 10.0,
                     rng: torch.Generator | None = None, one_sided: bool = False) -> torch.Tensor:
    """weight * E[(||grad f(x_hat)||_2 - 1)^2] on random interpolates x_hat (Gulrajani et al. 2017, eq. 3).

    real, fake: (N, ...) batches of the same shape; fake should be detached. Returns a scalar
    that is differentiable with respect to the critic's parameters. Use as the `penalty` of
    gantut.train.train. The critic must not use BatchNorm: the penalty is per sample, and
    BatchNorm makes each score depend on the whole batch.
    one_sided=True penalises only norms above 1, weight * E[max(0, ||grad|| - 1)^2] (the variant
    discussed in the same paper).
    """
    if not weight >= 0:
        raise ValueError(f"the penalty's weight must be >= 0 (the paper uses 10), got {weight}")
    _refuse_batchnorm(critic, "the gradient penalty")
    norms = critic_gradient_norms(critic, interpolates(real, fake.detach(), rng), create_graph=True)
    excess = (norms - 1).clamp(min=0) if one_sided else norms - 1
    return weight * (excess ** 2).mean()


# ----------------------------------------------------------------------------- LSGAN and hinge

def lsgan_discriminator_loss(real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
    """1/2 E[(D(x) - 1)^2] + 1/2 E[D(G(z))^2] on raw scores (Mao et al. 2017, targets a = 0, b = 1).

    real_scores, fake_scores: (N,) or (N, 1), no Sigmoid. Returns a scalar.
    """
    real_scores, fake_scores = _logits("real_scores", real_scores), _logits("fake_scores", fake_scores)
    return 0.5 * ((real_scores - 1) ** 2).mean() + 0.5 * (fake_scores ** 2).mean()


def lsgan_generator_loss(fake_scores: torch.Tensor) -> torch.Tensor:
    """1/2 E[(D(G(z)) - 1)^2], minimised by G (target c = 1). fake_scores: (N,) or (N, 1)."""
    return 0.5 * ((_logits("fake_scores", fake_scores) - 1) ** 2).mean()


def hinge_discriminator_loss(real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
    """E[max(0, 1 - D(x))] + E[max(0, 1 + D(G(z)))] on raw scores (Lim & Ye 2017).

    Real scores above 1 and fake scores below -1 cost nothing. Returns a scalar.
    """
    real_scores, fake_scores = _logits("real_scores", real_scores), _logits("fake_scores", fake_scores)
    return F.relu(1 - real_scores).mean() + F.relu(1 + fake_scores).mean()


def hinge_generator_loss(fake_scores: torch.Tensor) -> torch.Tensor:
    """-E[D(G(z))], minimised by G (the generator side of the hinge game). fake_scores: (N,) or (N, 1)."""
    return -_logits("fake_scores", fake_scores).mean()


# ----------------------------------------------------------------------------- zero-centred penalties, RpGAN

def _zero_centred_penalty(discriminator: nn.Module, points: torch.Tensor, gamma: float, name: str) -> torch.Tensor:
    if not gamma >= 0:
        raise ValueError(f"{name}'s gamma must be >= 0 (StyleGAN uses 10 on FFHQ; 0 switches it off), got {gamma}")
    _refuse_batchnorm(discriminator, name)
    grads = _input_gradients(discriminator, points, create_graph=True)
    return 0.5 * gamma * grads.pow(2).sum(1).mean()   # squared norm per sample, no square root


def r1_penalty(discriminator: nn.Module, real: torch.Tensor, gamma: float = 10.0) -> torch.Tensor:
    """R1 = gamma/2 * E_{x ~ data}[||grad_x D(x)||^2] (Mescheder et al. 2018).

    real: (N, ...) a batch of real data; D's logits are differentiated with respect to it, each
    sample's gradient flattened over all its dimensions. Zero-centred (it pushes the slope to 0,
    WGAN-GP's to 1) and taken on the data itself (WGAN-GP: on interpolates). Returns a scalar,
    differentiable with respect to D's parameters; add it to D's loss.
    """
    return _zero_centred_penalty(discriminator, real, gamma, "R1")


def r2_penalty(discriminator: nn.Module, fake: torch.Tensor, gamma: float = 10.0) -> torch.Tensor:
    """R2 = gamma/2 * E_{x ~ G}[||grad_x D(x)||^2]: R1's penalty on generated samples (fake: (N, ...),
    detached from G). Returns a scalar; add it to D's loss."""
    return _zero_centred_penalty(discriminator, fake.detach(), gamma, "R2")


def r1_r2(gamma: float) -> Callable:
    """R1 on the real batch plus R2 on the fake one, weight gamma each (R3GAN's penalties), as a train.steps
    penalty hook(D, real, fake). Wrap it in lazy() to apply it on every interval-th D step only."""
    def penalty(discriminator: nn.Module, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        return r1_penalty(discriminator, real, gamma) + r2_penalty(discriminator, fake, gamma)
    penalty.__name__ = f"r1_r2(gamma={gamma:g})"
    return penalty


def lazy(penalty: Callable, interval: int) -> Callable:
    """StyleGAN2's lazy regularisation (Karras et al. 2020) as a train.train penalty hook.

    Returns hook(D, real, fake) that computes interval * penalty(D, real, fake) on every interval-th call
    (the interval-th, the 2 x interval-th, ...) and a zero scalar otherwise: the same penalty gradient on
    average, at about 1/interval of its cost. interval=1 is the penalty itself. Each hook counts its own calls.
    StyleGAN2 also rescales Adam's learning rate and betas by interval / (interval + 1); this hook does not.
    """
    if not is_whole(interval):
        raise ValueError(f"interval must be a whole number >= 1, got {interval!r}")
    calls = 0

    def hook(discriminator: nn.Module, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        nonlocal calls
        calls += 1
        if calls % interval:
            return torch.zeros((), device=real.device)
        return interval * penalty(discriminator, real, fake)
    return hook


def relativistic_discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """RpGAN, D's side: -E[log sigmoid(D(x_i) - D(G(z_i)))] = E[softplus(D(G(z_i)) - D(x_i))], i-th real
    paired with i-th fake (Jolicoeur-Martineau 2019, the relativistic standard GAN).

    real_logits, fake_logits: (N,) or (N, 1), the same N. D is asked only to score each real sample
    above its fake partner, not to push either to an absolute target. Returns a scalar. Warns, as
    discriminator_loss does, when given probabilities.
    """
    real_logits, fake_logits = _paired(real_logits, fake_logits)
    _warn_if_probabilities(real_logits, fake_logits)
    return F.softplus(fake_logits - real_logits).mean()


def relativistic_generator_loss(fake_logits: torch.Tensor, real_logits: torch.Tensor) -> torch.Tensor:
    """RpGAN, G's side: E[softplus(D(x_i) - D(G(z_i)))], minimised by G: each fake should score above its
    real partner. fake_logits, real_logits: (N,) or (N, 1). In gantut.train's loop the same loss is
    g_loss=generator_loss with g_judge=train.relativistic_judge, which hands it D(G(z_i)) - D(x_i)."""
    real_logits, fake_logits = _paired(real_logits, fake_logits)
    _warn_if_probabilities(real_logits, fake_logits)
    return F.softplus(real_logits - fake_logits).mean()


def _paired(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Both as (N,), refused unless there is one real logit per fake one."""
    real_logits, fake_logits = _logits("real_logits", real_logits), _logits("fake_logits", fake_logits)
    if real_logits.shape != fake_logits.shape:
        raise ValueError(f"the relativistic loss pairs real and fake samples one to one: got {real_logits.shape[0]} real "
                         f"and {fake_logits.shape[0]} fake logits; use batches of the same size")
    return real_logits, fake_logits
