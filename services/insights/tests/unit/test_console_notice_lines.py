"""The console's notice view shows every plain-language line the ledger's notice carries, the program's
commitment benefits and spot-audit rate included (the template renders the areas it is given)."""

from __future__ import annotations

from insights.entrypoints.console.render import templates


class Notices:
    error = None

    def __init__(self, items: list[dict[str, object]]) -> None:
        self._items = items

    def items(self) -> list[dict[str, object]]:
        return self._items


class NoGovernance:
    """The portal's governance answers when none loaded: no plan, no proposals."""

    plan = None
    signed_by: dict[str, str] = {}
    proposals = Notices([])


def test_a_notice_lists_the_commitment_and_audit_rate_changes_with_their_areas() -> None:
    notice = {
        "program_id": "default", "version": 2, "title": "Default partner program", "effective_from": "2027-01-01",
        "acknowledgement": None,
        "differences": [
            {"area": "rates", "text": "The Gold rebate for any other product line rises from 8 % to 8.5 %."},
            {"area": "benefits", "text": "The minimum of engagement points for the committed partner rule is raised "
                                         "from 20 engagement points to 25 engagement points."},
            {"area": "audits", "text": "The spot-audit rate rises from 5 % to 8 % of each quarter's won deals and "
                                       "MDF claims."},
        ],
    }  # fmt: skip
    html = templates.env.get_template("portal_governance.html").render(
        view={"partner_id": "acme"}, dispute_subjects=[], notices=Notices([notice]), gov=NoGovernance()
    )
    assert "<strong>Benefits</strong>: The minimum of engagement points for the committed partner rule" in html
    assert "<strong>Audits</strong>: The spot-audit rate rises from 5 % to 8 %" in html
