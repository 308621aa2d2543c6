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
                          rng=torch.Generator().manual_seed(seed))
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
    assert penalised.item() == pytest.approx(plain.item() + 5.0)


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


def test_clipping_as_an_after_d_step_hook_keeps_every_critic_weight_in_bounds():
    utils.seed_everything(0)
    generator, critic = toy_models()
    g_opt, d_opt = torch.optim.RMSprop(generator.parameters(), lr=0.5), torch.optim.RMSprop(critic.parameters(), lr=0.5)
    seen = []

    def record_then_clip(d):
        seen.append(max(p.abs().max().item() for p in d.parameters()))
        train.clip_weights(d, 0.01)

    history = train.train(generator, critic, itertools.repeat(torch.randn(32, 1) * 3), 3, g_opt, d_opt,
                          d_loss=losses.critic_loss, g_loss=losses.generator_loss_wasserstein, n_critic=2,
                          after_d_step=record_then_clip, progress=False)
    assert max(p.abs().max().item() for p in critic.parameters()) <= 0.01
    assert len(seen) == 6 and max(seen) > 0.01  # the hook ran after every critic step, on big steps
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
    judged = []

    def unrolled_judge(g, d, z, real):  # how chapter 6 passes unrolling in
        judged.append((len(z), real.shape))
        future = train.unrolled_parameters(g, d, [torch.randn(16, 1) for _ in range(2)], z, lr=0.1)
        return torch.func.functional_call(d, future, (g(z),))

    history = train.train(generator, discriminator, itertools.repeat(torch.randn(16, 1)), 2, g_opt, d_opt,
                          g_judge=unrolled_judge, progress=False)
    assert len(history["loss_g"]) == 2 and judged == [(16, torch.Size([16, 1]))] * 2   # the step's real batch too


def test_steps_yields_one_record_per_generator_step_and_train_is_n_of_them():
    def run(use_steps):
        utils.seed_everything(0)
        generator, discriminator = toy_models()
        g_opt, d_opt = optimizers(generator, discriminator)
        batches = data.batches(torch.randn(64, 1), 16, rng=torch.Generator().manual_seed(1))
        if not use_steps:
            history = train.train(generator, discriminator, batches, 7, g_opt, d_opt, n_critic=2, progress=False)
            return history, flat(generator), flat(discriminator)
        drawn = []
        counting = map(lambda b: drawn.append(1) or b, batches)
        records = train.steps(generator, discriminator, counting, g_opt, d_opt, n_critic=2)
        assert drawn == []                                      # nothing runs until the caller asks
        rows = [next(records) for _ in range(7)]
        assert len(drawn) == 14                                 # n_critic real batches per generator step
        assert all(set(row) == set(train.D_KEYS + train.G_KEYS) for row in rows)
        assert all(value.dim() == 0 and isinstance(value, torch.Tensor) for row in rows for value in row.values())
        history = {key: [row[key].item() for row in rows] for key in rows[0]}
        return history, flat(generator), flat(discriminator)

    (h_train, g_train, d_train), (h_steps, g_steps, d_steps) = run(False), run(True)
    assert torch.equal(g_train, g_steps) and torch.equal(d_train, d_steps)   # the same training
    assert all(torch.allclose(torch.tensor(h_train[k], dtype=torch.float64), torch.tensor(h_steps[k], dtype=torch.float64))
               for k in h_train)
    with pytest.raises(ValueError, match="n_critic"):
        train.steps(*toy_models(), itertools.repeat(torch.randn(4, 1)), *optimizers(*toy_models()), n_critic=0)


# ----------------------------------------------------------------------------- the loop owns the device

def test_steps_move_batches_and_noise_to_the_models_device():
    generator, discriminator = (m.to("meta") for m in toy_models())
    g_opt, d_opt = optimizers(generator, discriminator)
    log = train.discriminator_step(generator, discriminator, d_opt, torch.randn(16, 1), torch.randn(16, 2))
    assert all(value.device.type == "meta" for value in log.values())
    log = train.generator_step(generator, discriminator, g_opt, torch.randn(16, 2))
    assert all(value.device.type == "meta" for value in log.values())
    assert train.noise(4, 2, "meta").device.type == "meta"
    assert train.noise(4, 2, "meta", torch.Generator().manual_seed(0)).device.type == "meta"  # CPU generator
    assert train.sample(generator, torch.randn(3, 2)).device.type == "meta"


def test_train_refuses_models_on_two_devices_naming_both():
    generator, discriminator = toy_models()
    discriminator.to("meta")
    g_opt, d_opt = optimizers(generator, discriminator)
    with pytest.raises(ValueError, match=r"generator is on cpu and the discriminator on meta.*\.to\(device\)"):
        train.train(generator, discriminator, itertools.repeat(torch.randn(8, 1)), 2, g_opt, d_opt, progress=False)
    with pytest.raises(ValueError, match="cpu.*meta"):
        train.discriminator_step(generator, discriminator, d_opt, torch.randn(8, 1), torch.randn(8, 2))


def test_seeded_noise_rng_makes_runs_repeat_and_differ_by_seed():
    def run_with(noise_seed):
        torch.manual_seed(0)
        generator, discriminator = toy_models()
        g_opt, d_opt = optimizers(generator, discriminator)
        torch.manual_seed(noise_seed + 100)  # the global RNG must not matter
        real = torch.randn(8, 1, generator=torch.Generator().manual_seed(1))
        train.train(generator, discriminator, itertools.repeat(real), 5, g_opt, d_opt,
                    noise_rng=torch.Generator().manual_seed(noise_seed), progress=False)
        return flat(generator)

    assert torch.equal(run_with(1), run_with(1)) and not torch.equal(run_with(1), run_with(2))


class RecordingLabelDiscriminator(torch.nn.Module):
    """LabelChannelDiscriminator that records the labels it is shown."""

    def __init__(self):
        super().__init__()
        self.judge = nets.LabelChannelDiscriminator(4, 3)
        self.seen = []

    def forward(self, images, labels):
        self.seen.append(labels.clone())
        return self.judge(images, labels)


def test_labelled_batches_train_a_conditional_gan_with_labels_in_both_players():
    torch.manual_seed(0)
    generator = nets.ConditionalDCGANGenerator(z_dim=4, width=4, n_classes=3).apply(nets.init_weights)
    discriminator = RecordingLabelDiscriminator()
    g_opt, d_opt = optimizers(generator, discriminator)
    images = torch.rand(16, 1, 28, 28) * 2 - 1
    labels = torch.arange(16) % 3
    stream = data.batches(images, 8, labels=labels, rng=torch.Generator().manual_seed(0))
    generator_calls = []
    generator.register_forward_hook(lambda module, inputs, output: generator_calls.append(inputs[1].clone()))
    history = train.train(generator, discriminator, stream, 2, g_opt, d_opt, progress=False)
    assert len(history["loss_g"]) == 2
    # per generator step D sees: real labels (D step), fake labels (D step), fake labels (G step)
    assert len(discriminator.seen) == 6
    real_seen = discriminator.seen[0::3]
    fake_seen = [s for k, s in enumerate(discriminator.seen) if k % 3]
    assert all(set(seen.tolist()) <= {0, 1, 2} and len(set(seen.tolist())) > 1 for seen in real_seen)
    assert all(torch.equal(a, b) for a, b in zip(fake_seen, generator_calls))  # D judged the labels G drew for
    g, d = toy_models()
    with pytest.raises(ValueError, match="conditional GAN"):
        train.train(g, d, data.batches(torch.randn(16, 1), 8, labels=labels), 1, *optimizers(g, d), progress=False)


def test_first_real_batch_is_checked_once():
    generator, discriminator = toy_models()
    g_opt, d_opt = optimizers(generator, discriminator)
    bad = torch.randn(8, 1)
    bad[3] = float("nan")
    with pytest.raises(ValueError, match="NaN or inf"):
        train.train(generator, discriminator, itertools.repeat(bad), 1, g_opt, d_opt, progress=False)
    g_img = nets.DCGANGenerator(z_dim=4, width=4)
    d_img = nets.DCGANDiscriminator(width=4)
    opts = optimizers(g_img, d_img)
    with pytest.raises(ValueError, match=r"must be in \[-1, 1\]"):
        train.train(g_img, d_img, itertools.repeat(torch.rand(4, 1, 28, 28) * 255), 1, *opts, progress=False)
    with pytest.warns(UserWarning, match=r"real images lie in \[0, 1\]"):
        history = train.train(g_img, d_img, itertools.repeat(torch.rand(4, 1, 28, 28)), 1, *opts, progress=False)
    assert len(history["loss_g"]) == 1  # [0, 1] images are in [-1, 1]: they train, with a warning (chapter 3 shows the harm)


def test_a_non_finite_loss_stops_training_naming_the_step():
    generator, discriminator = toy_models()
    g_opt, d_opt = optimizers(generator, discriminator)
    calls = itertools.count(1)

    def breaks_at_call_3(real_logits, fake_logits):
        loss = losses.discriminator_loss(real_logits, fake_logits)
        return loss * float("nan") if next(calls) == 3 else loss

    with pytest.raises(FloatingPointError, match=r"loss_d.* became non-finite at generator step 3.*learning rate"):
        train.train(generator, discriminator, itertools.repeat(torch.randn(8, 1)), 10, g_opt, d_opt,
                    d_loss=breaks_at_call_3, progress=False)
    generator, discriminator = toy_models()
    huge = [torch.optim.SGD(m.parameters(), lr=1e6) for m in (generator, discriminator)]
    with pytest.raises(FloatingPointError, match="generator step"):
        train.train(generator, discriminator, itertools.repeat(torch.randn(8, 1)), 100, *huge,
                    d_loss=losses.critic_loss, g_loss=losses.generator_loss_wasserstein, progress=False)


def test_callback_and_every_go_together_and_batches_must_be_endless():
    generator, discriminator = toy_models()
    g_opt, d_opt = optimizers(generator, discriminator)
    stream = itertools.repeat(torch.randn(8, 1))
    with pytest.raises(ValueError, match="callback and every"):
        train.train(generator, discriminator, stream, 2, g_opt, d_opt, callback=lambda *a: None, progress=False)
    with pytest.raises(ValueError, match="callback and every"):
        train.train(generator, discriminator, stream, 2, g_opt, d_opt, every=5, progress=False)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.randn(16, 1)), batch_size=8)
    with pytest.raises(TypeError, match="endless iterator.*DataLoader"):
        train.train(generator, discriminator, loader, 2, g_opt, d_opt, progress=False)
    with pytest.raises(TypeError, match="endless iterator.*list"):
        train.train(generator, discriminator, [torch.randn(8, 1)], 2, g_opt, d_opt, progress=False)
    with pytest.raises(RuntimeError, match="ran out at generator step 3"):
        train.train(generator, discriminator, iter([torch.randn(8, 1)] * 2), 5, g_opt, d_opt, progress=False)


def test_history_is_read_back_from_the_device_only_every_sync_every_steps(monkeypatch):
    reads = []
    original = train._read_back

    def counting(pending, history, first):
        reads.append(len(pending))
        original(pending, history, first)

    monkeypatch.setattr(train, "_read_back", counting)
    generator, discriminator = toy_models()
    g_opt, d_opt = optimizers(generator, discriminator)
    steps = 2 * train.SYNC_EVERY + 7
    history = train.train(generator, discriminator, itertools.repeat(torch.randn(8, 1)), steps, g_opt, d_opt,
                          progress=False)
    assert reads == [train.SYNC_EVERY, train.SYNC_EVERY, 7]
    assert len(history["loss_d"]) == steps and all(isinstance(v, float) for v in history["loss_d"])


def test_relativistic_judge_gives_rpgan_generator_loss_with_paired_constant_real_logits():
    utils.seed_everything(0)
    generator, discriminator = toy_models()
    z, real = torch.randn(16, 2), torch.randn(16, 1)
    judged = train.relativistic_judge(generator, discriminator, z, real)
    fake_logits, real_logits = discriminator(generator(z)), discriminator(real)
    assert judged.shape == (16,)
    assert torch.allclose(losses.generator_loss(judged), losses.relativistic_generator_loss(fake_logits, real_logits))
    # D's logits on real are constants for G: G's gradient is that of the fake term alone
    g_grads = torch.autograd.grad(losses.generator_loss(judged), list(generator.parameters()))
    reference = torch.autograd.grad(losses.relativistic_generator_loss(fake_logits, real_logits.detach()),
                                    list(generator.parameters()))
    assert all(torch.allclose(a, b) for a, b in zip(g_grads, reference))
    with pytest.raises(ValueError, match="one to one"):
        train.relativistic_judge(generator, discriminator, z, torch.randn(8, 1))
    # in the loop: the step's real batch reaches the judge, as many rows as fakes
    seen = []

    def recording_judge(g, d, z, real):
        seen.append((len(z), len(real)))
        return train.relativistic_judge(g, d, z, real)

    train.train(generator, discriminator, data.batches(torch.randn(64, 1), 16), 2, *optimizers(generator, discriminator),
                d_loss=losses.relativistic_discriminator_loss, g_judge=recording_judge,
                penalty=lambda d, real, fake: losses.r1_penalty(d, real, 1.0) + losses.r2_penalty(d, fake, 1.0),
                progress=False)
    assert seen == [(16, 16)] * 2
