"""How rates are written: 100 % only when it is exactly 100 %."""
from fazhi_exam.stats.formats import percent, score


def test_percent_never_rounds_up_to_a_full_hundred():
    assert percent(1.0) == "100%"
    assert percent(152 / 153) == "99.3%"
    assert percent(2 / 3) == "66.7%"
    assert percent(0.9996) == "99.9%"
    assert percent(0) == "0.0%"
    assert percent(None) == "—"


def test_scores_drop_a_useless_decimal():
    assert (score(92.0), score(91.54), score(None)) == ("92", "91.5", "—")
