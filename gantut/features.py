"""Feature extractors for judging generated digits: a small MNIST classifier shipped with the book.

The classifier (LeNet-like, after LeCun et al. 1998) is trained by
scripts/train_mnist_classifier.py on the training split of the data the book has (here the
4,000 shipped digits); its weights ship in data/mnist_classifier.pt and its held-out accuracy
is recorded with them. Its logits give class probabilities for generated digits; its
128-dimensional penultimate layer gives features for Frechet distances (chapter 7).
"""
from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from .plot import check_images
from .utils import DATA_DIR, load_checkpoint

CLASSIFIER_PATH = DATA_DIR / "mnist_classifier.pt"


class MNISTClassifier(nn.Module):
    """images (N, 1, 28, 28) in [-1, 1] -> logits (N, 10).

        Conv2d(1, 32, 3, pad 1) ReLU MaxPool2 -> (N, 32, 14, 14)
        Conv2d(32, 64, 3, pad 1) ReLU MaxPool2 -> (N, 64, 7, 7)
        Linear(3136, 128) ReLU                 -> (N, 128)   the features
        Linear(128, 10)                        -> (N, 10)    the logits
    """

    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.features = nn.Sequential(nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU())
        self.head = nn.Linear(128, 10)

    def embed(self, images: torch.Tensor) -> torch.Tensor:
        """The 128-d penultimate features, (N, 128)."""
        return self.features(self.conv(images))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.head(self.embed(images))


def load_mnist_classifier(path: str | Path = CLASSIFIER_PATH) -> MNISTClassifier:
    """The shipped classifier in eval mode; its provenance (accuracy, data) is in .meta."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no classifier weights at {path}; create them with "
                                "python scripts/train_mnist_classifier.py")
    model = MNISTClassifier()
    model.meta = load_checkpoint(path, model)
    return model.eval()


def _check_digits(images: torch.Tensor) -> None:
    """Refuse anything but (N, 1, 28, 28) images in [-1, 1], with a message saying what to do."""
    check_images(images)
    if tuple(images.shape[1:]) != (1, 28, 28):
        raise ValueError(f"images must have shape (N, 1, 28, 28), got {tuple(images.shape)}")


@torch.no_grad()
def classify(model: MNISTClassifier, images: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """Class probabilities (N, 10) of images (N, 1, 28, 28) in [-1, 1]."""
    _check_digits(images)
    model.eval()
    return torch.cat([F.softmax(model(chunk), dim=1) for chunk in images.split(batch_size)])


def confident_fraction(probabilities: torch.Tensor, threshold: float = 0.9) -> float:
    """Share of samples whose most likely class has probability >= threshold: a crude legibility score."""
    return (probabilities.max(1).values >= threshold).float().mean().item()


@torch.no_grad()
def embed(model: MNISTClassifier, images: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """The classifier's 128-d penultimate features (N, 128) of images (N, 1, 28, 28) in [-1, 1]."""
    _check_digits(images)
    model.eval()
    return torch.cat([model.embed(chunk) for chunk in images.split(batch_size)])


@torch.no_grad()
def stacked_labels(model: MNISTClassifier, images: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """Stacked-MNIST mode of each image (N, 3, 28, 28) in [-1, 1]: 100 * first + 10 * second + third
    digit, each channel labelled by the classifier's most likely class. Returns (N,) int64 in 0..999."""
    if images.dim() != 4 or images.shape[1] != 3:
        raise ValueError(f"stacked MNIST images must have shape (N, 3, 28, 28), got {tuple(images.shape)}")
    digits = [classify(model, images[:, c:c + 1], batch_size).argmax(1) for c in range(3)]
    return 100 * digits[0] + 10 * digits[1] + digits[2]
