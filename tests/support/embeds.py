"""A home page holding Credly embeds and every other badge block, for the browser tests."""

import pytest

FIRST_ID = "90ea8865-ec5d-44cd-b8d3-aacd4ef9502c"
SECOND_ID = "23493415-d092-4884-88bf-917e3dc450e3"


@pytest.fixture
def page_with_embeds(site_tree, make_badge, issuers):
    """The home page's path, once it holds two Credly embeds and every other badge block."""
    related = make_badge("Fundamentals of Collection Development", issuer=issuers["alcts"])
    make_badge("RDA Serials Cataloging Update", issuer=issuers["alcts"])
    home = site_tree["home"]
    home.body = [
        {"type": "paragraph", "value": "<h2>Earners show their badges</h2>"},
        {
            "type": "credly_badge",
            "value": {"badge_id": FIRST_ID, "size": "standard", "caption": "Ana Ruiz"},
        },
        {"type": "badge_card", "value": {"badge": related.pk}},
        {"type": "credly_badge", "value": {"badge_id": SECOND_ID, "size": "large", "caption": ""}},
        {
            "type": "badge_list",
            "value": {
                "heading": "From ALCTS",
                "issuer": issuers["alcts"].pk,
                "skill": "",
                "order": "newest",
                "limit": 6,
            },
        },
        {"type": "how_to_accept", "value": {"guide": site_tree["guide"].pk}},
    ]
    home.newest_badges_count = 0  # the body's card and list show these badges themselves
    home.save_revision().publish()
    return home.url
