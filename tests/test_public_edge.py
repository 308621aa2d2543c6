"""Bad input at gantut's public functions gives a clear error, not torch's or numpy's own message,
a hang or a silent wrong result. Each case fails if its check is removed (the call would then
raise another exception type or message, or return)."""
import itertools
import random
import warnings

import numpy as np
import pytest
import torch
from torch import nn

from gantut import data, features, losses, metrics, nets, plot, runs, theory, train, utils

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
    # metrics
    ("load_or_train of a non-module", lambda: runs.load_or_train("/nonexistent/x.pt", object(), lambda: {},
                                                                  profile="quick"), TypeError, "nn.Module"),
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


# ----------------------------------------------------------------------------- silent wrong results (issue 33)

def sigmoid_discriminator():
    """A discriminator with the classic mistake: a Sigmoid at its output."""
    return nn.Sequential(nets.MLPDiscriminator(in_shape=(2,), hidden=(8,)), nn.Sigmoid())


@pytest.mark.parametrize("loss", [losses.discriminator_loss, losses.relativistic_discriminator_loss,
                                  losses.relativistic_generator_loss])
def test_sigmoid_losses_warn_when_the_discriminator_ends_in_a_sigmoid(loss):
    d, real, fake = sigmoid_discriminator(), torch.randn(4, 2), torch.randn(4, 2)
    with pytest.warns(UserWarning, match=r"look like probabilities.*remove the Sigmoid at D's output"):
        loss(d(real), d(fake))


@pytest.mark.parametrize("loss", [losses.generator_loss, losses.generator_loss_saturating])
def test_generator_losses_warn_on_a_sigmoid_output(loss):
    with pytest.warns(UserWarning, match="computed by a sigmoid"):
        loss(sigmoid_discriminator()(torch.randn(4, 2)))


def test_discriminator_loss_warns_on_stored_probabilities():
    probabilities = torch.rand(2, 16, generator=torch.Generator().manual_seed(0))
    with pytest.warns(UserWarning, match=r"all in \[0, 1\]"):
        loss = losses.discriminator_loss(*probabilities)
    assert loss.item() > 1.006       # the silent wrong value: never below softplus(-1) + softplus(0) on probabilities


def test_logits_that_happen_to_lie_in_unit_range_do_not_warn():
    d = nn.Linear(2, 1)                                   # a D with logits 0.5 +- 0.01: all in [0, 1]
    with torch.no_grad():
        d.weight.fill_(0.005), d.bias.fill_(0.5)
    real, fake = torch.randn(64, 2), torch.randn(64, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        losses.discriminator_loss(d(real), d(fake))      # they have a graph without a sigmoid
        losses.generator_loss(d(fake).detach())           # a generator loss is not judged by range
        losses.discriminator_loss(torch.zeros(16), torch.zeros(16))   # D = 1/2 everywhere: log 4


def test_frechet_distance_refuses_a_covariance_that_is_not_positive_semi_definite():
    mean = np.zeros(2)
    with pytest.raises(ValueError, match=r"sigma1 is not positive semi-definite \(most negative eigenvalue -1,"):
        metrics.frechet_distance(mean, np.diag([1.0, -1.0]), mean, np.eye(2))
    with pytest.raises(ValueError, match="sigma2 is not symmetric"):
        metrics.frechet_distance(mean, np.eye(2), mean, np.array([[1.0, 0.5], [0.0, 1.0]]))


def test_frechet_distance_accepts_a_singular_covariance_with_round_off():
    features = np.random.default_rng(0).normal(size=(200, 3))
    features = np.column_stack([features, features[:, 0] + features[:, 1]])   # rank 3 of 4: singular
    mean, sigma = metrics.feature_statistics(features)
    assert np.linalg.eigvalsh(sigma).min() < 1e-12                         # zero up to round-off
    assert metrics.frechet_distance(mean, sigma, mean + 1, sigma) == pytest.approx(4.0, abs=1e-6)  # |mu1 - mu2|^2


@pytest.mark.parametrize("penalty", [
    lambda critic, empty: losses.gradient_penalty(critic, empty, empty),
    lambda critic, empty: losses.r1_penalty(critic, empty),
    lambda critic, empty: losses.r2_penalty(critic, empty)], ids=["gradient_penalty", "r1", "r2"])
def test_gradient_penalties_refuse_an_empty_batch_instead_of_returning_nan(penalty):
    with pytest.raises(ValueError, match="empty.*at least one"):
        penalty(nn.Linear(2, 1), torch.zeros(0, 2))


def test_spectral_normalize_twice_is_refused_and_leaves_one_normalisation():
    model = nets.spectral_normalize(nets.MLPDiscriminator(in_shape=(2,), hidden=(8,)))
    with pytest.raises(ValueError, match="already spectrally normalised"):
        nets.spectral_normalize(model)
    layers = [m for m in model.modules() if isinstance(m, nn.Linear)]
    assert [len(layer.parametrizations["weight"]) for layer in layers] == [1, 1]


def test_init_weights_on_a_whole_model_initialises_it_as_apply_does():
    applied, direct, wrapped = (nets.DCGANGenerator(z_dim=4, width=4) for _ in range(3))
    torch.manual_seed(0)
    applied.apply(nets.init_weights)
    torch.manual_seed(0)
    assert nets.init_weights(direct) is direct
    torch.manual_seed(0)
    wrapped.apply(lambda module: nets.init_weights(module, 0.02))
    for a, b, c in zip(applied.state_dict().values(), direct.state_dict().values(), wrapped.state_dict().values()):
        assert torch.equal(a, b) and torch.equal(a, c)
    first = direct.net[0].weight
    assert abs(first.std().item() - 0.02) < 0.002          # N(0, 0.02), not PyTorch's default initialisation


@pytest.mark.parametrize("build", [lambda: nets.DCGANGenerator(batchnorm="no"),
                                   lambda: nets.MLPGenerator(batchnorm="False"),
                                   lambda: nets.MLPDiscriminator(minibatch_std=1)],
                         ids=["DCGANGenerator.batchnorm", "MLPGenerator.batchnorm", "MLPDiscriminator.minibatch_std"])
def test_on_off_options_must_be_true_or_false(build):
    with pytest.raises(TypeError, match="must be True or False"):
        build()


def test_kl_divergence_refuses_a_density_that_does_not_integrate_to_one():
    with pytest.raises(ValueError, match="p integrates to 2 on the grid, not 1"):
        theory.kl_divergence(2 * P, P, X)
    assert theory.kl_divergence(P, P, X) == 0.0


def test_unrolled_parameters_leave_the_batchnorm_statistics_of_d_unchanged():
    generator = nets.MLPGenerator(z_dim=2, hidden=(4,), out_shape=(1,), out_activation=None)
    discriminator = nn.Sequential(nn.Linear(1, 4), nn.BatchNorm1d(4), nn.LeakyReLU(0.2), nn.Linear(4, 1))
    before = {name: b.clone() for name, b in discriminator.named_buffers()}
    future = train.unrolled_parameters(generator, discriminator, [torch.randn(8, 1) + 3, torch.randn(8, 1) + 3],
                                       torch.randn(8, 2), lr=0.1)
    for name, buffer in discriminator.named_buffers():
        assert torch.equal(buffer, before[name]), name
    assert not torch.equal(future["0.weight"], discriminator[0].weight)     # the unrolled copy did move


def image_models():
    generator, discriminator = nets.DCGANGenerator(z_dim=4, width=4), nets.DCGANDiscriminator(width=4)
    return generator, discriminator, torch.optim.Adam(generator.parameters()), torch.optim.Adam(discriminator.parameters())


def test_train_warns_once_when_real_images_lie_in_unit_range_for_a_tanh_generator():
    generator, discriminator, g_opt, d_opt = image_models()
    unit_range = torch.rand(4, 1, 28, 28)                    # what ToTensor() alone gives
    unit_range[0, 0, 0, :2] = torch.tensor([0.0, 1.0])
    with pytest.warns(UserWarning, match=r"real images lie in \[0, 1\] \(min 0\.00, max 1\.00\).*Tanh.*Normalize") as caught:
        train.train(generator, discriminator, itertools.repeat(unit_range), 2, g_opt, d_opt, progress=False)
    assert len([w for w in caught if "real images" in str(w.message)]) == 1     # the first batch only


def test_train_does_not_warn_on_images_in_the_tanh_range_or_on_toy_data_in_unit_range():
    generator, discriminator, g_opt, d_opt = image_models()
    toy_g = nets.MLPGenerator(z_dim=2, hidden=(8,), out_shape=(2,))               # Tanh output
    toy_d = nets.MLPDiscriminator(in_shape=(2,), hidden=(8,))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        train.train(generator, discriminator, itertools.repeat(torch.rand(4, 1, 28, 28) * 2 - 1), 2, g_opt, d_opt,
                    progress=False)
        train.train(toy_g, toy_d, itertools.repeat(torch.rand(8, 2)), 2, torch.optim.Adam(toy_g.parameters()),
                    torch.optim.Adam(toy_d.parameters()), progress=False)


def test_seed_everything_accepts_numpy_integers_and_states_its_range():
    utils.seed_everything(np.int64(42))
    drawn = random.random()
    random.seed(42)
    assert drawn == random.random()
    with pytest.raises(ValueError, match=r"0 \.\. 2\*\*63 - 1, got 9223372036854775808"):
        utils.seed_everything(2**63)


@pytest.mark.parametrize("kind", ["logits", "probabilities"])
def test_inception_score_of_no_samples_says_they_are_empty(kind):
    with pytest.raises(ValueError, match=r"scores are empty \(shape \(0, 10\)\)"):
        metrics.inception_score(np.zeros((0, 10)), kind=kind)


@pytest.mark.parametrize("call, match", [
    (lambda: nets.DCGANDiscriminator(4)(torch.zeros(2, 1, 28, 28, dtype=torch.uint8)),
     r"expected float32 images in \[-1, 1\] .*got uint8: convert uint8 pixels with x.float\(\) / 127.5 - 1"),
    (lambda: nets.DCGANDiscriminator(4)(torch.zeros(2, 1, 28, 28, dtype=torch.float64)),
     r"got float64: convert with x.to\(torch.float32\) \(or convert the network with .to\(torch.float64\)\)"),
    (lambda: nets.MLPDiscriminator()(torch.zeros(2, 1, 28, 28, dtype=torch.float16)), "images .*got float16"),
    (lambda: nets.MLPDiscriminator(in_shape=(2,))(torch.zeros(2, 2, dtype=torch.float64)), "float32 samples"),
    (lambda: nets.DCGANGenerator(4, 4)(torch.zeros(2, 4, dtype=torch.float64)), r"float32 noise.*torch.randn"),
    (lambda: nets.MLPGenerator(z_dim=4, hidden=(4,))(torch.zeros(2, 4, dtype=torch.long)), "float32 noise.*got int64"),
    (lambda: nets.ResidualDiscriminator(8)(torch.zeros(2, 1, 28, 28, dtype=torch.uint8)), "got uint8"),
    (lambda: nets.ResidualGenerator(4, 8)(torch.zeros(2, 4, dtype=torch.float64)), "got float64"),
    (lambda: nets.ConditionalDCGANGenerator(4, 4, 3)(torch.zeros(2, 4, dtype=torch.float64), torch.tensor([0, 1])),
     "got float64"),
    (lambda: nets.LabelChannelDiscriminator(4, 3)(torch.zeros(2, 1, 28, 28, dtype=torch.uint8), torch.tensor([0, 1])),
     "got uint8"),
    (lambda: nets.ProjectionDiscriminator(4, 3)(torch.zeros(2, 1, 28, 28, dtype=torch.float64), torch.tensor([0, 1])),
     "got float64"),
], ids=["uint8 images", "float64 images", "float16 MLP", "float64 toy samples", "float64 noise", "int64 noise",
        "residual D", "residual G", "conditional G", "label-channel D", "projection D"])
def test_networks_name_the_dtype_they_expect(call, match):
    with pytest.raises(TypeError, match=match):
        call()


def test_networks_take_their_own_dtype_on_any_device_and_under_autocast():
    double = nets.DCGANDiscriminator(4).double()
    assert double(torch.zeros(2, 1, 28, 28, dtype=torch.float64)).dtype == torch.float64
    meta = nets.DCGANGenerator(4, 4).to("meta")
    assert meta(torch.zeros(2, 4, device="meta")).shape == (2, 1, 28, 28)
    with pytest.raises(TypeError, match="got float64"):
        meta(torch.zeros(2, 4, device="meta", dtype=torch.float64))
    discriminator = nets.DCGANDiscriminator(4)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        assert discriminator(torch.zeros(2, 1, 28, 28)).dtype == torch.bfloat16
        assert discriminator(torch.zeros(2, 1, 28, 28, dtype=torch.bfloat16)).dtype == torch.bfloat16


@pytest.mark.parametrize("dtype, match", [(torch.float64, r"expected float32 images .*got float64: convert with x.to"),
                                          (torch.uint8, r"got uint8: convert uint8 pixels with x.float\(\) / 127.5 - 1")])
def test_train_names_the_dtype_of_the_real_batches(dtype, match):
    generator, discriminator, g_opt, d_opt = image_models()
    with pytest.raises(TypeError, match=match):
        train.train(generator, discriminator, itertools.repeat(torch.zeros(4, 1, 28, 28, dtype=dtype)), 1, g_opt,
                    d_opt, progress=False)
