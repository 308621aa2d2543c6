"""Data for the book: MNIST and Fashion-MNIST with an offline fallback, and toy mixtures.

Images come back as float32 tensors (N, 1, 28, 28) in [-1, 1] (the range of a Tanh
generator) with int64 labels (N,). Each loader looks, in order, for

1. torchvision's raw files under data/downloads/ (data/downloads/MNIST/raw, ...; git-ignored);
2. (Fashion-MNIST) Debian's dataset-fashion-mnist in /usr/share/datasets/fashion-mnist;
3. torchvision's download from its first mirror, when that host answers within 5 s, bounded
   to 5 minutes in all (name resolution and transfer included);
4. the small balanced subset that ships in data/ (5,000 digits / garments, 500 a class),

and prints which source it used. A corrupt or inconsistent file is named and skipped. With
GANTUT_OFFLINE=1 (gantut.utils.offline) only the shipped subset is used, whatever else is there.

MNIST: LeCun, Cortes and Burges, CC BY-SA 3.0. Fashion-MNIST: Xiao, Rasul and Vollgraf
(2017), MIT licence. Provenance of the shipped subsets: data/README.md.
"""
from __future__ import annotations

import gzip
import math
import shutil
import socket
import tempfile
import urllib.parse
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, NamedTuple

import numpy as np
import torch

from . import utils
from .utils import DATA_DIR, is_whole, within

DEBIAN_FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")
SPLITS = ("train", "test", "all")
FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")


class ImageSet(NamedTuple):
    """images: (N, 1, 28, 28) float32 in [-1, 1]; labels: (N,) int64; source: where it came from."""

    images: torch.Tensor
    labels: torch.Tensor
    source: str


# ----------------------------------------------------------------------------- images

def check_images(images, value_range: tuple[float, float] = (-1.0, 1.0),
                 refuse_unit_range: bool = True, channels: tuple[int, ...] | None = (1, 3)) -> torch.Tensor:
    """Validate a batch of images (N, C, H, W) with C in {1, 3} and values in value_range.

    Returns the images as a floating-point tensor (float16 and float64 become float32; arrays
    become tensors), on their device. Images in [0, 1] passed where [-1, 1] is expected (min >= 0
    and some pixel above 0) are refused unless refuse_unit_range=False: that is the classic mistake
    of loading with ToTensor() alone and forgetting Normalize((0.5,), (0.5,)). A batch that is
    entirely one value (all white, all black) is a valid batch. Tensors on the meta device have
    no values: only their shape is checked. channels: the channel counts allowed (None: any).
    """
    if not isinstance(images, torch.Tensor):
        try:
            images = torch.as_tensor(np.asarray(images))
        except (TypeError, ValueError) as error:
            raise TypeError(f"images must be a tensor (N, C, H, W), got {type(images).__name__}") from error
    if images.dim() == 3:
        raise ValueError(f"images must have shape (N, C, H, W), got {tuple(images.shape)}; "
                         "add the channel axis with images.unsqueeze(1)")
    if images.dim() != 4 or (channels is not None and images.shape[1] not in channels):
        allowed = "" if channels is None else " with C = " + " or ".join(map(str, channels))
        raise ValueError(f"images must have shape (N, C, H, W){allowed}, got {tuple(images.shape)}")
    if len(images) == 0:
        raise ValueError(f"the batch of images is empty (shape {tuple(images.shape)}): pass at least one image")
    if not images.dtype.is_floating_point:
        raise ValueError(f"images must be floating point in {value_range}, got dtype {images.dtype}; "
                         "convert uint8 pixels with gantut.data.to_unit_range")
    if images.dtype != torch.float32:
        images = images.float()
    lo, hi = value_range
    if not (np.isfinite([lo, hi]).all() and lo < hi):
        raise ValueError(f"value_range must be two finite numbers lo < hi, got {value_range}")
    if images.numel() == 0:
        raise ValueError(f"the images are empty (shape {tuple(images.shape)}): each needs at least one pixel")
    if images.device.type == "meta":
        return images
    low, high = torch.aminmax(images)
    low, high = low.item(), high.item()
    tol = 1e-4 * (hi - lo)
    if not np.isfinite([low, high]).all():
        raise ValueError("images contain NaN or inf")
    if low < lo - tol or high > hi + tol:
        raise ValueError(f"images must be in [{lo:g}, {hi:g}] (got min {low:.3g}, max {high:.3g}); "
                         "pass value_range= if they use another range")
    if refuse_unit_range and (lo, hi) == (-1.0, 1.0) and low >= 0 and high > low:
        raise ValueError(f"images must be in [-1, 1] but look like [0, 1] images (min {low:.3g}, max {high:.3g}); "
                         "did you forget Normalize((0.5,), (0.5,)) or x * 2 - 1? "
                         "If they really are in [0, 1], pass value_range=(0, 1)")
    return images


def to_unit_range(pixels: np.ndarray | torch.Tensor) -> torch.Tensor:
    """uint8 pixels (N, 28, 28) in {0..255} -> float32 (N, 1, 28, 28) in [-1, 1]."""
    pixels = torch.as_tensor(np.asarray(pixels))
    if pixels.dtype != torch.uint8:
        raise ValueError(f"expected uint8 pixels in 0..255, got dtype {pixels.dtype}")
    if pixels.dim() != 3:
        raise ValueError(f"expected pixels of shape (N, H, W), got {tuple(pixels.shape)}")
    return (pixels.float() / 127.5 - 1.0).unsqueeze(1)


def read_idx(path: str | Path) -> np.ndarray:
    """Read an IDX file (the MNIST format), gzipped or not, into a NumPy array.

    A truncated or corrupt file gives a ValueError that names it.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
        if path.suffix == ".gz":
            raw = gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as error:
        raise ValueError(f"{path} cannot be read ({type(error).__name__}: {error}); delete it or download it again") \
            from error
    if len(raw) < 4 or raw[:2] != b"\x00\x00" or raw[2] != 0x08:
        raise ValueError(f"{path} is not an IDX file of unsigned bytes")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{path} is truncated: its header is cut off")
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    if len(raw) - header != math.prod(shape):
        raise ValueError(f"{path} is truncated or corrupt: its header says {shape} ({math.prod(shape):,} bytes), "
                         f"it holds {len(raw) - header:,}; delete it or download it again")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def _find_idx(folder: Path, stem: str) -> Path | None:
    for name in (stem, stem + ".gz"):
        if (folder / name).exists():
            return folder / name
    return None


def _load_idx_folder(folder: Path, split: str) -> tuple[np.ndarray, np.ndarray] | None:
    """(images uint8 (N, 28, 28), labels uint8 (N,)) from the four IDX files, or None if absent.

    Files that are there but unreadable or inconsistent give a ValueError naming the file.
    """
    parts = {"train": ["train"], "test": ["t10k"], "all": ["train", "t10k"]}[split]
    images, labels = [], []
    for prefix in parts:
        image_file = _find_idx(folder, f"{prefix}-images-idx3-ubyte")
        label_file = _find_idx(folder, f"{prefix}-labels-idx1-ubyte")
        if image_file is None or label_file is None:
            return None
        image_array, label_array = read_idx(image_file), read_idx(label_file)
        if image_array.ndim != 3 or image_array.shape[1:] != (28, 28):
            raise ValueError(f"{image_file} holds images of shape {image_array.shape}, not (N, 28, 28)")
        if label_array.ndim != 1 or len(label_array) != len(image_array):
            raise ValueError(f"{label_file} holds {label_array.shape} labels for the {len(image_array):,} images "
                             f"of {image_file.name}: the two files do not belong together")
        if label_array.size and label_array.max() > 9:
            raise ValueError(f"{label_file} has labels up to {label_array.max()}; the classes are 0..9")
        images.append(image_array)
        labels.append(label_array)
    return np.concatenate(images), np.concatenate(labels)


DOWNLOAD_DIR = DATA_DIR / "downloads"   # git-ignored: downloads never change what the repository ships
CONNECT_SECONDS, DOWNLOAD_SECONDS = 5.0, 300.0


def _host_reachable(host: str, timeout: float = CONNECT_SECONDS, port: int = 443) -> bool:
    """Whether host answers on port within timeout, name resolution included."""
    def connect():
        with socket.create_connection((host, port), timeout=timeout):
            pass

    return within(connect, timeout) is None


def _torchvision_download(name: str, root: Path) -> None:
    """Download with torchvision into root/<name>/raw, within DOWNLOAD_SECONDS (raises otherwise).

    The files land in a temporary folder first and are moved into place only when complete,
    so an interrupted download leaves nothing half-written behind.
    """
    import torchvision

    dataset_class = {"MNIST": torchvision.datasets.MNIST, "FashionMNIST": torchvision.datasets.FashionMNIST}[name]
    staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=root))

    def download():
        previous = socket.getdefaulttimeout()
        socket.setdefaulttimeout(CONNECT_SECONDS * 6)   # each read of the transfer, not only the connection
        try:
            for train in (True, False):
                dataset_class(str(staging), train=train, download=True)
        finally:
            socket.setdefaulttimeout(previous)

    problem = within(download, DOWNLOAD_SECONDS)
    if problem is not None and problem.startswith("no answer"):
        # the abandoned thread may still write into its own staging folder: leave that folder to it
        raise RuntimeError(f"torchvision's download of {name}: {problem}")
    try:
        if problem is not None:
            raise RuntimeError(f"torchvision's download of {name}: {problem}")
        target = root / name / "raw"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(target, ignore_errors=True)
        shutil.move(str(staging / name / "raw"), str(target))
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _mirror_host(name: str) -> tuple[str, int]:
    """The host and port torchvision downloads `name` from first (the ones to check before downloading)."""
    import torchvision

    dataset_class = {"MNIST": torchvision.datasets.MNIST, "FashionMNIST": torchvision.datasets.FashionMNIST}[name]
    url = urllib.parse.urlparse(dataset_class.mirrors[0])
    return url.hostname, url.port or {"http": 80, "https": 443}[url.scheme]


def _subset_split(images: np.ndarray, labels: np.ndarray, split: str) -> tuple[np.ndarray, np.ndarray]:
    """A fixed split of a shipped subset: every fifth image of each class is held out (test).

    The result is in a fixed shuffled order, never sorted by class.
    """
    rank_in_class = np.zeros(len(labels), dtype=np.int64)
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        rank_in_class[idx] = np.arange(len(idx))
    held_out = rank_in_class % 5 == 4
    keep = {"train": ~held_out, "test": held_out, "all": np.ones_like(held_out)}[split]
    order = np.random.default_rng(20141210).permutation(np.flatnonzero(keep))
    return images[order], labels[order]


def _load_images(name: str, subset_file: str, split: str, root: Path | None, download: bool,
                 extra_dirs: tuple[Path, ...] = (), verbose: bool = True) -> ImageSet:
    """Images from the first source that works; GANTUT_OFFLINE=1: the shipped subset, always."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    root = Path(root) if root is not None else DOWNLOAD_DIR
    tried, problems = [], []
    found = None
    if utils.offline():
        tried.append("IDX files and downloads: skipped (GANTUT_OFFLINE is set: the shipped subset only)")
    else:
        legacy = (DATA_DIR / name / "raw",) if root == DOWNLOAD_DIR else ()   # the download folder of earlier versions
        for folder in (root / name / "raw", *legacy, *extra_dirs):
            try:
                found = _load_idx_folder(folder, split)
            except ValueError as error:
                problems.append(f"skipped {folder}: {error}")
                tried.append(f"IDX files in {folder}: unusable ({error})")
                continue
            if found is not None:
                source = f"{name} IDX files in {folder}"
                break
            tried.append(f"IDX files in {folder}: not found")
        if found is None and download:
            host, port = _mirror_host(name)
            if _host_reachable(host, port=port):
                try:
                    root.mkdir(parents=True, exist_ok=True)
                    _torchvision_download(name, root)
                    found = _load_idx_folder(root / name / "raw", split)
                    source = f"{name} downloaded by torchvision into {root / name / 'raw'}"
                except Exception as error:  # noqa: BLE001 - any failure means: fall back
                    problems.append(f"download failed: {type(error).__name__}: {error}")
                    tried.append(f"torchvision download: failed ({type(error).__name__}: {error})")
            else:
                tried.append(f"torchvision download: {host}:{port} not reachable within {CONNECT_SECONDS:.0f} s (offline?)")
        elif found is None:
            tried.append("torchvision download: not attempted (download=False)")
    if found is None:
        subset = DATA_DIR / subset_file if root == DOWNLOAD_DIR else root / subset_file
        if subset.exists():
            with np.load(subset) as blob:
                found = _subset_split(blob["images"], blob["labels"], split)
                source = f"the {len(blob['labels']):,}-image subset shipped in {subset_file}"
        else:
            tried.append(f"shipped subset {subset}: not found")
    if found is None:
        raise FileNotFoundError(
            f"no {name} data found. Looked at:\n  - " + "\n  - ".join(tried)
            + f"\nFix: connect to the internet (torchvision downloads {name}), or put the four IDX "
            f"files in {root / name / 'raw'}, or restore data/{subset_file} from the book's repository."
        )
    images, labels = found
    result = ImageSet(to_unit_range(images), torch.as_tensor(labels.astype(np.int64)), source)
    if verbose:
        for problem in problems:
            print(f"{name}: {problem}")
        print(f"{name} ({split}): {len(labels):,} images from {source}")
    return result


def mnist(split: str = "train", root: str | Path | None = None, download: bool = True,
          verbose: bool = True) -> ImageSet:
    """MNIST digits: images (N, 1, 28, 28) float32 in [-1, 1], labels (N,) int64 in 0..9.

    split: "train" (60,000; 4,000 from the shipped subset), "test" (10,000; 1,000) or "all".
    """
    return _load_images("MNIST", "mnist_5k.npz", split, root, download, verbose=verbose)


def fashion_mnist(split: str = "train", root: str | Path | None = None, download: bool = True,
                  verbose: bool = True) -> ImageSet:
    """Fashion-MNIST garments, as mnist(); class names in FASHION_CLASSES."""
    return _load_images("FashionMNIST", "fashion_mnist_5k.npz", split, root, download,
                        extra_dirs=(DEBIAN_FASHION_DIR,), verbose=verbose)


def batches(images: torch.Tensor, batch_size: int, device: torch.device | str = "cpu",
            rng: torch.Generator | None = None, labels: torch.Tensor | None = None) -> Iterator:
    """Endless shuffled mini-batches from a dataset held as one tensor on the device.

    images: (N, ...) moved to device once; each epoch is one permutation; the last partial
    batch of an epoch is dropped. Yields (B, ...) tensors, or (images, labels) pairs when
    labels are given. No DataLoader, no worker processes, no per-batch copies. The arguments
    are checked when batches() is called, not at the first batch.
    """
    if not isinstance(images, torch.Tensor) or images.dim() < 2:
        raise ValueError(f"images must be a tensor (N, ...) holding the dataset, got "
                         f"{tuple(images.shape) if isinstance(images, torch.Tensor) else type(images).__name__}")
    n = len(images)
    if not (is_whole(batch_size) and batch_size <= n):
        raise ValueError(f"batch_size must be an integer in 1..{n} (the dataset size), got {batch_size!r}")
    if labels is not None and (not isinstance(labels, torch.Tensor) or labels.shape != (n,)):
        raise ValueError(f"labels must be a tensor (N,) = ({n},), one per image, got "
                         f"{tuple(labels.shape) if isinstance(labels, torch.Tensor) else type(labels).__name__}")
    return _endless_batches(images, batch_size, device, rng, labels)


def _endless_batches(images, batch_size, device, rng, labels) -> Iterator:
    """The generator behind batches(), whose arguments it has checked."""
    n = len(images)
    images = images.to(device)
    labels = labels.to(device) if labels is not None else None
    while True:
        order = torch.randperm(n, generator=rng, device=rng.device if rng else "cpu").to(device)
        for start in range(0, n - batch_size + 1, batch_size):
            index = order[start:start + batch_size]
            yield images[index] if labels is None else (images[index], labels[index])


def _check_stacked(images: torch.Tensor, labels: torch.Tensor, n: int) -> None:
    """Single-channel images (M, 1, H, W), M >= 1, their digit labels (M,) in 0..9, n >= 1 samples."""
    if images.dim() != 4 or images.shape[1] != 1 or labels.shape != (len(images),) or len(images) == 0:
        raise ValueError(f"need single-channel images (M, 1, H, W), M >= 1, and M labels (M,), got "
                         f"{tuple(images.shape)} and {tuple(labels.shape)}")
    if labels.dtype.is_floating_point or labels.min() < 0 or labels.max() > 9:
        raise ValueError("labels must be integer digit classes 0..9: a mode is 100 * first + 10 * second + third")
    if not is_whole(n):
        raise ValueError(f"n must be a whole number of samples >= 1, got {n!r}")


def stacked_mnist(images: torch.Tensor, labels: torch.Tensor, n: int,
                  rng: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """n stacked-MNIST samples: three digits drawn independently become one 3-channel image.

    Metz et al. (2017) and Srivastava et al. (2017, VEEGAN): with 10 classes per channel the
    data has 1,000 equally likely modes. images: (M, 1, 28, 28) in [-1, 1]; labels: (M,).
    Returns images (n, 3, 28, 28) and mode (n,) int64 = 100 * first + 10 * second + third digit.
    """
    _check_stacked(images, labels, n)
    return _stack(images, labels, n, rng)


def _stack(images, labels, n, rng):
    draw_on = rng.device if rng is not None else "cpu"
    index = torch.randint(len(images), (n, 3), generator=rng, device=draw_on)  # (n, 3) digit indices
    stacked = images[index.to(images.device)].squeeze(2)                      # (n, 3, 28, 28)
    place = torch.tensor([100, 10, 1], device=labels.device)
    return stacked, (labels[index.to(labels.device)].long() * place).sum(1)


def stacked_batches(images: torch.Tensor, labels: torch.Tensor, batch_size: int,
                    rng: torch.Generator | None = None) -> Iterator[torch.Tensor]:
    """Endless batches (batch_size, 3, 28, 28) of fresh stacked-MNIST samples (stacked_mnist).

    The arguments are checked once, when this is called; the batches are then made without
    host synchronisation."""
    _check_stacked(images, labels, batch_size)
    return _stacked_forever(images, labels, batch_size, rng)


def _stacked_forever(images, labels, batch_size, rng) -> Iterator[torch.Tensor]:
    while True:
        yield _stack(images, labels, batch_size, rng)[0]


# ----------------------------------------------------------------------------- toy mixtures

@dataclass
class GaussianMixture:
    """A mixture of K isotropic Gaussians in d dimensions, with its exact density.

    means: (K, d); stds: (K,); weights: (K,) summing to 1.
    """

    means: np.ndarray
    stds: np.ndarray
    weights: np.ndarray

    def __post_init__(self):
        self.means = np.asarray(self.means, dtype=np.float64)
        if self.means.ndim != 2:
            raise ValueError(f"means must have shape (K, d), got {self.means.shape}; for 1D use mixture_1d")
        if self.means.shape[0] == 0 or self.means.shape[1] == 0:
            raise ValueError(f"a mixture needs at least one mode in at least one dimension, got means of shape "
                             f"{self.means.shape}")
        if not np.isfinite(self.means).all():
            raise ValueError("means must be finite")
        k = self.means.shape[0]
        self.stds = np.broadcast_to(np.asarray(self.stds, dtype=np.float64), (k,)).copy()
        self.weights = np.broadcast_to(np.asarray(self.weights, dtype=np.float64), (k,)).copy()
        if not np.isfinite(self.stds).all() or (self.stds <= 0).any():
            raise ValueError(f"stds must be positive, got {self.stds}")
        if (self.weights < 0).any() or not math.isclose(self.weights.sum(), 1.0, rel_tol=1e-9):
            raise ValueError(f"weights must be non-negative and sum to 1, got {self.weights}")

    @property
    def dim(self) -> int:
        return self.means.shape[1]

    @property
    def n_modes(self) -> int:
        return self.means.shape[0]

    def sample_with_modes(self, n: int, rng: torch.Generator | None = None):
        """(samples (n, d) float32, mode index (n,) int64), drawn with torch's RNG."""
        if not is_whole(n):
            raise ValueError(f"n must be a whole number of samples >= 1, got {n!r}")
        draw_on = rng.device if rng is not None else torch.device("cpu")  # returned on the CPU
        weights = torch.as_tensor(self.weights, device=draw_on)
        modes = torch.multinomial(weights, n, replacement=True, generator=rng).cpu()
        noise = torch.randn(n, self.dim, generator=rng, dtype=torch.float64, device=draw_on).cpu()
        samples = torch.as_tensor(self.means)[modes] + noise * torch.as_tensor(self.stds)[modes, None]
        return samples.float(), modes

    def sample(self, n: int, rng: torch.Generator | None = None) -> torch.Tensor:
        """n samples, (n, d) float32."""
        return self.sample_with_modes(n, rng)[0]

    def pdf(self, x) -> np.ndarray:
        """Density at x: (N, d) points, or (N,) for a 1D mixture. Returns (N,) float64."""
        x = np.asarray(x, dtype=np.float64)
        if self.dim == 1 and x.ndim == 1:
            x = x[:, None]
        if x.ndim != 2 or x.shape[1] != self.dim:
            raise ValueError(f"expected points of shape (N, {self.dim}), got {x.shape}")
        sq = ((x[:, None, :] - self.means[None]) ** 2).sum(-1)  # (N, K)
        norm = (2 * np.pi * self.stds**2) ** (-self.dim / 2)
        return (self.weights * norm * np.exp(-sq / (2 * self.stds**2))).sum(-1)


def mixture_1d(means, stds, weights=None) -> GaussianMixture:
    """A 1D Gaussian mixture; weights default to equal."""
    if np.ndim(means) == 2 and np.shape(means)[1] == 1:
        means = np.asarray(means)[:, 0]               # a (K, 1) column is K means in 1D
    if np.ndim(means) > 1:
        raise ValueError(f"mixture_1d takes a flat list of means, got shape {np.shape(means)}; "
                         "for d dimensions use GaussianMixture(means (K, d), ...)")
    means = np.asarray(means, dtype=np.float64).reshape(-1, 1)
    if len(means) == 0:
        raise ValueError("mixture_1d needs at least one mean, got none")
    weights = np.full(len(means), 1 / len(means)) if weights is None else weights
    return GaussianMixture(means, np.broadcast_to(stds, (len(means),)), weights)


def ring(n_modes: int = 8, radius: float = 2.0, std: float = 0.02) -> GaussianMixture:
    """n_modes Gaussians evenly spaced on a circle (Metz et al. 2017: 8, radius 2, std 0.02).

    Angles are 2*pi*k/n_modes for k = 0..n_modes-1: linspace(0, 2*pi, n_modes) would put the
    last centre on top of the first.
    """
    if not is_whole(n_modes):
        raise ValueError(f"n_modes must be a whole number >= 1, got {n_modes!r}")
    if not (radius > 0 and std > 0):
        raise ValueError(f"radius and std must be positive, got {radius} and {std}")
    angles = 2 * np.pi * np.arange(n_modes) / n_modes
    means = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return GaussianMixture(means, std, np.full(n_modes, 1 / n_modes))


def grid(side: int = 5, spacing: float = 2.0, std: float = 0.05) -> GaussianMixture:
    """side x side Gaussians on a square grid centred at 0 (5x5, spacing 2, std 0.05 as in PacGAN)."""
    if not is_whole(side):
        raise ValueError(f"side must be a whole number >= 1, got {side!r}")
    if not (spacing > 0 and std > 0):
        raise ValueError(f"spacing and std must be positive, got {spacing} and {std}")
    ticks = (np.arange(side) - (side - 1) / 2) * spacing
    means = np.array([(a, b) for a in ticks for b in ticks])
    return GaussianMixture(means, std, np.full(side * side, 1 / side**2))
