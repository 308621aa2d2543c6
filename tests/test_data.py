import gzip
import shutil
import time

import numpy as np
import pytest
import torch

from gantut import data


@pytest.fixture
def offline(monkeypatch):
    """No IDX files under the data folder and a download that fails, as on a machine offline."""
    def failing_download(name, root):
        raise RuntimeError("Name or service not known")

    monkeypatch.delenv("GANTUT_OFFLINE", raising=False)
    monkeypatch.setattr(data, "_host_reachable", lambda *a, **k: True)
    monkeypatch.setattr(data, "_torchvision_download", failing_download)


def test_mnist_falls_back_to_the_shipped_subset_when_download_fails(offline, capsys):
    train = data.mnist("train")
    out = capsys.readouterr().out
    assert "subset shipped in mnist_5k.npz" in out
    assert "subset" in train.source
    assert train.images.shape == (4000, 1, 28, 28) and train.images.dtype == torch.float32
    assert train.images.min() == -1.0 and train.images.max() == 1.0
    assert train.labels.dtype == torch.int64
    assert torch.bincount(train.labels).tolist() == [400] * 10


def test_subset_split_is_disjoint_balanced_and_not_class_sorted(offline):
    train, test = data.mnist("train"), data.mnist("test")
    assert torch.bincount(test.labels).tolist() == [100] * 10
    flat_train = {tuple(x.flatten().tolist()) for x in train.images[:500]}
    assert not any(tuple(x.flatten().tolist()) in flat_train for x in test.images)
    assert (train.labels[1:] != train.labels[:-1]).float().mean() > 0.8  # shuffled, not sorted
    assert len(data.mnist("all").labels) == 5000


def test_mnist_reads_torchvision_files_under_the_data_folder_first(tmp_path, offline):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    images = np.random.default_rng(0).integers(0, 256, (6, 28, 28), dtype=np.uint8)
    labels = np.array([0, 1, 2, 3, 4, 5], dtype=np.uint8)
    header = lambda shape: bytes([0, 0, 8, len(shape)]) + b"".join(s.to_bytes(4, "big") for s in shape)
    (raw / "train-images-idx3-ubyte.gz").write_bytes(gzip.compress(header(images.shape) + images.tobytes()))
    (raw / "train-labels-idx1-ubyte").write_bytes(header(labels.shape) + labels.tobytes())
    result = data.mnist("train", root=tmp_path)
    assert "IDX files" in result.source
    expected = torch.as_tensor(images).float() / 127.5 - 1
    assert torch.allclose(result.images[:, 0], expected)
    assert result.labels.tolist() == labels.tolist()


def test_no_source_gives_an_error_naming_every_place(tmp_path, offline):
    with pytest.raises(FileNotFoundError) as error:
        data.mnist(root=tmp_path)
    message = str(error.value)
    assert "IDX files" in message and "download" in message and "mnist_5k.npz" in message


def write_idx(folder, prefix, images, labels, gz=True):
    """torchvision-style IDX files for (images uint8 (N, 28, 28), labels uint8 (N,)) in folder."""
    folder.mkdir(parents=True, exist_ok=True)
    header = lambda shape: bytes([0, 0, 8, len(shape)]) + b"".join(s.to_bytes(4, "big") for s in shape)
    image_bytes = header(images.shape) + images.tobytes()
    (folder / f"{prefix}-images-idx3-ubyte{'.gz' if gz else ''}").write_bytes(gzip.compress(image_bytes) if gz else image_bytes)
    (folder / f"{prefix}-labels-idx1-ubyte").write_bytes(header(labels.shape) + labels.tobytes())


def tiny_mnist(n=6, top_label=5):
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (n, 28, 28), dtype=np.uint8), (np.arange(n) % (top_label + 1)).astype(np.uint8)


def test_offline_means_the_shipped_subset_even_with_idx_files_around(tmp_path, monkeypatch):
    write_idx(tmp_path / "MNIST" / "raw", "train", *tiny_mnist())
    shutil.copy(data.DATA_DIR / "mnist_5k.npz", tmp_path / "mnist_5k.npz")
    monkeypatch.setattr(data, "_host_reachable", lambda *a, **k: pytest.fail("offline must not touch the network"))
    monkeypatch.setenv("GANTUT_OFFLINE", "1")
    assert "subset" in data.mnist("train", root=tmp_path).source
    monkeypatch.setenv("GANTUT_OFFLINE", "0")
    assert "IDX files" in data.mnist("train", root=tmp_path).source
    monkeypatch.setenv("GANTUT_OFFLINE", "1")
    with pytest.raises(FileNotFoundError, match="GANTUT_OFFLINE"):
        data.mnist(root=tmp_path / "elsewhere")


@pytest.mark.parametrize("damage", ["truncated gz", "short idx", "lengths differ", "label 12"])
def test_a_corrupt_or_inconsistent_file_is_named_and_the_subset_used(tmp_path, offline, capsys, damage):
    raw = tmp_path / "MNIST" / "raw"
    images, labels = tiny_mnist()
    if damage == "lengths differ":
        labels = labels[:4]
    if damage == "label 12":
        labels[2] = 12
    write_idx(raw, "train", images, labels)
    if damage == "truncated gz":
        blob = (raw / "train-images-idx3-ubyte.gz").read_bytes()
        (raw / "train-images-idx3-ubyte.gz").write_bytes(blob[: len(blob) // 2])
    if damage == "short idx":
        (raw / "train-images-idx3-ubyte.gz").unlink()
        write_idx(raw, "train", images, labels, gz=False)
        blob = (raw / "train-images-idx3-ubyte").read_bytes()
        (raw / "train-images-idx3-ubyte").write_bytes(blob[:-100])
    shutil.copy(data.DATA_DIR / "mnist_5k.npz", tmp_path / "mnist_5k.npz")
    result = data.mnist("train", root=tmp_path)
    out = capsys.readouterr().out
    assert "subset" in result.source and len(result.labels) == 4000
    assert "skipped" in out and "-ubyte" in out           # the file is named


def test_the_host_checked_is_the_host_downloaded_from(tmp_path, monkeypatch):
    monkeypatch.delenv("GANTUT_OFFLINE", raising=False)
    checked = []
    monkeypatch.setattr(data, "_host_reachable", lambda host, *a, **k: checked.append(host) or False)
    with pytest.raises(FileNotFoundError, match="not reachable"):
        data.fashion_mnist(root=tmp_path)
    with pytest.raises(FileNotFoundError):
        data.mnist(root=tmp_path)
    assert checked == ["fashion-mnist.s3-website.eu-central-1.amazonaws.com", "ossci-datasets.s3.amazonaws.com"]


def test_a_download_that_never_answers_is_abandoned_in_bounded_time(tmp_path, monkeypatch, capsys):
    import torchvision

    class Hanging:
        mirrors = torchvision.datasets.MNIST.mirrors

        def __init__(self, *args, **kwargs):
            time.sleep(30)

    monkeypatch.delenv("GANTUT_OFFLINE", raising=False)
    monkeypatch.setattr(data, "_host_reachable", lambda *a, **k: True)
    monkeypatch.setattr(data, "DOWNLOAD_SECONDS", 0.5)
    monkeypatch.setattr(torchvision.datasets, "MNIST", Hanging)
    shutil.copy(data.DATA_DIR / "mnist_5k.npz", tmp_path / "mnist_5k.npz")
    start = time.perf_counter()
    result = data.mnist("test", root=tmp_path)
    assert time.perf_counter() - start < 5 and "subset" in result.source
    assert "no answer within" in capsys.readouterr().out
    assert not (tmp_path / "MNIST").exists()          # nothing half-written left in place


def test_host_check_is_bounded_even_when_connecting_hangs(monkeypatch):
    monkeypatch.setattr(data.socket, "create_connection", lambda *a, **k: time.sleep(30))
    start = time.perf_counter()
    assert data._host_reachable("example.org", timeout=0.3) is False
    assert time.perf_counter() - start < 3


def test_bad_split_is_refused():
    with pytest.raises(ValueError, match="split"):
        data.mnist("validation")


def test_fashion_mnist_is_found_and_in_range(offline):
    result = data.fashion_mnist("test")
    assert result.images.shape[1:] == (1, 28, 28)
    assert result.images.min() >= -1 and result.images.max() <= 1
    assert set(result.labels.unique().tolist()) == set(range(10))


def test_to_unit_range_maps_0_and_255_to_minus_1_and_1():
    pixels = np.array([[[0, 255]]], dtype=np.uint8)
    assert data.to_unit_range(pixels).flatten().tolist() == [-1.0, 1.0]
    with pytest.raises(ValueError, match="uint8"):
        data.to_unit_range(pixels.astype(np.float32))


def test_batches_cover_an_epoch_without_repeats_and_are_seeded():
    images = torch.arange(10).float().view(10, 1)
    stream = data.batches(images, 3, rng=torch.Generator().manual_seed(0))
    epoch = torch.cat([next(stream) for _ in range(3)]).flatten()
    assert len(set(epoch.tolist())) == 9  # one partial batch dropped
    again = data.batches(images, 3, rng=torch.Generator().manual_seed(0))
    assert torch.equal(next(again).flatten(), epoch[:3])
    with pytest.raises(ValueError, match="batch_size"):
        next(data.batches(images, 11))


def test_batches_keep_labels_aligned():
    images = torch.arange(8).float().view(8, 1)
    x, y = next(data.batches(images, 4, labels=torch.arange(8)))
    assert torch.equal(x.flatten().long(), y)


def test_ring_has_distinct_evenly_spaced_modes():
    mixture = data.ring(8, radius=2.0)
    distances = np.linalg.norm(mixture.means[:, None] - mixture.means[None], axis=-1)
    np.fill_diagonal(distances, np.inf)
    assert np.allclose(distances.min(axis=1), 2 * 2.0 * np.sin(np.pi / 8))  # no duplicate centre
    assert np.allclose(np.linalg.norm(mixture.means, axis=1), 2.0)


def test_grid_has_25_modes_centred_at_zero():
    mixture = data.grid(5, spacing=2.0)
    assert mixture.n_modes == 25 and np.allclose(mixture.means.mean(0), 0)
    assert sorted(set(mixture.means[:, 0])) == [-4, -2, 0, 2, 4]


def test_mixture_samples_match_moments_and_density_integrates_to_one():
    mixture = data.mixture_1d([-2.0, 1.0], stds=[0.5, 1.0], weights=[0.3, 0.7])
    samples = mixture.sample(200_000, rng=torch.Generator().manual_seed(0)).double()
    assert samples.shape == (200_000, 1)
    assert abs(samples.mean().item() - (0.3 * -2 + 0.7 * 1)) < 0.01
    x = np.linspace(-10, 10, 20001)
    assert abs(np.trapezoid(mixture.pdf(x), x) - 1) < 1e-9
    # one component's density at its mean: w / (sqrt(2 pi) s) plus the other's tail
    expected = 0.3 / np.sqrt(2 * np.pi * 0.25) + 0.7 * np.exp(-4.5) / np.sqrt(2 * np.pi)
    assert np.isclose(mixture.pdf(np.array([-2.0]))[0], expected)


def test_mixture_sampling_is_seeded_and_2d_density_is_checked():
    mixture = data.ring()
    a = mixture.sample(10, torch.Generator().manual_seed(3))
    b = mixture.sample(10, torch.Generator().manual_seed(3))
    assert torch.equal(a, b)
    with pytest.raises(ValueError, match="shape"):
        mixture.pdf(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="sum to 1"):
        data.GaussianMixture(np.zeros((2, 1)), 1.0, [0.5, 0.6])


def test_stacked_mnist_puts_three_independent_digits_in_the_channels():
    # image i is the constant i / 100, so every channel says which digit it came from
    images = (torch.arange(100.0) / 100).view(100, 1, 1, 1).expand(100, 1, 28, 28)
    labels = torch.arange(100) % 10
    stacked, modes = data.stacked_mnist(images, labels, 2000, torch.Generator().manual_seed(0))
    assert stacked.shape == (2000, 3, 28, 28) and modes.dtype == torch.int64
    index = (stacked[:, :, 0, 0] * 100).round().long()                   # (2000, 3) source digits
    assert (stacked == stacked[:, :, :1, :1]).all()                       # each channel one whole digit
    assert torch.equal(modes, 100 * labels[index[:, 0]] + 10 * labels[index[:, 1]] + labels[index[:, 2]])
    assert len(torch.unique(modes)) > 850                                 # 1,000 modes, drawn independently
    assert (index[:, 0] != index[:, 1]).float().mean() > 0.95
    batch = next(data.stacked_batches(images, labels, 16))
    assert batch.shape == (16, 3, 28, 28)
    with pytest.raises(ValueError, match="single-channel"):
        data.stacked_mnist(stacked, modes, 4)


def test_mixtures_need_modes_and_batches_need_matching_labels():
    with pytest.raises(ValueError, match="at least one"):
        data.mixture_1d([], 0.5)
    with pytest.raises(ValueError, match="n_modes"):
        data.ring(0)
    with pytest.raises(ValueError, match="side"):
        data.grid(0)
    with pytest.raises(ValueError, match="n must be"):
        data.ring().sample(0)
    with pytest.raises(ValueError, match="labels must be"):
        next(data.batches(torch.zeros(10, 2), 5, labels=torch.zeros(9)))
    with pytest.raises(ValueError, match="batch_size"):
        next(data.batches(torch.zeros(10, 2), 2.5))


def test_check_images_converts_reasonable_input_and_names_the_problem():
    assert data.check_images(torch.ones(2, 1, 4, 4, dtype=torch.float64)).dtype == torch.float32
    assert data.check_images(torch.ones(2, 1, 4, 4)).shape == (2, 1, 4, 4)     # all white is an image
    with pytest.raises(ValueError, match="empty"):
        data.check_images(torch.empty(0, 1, 4, 4))
    with pytest.raises(ValueError, match="look like \\[0, 1\\]"):
        data.check_images(torch.rand(2, 1, 4, 4))


CHECKPOINT_BUDGET_BYTES = 25_000_000   # every shipped checkpoint together: 25 MB (decimal), so a clone stays small


def test_shipped_checkpoints_fit_the_budget_and_are_documented():
    from gantut import utils
    files = sorted(utils.CHECKPOINT_DIR.glob("*.pt"))
    assert len(files) > 10
    total = sum(f.stat().st_size for f in files)
    assert total <= CHECKPOINT_BUDGET_BYTES, (
        f"checkpoints total {total / 1e6:.2f} MB, over the {CHECKPOINT_BUDGET_BYTES / 1e6:.0f} MB budget: save with "
        "half=True or remove a file")
    readme = (utils.CHECKPOINT_DIR.parent / "README.md").read_text()
    undocumented = [f.name for f in files if f"`checkpoints/{f.name}`" not in readme]
    assert not undocumented, f"add a row to data/README.md for {undocumented} (what it is, how it was trained)"
