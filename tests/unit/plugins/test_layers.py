"""The layers' import arrows (docs/architecture.md), read from the source: core imports only core; netlink,
xtables and files import core and themselves, never each other; resources may import all four and
hostinfo; no layer imports what sits above the layers (the Ansible glue, the specs, cnet-restore) or the
controller side (plugin_utils, action, filter)."""

import ast
import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "..", "plugins", "module_utils")
PREFIX = "ansible_collections.cnet.linux.plugins."
ALLOWED = {
    "core": {"core"},
    "netlink": {"core", "netlink"},
    "xtables": {"core", "xtables"},
    "files": {"core", "files"},
    "resources": {"core", "netlink", "xtables", "files", "resources", "hostinfo"},
}


def targets(path):
    """'module_utils.<layer or file>' of every import of the collection in a file."""
    return [".".join(target.split(".")[:2]) for target in full_targets(path)]


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_each_layer_imports_only_what_it_may(layer):
    seen = 0
    for root, _dirs, names in os.walk(os.path.join(ROOT, layer)):
        for name in sorted(n for n in names if n.endswith(".py")):
            path = os.path.join(root, name)
            for target in targets(path):
                seen += 1
                top, below = target.split(".")
                assert top == "module_utils", "%s imports the controller side: %s" % (path, target)
                assert below in ALLOWED[layer], "%s (layer %s) imports module_utils.%s" % (path, layer, below)
    assert seen, "no imports read in %s: the test reads nothing" % layer


# The controller side: the fleet plan, the action, filter and lookup plugins run where Ansible runs, with
# nothing but ansible-core. From the engine they share its grammar only - core (the input checks, names, marks),
# the name files' grammar (files.etc_netns) and the port grammar (xtables.ports) - never its netlink, iptables or
# resource code. Within the plan, a driver reads the run's Allocation it is handed and imports no other part of
# the plan but the drivers.
PLUGINS = os.path.join(os.path.dirname(__file__), "..", "..", "..", "plugins")
CONTROLLER = ("plugin_utils", "action", "filter", "lookup")
SHARED_FILES = {"files": {"etc_netns"}, "xtables": {"ports"}}


def full_targets(path):
    """The dotted modules (after 'plugins.') a file imports from the collection."""
    with open(path) as handle:
        tree = ast.parse(handle.read())
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PREFIX):
            base = node.module[len(PREFIX):]
            out += ["%s.%s" % (base, alias.name) for alias in node.names]
    return out


def sources(top):
    for root, _dirs, names in os.walk(os.path.join(PLUGINS, top)):
        for name in sorted(n for n in names if n.endswith(".py")):
            yield os.path.join(root, name)


@pytest.mark.parametrize("top", CONTROLLER)
def test_the_controller_side_shares_only_the_engines_grammar(top):
    seen = 0
    for path in sources(top):
        for target in full_targets(path):
            seen += 1
            parts = target.split(".")
            if parts[0] != "module_utils":
                assert parts[0] == "plugin_utils", "%s imports %s" % (path, target)
                continue
            layer = parts[1]
            assert layer == "core" or parts[2] in SHARED_FILES.get(layer, ()), \
                "%s (the controller side) imports the engine's %s" % (path, target)
    assert seen or top == "lookup", "no imports read in %s: the test reads nothing" % top


def test_a_driver_imports_no_other_part_of_the_plan():
    drivers = os.path.join("plugin_utils", "fleet", "plan", "drivers")
    seen = 0
    for path in sources(drivers):
        for target in full_targets(path):
            if target.startswith("plugin_utils"):
                seen += 1
                assert target.startswith("plugin_utils.fleet.plan.drivers."), "%s imports %s" % (path, target)
    assert seen, "no driver imports another: the test reads nothing"


def test_importing_the_controller_side_loads_no_engine_code():
    """The arrows above, as Python sees them: import every controller module in a fresh interpreter and list
    what of module_utils got loaded."""
    modules = []
    for top in CONTROLLER:
        for path in sources(top):
            rel = os.path.relpath(path, PLUGINS)[:-3].replace(os.sep, ".")
            modules.append(PREFIX + (rel[:-len(".__init__")] if rel.endswith(".__init__") else rel))
    code = ("import importlib, sys, json\n"
            "for m in %r: importlib.import_module(m)\n"
            "print(json.dumps(sorted(m for m in sys.modules if m.startswith(%r))))\n"
            % (modules, PREFIX + "module_utils."))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    loaded = json.loads(out.stdout)
    # the packages on the way, and files.ops, with which etc_netns reads a file
    allowed = {"core", "files", "xtables", "files.ops"} | set(
        "%s.%s" % (layer, name) for layer, names in SHARED_FILES.items() for name in names)
    assert loaded and any(m.endswith(".core.inputs") for m in loaded)
    for name in loaded:
        below = name[len(PREFIX + "module_utils."):]
        assert below in allowed or below.startswith("core."), "the controller side loads the engine's %s" % below
