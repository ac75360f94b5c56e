"""The key table is the one source of the inventory's keys: the checks, the did-you-mean, Docker's driver_opts and
the docs come from it, so none of them can name a key the others do not know."""

import os
import re

import pytest

from ansible_collections.cnet.linux.plugins.module_utils.core import inputs
from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError
from ansible_collections.cnet.linux.plugins.module_utils.netlink import const
from ansible_collections.cnet.linux.plugins.plugin_utils.fleet import inventory, keys, schema

DOCS = os.path.join(os.path.dirname(__file__), "..", "..", "..", "docs")


def read(name):
    with open(os.path.join(DOCS, name)) as handle:
        return handle.read()


def test_each_key_is_declared_once_per_item():
    for item in ("network", "container", "attachment"):
        names = [k.name for k in keys.TABLE if keys.takes(k, item)]
        assert len(names) == len(set(names)), item


def test_roles_md_holds_the_generated_tables():
    text = read("roles.md")
    found = re.search(r"<!-- keys: generated from plugins/plugin_utils/fleet/keys.py -->\n(.*?)<!-- /keys -->", text,
                      re.S)
    assert found, "docs/roles.md has no generated key section"
    assert found.group(1) == keys.markdown(), "docs/roles.md's key tables are stale: run scripts/keys-doc"
    for k in keys.TABLE:
        assert "| `%s` |" % k.name in found.group(1)


def test_compose_md_maps_every_docker_name_the_table_reads():
    rows = [line.split(" | ") for line in read("compose.md").splitlines() if line.startswith("| ")]
    docker = [(k.compose, k.name) for k in keys.TABLE if k.compose]
    docker += [("driver_opts: %s" % opt, k.name) for k in keys.TABLE for opt in k.driver_opt.values()]
    assert docker
    for name, key in docker:
        assert any(name in row[0] and "`%s" % key in row[1] for row in rows if len(row) > 2), \
            "docs/compose.md has no row mapping %s to %s" % (name, key)


def test_the_checks_take_their_keys_ranges_and_defaults_from_the_table():
    assert "vni" in keys.part("vxlan") and "encrypted" in keys.part("encryption")
    for key in keys.part("vxlan") + keys.part("encryption"):  # each refused on a host-gw overlay, named as VXLAN's
        with pytest.raises(InputError, match=r"\.%s: '%s' is VXLAN's" % (key, key)):
            inventory.network({"name": "g", "driver": "overlay", "mode": "host-gw", "subnet": "10.6.0.0/16", key: 1}, 0)
    assert schema.NETWORK["ptp"] == ("name", "driver", "subnet", "gateway", "mtu")
    assert set(schema.SYNONYMS.values()) <= set(k.name for k in keys.TABLE)
    net = inventory.network({"name": "b", "subnet": "10.9.0.0/24"}, 0)
    assert (net["icc"], net["internal"], net["masquerade"], net["masquerade6"]) == (True, False, True, False)
    over = inventory.network({"name": "o", "driver": "overlay", "vni": 9, "subnet": "10.8.0.0/16",
                              "encrypted": True}, 1)
    assert (over["port"], over["wireguard_port"], over["key_epoch"], over["firewall"]) == (4790, 51820, 0, True)
    for key, (lo, hi) in (("vni", (1, 16777215)), ("wireguard_port", (1, 65535)), ("key_epoch", (0, 2 ** 31 - 1))):
        assert [k.range for k in keys.TABLE if k.name == key] == [(lo, hi)]
        with pytest.raises(InputError, match=r"\.%s: %d is out of range %d\.\.%d" % (key, hi + 1, lo, hi)):
            inventory.network({"name": "o", "driver": "overlay", "vni": 9, "subnet": "10.8.0.0/16",
                               "encrypted": True, key: hi + 1}, 1)


def test_macvlan_modes_are_the_kernels():
    assert set(inputs.MACVLAN_MODES) == set(const.MACVLAN_MODES)
    assert [k.words for k in keys.TABLE if k.name == "macvlan_mode"] == ["bridge, private, vepa or passthru"]
