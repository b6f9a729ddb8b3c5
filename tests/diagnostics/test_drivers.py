"""The drivers of an outcome (§12), against hand-worked examples.

The example group: 30 responses, five patterns repeated six times. The outcome's answers are
2, 1, 4, 3, 5 (each six times); each condition's domain scores are a reordering of 1 to 5 (each
six times). Every value appears exactly six times on both sides, so each value's average rank
is 6v − 2.5, an increasing straight line in v, and Spearman's ρ is the Pearson correlation of
the five values themselves: with the outcome centred at 3 as (−1, −2, 1, 0, 2), whose squares
sum to 10,

- supervision 1, 2, 3, 4, 5 → (−2, −1, 0, 1, 2): cross products 2 + 2 + 0 + 0 + 4 = 8, ρ = 0.8;
- workload    3, 1, 5, 4, 2 → (0, −2, 2, 1, −1): 0 + 4 + 2 + 0 − 2 = 4, ρ = 0.4;
- systems     1, 3, 4, 5, 2 → (−2, 0, 1, 2, −1): 2 + 0 + 1 + 0 − 2 = 1, ρ = 0.1;
- appreciation 4, 5, 3, 2, 1 → (1, 2, 0, −1, −2): −1 − 4 + 0 + 0 − 4 = −9, ρ = −0.9.

The 95% interval, Fisher's z with Bonett and Wright's standard error, n = 30, z₀.₉₇₅ = 1.95996:
for ρ = 0.8, z = atanh 0.8 = 1.09861, SE = √((1 + 0.32) / 27) = 0.22111, so
tanh(1.09861 ∓ 1.95996 × 0.22111) = tanh(0.66525) to tanh(1.53198) = 0.5818 to 0.9108;
for ρ = 0.4, SE = √(1.08 / 27) = 0.2, tanh(0.42365 ∓ 0.39199) = 0.0316 to 0.6727;
for ρ = 0.1, SE = √(1.005 / 27) = 0.19293, tanh(0.10034 ∓ 0.37814) = −0.2709 to 0.4450;
for ρ = −0.9, SE = √(1.405 / 27) = 0.22812, tanh(−1.47222 ∓ 0.44710) = −0.9579 to −0.7719.

Their p-values from the same z (z = atanh ρ / SE, p = 2·P(Z > |z|)): supervision 1.09861 / 0.22111
= 4.969, p = 6.7e−7; workload 0.42365 / 0.2 = 2.1183, p = 0.0342; systems 0.10034 / 0.19293 =
0.5201, p = 0.603; appreciation 6.454, p = 1.1e−10. Benjamini–Hochberg at 10% over these four
keeps the i smallest for the largest i with p₍ᵢ₎ ≤ i × 0.10 / 4: workload is third, 0.0342 ≤ 0.075,
so three are clear. Over twelve conditions (eight more like systems) workload would need 0.0342 ≤
3 × 0.10 / 12 = 0.025: its interval still leaves out 0, but it is no longer called clear.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from diagnostics.drivers import (
    Condition,
    Outcome,
    associate,
    drivers_of,
    minimum_responses,
)

STAY = Outcome("STAY", "Intending to stay", "intend to stay")
SUP = Condition("SUP", "Supervision", "better supervision")
WL = Condition("WL", "Workload and caseloads", "more manageable workloads")
SYS = Condition("SYS", "Systems and tools", "better systems and tools")
APP = Condition("APP", "Appreciation", "feeling more appreciated")

OUTCOME = [2, 1, 4, 3, 5]
PATTERNS = {
    "SUP": [1, 2, 3, 4, 5],
    "WL": [3, 1, 5, 4, 2],
    "SYS": [1, 3, 4, 5, 2],
    "APP": [4, 5, 3, 2, 1],
}


def group(repeats: int = 6) -> dict[int, dict[str, float]]:
    scores: dict[int, dict[str, float]] = {}
    for copy in range(repeats):
        for index, answer in enumerate(OUTCOME):
            scores[copy * 5 + index] = {
                "STAY": float(answer),
                **{code: float(values[index]) for code, values in PATTERNS.items()},
            }
    return scores


def test_it_computes_rho_and_its_interval_as_worked_by_hand():
    pairs = [
        (float(x), float(y))
        for _ in range(6)
        for x, y in zip(PATTERNS["SUP"], OUTCOME, strict=True)
    ]
    association = associate(SUP, pairs)
    assert association is not None
    assert association.rho == pytest.approx(0.8)
    assert association.low == pytest.approx(0.5818, abs=1e-4)
    assert association.high == pytest.approx(0.9108, abs=1e-4)
    assert association.n == 30
    assert association.interval_leaves_out_zero
    assert association.p_value == pytest.approx(6.7e-7, rel=0.02)
    workload_pairs = zip(PATTERNS["WL"], OUTCOME, strict=True)
    workload = associate(WL, [(float(x), float(y)) for x, y in workload_pairs] * 6)
    assert workload is not None
    assert workload.p_value == pytest.approx(0.0342, abs=1e-4)


def test_it_ranks_the_conditions_strongest_first_and_words_them_as_association():
    found = drivers_of(STAY, [SUP, WL, SYS, APP], group(), responses=30, minimum=30)
    assert found.refused == ""
    assert [d.condition.code for d in found.drivers] == ["APP", "SUP", "WL", "SYS"]
    assert [d.rank for d in found.drivers] == [1, 2, 3, 4]
    assert [(d.rho, d.low, d.high) for d in found.drivers] == [
        (Decimal("-0.90"), Decimal("-0.96"), Decimal("-0.77")),
        (Decimal("0.80"), Decimal("0.58"), Decimal("0.91")),
        (Decimal("0.40"), Decimal("0.03"), Decimal("0.67")),
        (Decimal("0.10"), Decimal("-0.27"), Decimal("0.45")),
    ]
    assert [d.clear for d in found.drivers] == [True, True, True, False]
    assert [d.strength for d in found.drivers] == ["strong", "strong", "moderate", "weak"]
    appreciation, supervision, _workload, systems = found.drivers
    assert supervision.sentence == (
        "Staff who report better supervision are more likely to say they intend to stay."
    )
    assert appreciation.sentence == (
        "Staff who report feeling more appreciated are less likely to say they intend to stay."
    )
    assert (
        systems.sentence == "No clear association between systems and tools and intending to stay."
    )
    assert found.reading == appreciation.sentence


def test_it_refuses_a_group_of_fewer_than_30_responses():
    scores = group()
    del scores[0]
    found = drivers_of(STAY, [SUP], scores, responses=29, minimum=30)
    assert found.drivers == ()
    assert found.refused == "fewer than 30 responses"
    assert found.reading == "Not shown: fewer than 30 responses."


def test_it_never_asks_for_fewer_than_30_whatever_the_setting():
    assert minimum_responses(10) == 30
    assert minimum_responses(45) == 45
    found = drivers_of(STAY, [SUP], group(), responses=30, minimum=45)
    assert found.refused == "fewer than 45 responses"


def test_it_leaves_out_a_condition_fewer_than_the_minimum_answered():
    scores = group()
    for pk in range(3):
        del scores[pk]["WL"]  # three people gave no workload score
    found = drivers_of(STAY, [SUP, WL], scores, responses=30, minimum=30)
    assert [d.condition.code for d in found.drivers] == ["SUP"]


def test_it_says_so_when_the_outcome_does_not_vary():
    scores = {pk: {**by_code, "STAY": 6.0} for pk, by_code in group().items()}
    found = drivers_of(STAY, [SUP], scores, responses=30, minimum=30)
    assert found.drivers == ()
    assert "do not vary" in found.refused


def test_it_does_not_call_an_association_clear_that_does_not_stand_out_among_many_tested():
    like_systems = [Condition(f"N{i}", f"Null {i}") for i in range(8)]
    scores = group()
    for response in scores.values():
        for condition in like_systems:
            response[condition.code] = response["SYS"]
    found = drivers_of(STAY, [SUP, WL, SYS, APP, *like_systems], scores, responses=30, minimum=30)
    by_code = {d.condition.code: d for d in found.drivers}
    workload = by_code["WL"]
    assert (workload.low, workload.high) == (Decimal("0.03"), Decimal("0.67"))  # leaves out 0
    assert not workload.clear
    assert workload.among_many
    assert workload.sentence == (
        "No clear association between workload and caseloads and intending to stay: once the "
        "number of conditions tested is allowed for, it is within what chance alone could give."
    )
    systems = by_code["SYS"]
    assert systems.low is not None
    assert systems.high is not None
    assert systems.low < 0 < systems.high
    assert not systems.among_many
    assert systems.sentence.endswith("and intending to stay.")
    assert [d.condition.code for d in found.drivers if d.clear] == ["APP", "SUP"]
    assert found.reading == by_code["APP"].sentence
