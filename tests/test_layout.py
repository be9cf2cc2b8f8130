"""The plugin's layout holds as the code changes: module-level imports form no cycle, the Credly
client knows nothing of Wagtail or of our models, what the page models build on imports no
model, and no import hides inside a function to dodge a cycle."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "badges_cms"

# The imports that stay inside a function, each for a reason other than a cycle.
FUNCTION_LEVEL_IMPORTS = {
    # AppConfig.ready(): Django's place to register checks and connect signal handlers.
    ("badges_cms.apps", "badges_cms.checks"),
    ("badges_cms.apps", "badges_cms.catalogue.aliases"),
    ("badges_cms.apps", "badges_cms.signal_handlers"),
    ("badges_cms.feedback.apps", "badges_cms.feedback.checks"),
    # Wagtail's admin widgets and views need the app registry ready (Wagtail's own TextBlock
    # and AbstractForm import them the same way).
    ("badges_cms.blocks", "wagtail.admin.widgets"),
    ("badges_cms.feedback.models", "badges_cms.feedback.views"),
    # The redirects app is optional: its models import only where it is installed.
    ("badges_cms.opendata.views", "wagtail.contrib.redirects.models"),
}


def module_name(path):
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def resolve(module, is_package, node):
    """The absolute names a ``from ... import`` or ``import`` statement brings in."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        prefix = ".".join(base + ([node.module] if node.module else []))
    else:
        prefix = node.module
    # "from package import module" brings in the module; "from module import name" the module.
    return [f"{prefix}.{alias.name}" for alias in node.names] + [prefix]


def plugin_modules():
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        modules[module_name(path)] = (path, path.name == "__init__.py")
    return modules


MODULES = plugin_modules()


def imports_of(module):
    """(module-level imports, function-level imports) of one plugin module, as names."""
    path, is_package = MODULES[module]
    tree = ast.parse(path.read_text())
    top, inner = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = resolve(module, is_package, node)
            (top if node in tree.body else inner).update(names)
    return top, inner


def parents_of(module):
    return {module.rsplit(".", depth)[0] for depth in range(1, module.count(".") + 1)}


def plugin_edges(names, module):
    """The plugin modules among ``names``, leaving out the module's own parent packages (Python
    has them loaded before the module itself runs)."""
    return {name for name in names if name in MODULES and name not in parents_of(module) | {module}}


GRAPH = {module: plugin_edges(imports_of(module)[0], module) for module in MODULES}


def reachable(start):
    seen, todo = set(), [start]
    while todo:
        for target in GRAPH[todo.pop()]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def test_module_level_imports_form_no_cycle():
    cycles = sorted(module for module in MODULES if module in reachable(module))
    assert cycles == []


def test_no_import_hides_in_a_function_but_the_listed_ones():
    found = set()
    for module in MODULES:
        _top, inner = imports_of(module)
        found |= {(module, name) for name in inner if name not in parents_of(module)}
    # Each statement also yields its imported names: compare on the modules it names.
    listed = {(module, name) for module, name in found if (module, name) in FUNCTION_LEVEL_IMPORTS}
    unlisted = {
        (module, name)
        for module, name in found
        if not any(module == m and name.startswith(n) for m, n in FUNCTION_LEVEL_IMPORTS)
    }
    assert unlisted == set()
    assert set(FUNCTION_LEVEL_IMPORTS) <= listed


def test_the_credly_client_knows_nothing_of_django_or_wagtail():
    top, inner = imports_of("badges_cms.credly.client")
    outside = {name for name in top | inner if name.split(".")[0] in {"wagtail", "django"}}
    assert outside == set()
    assert plugin_edges(top | inner, "badges_cms.credly.client") == set()


@pytest.mark.parametrize(
    "module", ["badges_cms.models.pages", "badges_cms.models.querysets", "badges_cms.blocks"]
)
def test_what_the_models_build_on_imports_no_model_but_lower_ones(module):
    """The page models import feature modules (the listing, routes, meta tags, blocks); those
    must reach no model module again, or the models would import themselves."""
    below_models = reachable(module) - {m for m in MODULES if m.startswith("badges_cms.models")}
    back = {
        (feature, target)
        for feature in below_models
        for target in GRAPH[feature]
        if target.startswith("badges_cms.models")
    }
    assert back == set()


def test_no_test_imports_another_test_module_or_a_conftest():
    """Tests share builders through tests/factories.py and fixtures through tests/support/."""
    tests = PACKAGE.parent / "tests"
    found = []
    for path in tests.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [alias.name for alias in node.names]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            last = [name.rsplit(".", 1)[-1] for name in names]
            if any(part.startswith("test_") or part == "conftest" for part in last):
                found.append(f"{path.relative_to(tests)}:{node.lineno}")
    assert found == []
