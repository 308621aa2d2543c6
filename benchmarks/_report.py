"""Each benchmark prints its measurements and keeps a copy in _build/benchmarks/NAME.txt.

The copies are not committed (_build/ is ignored): a measurement belongs to the machine and the day
it was taken, so it is printed with the machine's description rather than written into the docs.
"""
from __future__ import annotations

import contextlib
import sys
from pathlib import Path

OUT_DIR = Path(__file__).resolve().parent.parent / "_build" / "benchmarks"


class _Tee:
    def __init__(self, *streams):
        self.streams = streams

    def write(self, text: str) -> int:
        for stream in self.streams:
            stream.write(text)
        return len(text)

    def flush(self) -> None:
        for stream in self.streams:
            stream.flush()


@contextlib.contextmanager
def report(script: str):
    """Copy everything printed inside the block to _build/benchmarks/<script's name>.txt."""
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUT_DIR / f"{Path(script).stem}.txt"
    with open(path, "w") as copy, contextlib.redirect_stdout(_Tee(sys.stdout, copy)):
        yield path
    print(f"(a copy is in {path})")
