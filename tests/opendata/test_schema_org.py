"""The schema.org JSON-LD in the public pages uses schema.org's vocabulary as it is: every type,
every property a type has, and values of the kinds the property takes. The check is Google's
schema-dts (schema.org's vocabulary as TypeScript types) with the TypeScript compiler, both
from the npm registry (`make test` installs them into tests/schemaorg_checker/): the blocks of
every page are written out as values of schema-dts's ``WithContext<Thing>`` and compiled.
"""

import json
import re
import shutil
import subprocess  # noqa: S404 - runs node with fixed arguments on our own file
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from wagtail.models import Page

from badges_cms.models import BadgeIndexPage
from home import demo_content as demo
from tests.support.tools import installed, program

CHECKER = Path(__file__).parent.parent / "schemaorg_checker"
TSC = CHECKER / "node_modules" / "typescript" / "bin" / "tsc"
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)

pytestmark = pytest.mark.django_db


def check_schema_org(blocks, folder):
    """The compiler's complaints about these JSON-LD blocks, one line each (empty: all valid)."""
    tsc = installed(TSC, "The schema.org checker (TypeScript and schema-dts)")
    node = program("node", "the schema.org check")
    source = folder / "blocks.ts"
    lines = ['import type { Thing, WithContext } from "schema-dts";', ""]
    for number, (url, block) in enumerate(blocks):
        lines.append(f"// {url}")
        lines.append(f"export const block{number}: WithContext<Thing> = {json.dumps(block)};")
    source.write_text("\n".join(lines) + "\n")
    # The file sits where it can see the checker's node_modules.
    target = CHECKER / f"blocks-{folder.name}.ts"
    shutil.copy(source, target)
    try:
        result = subprocess.run(  # noqa: S603 - fixed arguments
            # --skipLibCheck: schema-dts's own declarations are not checked again on every
            # run (half the compiler's time); the blocks are still checked against them.
            [node, str(tsc), "--noEmit", "--strict", "--skipLibCheck", "--moduleResolution",
             "bundler", "--module", "esnext", "--target", "es2022", str(target)],
            capture_output=True, text=True, timeout=180, check=False, cwd=CHECKER,
        )  # fmt: skip
    finally:
        target.unlink()
    problems = [line for line in result.stdout.splitlines() if "error TS" in line]
    assert (result.returncode == 0) == (not problems), result.stdout[-2000:] + result.stderr
    return problems


def blocks_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return [(url, json.loads(text)) for text in JSON_LD.findall(response.content.decode())]


def test_the_check_finds_a_property_schema_org_does_not_have(tmp_path):
    good = {"@context": "https://schema.org", "@type": "ItemList", "numberOfItems": 2}
    bad = {"@context": "https://schema.org", "@type": "ItemList", "numberOfBadges": 2}
    wrong_kind = {
        "@context": "https://schema.org",
        "@type": "ListItem",
        "position": {"@type": "Person"},
    }
    problems = check_schema_org([("good", good), ("bad", bad), ("kind", wrong_kind)], tmp_path)
    assert len(problems) == 2, problems
    assert "numberOfBadges" in problems[0]


def test_every_public_page_uses_schema_org_as_it_is(client, tmp_path):
    call_command("load_demo_badges", stdout=StringIO())
    index = BadgeIndexPage.objects.get()
    urls = [page.url for page in Page.objects.live().public().filter(depth__gt=1)]
    urls += [
        f"{index.url}?issuer=alcts&page=1",
        f"{index.url}issuers/",
        f"{index.url}issuers/alcts/",
        f"{index.url}pathways/",
        f"{index.url}pathways/{demo.PATHWAY_SLUG}/",
    ]
    blocks = [block for url in urls for block in blocks_of(client, url)]
    kinds = {block["@type"] for _url, block in blocks}
    assert {
        "WebSite",
        "BreadcrumbList",
        "ItemList",
        "EducationalOccupationalCredential",
        "Organization",
    } <= kinds
    # The pathway's badges and the credential's isPartOf are among what is checked.
    assert any("isPartOf" in block for _url, block in blocks)
    assert check_schema_org(blocks, tmp_path) == []
