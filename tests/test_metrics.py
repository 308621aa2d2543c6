import numpy as np
import pytest
import torch
from scipy import linalg

from gantut import metrics


def test_commuting_covariances_match_the_closed_form():
    rng = np.random.default_rng(0)
    for d in (1, 8, 256, 2048):
        mu1, mu2 = rng.normal(size=d), rng.normal(size=d)
        v1, v2 = rng.uniform(0.1, 3, d), rng.uniform(0.1, 3, d)
        closed = np.sum((mu1 - mu2) ** 2) + np.sum((np.sqrt(v1) - np.sqrt(v2)) ** 2)
        value = metrics.frechet_distance(mu1, np.diag(v1), mu2, np.diag(v2))
        assert value == pytest.approx(closed, rel=1e-9)


def test_general_covariances_agree_with_scipy_sqrtm_and_are_symmetric():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(20, 20)), rng.normal(size=(20, 20))
    s1, s2 = a @ a.T + np.eye(20), b @ b.T + np.eye(20)
    mu1, mu2 = rng.normal(size=20), rng.normal(size=20)
    reference = np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * np.trace(linalg.sqrtm(s1 @ s2)).real
    value = metrics.frechet_distance(mu1, s1, mu2, s2)
    assert value == pytest.approx(reference, rel=1e-8)
    assert value == pytest.approx(metrics.frechet_distance(mu2, s2, mu1, s1), rel=1e-10)


def test_fid_of_a_set_with_itself_is_zero():
    features = np.random.default_rng(2).normal(size=(500, 16))
    assert metrics.fid(features, features) == pytest.approx(0, abs=1e-8)


def test_statistics_are_accurate_with_a_large_common_offset():
    rng = np.random.default_rng(3)
    features = rng.normal(size=(2000, 4)).astype(np.float32) + 1e4
    _, covariance = metrics.feature_statistics(features)
    assert np.allclose(np.diag(covariance), 1, atol=0.1)


def test_too_few_samples_and_bad_input_are_refused():
    with pytest.raises(ValueError, match="more samples than feature dimensions"):
        metrics.fid(np.zeros((10, 16)), np.zeros((10, 16)))
    with pytest.raises(ValueError, match="mismatched"):
        metrics.frechet_distance(np.zeros(2), np.eye(2), np.zeros(3), np.eye(3))
    with pytest.raises(ValueError, match="NaN"):
        metrics.feature_statistics(np.full((20, 2), np.nan))


# ----------------------------------------------------------------------------- mode coverage

def _ring_samples(modes, n_per_mode, std=0.02, seed=0):
    from gantut import data
    ring = data.ring()
    rng = np.random.default_rng(seed)
    points = [ring.means[k] + rng.normal(0, std, (n_per_mode, 2)) for k in modes]
    return ring, np.concatenate(points)


def test_mode_coverage_on_samples_with_known_answers():
    ring, all_modes = _ring_samples(range(8), 300)
    result = metrics.mode_coverage(all_modes, ring)
    assert result["modes"] == 8 and result["high_quality"] > 0.99 and result["kl"] < 1e-3
    _, half = _ring_samples(range(0, 8, 2), 600)
    result = metrics.mode_coverage(half, ring)
    assert result["modes"] == 4 and np.isclose(result["kl"], np.log(2), atol=1e-3)  # KL(uniform on 4 || uniform on 8)
    _, one = _ring_samples([3], 2400)
    result = metrics.mode_coverage(one, ring)
    assert result["modes"] == 1 and np.isclose(result["kl"], np.log(8), atol=1e-3) and result["counts"][3] > 2000
    noise = np.random.default_rng(1).uniform(-3, 3, (2400, 2))
    result = metrics.mode_coverage(noise, ring)
    assert result["modes"] == 0 and result["high_quality"] < 0.01


def test_favourite_mode_share_tells_collapse_from_blur():
    ring, one = _ring_samples([3], 2400)
    assert metrics.mode_coverage(one, ring)["favourite_share"] == 1.0                  # collapse
    blurred = np.concatenate([_ring_samples(range(8), 300)[1], one[:800]])             # 2,400 + 800 on mode 3
    blurred = blurred + np.random.default_rng(2).normal(0, 0.5, blurred.shape)          # far outside every mode
    result = metrics.mode_coverage(blurred, ring)
    assert result["modes"] == 0 and abs(result["favourite_share"] - 1100 / 3200) < 0.05  # blur: no mode, no collapse


def test_far_share_tells_divergence_from_collapse():
    ring, one = _ring_samples([3], 2400)
    near = metrics.mode_coverage(one + 0.5, ring)                  # a clump beside mode 3: collapsed, not gone
    assert near["far_share"] == 0.0 and near["favourite_share"] == 1.0
    gone = metrics.mode_coverage(one + np.array([8.7, -46.7]), ring)   # the same clump run off far from the data
    assert gone["far_share"] == 1.0 and gone["favourite_share"] == 1.0   # one nearest centre, yet no collapse
    spacing = np.linalg.norm(ring.means[0] - ring.means[1])        # neighbouring modes of the ring: 2 sin(pi/8) * 2
    edge = ring.means[3] * (1 + np.array([[0.9], [1.1]]) * spacing / np.linalg.norm(ring.means[3]))
    assert metrics.mode_coverage(np.repeat(edge, 8, axis=0), ring)["far_share"] == 0.5


def test_mode_coverage_checks_its_input():
    from gantut import data
    with pytest.raises(ValueError, match="shape"):
        metrics.mode_coverage(np.zeros((100, 3)), data.ring())
    with pytest.raises(ValueError, match="NaN"):
        metrics.mode_coverage(np.full((100, 2), np.nan), data.ring())


def test_class_coverage_counts_and_kl():
    one_hot = torch.eye(10)[torch.tensor([0, 1, 2, 3, 4] * 20)]
    result = metrics.class_coverage(one_hot)
    assert result["classes"] == 5 and np.isclose(result["kl"], np.log(2), atol=1e-6)
    with pytest.raises(ValueError, match="softmax"):
        metrics.class_coverage(torch.randn(10, 10))


def test_label_coverage_thresholds_and_the_pacgan_count():
    labels = np.array([0] * 500 + [1] * 499 + [2])          # 1,000 samples over 4 classes, class 3 missing
    strict = metrics.label_coverage(labels, 4)               # fair share 250, so at least 50 samples
    assert strict["classes"] == 2 and list(strict["counts"]) == [500, 499, 1, 0]
    assert metrics.label_coverage(labels, 4, min_share=0)["classes"] == 3   # at least one sample
    assert np.isclose(metrics.label_coverage(np.arange(1000) % 4, 4)["kl"], 0, atol=1e-9)
    with pytest.raises(ValueError, match="0..3"):
        metrics.label_coverage(np.array([0, 4]), 4)


# ----------------------------------------------------------------------------- FID, KID and IS (chapter 7)

def test_fid_refuses_mismatched_sizes_and_nan():
    with pytest.raises(ValueError, match="different sizes"):
        metrics.fid(np.zeros((50, 4)), np.zeros((50, 5)))
    bad = np.random.default_rng(0).normal(size=(50, 4))
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        metrics.fid(bad, bad)


def test_fid_agrees_with_pytorch_fid_on_random_features():
    fid_score = pytest.importorskip("pytorch_fid.fid_score")
    rng = np.random.default_rng(2)
    real = rng.normal(size=(600, 64))
    fake = rng.normal(size=(500, 64)) @ rng.normal(size=(64, 64)) * 0.3 + 0.5
    reference = fid_score.calculate_frechet_distance(*metrics.feature_statistics(real), *metrics.feature_statistics(fake))
    assert metrics.fid(real, fake) == pytest.approx(reference, rel=1e-6)


class _Features(torch.nn.Module):
    """A "feature extractor" that returns its input, so torchmetrics scores given features (N, d).

    torchmetrics probes a custom extractor with a dummy image batch to learn d; answer with zeros.
    """

    def __init__(self, d: int):
        super().__init__()
        self.d = d

    def forward(self, x):
        return torch.zeros(len(x), self.d, dtype=torch.float64) if x.dim() == 4 else x


def test_fid_kid_and_is_agree_with_torchmetrics_on_the_same_features():
    pytest.importorskip("torchmetrics")
    from torchmetrics.image.fid import FrechetInceptionDistance
    from torchmetrics.image.inception import InceptionScore
    from torchmetrics.image.kid import KernelInceptionDistance
    rng = np.random.default_rng(3)
    real = torch.tensor(rng.normal(size=(400, 32)))
    fake = torch.tensor(rng.normal(size=(300, 32)) * 1.2 + 0.2)
    reference = FrechetInceptionDistance(feature=_Features(32))
    reference.set_dtype(torch.float64)
    reference.update(real, real=True)
    reference.update(fake, real=False)
    assert metrics.fid(real, fake) == pytest.approx(reference.compute().item(), rel=1e-6)
    # one subset of all samples: no randomness on either side
    kid_reference = KernelInceptionDistance(feature=_Features(32), subsets=1, subset_size=300)
    kid_reference.update(real[:300], real=True)
    kid_reference.update(fake, real=False)
    assert metrics.kid(real[:300], fake)[0] == pytest.approx(kid_reference.compute()[0].item(), rel=1e-5)
    logits = torch.tensor(rng.normal(size=(1000, 10)) * 3)
    is_reference = InceptionScore(feature=_Features(10), splits=1)
    is_reference.update(logits)
    assert metrics.inception_score(logits, splits=1, kind="logits")[0] == pytest.approx(is_reference.compute()[0].item(), rel=1e-5)


def test_kid_is_near_zero_for_one_distribution_and_grows_with_a_shift():
    rng = np.random.default_rng(4)
    a, b = rng.normal(size=(500, 16)), rng.normal(size=(500, 16))
    same, _ = metrics.kid(a, b, subsets=20, subset_size=200)
    shifted, _ = metrics.kid(a, b + 0.5, subsets=20, subset_size=200)
    assert abs(same) < 0.01 and shifted > 0.1
    # unbiased: the mean over many independent pairs of samples of one distribution is about 0
    pairs = [metrics.kid(rng.normal(size=(50, 4)), rng.normal(size=(50, 4)), subsets=1)[0] for _ in range(200)]
    assert abs(np.mean(pairs)) < 3 * np.std(pairs) / np.sqrt(len(pairs))
    with pytest.raises(ValueError, match="at least 2"):
        metrics.kid(a[:1], b)


def test_inception_score_extremes_and_errors():
    balanced = np.eye(10)[np.arange(2000) % 10]
    assert metrics.inception_score(balanced, kind="probabilities")[0] == pytest.approx(10, rel=1e-9)
    collapsed = np.eye(10)[np.zeros(2000, dtype=int)]
    assert metrics.inception_score(collapsed, kind="probabilities")[0] == pytest.approx(1, rel=1e-9)
    uniform = np.full((2000, 10), 0.1)
    assert metrics.inception_score(uniform, kind="probabilities")[0] == pytest.approx(1, rel=1e-9)
    # logits give the same answer as their softmax, in float64 even for huge logits
    logits = np.random.default_rng(5).normal(size=(2000, 10)) * 40
    probabilities = torch.softmax(torch.tensor(logits), 1).numpy()
    assert metrics.inception_score(logits, kind="logits")[0] == pytest.approx(
        metrics.inception_score(probabilities, kind="probabilities")[0], rel=1e-6)
    # class-sorted samples: each split sees one class, so the score collapses to 1
    assert metrics.inception_score(np.eye(10)[np.sort(np.arange(2000) % 10)], kind="probabilities")[0] == pytest.approx(1)
    with pytest.raises(ValueError, match="sum"):
        metrics.inception_score(np.ones((200, 10)), kind="probabilities")
    with pytest.raises(ValueError, match="splits"):
        metrics.inception_score(balanced[:50], splits=10, kind="probabilities")


def test_metrics_refuse_meta_tensors_with_a_clear_message():
    meta = torch.empty(50, 4, device="meta")
    with pytest.raises(ValueError, match="meta device"):
        metrics.fid(meta, meta)
    with pytest.raises(ValueError, match="meta device"):
        metrics.kid(meta, meta)
    with pytest.raises(ValueError, match="meta device"):
        metrics.class_coverage(torch.empty(50, 10, device="meta"))


def test_class_coverage_counts_each_samples_most_likely_class():
    probabilities = torch.full((20, 10), 0.1, dtype=torch.float64)       # float64 is accepted as it is
    probabilities[:, 4] = 0.01
    probabilities[:15, 3], probabilities[15:, 7] = 0.19, 0.19            # 15 samples read as 3, 5 as 7
    coverage = metrics.class_coverage(probabilities)
    assert coverage["counts"][3] == 15 and coverage["counts"][7] == 5 and sum(coverage["counts"]) == 20


def test_inception_score_needs_to_be_told_logits_or_probabilities():
    probabilities = np.eye(10)[np.arange(200) % 10]
    with pytest.raises(TypeError, match="kind"):
        metrics.inception_score(probabilities)                      # no default: the two are easy to confuse
    with pytest.raises(ValueError, match="look like probabilities"):
        metrics.inception_score(probabilities, kind="logits")       # was a silent 1.08 for a perfect generator
    with pytest.raises(ValueError, match="kind must be"):
        metrics.inception_score(probabilities, kind="probs")


def test_kid_refuses_bad_subset_counts_and_takes_any_seeded_rng():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(300, 8)), rng.normal(size=(300, 8)) + 0.3
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="subsets"):
            metrics.kid(a, b, subsets=bad, subset_size=100)
    with pytest.raises(ValueError, match="subset_size"):
        metrics.kid(a, b, subsets=3, subset_size=1)
    by_torch = [metrics.kid(a, b, 5, 100, rng=torch.Generator().manual_seed(3)) for _ in range(2)]
    assert by_torch[0] == by_torch[1] and np.isfinite(by_torch[0]).all()
    assert metrics.kid(a, b, 5, 100, rng=7) == metrics.kid(a, b, 5, 100, rng=np.random.default_rng(7))
    with pytest.raises(TypeError, match="rng must be"):
        metrics.kid(a, b, 5, 100, rng="seven")


def test_trace_sqrt_product_matches_scipy_sqrtm_and_covers_singular_covariances():
    rng = np.random.default_rng(1)
    for n, d in ((500, 40), (30, 40)):            # full rank, then rank-deficient sigma1 (Cholesky fails)
        x, y = rng.normal(size=(n, d)), rng.normal(size=(n, d)) @ rng.normal(size=(d, d)) / 5
        s1, s2 = np.cov(x, rowvar=False), np.cov(y, rowvar=False)
        expected = np.trace(linalg.sqrtm(s1 @ s2)).real
        assert metrics.trace_sqrt_product(s1, s2) == pytest.approx(expected, rel=1e-8)
    with pytest.raises(ValueError, match="NaN or inf"):
        metrics.frechet_distance(np.zeros(2), np.full((2, 2), np.nan), np.zeros(2), np.eye(2))


def test_precision_recall_match_a_hand_count_and_separate_quality_from_coverage():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(300, 2))
    # Hand count with the definition written out (k = 3): balls from the 3rd nearest other point.
    def hand(a, b):
        radius = [sorted(np.linalg.norm(a - x, axis=1))[3] for x in a]
        return np.mean([any(np.linalg.norm(y - x) <= r for x, r in zip(a, radius)) for y in b])
    fake = rng.normal(size=(200, 2)) * 0.5 + [1.0, 0.0]
    result = metrics.precision_recall(real, fake)
    assert result["precision"] == pytest.approx(hand(real, fake))
    assert result["recall"] == pytest.approx(hand(fake, real))
    # A generator that covers only one half of the data: high precision, about half the recall.
    half = real[real[:, 0] > 0][:100] + rng.normal(scale=0.01, size=(100, 2))
    covered = metrics.precision_recall(real, half)
    assert covered["precision"] > 0.9 and covered["recall"] < 0.6
    # Samples far from the data: precision 0, recall 0.
    far = metrics.precision_recall(real, rng.normal(size=(200, 2)) + 50)
    assert far == {"precision": 0.0, "recall": 0.0}
    with pytest.raises(ValueError, match="more than k"):
        metrics.precision_recall(real[:3], fake)


def test_nearest_neighbour_distances_find_copies_and_skip_self():
    rng = np.random.default_rng(1)
    train = rng.normal(size=(50, 5))
    copies = train[:10].copy()
    assert np.allclose(metrics.nearest_neighbour_distances(copies, train), 0, atol=1e-6)
    brute = np.array([np.sort(np.linalg.norm(train - x, axis=1))[1] for x in train])
    assert np.allclose(metrics.nearest_neighbour_distances(train, train, exclude_self=True), brute)
    with pytest.raises(ValueError, match="same set"):
        metrics.nearest_neighbour_distances(copies, train, exclude_self=True)


def test_stacked_mnist_coverage_counts_all_and_confident_modes():
    modes = torch.tensor([0, 0, 1, 999, 5, 5])
    confidence = torch.tensor([0.95, 0.2, 0.91, 0.5, 0.99, 0.9])
    result = metrics.stacked_mnist_coverage(modes, confidence)
    assert result["classes"] == 4 and result["confident"] == pytest.approx(4 / 6)
    assert result["confident_modes"] == 3                        # 0, 1 and 5; 999 only from an unsure reading
    assert result["kl"] == pytest.approx(metrics.label_coverage(modes, 1000, min_share=0)["kl"])
    assert metrics.stacked_mnist_coverage(modes, torch.zeros(6))["confident_modes"] == 0
    with pytest.raises(ValueError, match="stacked_reading"):
        metrics.stacked_mnist_coverage(modes, confidence[:3])


def test_ahead_reads_the_direction_of_each_metric_and_the_margin():
    board = {"a": {"FID": (20.0, 2.0), "precision": (0.60, 0.01)},
             "b": {"FID": (30.0, 2.0), "precision": (0.50, 0.01)}}
    # FID: lower is better; gain 10 against summed spreads 4
    assert metrics.ahead(board, "a", "b") and not metrics.ahead(board, "b", "a")
    assert metrics.ahead(board, "a", "b", by=2.4) and not metrics.ahead(board, "a", "b", by=2.5)
    # precision: higher is better; gain 0.10 against summed spreads 0.02
    assert metrics.ahead(board, "a", "b", "precision", by=4.9) and not metrics.ahead(board, "b", "a", "precision", by=0)
    with pytest.raises(KeyError, match="not on the board"):
        metrics.ahead(board, "a", "c")
    with pytest.raises(KeyError, match="no 'KID' score"):
        metrics.ahead(board, "a", "b", "KID")
    with pytest.raises(ValueError, match=">= 0"):
        metrics.ahead(board, "a", "b", by=-1)
