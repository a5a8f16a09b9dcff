"""Baselines a model must beat, scored on the same test windows: what a biologist does without one.

- :mod:`bindscope.baselines.pwm_scan`: the best log-odds score of the expected motif's PWM.
- :mod:`bindscope.baselines.kmer_lr`: logistic regression on canonical k-mer counts.

Each writes the same evaluation files as a trained model (:func:`bindscope.scoring.write_evaluation`).
"""

BASELINES = ("pwm_scan", "kmer_lr")
