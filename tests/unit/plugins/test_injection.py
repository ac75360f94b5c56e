"""Issue 29, property-based: a control or line-separator character, or an IPv6 scope id, put into any string of
the inventory or of a host's record (at its start, its end or inside it) is refused naming the host and the
variable or file - or it is inert: the plan it gives has only one-line printable strings, so the files and
rule payloads rendered from it have exactly their lines. Never another exception."""

import copy
import ipaddress
import json

import pytest

from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError
from ansible_collections.cnet.linux.plugins.plugin_utils.fleet import plan as fleet_plan

hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies

NETS = [{"name": "bridge", "driver": "bridge", "bridge": "cnet0", "subnet": "172.17.0.0/16", "enable_ipv6": True,
         "subnet6": "fd00:17::/64", "aux_addresses": {"router": "172.17.0.250"}},
        {"name": "backend", "driver": "overlay", "mode": "l3", "vni": 4096, "subnet": "10.244.0.0/16"},
        {"name": "flat", "driver": "overlay", "mode": "l2", "vni": 4097, "subnet": "10.245.0.0/24",
         "enable_ipv6": True, "subnet6": "fd00:45::/64"}]
CONTAINERS = {
    "h1": [{"name": "web", "networks": [{"name": "bridge", "aliases": ["www"], "ipv6": "fd00:17::10"}, "flat"],
            "publish": [{"port": "8080:80", "allow": ["192.0.2.0/24", "2001:db8::/32"]}, "[::]:8443:443"],
            "dns": ["192.0.2.53"], "dns_search": ["example.org"], "dns_opt": ["ndots:2"],
            "extra_hosts": ["printer:192.0.2.9", "gw:host-gateway"]},
           {"name": "api", "networks": ["backend", {"name": "flat", "ipv4": "10.245.0.20"}]}],
    "h2": [{"name": "db", "network": "backend", "mac_address": "02:42:0a:f4:00:99"}],
}
HOSTS = {"h1": {"underlay": "192.0.2.11", "leases": {"backend": "10.244.1.0/24"}},
         "h2": {"underlay": "192.0.2.12", "leases": None}}
INJECT = ["\n", "\r", "\r\n", "\u2028", "\u2029", "\x85", "\x00", "\t", "\x0b", "\x0c", "\x1b[2J", "%eth0",
          "%eth0\nnameserver 6.6.6.6", "\n6.6.6.6 bank.example", "\n-A INPUT -j ACCEPT", "%x\n-A INPUT -j ACCEPT"]
injected = st.one_of(st.sampled_from(INJECT), st.text(st.characters(whitelist_categories=("Cc", "Zl", "Zp")),
                                                      min_size=1, max_size=3))


def strings(value, path=()):
    """The path of every string leaf (and of every mapping key) in value."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield path + (("key", key),)
            yield from strings(inner, path + (key,))
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from strings(inner, path + (i,))
    elif isinstance(value, str):
        yield path


def put(tree, path, draw_text):
    """tree with the string at path (or the key, for ('key', k)) changed by draw_text(old) -> new."""
    target = tree
    for step in path[:-1]:
        target = target[step]
    last = path[-1]
    if isinstance(last, tuple):
        key = last[1]
        target[draw_text(key)] = target.pop(key)
    else:
        target[last] = draw_text(target[last])


def one_line_strings(value):
    """Whether every string (and key) of value is one line of printable text, and no address has a scope id."""
    if isinstance(value, dict):
        return all(one_line_strings(k) and one_line_strings(v) for k, v in value.items())
    if isinstance(value, list):
        return all(one_line_strings(v) for v in value)
    return not isinstance(value, str) or value.isprintable() and not scoped(value)


def scoped(text):
    """Whether text is an address (or network) with a scope id: 'fe80::1%eth0', 'fd00::%x/64'."""
    head = text.split("%", 1)[0]
    try:
        ipaddress.ip_address(head)
    except ValueError:
        return False
    return "%" in text


@st.composite
def smuggled(draw, trees):
    tree = copy.deepcopy(trees)
    # not the test's own keys (networks/containers, the host names): every other string and key
    path = draw(st.sampled_from(sorted((p for p in strings(tree) if not isinstance(p[min(len(p), 2) - 1], tuple)),
                                       key=repr)))
    text = draw(injected)
    where = draw(st.sampled_from(["start", "end", "inside"]))

    def change(old):
        old = str(old)
        if where == "start":
            return text + old
        if where == "end":
            return old + text
        cut = len(old) // 2
        return old[:cut] + text + old[cut:]

    put(tree, path, change)
    return tree, path


def hosts_of(inv):
    return dict((h, dict(HOSTS[h], containers=inv["containers"][h], recorded=(inv.get("recorded") or {}).get(h)))
                for h in HOSTS)


def check(inv, path):
    try:
        plans = fleet_plan.build_all(inv["networks"], hosts_of(inv), ["h1", "h2"])
    except InputError as exc:
        msg = str(exc)
        assert msg.startswith(("h1: ", "h2: ", "cnet_networks")), (path, msg)
        return "refused"
    assert one_line_strings(plans), (path, json.dumps(plans)[:2000])
    return "inert"


SEEN = {"refused": 0, "inert": 0}


@hypothesis.settings(max_examples=600, deadline=None, derandomize=True, database=None,
                     suppress_health_check=list(hypothesis.HealthCheck))
@hypothesis.given(smuggled({"networks": NETS, "containers": CONTAINERS}))
def test_a_smuggled_line_in_the_inventory_is_refused_or_inert(case):
    inv, path = case
    SEEN[check(inv, path)] += 1


def recorded():
    inv = {"networks": NETS, "containers": CONTAINERS}
    plans = fleet_plan.build_all(NETS, hosts_of(inv), ["h1", "h2"])
    return {"networks": NETS, "containers": CONTAINERS,
            "recorded": dict((h, json.loads(json.dumps(plans[h]["record"]))) for h in plans)}


@hypothesis.settings(max_examples=600, deadline=None, derandomize=True, database=None,
                     suppress_health_check=list(hypothesis.HealthCheck))
@hypothesis.given(smuggled(recorded()["recorded"]))
def test_a_smuggled_line_in_a_hosts_record_is_refused_or_inert(case):
    records, path = case
    inv = dict(recorded(), recorded=records)
    outcome = check(inv, path)
    SEEN[outcome] += 1


def test_both_outcomes_were_seen():
    # the cases reach the plan, not only the first check: most are refused, and some are inert (a string the
    # plan does not carry, such as a key of the record's networks that are not in the inventory any more)
    assert SEEN["refused"] >= 500, SEEN


def desired():
    """A host's desired.json as real runs record it: namespaces with name files, pairs, a bridge, NAT rules."""
    from ansible_collections.cnet.linux.plugins.module_utils.resources.bridge import Bridge
    from ansible_collections.cnet.linux.plugins.module_utils.resources.nat import NatNetworks
    from ansible_collections.cnet.linux.plugins.module_utils.resources.netns import Netns
    from ansible_collections.cnet.linux.plugins.module_utils.resources.veth import Veth
    record = {}
    Netns.from_params({"namespaces": [{"name": "web", "hosts": [{"address": "172.17.0.2", "names": ["web"]}],
                                       "dns": {"servers": ["192.0.2.53"], "search": ["example.org"]}},
                                      {"name": "side", "container": "web"}]}).remember(record)
    Bridge.from_params({"bridges": [{"name": "cnet0", "addresses": ["172.17.0.1/16"], "network": "bridge"}]}).remember(record)
    Veth.from_params({"network": "bridge", "bridge": "cnet0", "pairs": [
        {"netns": "web", "addresses": ["172.17.0.2/16", "fd00:17::2/64"], "gateway": "172.17.0.1"}]}).remember(record)
    NatNetworks.from_params({"networks": [{"bridge": "cnet0", "subnet": "172.17.0.0/16", "routed_in": ["vx1"],
                                           "routed_subnets": ["10.244.0.0/16"],
                                           "publish": [{"address": "172.17.0.2", "ports": ["8080:80"],
                                                        "allow": ["192.0.2.0/24"]}]}]}).remember(record)
    return record


RESTORED = {"skipped": 0, "restored": 0}


@hypothesis.settings(max_examples=500, deadline=None, derandomize=True, database=None,
                     suppress_health_check=list(hypothesis.HealthCheck))
@hypothesis.given(smuggled(desired()["kinds"]))
def test_a_smuggled_line_in_desired_json_is_skipped_naming_it_or_inert(tmp_path_factory, case):
    from ansible_collections.cnet.linux.plugins.module_utils import restore
    kinds, path = case
    folder = tmp_path_factory.mktemp("state")
    (folder / "desired.json").write_text(json.dumps({"version": 1, "kinds": kinds}))
    todo, skipped = restore.resources(str(folder))  # never an exception: a damaged entry is named and skipped
    assert all(line.isprintable() for line in skipped), skipped
    assert one_line_strings([resource.to_dict() for resource in todo]), (path, [r.to_dict() for r in todo])
    RESTORED["skipped" if skipped else "restored"] += 1


def test_desired_json_cases_were_skipped():
    assert RESTORED["skipped"] >= 400, RESTORED
