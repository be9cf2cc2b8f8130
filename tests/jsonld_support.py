"""Strict JSON-LD checks for the documents the site serves.

``expand_strictly`` expands a document with pyld and fails when anything is lost: a term the
context does not define (pyld would silently drop it), a value that expansion discards (null, a
malformed value object), or an IRI left relative. Contexts come only from tests/jsonld_contexts/,
which ``make test`` fills from the registry packages (scripts/fetch_jsonld_contexts.py); the
document loader refuses every other URL, so no test ever reaches the web.
"""

import json
import re
from functools import cache
from pathlib import Path

from pyld import jsonld

CONTEXTS_DIR = Path(__file__).resolve().parent / "jsonld_contexts"
ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


class JsonLdCheckError(AssertionError):
    pass


@cache
def published_contexts():
    index = CONTEXTS_DIR / "index.json"
    if not index.exists():
        raise JsonLdCheckError(
            f"{index} is missing: run `make test`, or `python scripts/fetch_jsonld_contexts.py`, "
            "to fetch the published Open Badges contexts"
        )
    files = json.loads(index.read_text())
    return {url: json.loads((CONTEXTS_DIR / name).read_text()) for url, name in files.items()}


def local_document_loader(url, options=None):
    contexts = published_contexts()
    if url not in contexts:
        raise JsonLdCheckError(f"The test loader has no local copy of {url}; it never fetches.")
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": contexts[url],
    }


def _compact_leaves(value):
    """Values a compacted document holds: each scalar, each type name, each id."""
    if isinstance(value, dict):
        return sum(_compact_leaves(item) for key, item in value.items() if key != "@context")
    if isinstance(value, list):
        return sum(_compact_leaves(item) for item in value)
    if value is None:
        raise JsonLdCheckError("null value: JSON-LD drops it; leave the property out instead")
    return 1


def _expanded_leaves(value):
    if isinstance(value, list):
        return sum(_expanded_leaves(item) for item in value)
    if not isinstance(value, dict):
        return 1
    if "@value" in value:
        return 1
    count = (1 if "@id" in value else 0) + len(value.get("@type", []))
    return count + sum(
        _expanded_leaves(item) for key, item in value.items() if key not in ("@id", "@type")
    )


def _relative_iris(value, found):
    if isinstance(value, list):
        for item in value:
            _relative_iris(item, found)
    elif isinstance(value, dict):
        if "@value" in value:
            return found
        for iri in [value.get("@id"), *value.get("@type", [])]:
            if iri is not None and not ABSOLUTE_IRI.match(iri):
                found.append(iri)
        for key, item in value.items():
            if not key.startswith("@"):
                if not ABSOLUTE_IRI.match(key):
                    found.append(key)
                _relative_iris(item, found)
    return found


def expand_strictly(document):
    """The expanded document; raises JsonLdCheckError if expansion lost or left anything."""
    dropped = []
    expanded = jsonld.expand(
        document,
        {"documentLoader": local_document_loader, "base": None},
        on_property_dropped=dropped.append,
    )
    if dropped:
        raise JsonLdCheckError(f"terms the context does not define were dropped: {dropped}")
    relative = _relative_iris(expanded, [])
    if relative:
        raise JsonLdCheckError(f"IRIs left relative (undefined types or ids?): {relative}")
    before, after = _compact_leaves(document), _expanded_leaves(expanded)
    if before != after:
        raise JsonLdCheckError(f"expansion kept {after} of the document's {before} values")
    return expanded
