from decimal import Decimal

from mdf.domain.milestones import MilestonePlan, due_disbursements, milestone_violations


def plan(*parts: tuple[str, str, str]) -> tuple[MilestonePlan, ...]:
    return tuple(MilestonePlan(name, trigger, Decimal(pct)) for name, trigger, pct in parts)  # type: ignore[arg-type]


FIFTY_FIFTY = plan(("plan", "plan_approved", "50"), ("proof", "proof_approved", "50"))


def test_valid_plans_have_no_violations():
    assert milestone_violations(FIFTY_FIFTY) == []
    assert milestone_violations(plan(("all", "proof_approved", "100"))) == []


def test_percentages_must_add_up_to_one_hundred():
    rules = milestone_violations(plan(("plan", "plan_approved", "50"), ("proof", "proof_approved", "40")))
    assert [v.rule for v in rules] == ["milestones_invalid"]
    assert "100" in rules[0].message


def test_proof_must_be_part_of_the_plan():
    rules = milestone_violations(plan(("upfront", "plan_approved", "100")))
    assert any("proof" in v.message for v in rules)


def test_names_unique_and_percentages_positive():
    messages = " ".join(
        v.message for v in milestone_violations(plan(("a", "plan_approved", "0"), ("a", "proof_approved", "100")))
    )
    assert "unique" in messages
    assert "positive" in messages
    assert milestone_violations(()) != []


def test_plan_milestone_pays_its_share_of_the_approved_amount():
    due = due_disbursements(
        FIFTY_FIFTY, "plan_approved", base=Decimal("4500.00"), already_paid=Decimal(0), currency="EUR"
    )
    assert [(m.name, amount) for m, amount in due] == [("plan", Decimal("2250.00"))]


def test_proof_pays_the_rest_of_a_partly_approved_claim():
    # Approved 4500, half (2250) paid on the plan; the claim is approved for 4000: 1750 remains.
    due = due_disbursements(
        FIFTY_FIFTY, "proof_approved", base=Decimal("4000.00"), already_paid=Decimal("2250.00"), currency="EUR"
    )
    assert [(m.name, amount) for m, amount in due] == [("proof", Decimal("1750.00"))]


def test_rounding_never_drifts_the_total():
    thirds = plan(("a", "plan_approved", "33.33"), ("b", "proof_approved", "33.33"), ("c", "proof_approved", "33.34"))
    first = due_disbursements(thirds, "plan_approved", base=Decimal("100.01"), already_paid=Decimal(0), currency="EUR")
    # 100.01 * 33.33% = 33.333333 -> 33.33
    assert [a for _, a in first] == [Decimal("33.33")]
    rest = due_disbursements(
        thirds, "proof_approved", base=Decimal("100.01"), already_paid=Decimal("33.33"), currency="EUR"
    )
    # cumulative 66.66% of 100.01 = 66.666666 -> 66.67, so b pays 33.34; c lands on 100.01, paying 33.34
    assert [a for _, a in rest] == [Decimal("33.34"), Decimal("33.34")]
    assert sum(a for _, a in first + rest) == Decimal("100.01")


def test_a_milestone_whose_target_is_already_covered_pays_nothing():
    steps = plan(("plan", "plan_approved", "50"), ("proof", "proof_approved", "40"), ("final", "proof_approved", "10"))
    # 500 paid on a 1000 plan; claim approved for 520: proof target 90% of 520 = 468 < 500, final pays 20.
    due = due_disbursements(
        steps, "proof_approved", base=Decimal("520.00"), already_paid=Decimal("500.00"), currency="EUR"
    )
    assert [(m.name, a) for m, a in due] == [("final", Decimal("20.00"))]
