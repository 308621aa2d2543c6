import itertools

import pytest
import torch

from gantut import data, losses, nets, train, utils


def toy_models():
    generator = nets.MLPGenerator(z_dim=2, hidden=(8,), out_shape=(1,), out_activation=None)
    discriminator = nets.MLPDiscriminator(in_shape=(1,), hidden=(8,))
    return generator, discriminator


def optimizers(generator, discriminator):
    return (torch.optim.Adam(generator.parameters(), lr=1e-2),
            torch.optim.Adam(discriminator.parameters(), lr=1e-2))


def flat(model):
    return torch.cat([p.detach().flatten() for p in model.parameters()])


def test_discriminator_step_changes_only_d_and_generator_step_only_g():
    utils.seed_everything(0)
    generator, discriminator = toy_models()
    g_opt, d_opt = optimizers(generator, discriminator)
    g0, d0 = flat(generator), flat(discriminator)
    log = train.discriminator_step(generator, discriminator, d_opt, torch.randn(16, 1), torch.randn(16, 2))
    assert torch.equal(flat(generator), g0) and not torch.equal(flat(discriminator), d0)
    assert all(p.grad is None for p in generator.parameters())  # fakes were detached
    assert 0 < log["d_real"] < 1 and 0 < log["d_fake"] < 1
    d1 = flat(discriminator)
    train.generator_step(generator, discriminator, g_opt, torch.randn(16, 2))
    assert torch.equal(flat(discriminator), d1) and not torch.equal(flat(generator), g0)
    assert all(p.requires_grad for p in discriminator.parameters())


def test_generator_step_raises_d_of_fakes():
    utils.seed_everything(0)
    generator, discriminator = toy_models()
    g_opt = torch.optim.SGD(generator.parameters(), lr=0.1)
    z = torch.randn(64, 2)
    before = torch.sigmoid(discriminator(generator(z))).mean()
    train.generator_step(generator, discriminator, g_opt, z)
    assert torch.sigmoid(discriminator(generator(z))).mean() > before


def run(seed, steps=20, n_critic=1):
    utils.setup(seed, verbose=False)
    generator, discriminator = toy_models()
    g_opt, d_opt = optimizers(generator, discriminator)
    stream = data.batches(data.mixture_1d([-1.0, 1.0], 0.1).sample(256), 32,
                          generator=torch.Generator().manual_seed(seed))
    history = train.train(generator, discriminator, stream, steps, g_opt, d_opt, n_critic=n_critic, progress=False)
    return flat(generator), history


def test_seeded_runs_are_identical():
    (g_a, h_a), (g_b, h_b) = run(3), run(3)
    assert torch.equal(g_a, g_b) and h_a == h_b
    g_c, _ = run(4)
    assert not torch.equal(g_a, g_c)


def test_n_critic_discriminator_steps_per_generator_step():
    utils.setup(0, verbose=False)
    generator, discriminator = toy_models()
    g_opt, d_opt = optimizers(generator, discriminator)
    counter = itertools.count()
    batches = (torch.randn(8, 1) for _ in counter)
    clipped = []
    history = train.train(generator, discriminator, batches, 4, g_opt, d_opt, n_critic=3, progress=False,
                          after_d_step=lambda d: clipped.append(1))
    assert next(counter) == 12 and len(clipped) == 12  # 4 generator steps x 3 critic steps
    assert len(history["loss_g"]) == 4 and len(history["loss_d"]) == 4


def test_callback_runs_at_step_1_every_k_and_at_the_end():
    steps_seen = []
    utils.setup(0, verbose=False)
    generator, discriminator = toy_models()
    g_opt, d_opt = optimizers(generator, discriminator)
    batches = (torch.randn(8, 1) for _ in itertools.count())
    train.train(generator, discriminator, batches, 10, g_opt, d_opt, progress=False, every=5,
                callback=lambda step, g, d, h: steps_seen.append((step, len(h["loss_g"]))))
    assert steps_seen == [(1, 1), (5, 5), (10, 10)]
    steps_seen.clear()
    train.train(generator, discriminator, batches, 7, g_opt, d_opt, progress=False, every=5,
                callback=lambda step, g, d, h: steps_seen.append(step))
    assert steps_seen == [1, 5, 7]


def test_penalty_is_added_to_the_discriminator_loss():
    utils.setup(0, verbose=False)
    generator, discriminator = toy_models()
    _, d_opt = optimizers(generator, discriminator)
    real, z = torch.randn(8, 1), torch.randn(8, 2)
    plain = train.discriminator_step(generator, discriminator, d_opt, real, z)["loss_d"]
    utils.setup(0, verbose=False)
    generator, discriminator = toy_models()
    _, d_opt = optimizers(generator, discriminator)
    penalised = train.discriminator_step(generator, discriminator, d_opt, real, z,
                                         penalty=lambda d, r, f: torch.tensor(5.0))["loss_d"]
    assert penalised == pytest.approx(plain + 5.0)


def test_sample_uses_eval_mode_and_restores_training():
    generator = nets.MLPGenerator(z_dim=4, hidden=(8,), out_shape=(2,), batchnorm=True)
    generator.train()
    out = train.sample(generator, torch.randn(1, 4))  # batch of 1 works only in eval mode
    assert out.shape == (1, 2) and generator.training


def test_sample_passes_labels_to_a_conditional_generator():
    generator = nets.ConditionalDCGANGenerator(z_dim=4, width=4, n_classes=3).apply(nets.init_weights)
    z = torch.randn(2, 4)
    ones, twos = train.sample(generator, z, torch.tensor([1, 1])), train.sample(generator, z, torch.tensor([2, 2]))
    assert ones.shape == (2, 1, 28, 28) and generator.training
    assert not torch.allclose(ones, twos)
    generator.eval()
    with torch.no_grad():
        assert torch.equal(ones, generator(z, torch.tensor([1, 1])))


def test_bad_arguments():
    generator, discriminator = toy_models()
    g_opt, d_opt = optimizers(generator, discriminator)
    with pytest.raises(ValueError):
        train.train(generator, discriminator, iter([]), 0, g_opt, d_opt)
    assert torch.equal(losses.generator_loss(torch.zeros(2)), losses.generator_loss(torch.zeros(2, 1)))


def test_clipping_keeps_every_critic_weight_in_bounds_after_each_step():
    utils.seed_everything(0)
    generator, critic = toy_models()
    g_opt, d_opt = torch.optim.RMSprop(generator.parameters(), lr=0.5), torch.optim.RMSprop(critic.parameters(), lr=0.5)
    seen = []
    history = train.train(generator, critic, itertools.repeat(torch.randn(32, 1) * 3), 3, g_opt, d_opt,
                          d_loss=losses.critic_loss, g_loss=losses.generator_loss_wasserstein, n_critic=2,
                          clip=0.01, after_d_step=lambda d: seen.append(max(p.abs().max().item() for p in d.parameters())),
                          progress=False)
    assert max(p.abs().max().item() for p in critic.parameters()) <= 0.01
    assert len(seen) == 6 and max(seen) > 0.01  # the reader's hook ran before the clipping, on big steps
    assert len(history["w_estimate"]) == 3
    with pytest.raises(ValueError, match="positive"):
        train.clip_weights(critic, 0.0)


def test_w_estimate_is_the_gap_of_raw_scores():
    utils.seed_everything(0)
    generator, critic = toy_models()
    real, z = torch.randn(16, 1), torch.randn(16, 2)
    with torch.no_grad():
        expected = (critic(real).mean() - critic(generator(z)).mean()).item()
    log = train.discriminator_step(generator, critic, torch.optim.SGD(critic.parameters(), lr=0.0), real, z,
                                   losses.critic_loss)
    assert abs(log["w_estimate"] - expected) < 1e-6 and abs(log["loss_d"] + expected) < 1e-6


def test_unrolled_steps_leave_the_real_discriminator_unchanged_and_reach_the_generator():
    utils.seed_everything(0)
    generator, discriminator = toy_models()
    d0 = flat(discriminator)
    z = torch.randn(16, 2)
    params = train.unrolled_parameters(generator, discriminator, [torch.randn(16, 1) for _ in range(3)], z, lr=0.1)
    assert torch.equal(flat(discriminator), d0)
    assert not torch.equal(torch.cat([p.flatten() for p in params.values()]), d0)  # the copy moved
    loss = losses.generator_loss(torch.func.functional_call(discriminator, params, (generator(z),)))
    grads = torch.autograd.grad(loss, list(generator.parameters()))
    assert all(torch.isfinite(g).all() for g in grads) and any(g.abs().sum() > 0 for g in grads)
    g_opt, d_opt = optimizers(generator, discriminator)
    history = train.train(generator, discriminator, itertools.repeat(torch.randn(16, 1)), 2, g_opt, d_opt,
                          unroll=2, unroll_lr=0.1, progress=False)
    assert len(history["loss_g"]) == 2
    with pytest.raises(ValueError, match="unroll"):
        train.train(generator, discriminator, itertools.repeat(torch.randn(16, 1)), 1, g_opt, d_opt, unroll=2)


def test_ema_update_follows_the_closed_form_and_copies_buffers():
    torch.manual_seed(0)
    model = nets.DCGANGenerator(z_dim=4, width=4)
    average = nets.DCGANGenerator(z_dim=4, width=4)
    start = [p.detach().clone() for p in average.parameters()]
    model.net[1].running_mean.fill_(3.0)                                   # a BatchNorm buffer
    decay, k = 0.9, 5
    for _ in range(k):
        train.ema_update(average, model, decay)
    for kept, first, target in zip(average.parameters(), start, model.parameters()):
        # a_k = m + decay^k (a_0 - m) for a fixed model m
        assert torch.allclose(kept, target + decay**k * (first - target), atol=1e-6)
    assert torch.equal(average.net[1].running_mean, model.net[1].running_mean)
    with pytest.raises(ValueError, match="decay"):
        train.ema_update(average, model, 1.0)


def test_after_g_step_runs_once_per_generator_step():
    utils.seed_everything(0)
    generator, discriminator = toy_models()
    g_opt, d_opt = optimizers(generator, discriminator)
    calls = []
    train.train(generator, discriminator, itertools.repeat(torch.randn(16, 1)), 3, g_opt, d_opt, n_critic=2,
                after_g_step=lambda g: calls.append(g), progress=False)
    assert calls == [generator] * 3
