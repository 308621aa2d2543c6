"""gantut: the helper package of the book "GANs, executable".

Flat on purpose: one module per concern, each readable top to bottom.

    data      MNIST / Fashion-MNIST with an offline fallback; toy Gaussian mixtures; stacked MNIST
    nets      MLP, DCGAN, conditional and residual generators and discriminators; initialisation
    losses    the GAN losses, on logits; gradient penalties
    train     the training loop every chapter shares (train.steps, an iterator; train.train)
    features  a small MNIST classifier for judging generated digits; Inception features
    metrics   FID, KID, IS, precision/recall, mode and class coverage
    plot      image grids, loss curves, 1D densities, animations
    theory    optimal discriminator, KL/JS divergences, the value of the game
    runs      experiment plumbing: training recipes, load-or-train, the 2D toy GANs, the digit yardstick
    utils     seeding, device, profiles, thread count, checkpoints
"""
__version__ = "0.1.0"
