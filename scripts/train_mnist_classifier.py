"""Train the small MNIST classifier of gantut.features and save data/mnist_classifier.pt.

    python scripts/train_mnist_classifier.py          # about 30 s on 2 CPU cores

Trained on mnist("train") (the 4,000 shipped digits offline, 60,000 with full MNIST) with
small random shifts, evaluated on mnist("test"); the accuracy is stored with the weights.
"""
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from gantut import data, features, utils  # noqa: E402

EPOCHS, BATCH, SEED = 15, 64, 0


def shift(images: torch.Tensor, max_shift: int = 2) -> torch.Tensor:
    """Random translations by up to max_shift pixels, padding with the background value -1."""
    padded = F.pad(images, (max_shift,) * 4, value=-1.0)
    dx, dy = torch.randint(0, 2 * max_shift + 1, (2,))
    return padded[:, :, dy:dy + 28, dx:dx + 28]


def main() -> None:
    utils.setup(SEED)
    train_set, test_set = data.mnist("train"), data.mnist("test")
    model = features.MNISTClassifier()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, EPOCHS * (len(train_set.labels) // BATCH))
    start = time.perf_counter()
    for epoch in range(EPOCHS):
        model.train()
        order = torch.randperm(len(train_set.labels))
        for i in range(0, len(order) - BATCH + 1, BATCH):
            index = order[i:i + BATCH]
            loss = F.cross_entropy(model(shift(train_set.images[index])), train_set.labels[index])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
        probabilities = features.classify(model, test_set.images)
        accuracy = (probabilities.argmax(1) == test_set.labels).float().mean().item()
        print(f"epoch {epoch + 1:2d}: held-out accuracy {accuracy:.4f}")
    seconds = time.perf_counter() - start
    utils.save_checkpoint(features.CLASSIFIER_PATH, model, half=True, test_accuracy=round(accuracy, 4),
                          train_data=train_set.source, n_train=len(train_set.labels), n_test=len(test_set.labels),
                          epochs=EPOCHS, seed=SEED, train_seconds=round(seconds, 1), hardware=utils.hardware())
    print(f"saved {features.CLASSIFIER_PATH} ({features.CLASSIFIER_PATH.stat().st_size / 1e6:.2f} MB), "
          f"held-out accuracy {accuracy:.4f}, {seconds:.0f} s")


if __name__ == "__main__":
    main()
