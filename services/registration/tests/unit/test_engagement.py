from datetime import date

import pytest
from incentive_contracts.events.engagement import EngagementKind, EngagementRecorded
from registration.domain.engagement import Engagement, RecordEngagement, decide_record
from registration.domain.errors import AlreadyExists, RuleViolation

from .builders import DAY, partner

COMMAND = RecordEngagement("e1", "acme", EngagementKind.CERTIFICATION, date(2026, 2, 20), " cert://123 ", DAY)
SAME = Engagement("e0", "acme", EngagementKind.CERTIFICATION, date(2026, 2, 20), "cert://123")


def test_an_engagement_is_recorded_with_its_evidence():
    [event] = decide_record(partner(), None, None, COMMAND)
    assert isinstance(event, EngagementRecorded)
    assert (event.kind, event.occurred_on, event.evidence_ref) == ("certification", date(2026, 2, 20), "cert://123")


@pytest.mark.parametrize(
    ("who", "existing", "duplicate", "command", "error"),
    [
        (None, None, None, COMMAND, RuleViolation),
        (partner(active=False), None, None, COMMAND, RuleViolation),
        (partner(), SAME, None, COMMAND, AlreadyExists),
        (partner(), None, SAME, COMMAND, AlreadyExists),
        (
            partner(),
            None,
            None,
            RecordEngagement("e1", "acme", EngagementKind.CERTIFICATION, date(2026, 3, 3), "x", DAY),
            RuleViolation,
        ),
    ],
)
def test_engagements_are_refused_for_unknown_or_inactive_partners_duplicates_and_future_dates(
    who, existing, duplicate, command, error
):
    with pytest.raises(error):
        decide_record(who, existing, duplicate, command)
