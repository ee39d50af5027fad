"""The quality gate: the decision whether a candidate may replace the active version."""

import math


def gate_decide(
    *,
    metric: str,
    higher_is_better: bool,
    candidate: float,
    baseline: float,
    active: float | None,
    tolerance: float,
) -> dict:
    """Passes when the candidate beats the baseline outright and the active version (re-scored
    on the candidate's held-out data) by more than `-tolerance` relative to the active score.

    The tolerance lets a retrain on fresher data through when it scores within noise of the
    active version; the baseline must always be beaten. Every number compared is returned.
    """

    def gain_over(other: float) -> float:
        return candidate - other if higher_is_better else other - candidate

    reasons = []
    if not _finite(candidate):
        reasons.append(f"the candidate's {metric} is not a number")
    elif not gain_over(baseline) > 0:
        reasons.append(f"{metric} {candidate:.4f} does not beat the baseline's {baseline:.4f}")
    behind_active = active is not None and not gain_over(active) > -tolerance * abs(active)
    if _finite(candidate) and behind_active:
        reasons.append(
            f"{metric} {candidate:.4f} does not beat the active version's {active:.4f}"
            + (f" within a tolerance of {tolerance:.1%}" if tolerance else "")
        )
    return {
        "passed": not reasons,
        "metric": metric,
        "higher_is_better": higher_is_better,
        "candidate": candidate,
        "baseline": baseline,
        "active": active,
        "tolerance": tolerance,
        "reasons": reasons,
    }


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)
