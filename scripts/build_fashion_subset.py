"""Rebuild data/fashion_mnist_5k.npz: 5,000 Fashion-MNIST training images, 500 per class.

Source: Debian's package dataset-fashion-mnist (apt-get install dataset-fashion-mnist),
which installs the original IDX files in /usr/share/datasets/fashion-mnist. The first 500
images of each class in the training file are kept, in file order.

Fashion-MNIST: Han Xiao, Kashif Rasul, Roland Vollgraf (2017), MIT licence.
"""
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from gantut.data import DEBIAN_FASHION_DIR, read_idx  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "data" / "fashion_mnist_5k.npz"


def main(folder: Path = DEBIAN_FASHION_DIR) -> None:
    images = read_idx(folder / "train-images-idx3-ubyte.gz")
    labels = read_idx(folder / "train-labels-idx1-ubyte.gz")
    keep = np.sort(np.concatenate([np.flatnonzero(labels == c)[:500] for c in range(10)]))
    np.savez_compressed(OUT, images=images[keep], labels=labels[keep])
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e6:.2f} MB): {len(keep)} images, "
          f"{np.bincount(labels[keep]).tolist()} per class")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEBIAN_FASHION_DIR)
