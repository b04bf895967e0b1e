"""Chapter 9.2, the limits of deep learning, as experiments: pure computation.

* :mod:`~dlwp_widgets.limits.adversarial` — FGSM and iterative (BIM/PGD) attacks, flip-rate sweeps;
* :mod:`~dlwp_widgets.limits.extrapolation` — fits inside a training range judged outside it,
  identity on even numbers, sorting short sequences tested on long ones;
* :mod:`~dlwp_widgets.limits.hull` — is a new sample inside the convex hull of the training set
  (one linear program per sample)?
* :mod:`~dlwp_widgets.limits.reasoning` — SimpleLogic-style propositional problems sampled two ways.

Nothing here imports TensorFlow or Keras at module import time.
"""
