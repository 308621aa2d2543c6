"""One readable GAN training loop, shared by every chapter.

steps(...) is the loop, an endless iterator: each next() runs n_critic discriminator steps and one
generator step (Goodfellow et al. 2014, Algorithm 1, with k = n_critic) and yields the step's record,
so the caller decides when to stop, evaluate, time or plot. train(...) wraps it for N steps and
returns the history. The loop owns the device: the models' device is where real batches are moved and
where noise (and, for a conditional GAN, fake labels; Mirza & Osindero 2014) is drawn.
Anything one chapter teaches enters through a small hook instead of an option of the loop:
penalty(D, real, fake) adds a term to D's loss (the gradient penalty of Gulrajani et al. 2017);
after_d_step(D) changes D in place after its update (weight clipping, Arjovsky et al. 2017:
lambda d: clip_weights(d, 0.01)); g_judge(G, D, z, real) gives the logits G's loss is computed on
(relativistic_judge for RpGAN; an unrolled GAN, Metz et al. 2017, judges with D advanced k steps:
see unrolled_parameters). Anything to do after a generator step (an average of G's weights, a
timer) goes in the caller's loop over steps(...).

train's history stays on the device and is read back every SYNC_EVERY steps, at callbacks and at
the end: no per-step host synchronisation. That is also when a non-finite loss is caught.
"""
from __future__ import annotations

import warnings
from typing import Callable, Iterator

import torch
from torch import nn
from torch.func import functional_call
from tqdm.auto import tqdm

from . import losses
from .data import check_images
from .nets import check_dtype
from .utils import is_whole, module_device

SYNC_EVERY = 50  # generator steps between two read-backs (and non-finite checks) of the history
D_KEYS = ("loss_d", "d_real", "d_fake", "w_estimate")
G_KEYS = ("loss_g", "g_grad_norm")


def noise(n: int, z_dim: int, device: torch.device | str = "cpu",
          rng: torch.Generator | None = None) -> torch.Tensor:
    """Standard Gaussian noise z ~ N(0, I), (n, z_dim), on device. (Not torch.rand: that is uniform.)

    rng: an optional seeded torch.Generator; if it lives on another device than `device`
    (e.g. a CPU generator for a GPU model), the noise is drawn there and moved.
    """
    for name, size in (("n", n), ("z_dim", z_dim)):
        if not is_whole(size):
            raise ValueError(f"{name} must be a whole number >= 1, got {size!r}")
    if rng is None or rng.device == torch.device(device):
        return torch.randn(n, z_dim, device=device, generator=rng)
    return torch.randn(n, z_dim, device=rng.device, generator=rng).to(device)


def model_device(generator: nn.Module, discriminator: nn.Module) -> torch.device:
    """The device both models live on; a ValueError naming both devices if they differ."""
    g_device, d_device = module_device(generator, "cpu"), module_device(discriminator, "cpu")
    if g_device != d_device:
        raise ValueError(f"the generator is on {g_device} and the discriminator on {d_device}: put both on "
                         f"one device, e.g. generator.to(device) and discriminator.to(device) with "
                         f"device = gantut.utils.setup(SEED)")
    return g_device


def grad_norm(model: nn.Module) -> torch.Tensor:
    """Euclidean norm of all parameter gradients of model, a 0-d tensor on its device (0 if none)."""
    norms = [p.grad.detach().norm() for p in model.parameters() if p.grad is not None]
    if norms:
        return torch.stack(norms).norm()
    return torch.zeros((), device=module_device(model, "cpu"))


@torch.no_grad()
def clip_weights(model: nn.Module, c: float) -> None:
    """Clamp every parameter of model to [-c, c], in place (WGAN's weight clipping, c = 0.01 in the paper).

    As a hook of the loop: train(..., after_d_step=lambda d: clip_weights(d, 0.01)).
    """
    if not c > 0:
        raise ValueError(f"the clipping bound c must be positive, got {c}")
    for p in model.parameters():
        p.clamp_(-c, c)


def _fake_labels(generator: nn.Module, n: int, device, rng: torch.Generator | None) -> torch.Tensor:
    """Labels for fake samples, uniform over the conditional generator's n_classes, (n,) int64."""
    draw_on = rng.device if rng is not None else device
    return torch.randint(generator.n_classes, (n,), device=draw_on, generator=rng).to(device)


def discriminator_step(generator: nn.Module, discriminator: nn.Module, d_optimizer: torch.optim.Optimizer,
                       real: torch.Tensor, z: torch.Tensor, d_loss: Callable = losses.discriminator_loss,
                       penalty: Callable | None = None, after_step: Callable | None = None,
                       labels: torch.Tensor | None = None, fake_labels: torch.Tensor | None = None) -> dict:
    """One update of D on a real batch (B, ...) and fakes G(z); G gets no gradient (no_grad).

    real, z (B, z_dim) and labels are moved to D's device. For a conditional GAN, labels (B,)
    are the real images' classes and fake_labels (B,) those asked of G: D judges (x, y) pairs.
    penalty(D, real, fake) is added to the loss; after_step(D) runs after the update.
    Returns 0-d tensors on the device (no host synchronisation): the loss (penalty included), the
    mean D(x), D(G(z)) as probabilities (meaningful for a discriminator with logits), and
    w_estimate = mean score on real - mean score on fake (for a WGAN critic: the estimate of the
    Wasserstein distance; no penalty in it).
    """
    if (labels is None) != (fake_labels is None):
        raise ValueError("a conditional step needs both labels (of the real images) and fake_labels")
    device = model_device(generator, discriminator)
    real, z = real.to(device), z.to(device)
    with torch.no_grad():
        fake = generator(z) if labels is None else generator(z, fake_labels.to(device))
    if labels is None:
        real_logits, fake_logits = discriminator(real), discriminator(fake)
    else:
        real_logits, fake_logits = discriminator(real, labels.to(device)), discriminator(fake, fake_labels.to(device))
    loss = d_loss(real_logits, fake_logits)
    if penalty is not None:
        loss = loss + penalty(discriminator, real, fake)
    d_optimizer.zero_grad(set_to_none=True)
    loss.backward()
    d_optimizer.step()
    if after_step is not None:
        after_step(discriminator)
    real_logits, fake_logits = real_logits.detach(), fake_logits.detach()
    return {"loss_d": loss.detach().reshape(()), "d_real": torch.sigmoid(real_logits).mean(),
            "d_fake": torch.sigmoid(fake_logits).mean(), "w_estimate": real_logits.mean() - fake_logits.mean()}


def unrolled_parameters(generator: nn.Module, discriminator: nn.Module, real_batches: list[torch.Tensor],
                        z: torch.Tensor, lr: float, d_loss: Callable = losses.discriminator_loss) -> dict:
    """D's parameters after len(real_batches) SGD steps on d_loss, kept differentiable w.r.t. G.

    The steps start from a detached copy of D's parameters and of its buffers (D itself is not changed:
    BatchNorm's running statistics move in the copy only) and use
    create_graph=True, so a loss evaluated with the result (torch.func.functional_call) sends
    G a gradient through D's future updates (Metz et al. 2017, the surrogate loss f_K), with SGD as the
    unrolled optimiser. real_batches: k batches (B, ...); z: (B, z_dim). Returns {name: tensor}.
    """
    if not (lr > 0 and lr < float("inf")):
        raise ValueError(f"the unrolled steps' learning rate must be positive and finite, got {lr}")
    if not isinstance(real_batches, (list, tuple)):
        raise TypeError(f"real_batches must be a list of k batches, got a {type(real_batches).__name__}")
    params = {name: p.detach().requires_grad_(True) for name, p in discriminator.named_parameters()}
    buffers = {name: b.clone() for name, b in discriminator.named_buffers()}   # BatchNorm updates them in place
    for real in real_batches:
        fake = generator(z)
        loss = d_loss(functional_call(discriminator, (params, buffers), (real.to(z.device),)),
                      functional_call(discriminator, (params, buffers), (fake,)))
        grads = torch.autograd.grad(loss, list(params.values()), create_graph=True)
        params = {name: p - lr * g for (name, p), g in zip(params.items(), grads)}
    return params


def generator_step(generator: nn.Module, discriminator: nn.Module, g_optimizer: torch.optim.Optimizer,
                   z: torch.Tensor, g_loss: Callable = losses.generator_loss, judge: Callable | None = None,
                   fake_labels: torch.Tensor | None = None, real: torch.Tensor | None = None) -> dict:
    """One update of G through D's judgement of G(z), g_loss(logits). Returns the loss and G's gradient
    norm, 0-d tensors on the device.

    z (B, z_dim) is moved to the models' device. judge(G, D, z, real) -> logits replaces D(G(z)): real is
    the step's real batch (B, ...), for a judge that needs it (relativistic_judge; an unrolled D may
    ignore it). fake_labels (B,): G(z, y) judged as D(G(z, y), y).
    """
    device = model_device(generator, discriminator)
    z = z.to(device)
    flags = [p.requires_grad for p in discriminator.parameters()]
    for p in discriminator.parameters():  # D is only a judge here: no gradients for it
        p.requires_grad_(False)
    try:
        if judge is not None:
            logits = judge(generator, discriminator, z, None if real is None else real.to(device))
        elif fake_labels is None:
            logits = discriminator(generator(z))
        else:
            fake_labels = fake_labels.to(device)
            logits = discriminator(generator(z, fake_labels), fake_labels)
        loss = g_loss(logits)
        g_optimizer.zero_grad(set_to_none=True)
        loss.backward()
        norm = grad_norm(generator)
        g_optimizer.step()
    finally:
        for p, flag in zip(discriminator.parameters(), flags):
            p.requires_grad_(flag)
    return {"loss_g": loss.detach().reshape(()), "g_grad_norm": norm}


def relativistic_judge(generator: nn.Module, discriminator: nn.Module, z: torch.Tensor,
                       real: torch.Tensor) -> torch.Tensor:
    """RpGAN's judgement of G(z): D(G(z_i)) - D(x_i), the i-th fake against the i-th real (D's logits on
    real are constants for G), shape (B,). With g_loss=losses.generator_loss this is RpGAN's generator
    loss, E[softplus(D(x_i) - D(G(z_i)))] (Jolicoeur-Martineau 2019; losses.relativistic_generator_loss)."""
    fake_logits = discriminator(generator(z))
    with torch.no_grad():
        real_logits = discriminator(real)
    real_logits, fake_logits = losses._paired(real_logits, fake_logits)
    return fake_logits - real_logits


def _check_batches(batches) -> None:
    """Refuse what is not an endless iterator, saying what to pass instead."""
    if not hasattr(batches, "__next__"):
        kind = type(batches).__name__
        raise TypeError(f"batches must be an endless iterator of real batches (next(batches) gives one), got a "
                        f"{kind}. Use gantut.data.batches(images, batch_size, device); to keep a DataLoader, "
                        "pass itertools.chain.from_iterable(itertools.repeat(loader)) (tensors only, no labels "
                        "list) or a generator that loops over it forever")


def _check_first_batch(images: torch.Tensor, generator: nn.Module, discriminator: nn.Module) -> None:
    """The first real batch, once: of the discriminator's dtype, finite, and in [-1, 1] if it is a batch of images
    (N, C, H, W). Images in [0, 1] (min >= 0, max > 0.5) for a generator whose last layer is a Tanh train, with
    a UserWarning: toy data (N, d) may lie anywhere."""
    if not isinstance(images, torch.Tensor):
        raise TypeError(f"a real batch must be a tensor (B, ...) or an (images, labels) pair, got {type(images).__name__}")
    check_dtype(discriminator, "images" if images.dim() == 4 else "samples", images)
    if images.device.type == "meta":
        return  # no values to check
    if images.dim() != 4:
        if not torch.isfinite(images).all():
            raise ValueError("the first real batch contains NaN or inf: check the data before training")
        return
    check_images(images, refuse_unit_range=False, channels=None)  # [0, 1] data trains (chapter 3 shows the harm)
    low, high = (value.item() for value in torch.aminmax(images))
    if isinstance(list(generator.modules())[-1], nn.Tanh) and low >= 0 and high > 0.5:
        warnings.warn(f"real images lie in [0, 1] (min {low:.2f}, max {high:.2f}) but the generator's Tanh outputs "
                      "[-1, 1]: the discriminator can tell real from fake by range alone; add "
                      "transforms.Normalize((0.5,), (0.5,)) or scale with x * 2 - 1", UserWarning, stacklevel=3)


def _next_batch(batches, step: int, conditional: bool):
    """The next real batch as (images, labels or None), refused unless its kind fits the generator."""
    try:
        batch = next(batches)
    except StopIteration:
        raise RuntimeError(f"batches ran out at generator step {step}: training needs an endless iterator "
                           "such as gantut.data.batches(images, batch_size, device)") from None
    if isinstance(batch, (tuple, list)):
        if len(batch) != 2:
            raise ValueError(f"a real batch must be images or an (images, labels) pair, got {len(batch)} items")
        images, labels = batch
    else:
        images, labels = batch, None
    if conditional != (labels is not None):
        raise ValueError("batches yield (images, labels) pairs for a conditional GAN, whose generator has n_classes "
                         "and takes (z, labels), and plain images otherwise: this generator "
                         f"{'is' if conditional else 'is not'} conditional but got "
                         f"{'images without labels' if labels is None else '(images, labels) pairs'}")
    return images, labels


def _read_back(pending: list[torch.Tensor], history: dict, first_step: int) -> None:
    """Move the steps kept on the device into the history lists; stop at a non-finite value."""
    if not pending:
        return
    rows = torch.stack(pending).double().cpu().tolist()   # one host synchronisation
    for offset, row in enumerate(rows):
        bad = [key for key, value in zip(D_KEYS + G_KEYS, row) if value != value or abs(value) == float("inf")]
        if bad:
            raise FloatingPointError(
                f"{', '.join(bad)} became non-finite at generator step {first_step + offset}: training diverged. "
                "Lower the learning rates, and for a WGAN critic keep its Lipschitz constraint (clipping or "
                "penalty=losses.gradient_penalty); a loss written on probabilities instead of logits does this too")
        for key, value in zip(D_KEYS + G_KEYS, row):
            history[key].append(value)
    pending.clear()


def steps(generator: nn.Module, discriminator: nn.Module, batches: Iterator,
          g_optimizer: torch.optim.Optimizer, d_optimizer: torch.optim.Optimizer, *,
          d_loss: Callable = losses.discriminator_loss, g_loss: Callable = losses.generator_loss,
          n_critic: int = 1, penalty: Callable | None = None, after_d_step: Callable | None = None,
          g_judge: Callable | None = None, noise_rng: torch.Generator | None = None) -> Iterator[dict]:
    """The GAN training loop as an endless iterator: each next() runs n_critic discriminator steps and one
    generator step, and yields that step's record (0-d tensors on the models' device; no host sync).

    The caller decides when to stop, evaluate, time or plot:
        for step, record in enumerate(train.steps(G, D, batches, g_opt, d_opt), start=1):
            if step % 500 == 0: print(step, record["loss_d"].item())
            if step == 2_000: break
    generator, discriminator: on one device. batches: an endless iterator of real batches (B, ...), or of
    (images, labels) pairs when the generator is conditional (has n_classes; fake labels are then drawn
    uniformly). Noise has the real batch's size, drawn on the models' device (from noise_rng if given).
    Hooks: penalty(D, real, fake) added to D's loss; after_d_step(D) after each D update (weight clipping);
    g_judge(G, D, z, real) -> logits for G's loss instead of D(G(z)) (relativistic_judge, an unrolled D).
    The first real batch is checked: D's dtype, finite values, images in [-1, 1] (images in [0, 1] for a
    Tanh generator train, with a UserWarning).
    Record: loss_d, d_real, d_fake, w_estimate (means over the n_critic D steps), loss_g, g_grad_norm.
    """
    if not is_whole(n_critic):
        raise ValueError(f"n_critic must be an integer >= 1, got {n_critic!r}")
    _check_batches(batches)
    device = model_device(generator, discriminator)
    for optimizer, model, name in ((g_optimizer, generator, "generator"), (d_optimizer, discriminator, "discriminator")):
        owned = {id(p) for p in model.parameters()}
        if not all(id(p) in owned for group in optimizer.param_groups for p in group["params"]):
            raise ValueError(f"the {name[0]}_optimizer updates parameters that are not the {name}'s: pass "
                             "Adam(generator.parameters()) as g_optimizer and Adam(discriminator.parameters()) as d_optimizer")
    conditional = hasattr(generator, "n_classes")
    if conditional and (penalty is not None or g_judge is not None):
        raise ValueError("a conditional GAN (a generator with n_classes) trains here without penalty or g_judge")
    return _steps(generator, discriminator, batches, g_optimizer, d_optimizer, d_loss, g_loss, n_critic,
                  penalty, after_d_step, g_judge, noise_rng, device, conditional)


def _steps(generator, discriminator, batches, g_optimizer, d_optimizer, d_loss, g_loss, n_critic, penalty,
           after_d_step, g_judge, noise_rng, device, conditional) -> Iterator[dict]:
    """steps()'s body, a generator function: its arguments are checked by steps() when it is called."""
    def fake_labels(n):
        return _fake_labels(generator, n, device, noise_rng) if conditional else None

    generator.train()
    discriminator.train()
    step = 0
    while True:
        step += 1
        d_logs = []
        for _ in range(n_critic):
            real, labels = _next_batch(batches, step, conditional)
            if step == 1 and not d_logs:
                _check_first_batch(real, generator, discriminator)
            asked = fake_labels(len(real))
            d_logs.append(discriminator_step(generator, discriminator, d_optimizer, real=real,
                                             z=noise(len(real), generator.z_dim, device, noise_rng),
                                             d_loss=d_loss, penalty=penalty, after_step=after_d_step,
                                             labels=labels, fake_labels=asked))
        z = noise(len(real), generator.z_dim, device, noise_rng)
        g_log = generator_step(generator, discriminator, g_optimizer, z=z, g_loss=g_loss, judge=g_judge,
                               fake_labels=fake_labels(len(real)), real=real)
        d_means = torch.stack([torch.stack([log[key] for key in D_KEYS]) for log in d_logs]).mean(0)
        yield dict(zip(D_KEYS, d_means.unbind())) | g_log


_loop = steps   # train()'s parameter `steps` (a count) hides the function inside it


def train(generator: nn.Module, discriminator: nn.Module, batches: Iterator, steps: int,
          g_optimizer: torch.optim.Optimizer, d_optimizer: torch.optim.Optimizer, *,
          callback: Callable | None = None, every: int = 0, progress: bool = True, desc: str = "training",
          **loop) -> dict[str, list[float]]:
    """Train for `steps` generator steps of train.steps(...) (its keywords pass through: d_loss, g_loss,
    n_critic, penalty, after_d_step, g_judge, noise_rng) and return the history: per generator step,
    loss_d, d_real/d_fake and w_estimate averaged over its n_critic D steps, loss_g and g_grad_norm.

    The records are read back to the host every SYNC_EVERY steps, at callbacks and at the end; a
    non-finite one raises FloatingPointError. callback(step, generator, discriminator, history) runs
    after step 1, every `every` generator steps and after the last step (e.g. to draw samples).
    """
    if not is_whole(steps):
        raise ValueError(f"steps must be an integer >= 1, got {steps!r}")
    if not is_whole(every, 0):
        raise ValueError(f"every must be a non-negative integer (generator steps between callbacks), got {every!r}")
    if (callback is None) != (not every):
        raise ValueError(f"callback and every go together: callback(step, G, D, history) runs every `every` "
                         f"steps (got callback={'set' if callback else None}, every={every!r})")
    records = _loop(generator, discriminator, batches, g_optimizer, d_optimizer, **loop)
    history = {key: [] for key in D_KEYS + G_KEYS}
    pending, first_pending = [], 1   # per-step rows (6,) on the device, not yet read back
    for step, record in zip(tqdm(range(1, steps + 1), desc=desc, disable=not progress), records):
        pending.append(torch.stack([record[key].to(record["loss_d"].device) for key in D_KEYS + G_KEYS]))
        at_callback = callback is not None and (step == 1 or step % every == 0 or step == steps)
        if at_callback or step % SYNC_EVERY == 0 or step == steps:
            _read_back(pending, history, first_pending)
            first_pending = step + 1
        if at_callback:
            callback(step, generator, discriminator, history)
    return history


@torch.no_grad()
def sample(generator: nn.Module, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
    """G(z), or G(z, labels) for a conditional generator, in eval mode (BatchNorm uses its running
    statistics), then back to the previous mode. z: (N, z_dim); labels: (N,) class indices; both are
    moved to the generator's device. The images come back on the CPU (N, C, H, W): samples are for
    looking at and scoring (a meta-device generator gives meta tensors: they have no values to copy)."""
    device = module_device(generator, z.device)
    was_training = generator.training
    generator.eval()
    try:
        images = generator(z.to(device)) if labels is None else generator(z.to(device), labels.to(device))
    finally:
        generator.train(was_training)
    return images if images.device.type == "meta" else images.cpu()
