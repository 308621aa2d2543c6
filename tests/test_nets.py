import pytest
import torch
from torch import nn

from gantut import losses, nets


@pytest.mark.parametrize("batch", [1, 64])
def test_mlp_generator_shapes_and_tanh_range(batch):
    generator = nets.MLPGenerator(z_dim=100)
    generator.eval()
    images = generator(torch.randn(batch, 100) * 50)  # huge inputs saturate the Tanh
    assert images.shape == (batch, 1, 28, 28)
    assert images.min() >= -1 and images.max() <= 1


def test_mlp_generator_for_toy_data_is_unbounded():
    generator = nets.MLPGenerator(z_dim=2, hidden=(16,), out_shape=(1,), out_activation=None)
    with torch.no_grad():
        generator.net[-1].bias.fill_(5.0)
    assert generator(torch.zeros(3, 2)).min() > 1  # no Tanh: outputs may leave [-1, 1]


def test_mlp_generator_refuses_conv_style_noise():
    with pytest.raises(ValueError, match="flat noise"):
        nets.MLPGenerator(z_dim=100)(torch.randn(4, 100, 1, 1))


def test_mlp_discriminator_returns_one_logit_per_sample_without_sigmoid():
    discriminator = nets.MLPDiscriminator()
    assert not any(isinstance(m, nn.Sigmoid) for m in discriminator.modules())
    with torch.no_grad():
        discriminator.net[-1].bias.fill_(10.0)
        discriminator.net[-1].weight.zero_()
    logits = discriminator(torch.zeros(5, 1, 28, 28))
    assert logits.shape == (5,) and torch.allclose(logits, torch.full((5,), 10.0))  # a logit, not a probability
    with pytest.raises(ValueError, match="shape"):
        discriminator(torch.zeros(5, 784))


def test_mlp_parameter_count_matches_the_layer_sizes():
    generator = nets.MLPGenerator(z_dim=100, hidden=(256, 512, 1024))
    expected = (100 * 256 + 256) + (256 * 512 + 512) + (512 * 1024 + 1024) + (1024 * 784 + 784)
    assert nets.count_parameters(generator) == expected


def test_init_weights_gives_dcgan_statistics():
    torch.manual_seed(0)
    layer = nets.init_weights(nn.Linear(1000, 1000))
    assert abs(layer.weight.mean().item()) < 1e-3 and abs(layer.weight.std().item() - 0.02) < 1e-3
    assert torch.all(layer.bias == 0)
    norm = nets.init_weights(nn.BatchNorm1d(10000))
    assert abs(norm.weight.mean().item() - 1) < 1e-3 and abs(norm.weight.std().item() - 0.02) < 2e-3


def test_batchnorm_generator_uses_default_eps():
    generator = nets.MLPGenerator(batchnorm=True)
    norms = [m for m in generator.modules() if isinstance(m, nn.BatchNorm1d)]
    assert norms and all(m.eps == 1e-5 and m.momentum == 0.1 for m in norms)


@pytest.mark.parametrize("batch", [1, 64])
def test_dcgan_generator_every_intermediate_shape(batch):
    generator = nets.DCGANGenerator(z_dim=64, width=32).eval()
    shapes, x = [], torch.randn(batch, 64)[:, :, None, None]
    for layer in generator.net:
        x = layer(x)
        if isinstance(layer, nn.ConvTranspose2d):
            shapes.append(tuple(x.shape))
    assert shapes == [(batch, 64, 7, 7), (batch, 32, 14, 14), (batch, 1, 28, 28)]
    out = generator(torch.randn(batch, 64) * 100)
    assert out.shape == (batch, 1, 28, 28) and out.min() >= -1 and out.max() <= 1


@pytest.mark.parametrize("batch", [1, 64])
def test_dcgan_discriminator_every_intermediate_shape(batch):
    discriminator = nets.DCGANDiscriminator(width=32).eval()
    shapes, x = [], torch.randn(batch, 1, 28, 28)
    for layer in discriminator.net:
        x = layer(x)
        if isinstance(layer, nn.Conv2d):
            shapes.append(tuple(x.shape))
    assert shapes == [(batch, 32, 14, 14), (batch, 64, 7, 7), (batch, 1, 1, 1)]
    assert discriminator(torch.randn(batch, 1, 28, 28)).shape == (batch,)


def test_dcgan_parameter_counts_by_hand():
    w, z = 32, 64
    g = (z * 2 * w * 49) + 2 * (2 * w) + (2 * w * w * 16) + 2 * w + (w * 1 * 16 + 1)
    d = (1 * w * 16 + w) + (w * 2 * w * 16) + 2 * (2 * w) + (2 * w * 49 + 1)
    assert nets.count_parameters(nets.DCGANGenerator(z, w)) == g
    assert nets.count_parameters(nets.DCGANDiscriminator(w)) == d


def test_dcgan_design_rules():
    generator, discriminator = nets.DCGANGenerator(), nets.DCGANDiscriminator()
    assert not any(isinstance(m, (nn.MaxPool2d, nn.AvgPool2d, nn.Linear, nn.Sigmoid))
                   for m in list(generator.modules()) + list(discriminator.modules()))
    assert isinstance(generator.net[-1], nn.Tanh) and not isinstance(generator.net[-2], nn.BatchNorm2d)
    assert isinstance(discriminator.net[1], nn.LeakyReLU)  # no norm on D's input layer
    assert discriminator.net[1].negative_slope == 0.2


def test_dcgan_variants_and_bad_arguments():
    assert not any(isinstance(m, nn.BatchNorm2d) for m in nets.DCGANGenerator(batchnorm=False).modules())
    assert not any(isinstance(m, nn.BatchNorm2d) for m in nets.DCGANDiscriminator(norm="layer").modules())
    assert any(isinstance(m, nn.ReLU) for m in nets.DCGANDiscriminator(activation="relu").modules())
    with pytest.raises(ValueError, match="norm"):
        nets.DCGANDiscriminator(norm="instance")
    with pytest.raises(ValueError, match="shape"):
        nets.DCGANDiscriminator()(torch.zeros(2, 1, 32, 32))
    with pytest.raises(ValueError, match="shape"):
        nets.DCGANGenerator(z_dim=64)(torch.zeros(2, 100))


def test_dcgan_init_statistics():
    torch.manual_seed(0)
    generator = nets.DCGANGenerator(width=64).apply(nets.init_weights)
    weight = generator.net[0].weight
    assert abs(weight.std().item() - 0.02) < 1e-3 and abs(weight.mean().item()) < 1e-3


def test_spectral_normalize_bounds_every_layer_norm_by_one():
    torch.manual_seed(0)
    critic = nets.spectral_normalize(nets.MLPDiscriminator(in_shape=(2,), hidden=(64, 64)))
    x = torch.randn(256, 2)
    for _ in range(20):  # power iterations run in training-mode forward passes
        critic(x)
    critic.eval()
    for layer in critic.modules():
        if isinstance(layer, torch.nn.Linear):
            assert torch.linalg.matrix_norm(layer.weight, ord=2).item() < 1.05
    # so the whole critic is (about) 1-Lipschitz
    a, b = torch.randn(500, 2), torch.randn(500, 2)
    ratios = (critic(a) - critic(b)).abs() / (a - b).norm(dim=1)
    assert ratios.max().item() <= 1.05


def test_packed_discriminator_concatenates_consecutive_samples():
    seen = []
    inner = lambda x: seen.append(x) or x.sum(1)
    packed = nets.PackedDiscriminator(inner, m=3)
    x = torch.arange(12.0).view(6, 2)
    out = packed(x)
    assert out.shape == (2,) and torch.equal(seen[0][0], torch.tensor([0.0, 1, 2, 3, 4, 5]))
    with pytest.raises(ValueError, match="divisible"):
        packed(torch.zeros(5, 2))
    # images: sample 2k and 2k + 1 side by side as channels, for a conv discriminator with 2C channels
    images = torch.randn(4, 3, 28, 28)
    pair = nets.PackedDiscriminator(lambda x: x, m=2)(images)
    assert pair.shape == (2, 6, 28, 28) and torch.equal(pair[1, 3:], images[3])
    assert nets.PackedDiscriminator(nets.DCGANDiscriminator(channels=6), 2)(images).shape == (2,)


def test_minibatch_std_appends_the_batch_spread():
    layer = nets.MinibatchStd()
    same = layer(torch.ones(4, 3))
    assert same.shape == (4, 4) and torch.all(same[:, 3] == 0)
    varied = layer(torch.tensor([[0.0, 0.0], [2.0, 4.0]]))
    assert torch.allclose(varied[:, 2], torch.tensor([1.5, 1.5]))  # stds 1 and 2, averaged
    d = nets.MLPDiscriminator(in_shape=(2,), hidden=(8,), minibatch_std=True)
    assert d(torch.randn(5, 2)).shape == (5,)
    assert nets.MLPGenerator(z_dim=4, hidden=(8,), out_shape=(2,), out_activation=None, activation="relu")(torch.randn(3, 4)).shape == (3, 2)
    with pytest.raises(ValueError, match="activation"):
        nets.MLPDiscriminator(in_shape=(2,), activation="tanh")


def test_dcgan_with_three_channels_for_stacked_mnist():
    generator, discriminator = nets.DCGANGenerator(channels=3), nets.DCGANDiscriminator(channels=3)
    images = generator(torch.randn(4, 64))
    assert images.shape == (4, 3, 28, 28) and discriminator(images).shape == (4,)
    with pytest.raises(ValueError, match="\\(N, 3, 28, 28\\)"):
        discriminator(torch.zeros(4, 1, 28, 28))


def test_conditional_nets_shapes_and_label_dependence():
    torch.manual_seed(0)
    generator, discriminator = nets.ConditionalDCGANGenerator(), nets.ProjectionDiscriminator()
    z, labels = torch.randn(4, 64), torch.tensor([0, 3, 7, 9])
    images = generator(z, labels)
    assert images.shape == (4, 1, 28, 28) and discriminator(images, labels).shape == (4,)
    other = torch.tensor([1, 4, 8, 2])
    assert not torch.allclose(generator(z, other), images)                      # the label changes the image
    discriminator.eval()
    # untrained, D ignores the label (its embedding starts at zero); once trained, it does not
    assert torch.equal(discriminator(images, other), discriminator(images, labels))
    torch.nn.init.normal_(discriminator.embed.weight)
    assert not torch.allclose(discriminator(images, other), discriminator(images, labels))
    # the projection term is exactly <embed(y), sum of features>: same label, same difference
    with torch.no_grad():
        features = discriminator.body(images).sum(dim=(2, 3))
        expected = (discriminator.embed(other) - discriminator.embed(labels)) * features
    assert torch.allclose(discriminator(images, other) - discriminator(images, labels), expected.sum(1), atol=1e-4)


def test_conditional_nets_refuse_bad_labels():
    generator, discriminator = nets.ConditionalDCGANGenerator(), nets.ProjectionDiscriminator()
    with pytest.raises(ValueError, match="0..9"):
        generator(torch.randn(2, 64), torch.tensor([0, 10]))
    with pytest.raises(ValueError, match="0..9"):
        discriminator(torch.zeros(2, 1, 28, 28), torch.tensor([-1, 2]))
    with pytest.raises(ValueError, match="integers"):
        generator(torch.randn(2, 64), torch.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match="integers"):
        generator(torch.randn(2, 64), torch.tensor([1, 2, 3]))


def test_label_channel_discriminator_sees_the_label_as_one_hot_maps():
    torch.manual_seed(0)
    discriminator = nets.LabelChannelDiscriminator().eval()
    images, labels = torch.rand(4, 1, 28, 28) * 2 - 1, torch.tensor([0, 3, 7, 9])
    assert discriminator(images, labels).shape == (4,)
    assert not torch.allclose(discriminator(images, labels), discriminator(images, torch.tensor([1, 4, 8, 2])))
    # the same as the DCGAN discriminator judging the image with the one-hot maps stacked by hand
    maps = torch.zeros(4, 10, 28, 28)
    maps[torch.arange(4), labels] = 1.0
    assert torch.allclose(discriminator(images, labels), discriminator.judge(torch.cat([images, maps], 1)))
    with pytest.raises(ValueError, match="0..9"):
        discriminator(images, torch.tensor([0, 3, 7, 10]))
    with pytest.raises(ValueError, match="\\(N, 1, 28, 28\\)"):
        discriminator(torch.zeros(4, 3, 28, 28), labels)


def test_residual_nets_shapes_range_and_no_normalisation_layer():
    generator, discriminator = nets.ResidualGenerator(z_dim=16, width=32), nets.ResidualDiscriminator(width=32)
    images = generator(torch.randn(5, 16))
    assert images.shape == (5, 1, 28, 28) and images.abs().max() <= 1
    assert discriminator(images).shape == (5,)
    norms = (nn.BatchNorm2d, nn.BatchNorm1d, nn.GroupNorm, nn.LayerNorm, nn.InstanceNorm2d)
    assert not any(isinstance(m, norms) for m in [*generator.modules(), *discriminator.modules()])
    assert nets.ResidualDiscriminator(width=32, channels=3)(torch.zeros(2, 3, 28, 28)).shape == (2,)


def test_residual_block_starts_as_the_identity_and_then_learns():
    torch.manual_seed(0)
    block = nets.ResidualBlock(32, n_blocks=3)
    x = torch.randn(4, 32, 7, 7)
    assert torch.equal(block(x), x)                        # fix-up: the branch's last layer is zero
    first = block.branch[0].weight
    fan_in = first[0].numel()
    # He std for LeakyReLU(0.2) is sqrt(2 / (1 + 0.2^2) / fan_in), times 3 ** -0.25
    expected = (2 / 1.04 / fan_in) ** 0.5 * 3 ** -0.25
    assert abs(first.std().item() / expected - 1) < 0.1
    block(x).pow(2).sum().backward()
    assert block.branch[-1].weight.grad.abs().sum() > 0     # the zero layer still receives a gradient


def test_residual_discriminator_supports_the_r1_penalty():
    # R1 needs the gradient of a gradient: every layer must be twice differentiable
    torch.manual_seed(0)
    discriminator = nets.ResidualDiscriminator(width=32)
    for block in (m for m in discriminator.modules() if isinstance(m, nets.ResidualBlock)):
        nn.init.normal_(block.branch[-1].weight, 0, 0.1)    # away from the zero start, so the branches matter
    real = torch.rand(6, 1, 28, 28) * 2 - 1
    penalty = losses.r1_penalty(discriminator, real, gamma=1.0)
    penalty.backward()
    # every weight shapes grad_x D, so every weight gets a finite, non-zero gradient (biases only move the
    # LeakyReLU kinks, whose second derivative is zero almost everywhere)
    grads = [p.grad for name, p in discriminator.named_parameters() if name.endswith("weight")]
    assert penalty.item() > 0 and all(g is not None and torch.isfinite(g).all() and g.abs().sum() > 0 for g in grads)


def test_residual_nets_refuse_bad_arguments():
    with pytest.raises(ValueError, match="multiple of 8"):
        nets.ResidualGenerator(width=20)
    with pytest.raises(ValueError, match="multiple of group_size"):
        nets.ResidualBlock(12, n_blocks=3)
    with pytest.raises(ValueError, match=r"z must have shape \(N, 64\)"):
        nets.ResidualGenerator()(torch.randn(2, 10))
    with pytest.raises(ValueError, match=r"images must have shape"):
        nets.ResidualDiscriminator()(torch.randn(2, 1, 32, 32))
