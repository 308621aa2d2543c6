import dataclasses

import pytest
import torch
from torch import nn

from gantut import data, features, losses, nets, runs, train, utils


def filler(model, value, provenance=None):
    """A train_it for load_or_train that 'trains' by filling model's weights with value; counts its calls."""
    calls = []

    def train_it():
        calls.append(1)
        with torch.no_grad():
            for p in model.parameters():
                p.fill_(value)
        return provenance
    return train_it, calls


def test_load_or_train_loads_only_the_run_asked_for(tmp_path, capsys):
    path, model = tmp_path / "run.pt", nn.Linear(2, 1)
    train_it, calls = filler(model, 3.0, {"seeds": [0, 1]})
    meta = runs.load_or_train(path, model, train_it, profile="quick", save=True, steps=100, seed=0)
    assert calls == [1] and meta["trained_here"] and meta["steps"] == 100 and "hardware" in meta
    fresh = nn.Linear(2, 1)
    meta = runs.load_or_train(path, fresh, filler(fresh, 5.0)[0], profile="quick", steps=100, seed=0)
    assert not meta["trained_here"] and torch.all(fresh.weight == 3.0) and meta["seeds"] == [0, 1]
    assert "loaded run.pt: steps 100, seed 0, seeds [0, 1]" in capsys.readouterr().out
    other, other_calls = filler(fresh, 5.0)
    meta = runs.load_or_train(path, fresh, other, profile="quick", steps=100, seed=1)   # another seed: trained
    assert other_calls == [1] and meta["trained_here"] and torch.all(fresh.weight == 5.0)
    assert "seed 0 (this run: 1)" in capsys.readouterr().out
    for kwargs in ({"profile": "full"}, {"profile": "quick", "retrain": True}):          # always trained
        again, again_calls = filler(fresh, 7.0)
        assert runs.load_or_train(path, fresh, again, steps=100, seed=0, **kwargs)["trained_here"] and again_calls == [1]
    reread = nn.Linear(2, 1)
    utils.load_checkpoint(path, reread)
    assert torch.all(reread.weight == 3.0)                  # nothing saved without save=True
    with pytest.raises(ValueError, match="PROFILE must be one of"):
        runs.load_or_train(path, fresh, again, profile="fast")


def test_load_or_train_saves_in_half_precision_and_names_a_corrupt_file(tmp_path):
    path, model = tmp_path / "h.pt", nn.Linear(2, 1)
    runs.load_or_train(path, model, filler(model, 1 / 3)[0], profile="full", save=True, steps=1)
    assert torch.load(path, weights_only=True)["state_dict"]["weight"].dtype == torch.float16
    path.write_bytes(b"PK\x03\x04 half a zip")
    with pytest.raises(ValueError, match="retrain=True"):
        runs.load_or_train(path, model, filler(model, 1.0)[0], profile="quick", steps=1)
    runs.load_or_train(path, model, filler(model, 1.0)[0], profile="quick", retrain=True, save=True, steps=1)
    assert utils.checkpoint_meta(path)["steps"] == 1


def test_recipe_of_a_named_loss_and_its_optimisers():
    recipe = runs.Recipe.of("WGAN-GP", g_lr=1e-3, d_lr=1e-4, betas=(0.5, 0.9))
    assert recipe.d_loss is losses.critic_loss and recipe.n_critic == 5 and recipe.penalty is losses.gradient_penalty
    g_opt, d_opt = recipe.optimizers(nn.Linear(2, 2), nn.Linear(2, 1))
    assert g_opt.param_groups[0]["lr"] == 1e-3 and d_opt.param_groups[0]["lr"] == 1e-4
    assert d_opt.param_groups[0]["betas"] == (0.5, 0.9)
    assert runs.Recipe.of("RpGAN").loop()["g_judge"] is train.relativistic_judge
    assert dataclasses.replace(recipe, d_lr=1e-3).n_critic == 5         # one setting changed, the rest kept
    with pytest.raises(ValueError, match="unknown loss"):
        runs.Recipe.of("Wasserstein")
    described = runs.Recipe.of("RpGAN", penalty=losses.r1_r2(0.5), penalty_interval=16).describe()
    assert described["d_loss"] == "relativistic_discriminator_loss" and described["penalty"] == "r1_r2(gamma=0.5)"
    utils._plain(described, "meta")                     # storable in a checkpoint's meta


def test_recipe_loop_gives_each_run_its_own_lazy_penalty():
    d, real = nn.Linear(3, 1), torch.randn(4, 3)
    recipe = runs.Recipe(penalty=losses.r1_r2(1.0), penalty_interval=4)
    first, second = recipe.loop()["penalty"], recipe.loop()["penalty"]
    values = [first(d, real, -real).item() for _ in range(3)]
    assert values == [0.0, 0.0, 0.0] and second(d, real, -real).item() == 0.0   # a fresh count: call 1 of 4
    assert first(d, real, -real).item() > 0                                      # the 4th call of its own run
    assert runs.Recipe(penalty=losses.r1_r2(1.0)).loop()["penalty"](d, real, -real).item() > 0


def test_bundle_keys_and_round_trip(tmp_path):
    assert runs.key("WGAN-GP, critic lr 1e-4") == "wgan_gp_critic_lr_1e_4"
    assert runs.key("RpGAN + R1 + R2") == "rpgan_r1_r2" and runs.key("non-saturating") == "non_saturating"
    made = runs.bundle(lambda: nn.Linear(2, 1), ("non-saturating", "WGAN-GP"), 3)
    utils.save_checkpoint(tmp_path / "b.pt", made)
    loaded = runs.bundle(lambda: nn.Linear(2, 1), ("non-saturating", "WGAN-GP"), 3)
    utils.load_checkpoint(tmp_path / "b.pt", loaded)
    by_name = runs.unbundle(loaded, ("WGAN-GP",))
    assert list(by_name) == ["WGAN-GP"] and len(by_name["WGAN-GP"]) == 3
    assert torch.equal(by_name["WGAN-GP"][2].weight, made["wgan_gp"][2].weight)


def test_train_toy_is_the_hand_written_2d_gan():
    ring, recipe = data.ring(), runs.Recipe(g_lr=1e-3, d_lr=1e-4)
    generator, _, _ = runs.train_toy(recipe, ring, seed=3, steps=5)
    torch.manual_seed(3)                                   # the same run, written out
    g = nets.MLPGenerator(z_dim=256, hidden=(128, 128), out_shape=(2,), out_activation=None, activation="relu")
    d = nets.MLPDiscriminator(in_shape=(2,), hidden=(128, 128), activation="relu")
    rng = torch.Generator().manual_seed(3)
    train.train(g, d, iter(lambda: ring.sample(512, rng), None), 5, torch.optim.Adam(g.parameters(), 1e-3, betas=(0.5, 0.999)),
                torch.optim.Adam(d.parameters(), 1e-4, betas=(0.5, 0.999)), progress=False)
    assert all(torch.equal(a, b) for a, b in zip(generator.parameters(), g.parameters()))
    other, _, _ = runs.train_toy(recipe, ring, seed=4, steps=5)
    assert not torch.equal(next(other.parameters()), next(generator.parameters()))


def test_digit_yardstick_is_the_classifier_on_1000_held_out_digits():
    classifier, reference = runs.digit_yardstick()
    held_out = data.mnist("test", verbose=False).images[:1000]
    assert reference.shape[0] == 1000 and torch.equal(reference, features.embed(classifier, held_out))


def test_per_seed_shows_every_value_and_infinity():
    assert runs.per_seed([0.123, 2.0, float("inf")], 2) == "0.12, 2.00, ∞"


def test_stacked_coverage_reads_real_stacked_digits_as_their_modes():
    classifier, _ = runs.digit_yardstick()
    held_out = data.mnist("test", verbose=False)
    images, modes = data.stacked_mnist(held_out.images, held_out.labels, 500, torch.Generator().manual_seed(0))
    reading = runs.stacked_coverage(classifier, images)
    assert reading["confident"] > 0.7                                   # real digits: most read with confidence
    assert reading["classes"] >= len(set(modes.tolist())) * 0.8          # and most of their modes are seen


def test_train_marked_scores_at_the_marks_and_trains_as_one_run():
    # a lazy penalty: one hook for the whole run, counting its calls across chunks (a hook per chunk would
    # restart the count at every chunk of 1 step and never fire)
    ring, recipe = data.ring(), runs.Recipe(g_lr=1e-3, d_lr=1e-4, penalty=losses.r1_r2(1.0), penalty_interval=4)

    def pair(seed):
        torch.manual_seed(seed)
        g, d = runs.toy_generator(), runs.toy_discriminator()
        return (g, d, *recipe.optimizers(g, d), runs.fresh_batches(ring, 64, torch.Generator().manual_seed(seed)))

    g, d, g_opt, d_opt, batches = pair(0)
    scored = []
    curve = runs.train_marked(g, d, batches, g_opt, d_opt, recipe, lambda gen: scored.append(1) or len(scored),
                              steps=6, marks=3, chunk=1)
    assert [n for _, n, _ in curve] == [2, 4, 6] and [v for _, _, v in curve] == [1, 2, 3]
    g2, d2, g_opt2, d_opt2, batches2 = pair(0)
    train.train(g2, d2, batches2, 6, g_opt2, d_opt2, progress=False, **recipe.loop())
    assert all(torch.equal(a, b) for a, b in zip(g.parameters(), g2.parameters()))   # chunks change nothing
    with pytest.raises(ValueError, match="not both"):
        runs.train_marked(g, d, batches, g_opt, d_opt, recipe, len, steps=2, seconds=1.0)
