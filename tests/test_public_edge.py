"""Bad input at gantut's public functions gives a clear error, not torch's or numpy's own message,
a hang or a silent wrong result. Each case fails if its check is removed (the call would then
raise another exception type or message, or return)."""
import numpy as np
import pytest
import torch
from torch import nn

from gantut import data, features, losses, metrics, nets, plot, theory, train, utils

X = np.linspace(-5, 5, 201)
P = np.exp(-X**2 / 2) / np.sqrt(2 * np.pi)

CASES = [
    # data
    ("value_range reversed", lambda: data.check_images(torch.zeros(1, 1, 2, 2), (1, -1)), ValueError, "lo < hi"),
    ("zero-sized image", lambda: data.check_images(torch.zeros(2, 1, 0, 28)), ValueError, "empty"),
    ("batches checked at the call", lambda: data.batches(torch.zeros(10, 2), 0), ValueError, "batch_size"),
    ("stacked labels out of range", lambda: data.stacked_mnist(torch.zeros(3, 1, 2, 2), torch.tensor([0, 1, 12]), 2),
     ValueError, "0..9"),
    ("stacked batches checked at the call",
     lambda: data.stacked_batches(torch.zeros(3, 1, 2, 2), torch.tensor([0, 1, 12]), 2), ValueError, "0..9"),
    ("stacked n negative", lambda: data.stacked_mnist(torch.zeros(3, 1, 2, 2), torch.tensor([0, 1, 2]), -1),
     ValueError, "n must be"),
    ("infinite std", lambda: data.ring(std=float("inf")), ValueError, "std"),
    ("2D means to mixture_1d", lambda: data.mixture_1d([[0, 1], [2, 3]], 0.5), ValueError, "flat list"),
    # nets
    ("negative width", lambda: nets.DCGANGenerator(width=-1), ValueError, "width"),
    ("hidden as an int", lambda: nets.MLPGenerator(hidden=256), ValueError, "hidden"),
    ("bad activation with no hidden layer", lambda: nets.MLPDiscriminator(hidden=(), activation="tanh"), ValueError,
     "activation"),
    ("pack degree 2.0", lambda: nets.PackedDiscriminator(nets.MLPDiscriminator(in_shape=(4,)), 2.0), ValueError, "m must"),
    ("labels as a list", lambda: nets.ConditionalDCGANGenerator(4, 4, 3)(torch.zeros(2, 4), [0, 1]), TypeError, "labels"),
    # losses
    ("penalty on a BatchNorm critic", lambda: losses.gradient_penalty(nets.DCGANDiscriminator(4), torch.zeros(2, 1, 28, 28),
                                                                      torch.zeros(2, 1, 28, 28)), ValueError, "BatchNorm"),
    ("gradient norms of scalars", lambda: losses.critic_gradient_norms(nn.Linear(1, 1), torch.zeros(4)), ValueError, "(N, 1)"),
    ("integer scores", lambda: losses.generator_loss(torch.zeros(4, dtype=torch.long)), TypeError, "floating-point"),
    ("empty scores", lambda: losses.critic_loss(torch.zeros(0), torch.zeros(0)), ValueError, "empty"),
    # train
    ("noise of size 0", lambda: train.noise(4, 0), ValueError, "z_dim"),
    ("clip bound NaN", lambda: train.clip_weights(nn.Linear(1, 1), float("nan")), ValueError, "positive"),
    ("unrolled lr 0", lambda: train.unrolled_parameters(nn.Linear(1, 1), nn.Linear(1, 1), [torch.zeros(2, 1)],
                                                        torch.zeros(2, 1), 0.0), ValueError, "learning rate"),
    ("average of another architecture", lambda: train.ema_update(nn.Linear(2, 2), nn.Linear(2, 3)), ValueError,
     "different parameters"),
    # metrics
    ("features of size 0", lambda: metrics.fid(np.zeros((5, 0)), np.zeros((5, 0))), ValueError, "d >= 1"),
    ("covariances of two sizes", lambda: metrics.trace_sqrt_product(np.eye(2), np.eye(3)), ValueError, "square"),
    ("min_share negative", lambda: metrics.mode_coverage(np.zeros((20, 2)), data.ring(), min_share=-0.1), ValueError,
     "min_share"),
    ("weights not a distribution", lambda: metrics.histogram_kl([1, 2], [0.5, 0.7]), ValueError, "distribution"),
    ("float labels", lambda: metrics.label_coverage(np.array([0.0, 1.0]), 2), ValueError, "integer"),
    ("splits 2.5", lambda: metrics.inception_score(np.eye(10)[np.arange(100) % 10], 2.5, kind="probabilities"),
     ValueError, "splits"),
    # features
    ("batch size 0", lambda: features.classify(features.MNISTClassifier(), -torch.ones(2, 1, 28, 28), batch_size=0),
     ValueError, "batch_size"),
    # theory
    ("NaN in the grid", lambda: theory.kl_divergence(P, P, np.where(X > 4, np.nan, X)), ValueError, "grid"),
    ("densities of two sizes", lambda: theory.optimal_discriminator(np.ones(5), np.ones(4)), ValueError, "same points"),
    ("integrate on a decreasing grid", lambda: theory.integrate(P, X[::-1]), ValueError, "increasing"),
    ("NaN sigma", lambda: theory.kl_gaussians(0, float("nan"), 0, 1), ValueError, "finite"),
    ("NaN discriminator", lambda: theory.value(np.full_like(X, np.nan), P, P, X), ValueError, "D\\(x\\)"),
    # plot
    ("nrow 0", lambda: plot.image_grid(-torch.ones(4, 1, 2, 2), nrow=0), ValueError, "nrow"),
    ("window 2.5", lambda: plot.smooth([1.0, 2.0, 3.0], 2.5), ValueError, "window"),
    ("2D series", lambda: plot.smooth(np.ones((3, 2)), 2), ValueError, "1D"),
    ("reversed xlim", lambda: plot.density_1d(X, {"p": P}, xlim=(3, -3)), ValueError, "low < high"),
    # utils
    ("seed too large", lambda: utils.seed_everything(2**64), ValueError, "seed"),
    ("train_or_load of a non-module", lambda: utils.train_or_load("/nonexistent/x.pt", object(), lambda: {}), TypeError,
     "nn.Module"),
]


@pytest.mark.parametrize("name, call, error, match", CASES, ids=[case[0] for case in CASES])
def test_bad_input_gets_a_clear_error(name, call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_swapped_optimizers_are_refused_instead_of_training_nothing():
    generator = nets.MLPGenerator(z_dim=2, hidden=(4,), out_shape=(1,), out_activation=None)
    discriminator = nets.MLPDiscriminator(in_shape=(1,), hidden=(4,))
    g_opt, d_opt = torch.optim.Adam(generator.parameters()), torch.optim.Adam(discriminator.parameters())
    batches = iter(lambda: torch.randn(8, 1), None)
    with pytest.raises(ValueError, match="g_optimizer"):
        train.train(generator, discriminator, batches, 1, d_opt, g_opt, progress=False)


def test_five_densities_get_colours_instead_of_stopiteration():
    fig = plot.density_1d(X, {f"p{k}": P for k in range(6)})
    assert len(fig.axes[0].lines) == 6


def test_int32_labels_work_in_the_label_channel_discriminator():
    d = nets.LabelChannelDiscriminator(4, 3)
    assert d(torch.zeros(2, 1, 28, 28), torch.tensor([0, 2], dtype=torch.int32)).shape == (2,)


def test_numpy_integers_are_whole_numbers_too():
    assert len(next(data.batches(torch.zeros(10, 2), np.int64(5)))) == 5
    assert train.noise(np.int64(3), np.int32(2)).shape == (3, 2)
    assert plot.smooth([1.0, 2.0, 3.0], 0).tolist() == [1.0, 2.0, 3.0]      # 0 and 1: no smoothing


def test_a_loss_of_shape_1_trains_and_frozen_discriminator_parameters_stay_frozen():
    generator = nets.MLPGenerator(z_dim=2, hidden=(4,), out_shape=(1,), out_activation=None)
    discriminator = nets.MLPDiscriminator(in_shape=(1,), hidden=(4,))
    first = next(discriminator.parameters())
    first.requires_grad_(False)
    g_opt = torch.optim.Adam(generator.parameters())
    d_opt = torch.optim.Adam([p for p in discriminator.parameters() if p.requires_grad])
    history = train.train(generator, discriminator, iter(lambda: torch.randn(8, 1), None), 3, g_opt, d_opt,
                          d_loss=lambda r, f: losses.discriminator_loss(r, f).reshape(1), progress=False)
    assert len(history["loss_d"]) == 3 and first.requires_grad is False


def test_first_batch_of_other_channel_counts_trains():
    generator = nets.DCGANGenerator(z_dim=4, width=4, channels=2)
    discriminator = nets.DCGANDiscriminator(width=4, channels=2)
    opts = (torch.optim.Adam(generator.parameters()), torch.optim.Adam(discriminator.parameters()))
    history = train.train(generator, discriminator, iter(lambda: torch.rand(4, 2, 28, 28) * 2 - 1, None), 1, *opts,
                          progress=False)
    assert len(history["loss_g"]) == 1


def test_fashion_mnist_is_checked_on_the_port_of_its_http_mirror(monkeypatch, tmp_path):
    checked = []
    monkeypatch.delenv("GANTUT_OFFLINE", raising=False)
    monkeypatch.setattr(data, "_host_reachable", lambda host, *a, port=443, **k: checked.append((host, port)) or False)
    with pytest.raises(FileNotFoundError):
        data.fashion_mnist(root=tmp_path)
    assert checked == [("fashion-mnist.s3-website.eu-central-1.amazonaws.com", 80)]
