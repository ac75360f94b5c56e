"""The engine's kinds are listed once, in resources/registry.py: each has a module of its name, a spec, a part of
cnet.linux.converge (and its docs), and the fleet plan's converge arguments use no other names."""

import os

import yaml

from ansible_collections.cnet.linux.plugins.module_utils import specs
from ansible_collections.cnet.linux.plugins.module_utils.resources import registry
from ansible_collections.cnet.linux.plugins.modules import converge
from ansible_collections.cnet.linux.plugins.plugin_utils.fleet import plan as fleet_plan

MODULES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "plugins", "modules")
KEY = "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo="


def test_every_kind_has_its_module_spec_and_converge_part():
    kinds = set(registry.KINDS)
    assert kinds and all(cls.KIND == kind for kind, cls in registry.KINDS.items())
    assert set(specs.SPECS) == kinds | {"host_settings", "wireguard_key"}
    for kind in kinds | {"host_settings"}:
        assert os.path.exists(os.path.join(MODULES, kind + ".py")), kind
    documented = set(yaml.safe_load(converge.DOCUMENTATION)["options"])
    assert documented == kinds | {"host_settings", "records_before", "records_after"}
    assert [cls.KIND for cls in converge.CLASSES] == ["host_settings"] + list(registry.KINDS)


def test_the_plans_converge_arguments_are_named_for_the_kinds():
    nets = [{"name": "bridge", "driver": "bridge", "subnet": "172.17.0.0/16"},
            {"name": "l3", "driver": "overlay", "vni": 7, "subnet": "10.7.0.0/16", "encrypted": True},
            {"name": "l2", "driver": "overlay", "mode": "l2", "vni": 8, "subnet": "10.8.0.0/24"},
            {"name": "gw", "driver": "overlay", "mode": "host-gw", "subnet": "10.9.0.0/16"},
            {"name": "lan", "driver": "macvlan", "parent": "eth0", "subnet": "192.0.2.0/24", "host_access": True},
            {"name": "p", "driver": "ptp", "subnet": "10.10.0.0/30"}]
    containers = [{"name": "c%d" % i, "network": n["name"]} for i, n in enumerate(nets)]
    hosts = dict(("h%d" % i, {"containers": containers, "underlay": "198.51.100.%d" % i, "underlay_prefix": 24,
                              "underlay_device": "eth0", "wireguard_keys": {"l3": KEY}}) for i in (1, 2))
    parts = fleet_plan.build(nets, hosts, "h1")["converge"]
    assert set(parts) == set(registry.KINDS)  # every kind has a part here, and there is no other
    down = fleet_plan.build(nets, hosts, "h1", teardown=True)["converge"]
    assert set(down) <= set(registry.KINDS)
