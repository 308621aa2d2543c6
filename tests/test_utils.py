from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from gantut import utils


def test_seed_everything_makes_torch_numpy_and_python_repeat():
    import random

    import numpy as np

    draws = []
    for _ in range(2):
        utils.seed_everything(123)
        draws.append((torch.randn(5), np.random.rand(3), random.random()))
    assert torch.equal(draws[0][0], draws[1][0])
    assert (draws[0][1] == draws[1][1]).all()
    assert draws[0][2] == draws[1][2]


def test_seeded_training_steps_are_identical():
    def run():
        utils.setup(7, verbose=False)
        model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
        opt = torch.optim.Adam(model.parameters(), lr=1e-2)
        for _ in range(5):
            loss = model(torch.randn(16, 4)).pow(2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
        return torch.cat([p.detach().flatten() for p in model.parameters()])

    assert torch.equal(run(), run())


def test_seed_rejects_negative():
    with pytest.raises(ValueError, match="non-negative"):
        utils.seed_everything(-1)


def test_set_threads_pins_the_count(monkeypatch):
    monkeypatch.setenv("GANTUT_THREADS", "1")
    assert utils.set_threads() == 1 and torch.get_num_threads() == 1
    assert utils.set_threads(2) == 2 and torch.get_num_threads() == 2
    with pytest.raises(ValueError):
        utils.set_threads(0)


def test_device_follows_cuda_unless_gantut_device_says_otherwise(monkeypatch):
    monkeypatch.delenv("GANTUT_DEVICE", raising=False)       # conftest.py sets it for nbval
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert utils.device().type == "cpu"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert utils.device().type == "cuda"
    monkeypatch.setenv("GANTUT_DEVICE", "cpu")
    assert utils.device().type == "cpu"                      # a GPU machine reproducing the CPU outputs
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setenv("GANTUT_DEVICE", "cuda")
    with pytest.raises(ValueError, match="no CUDA GPU"):
        utils.device()


def test_profiles():
    assert utils.by_profile("quick", quick=1, full=2) == 1
    assert utils.by_profile("full", quick=1, full=2) == 2
    with pytest.raises(ValueError, match="quick"):
        utils.by_profile("fast", quick=1, full=2)


def test_checkpoint_round_trip_keeps_weights_and_meta(tmp_path):
    model = nn.Linear(3, 2)
    utils.save_checkpoint(tmp_path / "m.pt", model, seed=1, steps=10)
    fresh = nn.Linear(3, 2)
    meta = utils.load_checkpoint(tmp_path / "m.pt", fresh)
    assert meta == {"seed": 1, "steps": 10}
    assert torch.equal(fresh.weight, model.weight) and torch.equal(fresh.bias, model.bias)


def test_checkpoint_of_another_architecture_is_refused(tmp_path):
    utils.save_checkpoint(tmp_path / "m.pt", nn.Linear(3, 2))
    with pytest.raises(ValueError, match="another architecture"):
        utils.load_checkpoint(tmp_path / "m.pt", nn.Linear(4, 2))
    with pytest.raises(ValueError, match="another architecture"):
        utils.load_checkpoint(tmp_path / "m.pt", nn.Sequential(nn.Linear(3, 2)))


def test_checkpoint_of_another_format_is_refused(tmp_path):
    torch.save({"format": 0, "state_dict": {}}, tmp_path / "old.pt")
    with pytest.raises(ValueError, match="format"):
        utils.load_checkpoint(tmp_path / "old.pt", nn.Linear(3, 2))
    with pytest.raises(FileNotFoundError):
        utils.load_checkpoint(tmp_path / "missing.pt", nn.Linear(3, 2))


def test_half_checkpoint_is_smaller_and_loads_as_float32(tmp_path):
    model = nn.Linear(300, 300)
    full = utils.save_checkpoint(tmp_path / "full.pt", model)
    half = utils.save_checkpoint(tmp_path / "half.pt", model, half=True, seed=3)
    assert half.stat().st_size < 0.6 * full.stat().st_size
    fresh = nn.Linear(300, 300)
    assert utils.load_checkpoint(half, fresh) == {"seed": 3}
    assert fresh.weight.dtype == torch.float32
    assert torch.equal(fresh.weight, model.weight.half().float())


def test_gantut_device_overrides_the_choice_and_refuses_nonsense(monkeypatch):
    monkeypatch.setenv("GANTUT_DEVICE", "cpu")
    assert utils.device() == torch.device("cpu")
    monkeypatch.setenv("GANTUT_DEVICE", "meta")
    assert utils.device() == torch.device("meta")
    monkeypatch.setenv("GANTUT_DEVICE", "gpu please")
    with pytest.raises(ValueError, match="not a device"):
        utils.device()
    if not torch.cuda.is_available():
        monkeypatch.setenv("GANTUT_DEVICE", "cuda")
        with pytest.raises(ValueError, match="no CUDA GPU"):
            utils.device()


def test_offline_is_decided_in_one_place(monkeypatch):
    for value, expected in (("1", True), ("TRUE", True), ("yes", True), ("0", False), ("", False), ("off", False)):
        monkeypatch.setenv("GANTUT_OFFLINE", value)
        assert utils.offline() is expected
    monkeypatch.setenv("GANTUT_OFFLINE", "maybe")
    with pytest.raises(ValueError, match="GANTUT_OFFLINE"):
        utils.offline()


def test_thread_count_from_the_environment_must_be_a_number(monkeypatch):
    monkeypatch.setenv("GANTUT_THREADS", "two")
    with pytest.raises(ValueError, match="GANTUT_THREADS"):
        utils.set_threads()


def test_an_interrupted_save_keeps_the_old_checkpoint(tmp_path, monkeypatch):
    model = nn.Linear(2, 2)
    path = utils.save_checkpoint(tmp_path / "m.pt", model, seed=1)
    before = path.read_bytes()

    def dies_half_way(obj, target):
        Path(target).write_bytes(b"PK\x03\x04 half a zip")
        raise KeyboardInterrupt

    monkeypatch.setattr(torch, "save", dies_half_way)
    with pytest.raises(KeyboardInterrupt):
        utils.save_checkpoint(path, model, seed=2)
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["m.pt"]


def test_metadata_is_made_loadable_at_save_time_or_refused(tmp_path):
    model = nn.Linear(2, 2)
    path = utils.save_checkpoint(tmp_path / "m.pt", model, seed=np.int64(3), lr=np.float32(0.5),
                                 loss=np.float64(0.25), name=np.str_("g"), data=tmp_path / "x", shape=(1, 2),
                                 sizes=np.arange(3), noise=torch.ones(2))
    meta = utils.load_checkpoint(path, nn.Linear(2, 2))
    assert meta.pop("noise").tolist() == [1.0, 1.0]
    assert meta == {"seed": 3, "lr": 0.5, "loss": 0.25, "name": "g", "data": str(tmp_path / "x"), "shape": (1, 2),
                    "sizes": [0, 1, 2]}
    assert type(meta["loss"]) is float and type(meta["name"]) is str
    with pytest.raises(TypeError, match="meta\\['optimizer'\\]"):
        utils.save_checkpoint(tmp_path / "n.pt", model, optimizer=object())
    assert not (tmp_path / "n.pt").exists()


def test_a_corrupt_checkpoint_is_named_with_what_to_do(tmp_path):
    path = tmp_path / "m.pt"
    path.write_bytes(b"PK\x03\x04 half a zip")
    with pytest.raises(ValueError, match=r"m\.pt is not a readable checkpoint.*retrain=True"):
        utils.load_checkpoint(path, nn.Linear(2, 2))
    with pytest.raises(ValueError, match="retrain=True"):
        utils.checkpoint_meta(path)


def test_shipped_matches_says_which_setting_differs(tmp_path, capsys):
    from torch import nn

    from gantut import utils

    path = tmp_path / "run.pt"
    assert not utils.shipped_matches(path, seed=0)
    assert "no shipped run" in capsys.readouterr().out
    utils.save_checkpoint(path, nn.Linear(2, 1), seed=0, steps=1_000)
    assert utils.shipped_matches(path, seed=0, steps=1_000)
    assert capsys.readouterr().out == ""
    assert not utils.shipped_matches(path, seed=1, steps=1_000)
    assert "seed 0 (this run: 1): training it here instead" in capsys.readouterr().out
    assert utils.checkpoint_meta(path) == {"seed": 0, "steps": 1_000}


def test_seconds_per_step_interleaves_the_steppers_and_returns_medians_per_step(monkeypatch):
    clock, calls = [0.0], []
    monkeypatch.setattr(utils.time, "perf_counter", lambda: clock[0])

    def stepper(name, cost):
        def run(n):
            calls.append((name, n))
            clock[0] += cost * n
        return run

    cost = utils.seconds_per_step({"cheap": stepper("cheap", 0.01), "dear": stepper("dear", 0.05)}, steps=4, rounds=3)
    assert cost == pytest.approx({"cheap": 0.01, "dear": 0.05})
    # one warm-up step each, then the rounds alternate between the two set-ups
    assert calls == [("cheap", 1), ("dear", 1)] + [("cheap", 4), ("dear", 4)] * 3


def test_seconds_per_step_takes_the_median_so_one_disturbed_round_does_not_move_it(monkeypatch):
    clock, rounds = [0.0], iter([0.01, 0.01, 0.5, 0.01])     # warm-up, then the third call is disturbed
    monkeypatch.setattr(utils.time, "perf_counter", lambda: clock[0])

    def run(n):
        clock[0] += next(rounds) * n

    assert utils.seconds_per_step({"a": run}, steps=2, rounds=3) == pytest.approx({"a": 0.01})
    with pytest.raises(ValueError, match="whole number"):
        utils.seconds_per_step({"a": run}, steps=0)
    with pytest.raises(ValueError, match="at least one"):
        utils.seconds_per_step({})


def test_is_whole_takes_integers_only():
    assert utils.is_whole(3) and utils.is_whole(np.int64(3)) and utils.is_whole(0, 0)
    for bad in (0, -1, 2.0, True, "2", None):
        assert not utils.is_whole(bad)


def test_within_reports_errors_and_timeouts():
    import time
    assert utils.within(lambda: None, 1.0) is None
    assert utils.within(lambda: 1 / 0, 1.0).startswith("ZeroDivisionError")
    assert utils.within(lambda: time.sleep(2), 0.1) == "no answer within 0.1 s"


def test_forward_passes_counts_only_the_given_kind_and_stops_counting():
    import torch
    from torch import nn
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    with utils.forward_passes(nn.Linear) as calls:
        model(torch.zeros(4, 2))
        model(torch.zeros(4, 2))
    assert len(calls) == 4                      # two Linear layers, two passes; ReLU and Sequential not counted
    model(torch.zeros(4, 2))
    assert len(calls) == 4                      # the hook is removed on leaving the block
