import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from gantut import plot  # noqa: E402


@pytest.mark.parametrize("images, message", [
    (torch.zeros(4, 28, 28), "unsqueeze"),
    (torch.zeros(4, 2, 28, 28), "C = 1 or 3"),
    (torch.full((4, 1, 28, 28), 2.0), "must be in"),
    (torch.rand(4, 1, 28, 28), "look like \\[0, 1\\]"),
    (torch.zeros(4, 1, 28, 28, dtype=torch.uint8), "floating point"),
    (torch.full((4, 1, 28, 28), float("nan")), "NaN"),
])
def test_image_grid_refuses_bad_images(images, message):
    with pytest.raises(ValueError, match=message):
        plot.image_grid(images)


@pytest.mark.parametrize("value_range", [(-1.0, 1.0), (0.0, 1.0)])
def test_image_grid_maps_the_range_to_black_and_white_in_place(value_range):
    lo, hi = value_range
    images = torch.full((3, 1, 28, 28), lo)
    images[1] = hi                                   # the second image white, the others black
    images[2, 0, 5, 7] = (lo + hi) / 2               # one mid-grey pixel in the third
    fig = plot.image_grid(images, nrow=2, title="step 0", value_range=value_range)
    shown = fig.axes[0].images[0].get_array()
    assert fig.axes[0].get_title() == "step 0"
    assert shown.shape == (2 * 30 + 2, 2 * 30 + 2, 3)    # 2 x 2 cells of 28 + 2 border pixels
    assert np.all(shown[2:30, 2:30] == 0) and np.all(shown[2:30, 32:60] == 1)
    assert np.allclose(shown[32 + 5, 2 + 7], 0.5) and shown[32:60, 2:30].sum() == 1.5
    assert np.all(shown[:2] == 1) and np.all(shown[32:60, 32:60] == 1)   # borders and the empty cell: white


def test_image_grid_shows_a_single_image():
    shown = plot.image_grid(torch.zeros(1, 1, 28, 28)).axes[0].images[0].get_array()
    assert shown.shape[-1] == 3 and np.allclose(shown[5:20, 5:20], 0.5)      # 0 in [-1, 1] is mid-grey


def test_smooth_is_a_trailing_moving_average():
    assert np.allclose(plot.smooth([1, 2, 3, 4], 2), [1, 1.5, 2.5, 3.5])
    assert np.allclose(plot.smooth([1, 2, 3], 1), [1, 2, 3])


def test_curves_labels_lines_and_refuses_unknown_keys():
    fig = plot.curves({"loss_d": [1, 2, 3], "loss_g": [3, 2, 1]}, hlines={"log 4": 1.386})
    ax = fig.axes[0]
    assert ax.get_xlabel() == "training step"
    assert [line.get_label() for line in ax.lines] == ["loss_d", "loss_g", "log 4"]
    with pytest.raises(KeyError, match="loss_x"):
        plot.curves({"loss_d": [1]}, keys=["loss_x"])


def test_curves_draws_each_reference_level_in_its_own_style():
    fig = plot.curves({"loss_d": [1, 2, 3]}, hlines={"log 4": 1.386, "log 2": 0.693})
    styles = [line.get_linestyle() for line in fig.axes[0].lines[1:]]
    assert len(set(styles)) == 2   # a reader can tell the two levels apart in the legend


def test_density_plots_draw_and_validate():
    x = np.linspace(-3, 3, 50)
    fig = plot.density_1d(x, {"p_data": np.exp(-x**2)}, discriminator=np.full_like(x, 0.5))
    assert len(fig.axes) == 2 and fig.axes[1].get_ylabel() == "D(x)"


def test_animation_html_has_frames_and_no_cdn_link():
    import matplotlib.pyplot as plt
    from matplotlib import animation

    fig, ax = plt.subplots()
    movie = animation.FuncAnimation(fig, lambda i: ax.plot([0, i]), frames=2)
    html = plot.animation_html(movie)
    plt.close(fig)
    assert "data:image/png;base64" in html and "cdn" not in html.lower()
