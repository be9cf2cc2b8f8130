"""A catalogue with pathways, for the tests of every layer that shows them."""

import pytest

from tests.support.pages import restrict_to_staff

DESCRIPTION = "Four badges on the fundamentals of technical services, in the order to earn them."


@pytest.fixture
def pathways(make_badge, make_pathway, issuers, site_tree):
    """ALCTS Fundamentals: acquisitions, a draft, cataloging, a private badge, then preservation
    (an elective). Cataloging is also in "Basics of cataloging" and in a draft pathway, "Secret
    series", with the badge outside every published pathway."""
    alcts = issuers["alcts"]
    badges = {
        "acquisitions": make_badge("Fundamentals of Acquisitions", issuer=alcts),
        "draft": make_badge("Fundamentals of Unreleased Things", issuer=alcts, publish=False),
        "cataloging": make_badge("Fundamentals of Cataloging", issuer=alcts),
        "private": make_badge("Fundamentals of Staff Matters", issuer=alcts),
        "preservation": make_badge("Fundamentals of Preservation", issuer=alcts),
        "outside": make_badge("Beyond Web Page Analytics"),
    }
    restrict_to_staff(badges["private"])
    fundamentals = make_pathway(
        "ALCTS Fundamentals",
        [badges[name] for name in ("acquisitions", "draft", "cataloging", "private")]
        + [badges["preservation"]],
        slug="alcts-fundamentals",
        electives=[badges["preservation"]],
        issuer=alcts,
        description=DESCRIPTION,
    )
    basics = make_pathway("Basics of cataloging", [badges["cataloging"]], slug="basics")
    secret = make_pathway(
        "Secret series", [badges["cataloging"], badges["outside"]], slug="secret", publish=False
    )
    return {
        **badges,
        "fundamentals": fundamentals,
        "basics": basics,
        "secret": secret,
        "index": site_tree["index"],
        "index_url": site_tree["index"].url,
    }
