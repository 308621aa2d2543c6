"""One readable GAN training loop, shared by every chapter.

A generator step follows n_critic discriminator steps (Goodfellow et al. 2014, Algorithm 1,
with k = n_critic). A Lipschitz constraint for Wasserstein GANs needs no new loop: clip
(weight clipping, Arjovsky et al. 2017) or penalty (the gradient penalty, Gulrajani et al.
2017, gantut.losses.gradient_penalty); after_d_step takes any other in-place change of D, and
after_g_step(G) runs after each generator update (e.g. ema_update, an exponential moving average
of G's weights for sampling, as in Karras et al. 2018).
unroll=k gives the generator the gradient of an unrolled GAN (Metz et al. 2017): its loss is
computed against a copy of D advanced k differentiable SGD steps, so G sees how D would react.
The models, optimisers and losses stay in the reader's hands; the loop returns a history.
"""
from __future__ import annotations

from typing import Callable, Iterator

import torch
from torch import nn
from torch.func import functional_call
from tqdm.auto import tqdm

from . import losses


def noise(n: int, z_dim: int, device: torch.device | str = "cpu") -> torch.Tensor:
    """Standard Gaussian noise z ~ N(0, I), (n, z_dim). (Not torch.rand: that is uniform.)"""
    return torch.randn(n, z_dim, device=device)


def grad_norm(model: nn.Module) -> float:
    """Euclidean norm of all parameter gradients of model (0 if none)."""
    norms = [p.grad.detach().norm() for p in model.parameters() if p.grad is not None]
    return torch.stack(norms).norm().item() if norms else 0.0


@torch.no_grad()
def clip_weights(model: nn.Module, c: float) -> None:
    """Clamp every parameter of model to [-c, c], in place (WGAN's weight clipping, c = 0.01 in the paper)."""
    if c <= 0:
        raise ValueError(f"the clipping bound c must be positive, got {c}")
    for p in model.parameters():
        p.clamp_(-c, c)


def discriminator_step(generator: nn.Module, discriminator: nn.Module, d_optimizer: torch.optim.Optimizer,
                       real: torch.Tensor, z: torch.Tensor, d_loss: Callable = losses.discriminator_loss,
                       penalty: Callable | None = None, after_step: Callable | None = None) -> dict:
    """One update of D on a real batch (B, ...) and fakes G(z); G gets no gradient (detach).

    penalty(D, real, fake) is added to the loss; after_step(D) runs after the update.
    Returns the loss (penalty included), the mean D(x), D(G(z)) as probabilities (meaningful
    for a discriminator with logits), and w_estimate = mean score on real - mean score on
    fake (for a WGAN critic: the estimate of the Wasserstein distance; no penalty in it).
    """
    with torch.no_grad():
        fake = generator(z)
    real_logits, fake_logits = discriminator(real), discriminator(fake)
    loss = d_loss(real_logits, fake_logits)
    if penalty is not None:
        loss = loss + penalty(discriminator, real, fake)
    d_optimizer.zero_grad(set_to_none=True)
    loss.backward()
    d_optimizer.step()
    if after_step is not None:
        after_step(discriminator)
    return {"loss_d": loss.item(), "d_real": torch.sigmoid(real_logits).mean().item(),
            "d_fake": torch.sigmoid(fake_logits).mean().item(),
            "w_estimate": (real_logits.mean() - fake_logits.mean()).item()}


def unrolled_parameters(generator: nn.Module, discriminator: nn.Module, real_batches: list[torch.Tensor],
                        z: torch.Tensor, lr: float, d_loss: Callable = losses.discriminator_loss) -> dict:
    """D's parameters after len(real_batches) SGD steps on d_loss, kept differentiable w.r.t. G.

    The steps start from a detached copy of D's parameters (D itself is not changed) and use
    create_graph=True, so a loss evaluated with the result (torch.func.functional_call) sends
    G a gradient through D's future updates (Metz et al. 2017, the surrogate loss f_K), with SGD as the
    unrolled optimiser. real_batches: k batches (B, ...); z: (B, z_dim). Returns {name: tensor}.
    """
    params = {name: p.detach().requires_grad_(True) for name, p in discriminator.named_parameters()}
    buffers = dict(discriminator.named_buffers())
    for real in real_batches:
        fake = generator(z)
        loss = d_loss(functional_call(discriminator, (params, buffers), (real,)),
                      functional_call(discriminator, (params, buffers), (fake,)))
        grads = torch.autograd.grad(loss, list(params.values()), create_graph=True)
        params = {name: p - lr * g for (name, p), g in zip(params.items(), grads)}
    return params


def generator_step(generator: nn.Module, discriminator: nn.Module, g_optimizer: torch.optim.Optimizer,
                   z: torch.Tensor, g_loss: Callable = losses.generator_loss,
                   unrolled: dict | None = None) -> dict:
    """One update of G through D's judgement of G(z). Returns the loss and G's gradient norm.

    unrolled: parameters from unrolled_parameters; D judges with those instead of its own.
    """
    for p in discriminator.parameters():  # D is only a judge here: no gradients for it
        p.requires_grad_(False)
    try:
        if unrolled is None:
            fake_logits = discriminator(generator(z))
        else:
            fake_logits = functional_call(discriminator, (unrolled, dict(discriminator.named_buffers())), (generator(z),))
        loss = g_loss(fake_logits)
        g_optimizer.zero_grad(set_to_none=True)
        loss.backward()
        norm = grad_norm(generator)
        g_optimizer.step()
    finally:
        for p in discriminator.parameters():
            p.requires_grad_(True)
    return {"loss_g": loss.item(), "g_grad_norm": norm}


def train(generator: nn.Module, discriminator: nn.Module, batches: Iterator[torch.Tensor], steps: int,
          g_optimizer: torch.optim.Optimizer, d_optimizer: torch.optim.Optimizer, *,
          g_loss: Callable = losses.generator_loss, d_loss: Callable = losses.discriminator_loss,
          n_critic: int = 1, clip: float | None = None, penalty: Callable | None = None,
          after_d_step: Callable | None = None, after_g_step: Callable | None = None,
          unroll: int = 0, unroll_lr: float = 0.0,
          callback: Callable | None = None, every: int = 0, progress: bool = True,
          desc: str = "training") -> dict[str, list[float]]:
    """Train for `steps` generator steps, each after n_critic discriminator steps.

    batches: an endless iterator of real batches (B, ...) already on the models' device
    (gantut.data.batches). The noise batch has the size of the real batch.
    clip: clamp D's weights to [-clip, clip] after each of its steps (WGAN); penalty(D, real,
    fake): a term added to D's loss (e.g. gantut.losses.gradient_penalty, WGAN-GP).
    unroll=k, unroll_lr: G's loss uses D unrolled k SGD steps of size unroll_lr on fresh real
    batches (unrolled GAN); D's own training is unchanged.
    after_g_step(G) runs after every generator update (e.g. ema_update of a copy of G).
    callback(step, generator, discriminator, history) runs after step 1, every `every`
    generator steps and after the last step (e.g. to draw samples from a fixed noise batch).

    Returns the history: per generator step, loss_d, d_real/d_fake and w_estimate averaged
    over its n_critic discriminator steps, loss_g and g_grad_norm.
    """
    if steps < 1 or n_critic < 1:
        raise ValueError(f"steps and n_critic must be >= 1, got {steps} and {n_critic}")
    if unroll < 0 or (unroll and unroll_lr <= 0):
        raise ValueError(f"unroll must be >= 0 and needs a positive unroll_lr, got {unroll} and {unroll_lr}")
    if clip is not None:
        if clip <= 0:
            raise ValueError(f"clip must be a positive bound, got {clip}")
        user_step = after_d_step

        def after_d_step(d):  # the reader's hook first, then the clipping
            if user_step is not None:
                user_step(d)
            clip_weights(d, clip)
    z_dim = generator.z_dim
    d_keys = ("loss_d", "d_real", "d_fake", "w_estimate")
    history = {key: [] for key in d_keys + ("loss_g", "g_grad_norm")}
    generator.train()
    discriminator.train()
    bar = tqdm(range(1, steps + 1), desc=desc, disable=not progress)
    for step in bar:
        d_logs = []
        for _ in range(n_critic):
            real = next(batches)
            d_logs.append(discriminator_step(generator, discriminator, d_optimizer, real,
                                             noise(len(real), z_dim, real.device), d_loss, penalty, after_d_step))
        z = noise(len(real), z_dim, real.device)
        unrolled = (unrolled_parameters(generator, discriminator, [next(batches) for _ in range(unroll)], z,
                                        unroll_lr, d_loss) if unroll else None)
        g_log = generator_step(generator, discriminator, g_optimizer, z, g_loss, unrolled)
        if after_g_step is not None:
            after_g_step(generator)
        for key in d_keys:
            history[key].append(sum(log[key] for log in d_logs) / n_critic)
        for key, value in g_log.items():
            history[key].append(value)
        if callback is not None and every and (step == 1 or step % every == 0 or step == steps):
            callback(step, generator, discriminator, history)
    return history


@torch.no_grad()
def ema_update(average: nn.Module, model: nn.Module, decay: float = 0.999) -> None:
    """average <- decay * average + (1 - decay) * model, parameter by parameter, in place.

    average: a copy of model (copy.deepcopy) that is never trained; sample from it. Buffers
    (BatchNorm's running statistics) are copied from model, not averaged.
    """
    if not 0.0 <= decay < 1.0:
        raise ValueError(f"decay must be in [0, 1), got {decay}")
    for kept, current in zip(average.parameters(), model.parameters(), strict=True):
        kept.lerp_(current, 1.0 - decay)
    for kept, current in zip(average.buffers(), model.buffers(), strict=True):
        kept.copy_(current)


@torch.no_grad()
def sample(generator: nn.Module, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
    """G(z), or G(z, labels) for a conditional generator, in eval mode (BatchNorm uses its running
    statistics), then back to the previous mode. z: (N, z_dim); labels: (N,) class indices."""
    was_training = generator.training
    generator.eval()
    try:
        return generator(z) if labels is None else generator(z, labels)
    finally:
        generator.train(was_training)
