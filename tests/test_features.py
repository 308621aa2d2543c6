import pytest
import torch

from gantut import data, features


def test_classifier_shapes():
    model = features.MNISTClassifier().eval()
    images = torch.zeros(3, 1, 28, 28)
    assert model(images).shape == (3, 10) and model.embed(images).shape == (3, 128)


def test_shipped_classifier_is_accurate_on_held_out_digits():
    model = features.load_mnist_classifier()
    test = data.mnist("test", verbose=False)
    probabilities = features.classify(model, test.images)
    assert torch.allclose(probabilities.sum(1), torch.ones(len(test.labels)), atol=1e-5)
    accuracy = (probabilities.argmax(1) == test.labels).float().mean().item()
    assert accuracy > 0.95
    assert abs(accuracy - model.meta["test_accuracy"]) < 0.01 or len(test.labels) != model.meta["n_test"]


def test_classify_refuses_images_in_the_wrong_range_or_shape():
    model = features.MNISTClassifier()
    with pytest.raises(ValueError, match="\\[0, 1\\]"):
        features.classify(model, torch.rand(2, 1, 28, 28))
    with pytest.raises(ValueError, match="shape"):
        features.classify(model, -torch.ones(2, 1, 32, 32))


def test_confident_fraction():
    probabilities = torch.tensor([[1.0, 0.0], [0.5, 0.5], [0.95, 0.05]])
    assert features.confident_fraction(probabilities, 0.9) == pytest.approx(2 / 3)


def test_missing_weights_say_how_to_make_them(tmp_path):
    with pytest.raises(FileNotFoundError, match="train_mnist_classifier"):
        features.load_mnist_classifier(tmp_path / "none.pt")


def test_stacked_labels_read_each_channel_as_a_digit():
    model = features.load_mnist_classifier()
    test = data.mnist("test", verbose=False)
    stacked, modes = data.stacked_mnist(test.images, test.labels, 500, torch.Generator().manual_seed(0))
    predicted = features.stacked_labels(model, stacked)
    # three digits right with probability about 0.97 ** 3
    assert predicted.shape == (500,) and (predicted == modes).float().mean().item() > 0.88
    with pytest.raises(ValueError, match="3, 28, 28"):
        features.stacked_labels(model, test.images[:4])


def test_stacked_reading_confidence_is_the_least_sure_channel():
    model = features.load_mnist_classifier()
    test = data.mnist("test", verbose=False)
    stacked, _ = data.stacked_mnist(test.images, test.labels, 300, torch.Generator().manual_seed(1))
    modes, confidence = features.stacked_reading(model, stacked)
    per_channel = [features.classify(model, stacked[:, c:c + 1]).max(1) for c in range(3)]
    assert torch.equal(modes, 100 * per_channel[0].indices + 10 * per_channel[1].indices + per_channel[2].indices)
    assert torch.allclose(confidence, torch.stack([p.values for p in per_channel]).min(0).values)
    assert (confidence >= 0.9).float().mean() > 0.7                  # real digits are read confidently
    blurred = stacked.clone()
    blurred[:, 1] = stacked[:, 1].mean(0)                            # one channel the average of all digits
    assert (features.stacked_reading(model, blurred)[1] >= 0.9).float().mean() < 0.2


def test_inception_extractor_shapes_with_random_weights():
    torch.manual_seed(0)
    extractor = features.load_inception(weights=None)
    pool, logits = extractor(torch.rand(2, 1, 28, 28) * 2 - 1)      # grey digits: repeated and resized
    assert pool.shape == (2, 2048) and logits.shape == (2, 1000)
    pool, logits = extractor(torch.rand(2, 3, 32, 32) * 2 - 1)
    assert pool.shape == (2, 2048) and not extractor.training
    assert torch.allclose(extractor.fc(pool), logits)
    with pytest.raises(ValueError, match="\\[0, 1\\]"):
        extractor(torch.rand(2, 3, 32, 32))                            # [0, 1] images are refused


def test_inception_without_weights_says_where_to_get_them(tmp_path):
    with pytest.raises(FileNotFoundError, match="torchvision"):
        features.load_inception(tmp_path / "missing.pth")


def test_inception_offline_without_cached_weights_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("GANTUT_OFFLINE", "1")
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path))
    with pytest.raises(RuntimeError, match="GANTUT_OFFLINE"):
        features.load_inception("torchvision")


def test_classify_and_embed_run_on_the_classifiers_device_and_keep_the_images_device():
    model = features.MNISTClassifier().to("meta")
    images = torch.empty(5, 1, 28, 28, device="meta")
    assert features.classify(model, images, batch_size=2).device.type == "meta"
    assert features.embed(model, images).shape == (5, 128)
    cpu_model = features.MNISTClassifier()
    probabilities = features.classify(cpu_model, torch.zeros(3, 1, 28, 28, dtype=torch.float64))  # float64 accepted
    assert probabilities.device.type == "cpu" and probabilities.dtype == torch.float32


def test_confident_fraction_refuses_logits_and_bad_thresholds():
    logits = torch.tensor([[5.0, -1.0], [0.2, 0.1]])
    with pytest.raises(ValueError, match="not logits"):
        features.confident_fraction(logits)                       # was 1.0 without a word
    with pytest.raises(ValueError, match="threshold"):
        features.confident_fraction(torch.softmax(logits, 1), threshold=1.5)


def test_classify_accepts_half_and_double_images_and_white_batches_but_not_empty_ones():
    model = features.MNISTClassifier()
    white = torch.ones(2, 1, 28, 28)
    assert features.classify(model, white).shape == (2, 10)                     # a valid batch
    assert features.classify(model, white.half()).dtype == torch.float32
    with pytest.raises(ValueError, match="empty"):
        features.classify(model, torch.empty(0, 1, 28, 28))


def test_digit_scores_separate_real_digits_from_one_repeated_digit():
    model = features.load_mnist_classifier()
    test = data.mnist("test", verbose=False)
    reference = features.embed(model, test.images[:500])
    real = features.digit_scores(model, test.images[500:1000], reference)
    ones = test.images[test.labels == 1][:1].repeat(500, 1, 1, 1)   # collapse: one image, 500 times
    collapsed = features.digit_scores(model, ones, reference)
    assert real["shares"].sum() == pytest.approx(1.0) and (real["shares"] > 0.05).all()
    assert collapsed["shares"][1] == 1.0 and collapsed["confident"] == 1.0   # confidence rewards collapse ...
    assert collapsed["fid"] > 20 * real["fid"]                                 # ... FID does not
