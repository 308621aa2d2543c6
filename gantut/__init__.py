"""gantut: the helper package of the book "GANs, executable".

Flat on purpose: one module per concern, each readable top to bottom.

    data      MNIST / Fashion-MNIST with an offline fallback; toy Gaussian mixtures
    nets      MLP and DCGAN generators and discriminators; DCGAN initialisation
    losses    the GAN losses, on logits
    train     the training loop every chapter shares
    features  a small MNIST classifier for judging generated digits
    metrics   Frechet distance of feature statistics
    plot      image grids, loss curves, 1D/2D densities, animations
    theory    optimal discriminator, KL/JS divergences, the value of the game
    utils     seeding, device, profiles, thread count, checkpoints
"""
__version__ = "0.1.0"
