"""Time and check the Frechet distance at Inception size (d = 2048) three ways.

    python benchmarks/fid_speed.py            # d = 2048, 10,000 samples a set
    python benchmarks/fid_speed.py --dim 512

gantut.metrics.frechet_distance takes the trace term tr[(S1 S2)^{1/2}] from one Cholesky factor
S1 = L L^T and the eigenvalues of L^T S2 L. Against it: two symmetric square roots by eigh
(sqrt(S1), then sqrt(sqrt(S1) S2 sqrt(S1)), what gantut did before) and scipy.linalg.sqrtm(S1 @ S2)
(what pytorch-fid does). Prints the best of three runs of each and the relative differences.
"""
from __future__ import annotations

import argparse
import time

import numpy as np
from scipy import linalg

from gantut import metrics, utils


def two_square_roots(mu1, s1, mu2, s2) -> float:
    def sym_sqrt(m):
        values, vectors = np.linalg.eigh((m + m.T) / 2)
        return (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T

    root1 = sym_sqrt(s1)
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.trace(sym_sqrt(root1 @ s2 @ root1)))


def scipy_sqrtm(mu1, s1, mu2, s2) -> float:
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.trace(linalg.sqrtm(s1 @ s2)).real)


def best_of(function, runs: int) -> tuple[float, float]:
    times, value = [], None
    for _ in range(runs):
        start = time.perf_counter()
        value = function()
        times.append(time.perf_counter() - start)
    return min(times), value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dim", type=int, default=2048)
    parser.add_argument("--samples", type=int, default=10_000)
    args = parser.parse_args()
    utils.set_threads()
    rng = np.random.default_rng(0)
    real = rng.normal(size=(args.samples, args.dim))
    fake = rng.normal(size=(args.samples, args.dim)) @ (np.eye(args.dim) + 0.05 * rng.normal(size=(args.dim, args.dim))) + 0.1
    stats = (*metrics.feature_statistics(real), *metrics.feature_statistics(fake))
    results = {"gantut (Cholesky + eigvalsh)": best_of(lambda: metrics.frechet_distance(*stats), 3),
               "two eigh square roots": best_of(lambda: two_square_roots(*stats), 3),
               "scipy sqrtm": best_of(lambda: scipy_sqrtm(*stats), 1)}
    reference = results["gantut (Cholesky + eigvalsh)"][1]
    print(f"d = {args.dim}, {args.samples:,} samples a set, {utils.hardware()}")
    for name, (seconds, value) in results.items():
        print(f"{name:30s} {seconds:6.2f} s   FID {value:.6f}   relative difference {abs(value - reference) / reference:.1e}")


if __name__ == "__main__":
    from _report import report
    with report(__file__):
        main()
