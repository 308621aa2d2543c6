"""Feature extractors for judging generated images: a small MNIST classifier shipped with the book,
and Inception-v3 (Szegedy et al. 2016) for readers who have its weights.

The classifier (LeNet-like, after LeCun et al. 1998) is trained by
scripts/train_mnist_classifier.py on the training split of the data the book has (here the
4,000 shipped digits); its weights ship in data/mnist_classifier.pt and its held-out accuracy
is recorded with them. Its logits give class probabilities for generated digits; its
128-dimensional penultimate layer gives features for Frechet distances (chapter 7).

Inception-v3 is what FID and IS are defined with on natural images. Its weights cannot ship with
the book; load_inception takes torchvision's ImageNet weights (downloaded once when online, then
cached by torch.hub) or a state dict file. The FID papers' own TensorFlow port differs slightly
(pytorch-fid's InceptionV3 reproduces it); numbers from the two are not interchangeable.
"""
from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from .data import DOWNLOAD_SECONDS, check_images
from .metrics import check_probabilities, fid
from .utils import DATA_DIR, is_whole, load_checkpoint, module_device, offline, within

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


def _check_digits(images: torch.Tensor) -> torch.Tensor:
    """(N, 1, 28, 28) images in [-1, 1] as float32, or a ValueError saying what to do."""
    images = check_images(images)
    if tuple(images.shape[1:]) != (1, 28, 28):
        raise ValueError(f"images must have shape (N, 1, 28, 28), got {tuple(images.shape)}")
    return images


def _check_batch_size(batch_size: int) -> None:
    if not is_whole(batch_size):
        raise ValueError(f"batch_size must be a whole number >= 1, got {batch_size!r}")


@torch.no_grad()
def classify(model: MNISTClassifier, images: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """Class probabilities (N, 10) of images (N, 1, 28, 28) in [-1, 1], on the images' device
    (the classifier runs on its own device; chunks of batch_size are moved there)."""
    images = _check_digits(images)
    _check_batch_size(batch_size)
    model.eval()
    device = module_device(model)
    return torch.cat([F.softmax(model(chunk.to(device)), dim=1).to(images.device)
                      for chunk in images.split(batch_size)])


def confident_fraction(probabilities: torch.Tensor, threshold: float = 0.9) -> float:
    """Share of samples whose most likely class has probability >= threshold: a crude legibility score.

    probabilities: (N, C) from classify (logits are refused); threshold in (0, 1]."""
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be a probability in (0, 1], got {threshold}")
    probabilities = check_probabilities(probabilities)
    return (probabilities.max(1).values >= threshold).float().mean().item()


@torch.no_grad()
def embed(model: MNISTClassifier, images: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """The classifier's 128-d penultimate features (N, 128) of images (N, 1, 28, 28) in [-1, 1],
    on the images' device."""
    images = _check_digits(images)
    _check_batch_size(batch_size)
    model.eval()
    device = module_device(model)
    return torch.cat([model.embed(chunk.to(device)).to(images.device) for chunk in images.split(batch_size)])


def digit_scores(model: MNISTClassifier, images: torch.Tensor, reference_features: torch.Tensor,
                 threshold: float = 0.9) -> dict:
    """The numbers the book puts next to every "good digits" sentence, for images (N, 1, 28, 28) in [-1, 1]:

    confident: share the classifier labels with probability >= threshold (legibility; blind to collapse);
    fid: Frechet distance between the classifier's features of images and reference_features (M, 128),
         e.g. embed() of held-out digits; compare it with real digits' score on the same reference;
    shares: (10,) numpy share of the images in each predicted class (coverage; blind to collapse within a class).
    """
    probabilities = classify(model, images)
    shares = torch.bincount(probabilities.argmax(1).cpu(), minlength=probabilities.shape[1]).double() / len(images)
    return {"confident": confident_fraction(probabilities, threshold),
            "fid": fid(reference_features, embed(model, images)), "shares": shares.numpy()}


@torch.no_grad()
def stacked_reading(model: MNISTClassifier, images: torch.Tensor, batch_size: int = 1000) -> tuple[torch.Tensor, torch.Tensor]:
    """Read stacked-MNIST images (N, 3, 28, 28) in [-1, 1], one digit per channel.

    Returns (modes, confidence): modes (N,) int64 in 0..999 = 100 * first + 10 * second + third digit, each
    channel labelled by the classifier's most likely class; confidence (N,) float, the smallest of the three
    channels' top-class probabilities (>= 0.9: all three digits read with at least 90% confidence).
    """
    if images.dim() != 4 or images.shape[1] != 3:
        raise ValueError(f"stacked MNIST images must have shape (N, 3, 28, 28), got {tuple(images.shape)}")
    top = [classify(model, images[:, c:c + 1], batch_size).max(1) for c in range(3)]    # 3 x (values, indices)
    modes = 100 * top[0].indices + 10 * top[1].indices + top[2].indices
    return modes, torch.stack([t.values for t in top]).min(0).values


def stacked_labels(model: MNISTClassifier, images: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """Stacked-MNIST mode of each image (N, 3, 28, 28) in [-1, 1]: 100 * first + 10 * second + third
    digit, each channel labelled by the classifier's most likely class. Returns (N,) int64 in 0..999."""
    return stacked_reading(model, images, batch_size)[0]


class InceptionFeatures(nn.Module):
    """images (N, C, H, W) in [-1, 1], C = 1 or 3 -> (pool features (N, 2048), logits (N, 1000)).

    Grey images are repeated to three channels; every image is resized to 299 x 299 (bilinear),
    the size Inception-v3 was trained at. The network sees values in [-1, 1], which is what
    torchvision's weights expect with transform_input=False. Always in eval mode.
    """

    def __init__(self, net: nn.Module):
        super().__init__()
        self.fc, net.fc = net.fc, nn.Identity()  # the last layer gives the logits; before it, the features
        self.net = net
        self.train(False)

    def train(self, mode: bool = True):
        """Stays in eval mode (BatchNorm running statistics, no dropout) whatever is asked."""
        return super().train(False)

    @torch.no_grad()
    def forward(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(pool features (N, 2048), logits (N, 1000)) on the images' device; computed on the network's."""
        images = check_images(images)
        where = images.device
        images = images.to(module_device(self))
        if images.shape[1] == 1:
            images = images.repeat(1, 3, 1, 1)
        images = F.interpolate(images.float(), size=(299, 299), mode="bilinear", align_corners=False)
        pool = self.net(images)  # (N, 2048)
        return pool.to(where), self.fc(pool).to(where)


def load_inception(weights: str | Path | None = "torchvision") -> InceptionFeatures:
    """Inception-v3 as an InceptionFeatures extractor.

    weights: "torchvision" (ImageNet weights from torchvision; needs the internet once), a path to
    a state dict saved from torchvision's inception_v3, or None for random weights (for testing
    shapes only: its features mean nothing).
    """
    from torchvision.models import Inception_V3_Weights, inception_v3

    net = inception_v3(weights=None, aux_logits=False, init_weights=weights is None, transform_input=False)
    if weights is None:
        return InceptionFeatures(net)
    if weights == "torchvision":
        cached = Path(torch.hub.get_dir()) / "checkpoints" / Path(Inception_V3_Weights.IMAGENET1K_V1.url).name
        if offline() and not cached.exists():
            raise RuntimeError(f"GANTUT_OFFLINE=1 and no cached Inception-v3 weights at {cached}: run once with "
                               "internet access (torchvision downloads them there), or pass the path of a saved "
                               "inception_v3 state dict as weights=")
        fetched = {}
        problem = within(lambda: fetched.update(state=Inception_V3_Weights.IMAGENET1K_V1.get_state_dict(
            progress=False)), DOWNLOAD_SECONDS)          # bounded: resolution, connection and transfer
        if problem is not None:  # offline, blocked, too slow, or a broken cache
            raise RuntimeError(
                "could not get Inception-v3 weights: torchvision downloads them from download.pytorch.org "
                f"({problem}). Run once with internet access (they are cached by torch.hub), or "
                "download inception_v3_google-0cc3c7bd.pth elsewhere and pass its path as weights=")
        state = fetched["state"]
    else:
        path = Path(weights)
        if not path.exists():
            raise FileNotFoundError(f"no Inception-v3 weights at {path}; pass weights='torchvision' to download "
                                    "torchvision's, or the path of a saved inception_v3 state dict")
        state = torch.load(path, map_location="cpu", weights_only=True)
    net.load_state_dict({k: v for k, v in state.items() if not k.startswith("AuxLogits")})
    return InceptionFeatures(net)
