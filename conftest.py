"""pytest configuration shared by the unit tests and nbval.

The committed notebooks store the outputs of the quick profile run on a CPU, so nbval must run
the chapters on the CPU on every machine: a GPU gives other numbers (and other timings), and
the check would fail for reasons that are not errors. The kernels nbval starts inherit this.
"""
import os

os.environ["GANTUT_DEVICE"] = "cpu"
# The stored outputs come from the data shipped in data/ (a reader online would otherwise get the
# full datasets, and other numbers): nbval runs the chapters offline too.
os.environ["GANTUT_OFFLINE"] = "1"
