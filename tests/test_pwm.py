import numpy as np

from bindscope.pwm import strand_scores
from bindscope.sequence import one_hot


def test_scores_every_start_on_both_strands():
    pwm = np.log(np.array([[0.7, 0.1], [0.1, 0.1], [0.1, 0.1], [0.1, 0.7]]) / 0.25)  # AT
    scores = strand_scores(one_hot("AATNT")[None], pwm)[0].numpy()
    a, t = pwm[0, 0], pwm[3, 1]
    assert scores.shape == (2, 4)
    # forward: AA, AT, TN, NT; reverse strand: the complementary PWM read backwards over the same starts
    np.testing.assert_allclose(scores[0], [a + pwm[0, 1], a + t, pwm[3, 0], t], rtol=1e-6)
    np.testing.assert_allclose(scores[1], [pwm[3, 1] + pwm[3, 0], a + t, pwm[0, 1], a], rtol=1e-6)
