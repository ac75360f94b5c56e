"""The layers' import arrows (docs/architecture.md), read from the source: core imports only core; netlink,
xtables and files import core and themselves, never each other; resources may import all four and
hostinfo; no layer imports what sits above the layers (the Ansible glue, the specs, cnet-restore) or the
controller side (plugin_utils, action, filter)."""

import ast
import os

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
    with open(path) as handle:
        tree = ast.parse(handle.read())
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PREFIX):
            parts = node.module[len(PREFIX):].split(".")
            if len(parts) == 1:  # from ...plugins.module_utils import hostinfo
                out += ["%s.%s" % (parts[0], alias.name) for alias in node.names]
            else:
                out.append("%s.%s" % (parts[0], parts[1]))
    return out


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
