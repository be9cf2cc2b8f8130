"""The checkers some tests run as programs of their own (installed by `make test` from npm), and
the runtimes they need: a clear failure, never a skip, when one is missing."""

import shutil

import pytest


def installed(path, what):
    """``path`` of ``what``, failing the test when `make test` has not installed it."""
    if not path.exists():
        pytest.fail(
            f"{what} is not installed at {path}: run `make test`, which installs it from npm.",
            pytrace=False,
        )
    return path


def program(name, needed_by):
    """The full path of the program ``name`` (java, node), failing the test when it is missing."""
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: {needed_by} needs it.", pytrace=False)
    return found
