"""Property-based bad input for the fleet plan (issue 17): any inventory, however wrong, either plans (a plain,
serializable result) or fails with an InputError naming the host and the variable - never another exception.
An unknown key always fails, naming that key."""

import copy
import json

import pytest

from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError
from ansible_collections.cnet.linux.plugins.module_utils.xtables import ports
from ansible_collections.cnet.linux.plugins.plugin_utils.fleet import plan as fleet_plan
from ansible_collections.cnet.linux.plugins.plugin_utils.fleet import schema

hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies

NETS = [{"name": "bridge", "driver": "bridge", "bridge": "cnet0", "subnet": "172.17.0.0/16", "icc": True},
        {"name": "backend", "driver": "overlay", "mode": "l3", "vni": 4096, "subnet": "10.244.0.0/16"},
        {"name": "flat", "driver": "overlay", "mode": "l2", "vni": 4097, "subnet": "10.245.0.0/24"},
        {"name": "p2p", "driver": "ptp", "subnet": "10.9.0.0/30"}]
CONTAINERS = [{"name": "web", "network": "bridge", "ipv4": "172.17.0.10", "publish": ["2333:22"]},
              {"name": "api", "networks": [{"name": "bridge"}, {"name": "backend", "interface": "eth5"}, "flat"]},
              {"name": "side", "network": "container:web"}, {"name": "tools", "network": "none"},
              {"name": "job", "pid": 4242, "network": "p2p"}]
VARIABLES = ("cnet_networks", "cnet_containers", "cnet_overlay_leases", "cnet_underlay")
NET_KEYS = set(k for keys in schema.NETWORK.values() for k in keys)
KNOWN = set(schema.CONTAINER) | set(schema.ATTACHMENT) | NET_KEYS

scalars = st.one_of(st.none(), st.booleans(), st.integers(-2 ** 40, 2 ** 40), st.floats(allow_nan=True),
                    st.text(max_size=20), st.sampled_from(["", "0", "1500", "172.17.0.1", "10.244.3.0/24", "eth0",
                                                           "bridge", "none", "host", "container:web", "l2", "l3",
                                                           "80:80", "a" * 16, "/", "fe80::1", "172.17.0.0/16"]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                      max_leaves=6)
keys = st.one_of(st.sampled_from(sorted(KNOWN | set(schema.NOT_YET) | set(schema.SYNONYMS))), st.text(max_size=12))


def items(inventory):
    """Every mapping a mutation may land in: networks, containers, attachments, the leases."""
    out = [("net", n) for n in inventory["networks"] if isinstance(n, dict)]
    for c in inventory["containers"]:
        if isinstance(c, dict):
            out.append(("ctr", c))
            attached = c.get("networks")
            out += [("att", a) for a in attached if isinstance(a, dict)] if isinstance(attached, list) else []
    return out + [("leases", inventory["leases"])]


@st.composite
def inventories(draw):
    inv = {"networks": copy.deepcopy(NETS), "containers": copy.deepcopy(CONTAINERS), "leases": {}}
    for _round in range(draw(st.integers(1, 3))):
        _kind, target = draw(st.sampled_from(items(inv)))
        action = draw(st.sampled_from(["set", "set", "add", "drop"]))
        if action == "drop" and target:
            target.pop(draw(st.sampled_from(sorted(target))))
        elif action == "add" or not target:
            target[draw(keys)] = draw(values)
        else:
            target[draw(st.sampled_from(sorted(target)))] = draw(values)
    if draw(st.integers(0, 3)) == 0:  # now and then a variable itself is of the wrong shape
        inv[draw(st.sampled_from(sorted(inv)))] = draw(values)
    return inv


def unknown_keys(inv):
    """The keys no item of its kind takes, where the plan reads them."""
    out = []
    nets, conts = inv["networks"], inv["containers"]
    for net in nets if isinstance(nets, list) else ():
        out += [k for k in net if k not in NET_KEYS] if isinstance(net, dict) else []
    for c in conts if isinstance(conts, list) else ():
        if not isinstance(c, dict):
            continue
        out += [k for k in c if k not in schema.CONTAINER]
        if isinstance(c.get("publish"), list):
            out += [k for p in c["publish"] if isinstance(p, dict) for k in p if k not in ports.LONG + ("port", "allow")]
        if c.get("network") is None and isinstance(c.get("networks"), list):
            out += [k for a in c["networks"] if isinstance(a, dict) for k in a if k not in schema.ATTACHMENT]
    return out


@hypothesis.settings(max_examples=600, deadline=None, derandomize=True,
                     suppress_health_check=[hypothesis.HealthCheck.too_slow])
@hypothesis.given(inventories(), st.sampled_from(["h1", "h2"]))
def test_any_inventory_plans_or_fails_naming_the_field(inv, me):
    unknown = unknown_keys(inv)
    hosts = {"h1": {"underlay": "192.0.2.11", "containers": inv["containers"], "leases": inv["leases"]},
             "h2": {"underlay": "192.0.2.12", "containers": [], "leases": None}}
    try:
        plan = fleet_plan.build(inv["networks"], hosts, me)
    except InputError as exc:
        msg = str(exc)
        assert msg.startswith(("h1: ", "h2: ")) and any(v in msg for v in VARIABLES), msg
        if "unknown key" in msg:
            assert any("'%s'" % key in msg for key in unknown), (msg, unknown)
        return
    assert not unknown, "unknown keys %r were accepted" % unknown
    json.dumps(plan)  # plain data: the roles pass it to modules, the host keeps the record
