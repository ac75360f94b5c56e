"""Issue 29, without a kernel: one address and value grammar for the controller and the hosts (no scope id, no
control or line-separator character anywhere), the one-line invariant at the writers, the hosts' records and
public keys checked on the controller (named, never a traceback; a claim on another host's allocation refused
naming both), the engine bundle built in a private folder, a damaged desired.json restored in part."""

import copy
import io
import json
import os

import pytest

from ansible_collections.cnet.linux.plugins.lookup import engine_bundle
from ansible_collections.cnet.linux.plugins.module_utils import restore
from ansible_collections.cnet.linux.plugins.module_utils.core import inputs
from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError
from ansible_collections.cnet.linux.plugins.module_utils.files import etc_netns, wg_keys
from ansible_collections.cnet.linux.plugins.module_utils.resources.netns import Netns
from ansible_collections.cnet.linux.plugins.module_utils.resources.nat import NatNetworks
from ansible_collections.cnet.linux.plugins.module_utils.resources.vxlan import inputs as vxlan_inputs
from ansible_collections.cnet.linux.plugins.module_utils.xtables import nat_layout, ports
from ansible_collections.cnet.linux.plugins.plugin_utils.fleet import plan as fleet_plan
from ansible_collections.cnet.linux.plugins.plugin_utils.fleet import records

SMUGGLED = ["fe80::1%eth0\nnameserver 6.6.6.6", "fe80::1%eth0", "fd00::1%x\n-A INPUT -j ACCEPT/64", "10.0.0.1\n",
            "10.0.0.1\r", "10.0.0.1\u2028", "10.0.0.1\u0085", "1.2.3.4\x00"]
KEY = "GFTGPWjyNRKc8A2uFBx6eYIOQNcB9GETiHzgVHEXlW4="  # 32 bytes of base64


@pytest.mark.parametrize("value", SMUGGLED)
@pytest.mark.parametrize("parse", [lambda v: inputs.ip(v, "f"), lambda v: inputs.address(v, "f"),
                                   lambda v: inputs.network(v, "f"), lambda v: ports.allow_list([v], "f")])
def test_no_address_parser_takes_a_scope_id_or_a_control_character(parse, value):
    with pytest.raises(InputError) as err:
        parse(value)
    assert str(err.value).startswith("f"), str(err.value)


def test_plain_names_the_place_of_the_first_control_character():
    with pytest.raises(InputError) as err:
        inputs.plain({"containers": [{"name": "web", "dns": ["8.8.8.8", "a\u2029b"]}]}, "h1: cnet_containers")
    assert str(err.value).startswith("h1: cnet_containers.containers[0].dns[1]: 'a\\u2029b' holds the control")
    with pytest.raises(InputError) as err:
        inputs.plain({"a\nb": 1}, "x")
    assert str(err.value).startswith("x key: 'a\\nb'")
    assert inputs.plain({"a": [1, None, True, "b c"]}, "x")  # printable text, numbers, booleans pass


def test_each_rendered_line_is_one_line_or_nothing_is_written():
    assert inputs.one_line_each(["127.0.0.1\tlocalhost", ""], "hosts")  # a tab separates fields
    for bad in ("a\nb", "a\rb", "a\u2028b", "a\x0bb", "a\x1bb"):
        with pytest.raises(InputError):
            inputs.one_line_each(["ok", bad], "payload")


def test_module_arguments_with_a_smuggled_line_are_refused_naming_the_field():
    cases = [
        (Netns, {"name": "web", "dns": {"servers": ["fe80::1%eth0\nnameserver 6.6.6.6"]}}, "dns.servers[0]"),
        (Netns, {"name": "web", "hosts": [{"address": "10.0.0.2", "names": ["a\nb"]}]}, "hosts[0].names[0]"),
        (Netns, {"name": "web\u2028x"}, "name"),
        (NatNetworks, {"bridge": "br0", "subnet": "10.0.0.0/24", "subnet6": "fd00::%x\n-A INPUT -j ACCEPT/64"},
         "subnet6"),
        (NatNetworks, {"bridge": "br0", "subnet": "10.0.0.0/24",
                       "publish": [{"address": "10.0.0.2", "ports": ["80:80"], "allow": ["fe80::%a\nb/64"]}]},
         "publish[0].allow[0]"),
    ]
    for cls, params, field in cases:
        with pytest.raises(InputError) as err:
            cls.from_params(params)
        assert field in str(err.value), str(err.value)


def test_name_files_and_nat_rules_render_one_line_per_item():
    text = etc_netns.render_hosts("web", [{"address": "10.0.0.2", "names": ["web", "www"]}], [])
    assert len(text.splitlines()) == 4 and all(inputs.one_line_each(text.splitlines(), "hosts"))
    net = NatNetworks.from_params({"bridge": "br0", "subnet": "10.0.0.0/24", "routed_subnets": ["10.244.0.0/16"],
                                   "routed_in": ["vx4096"]}).items[0]
    assert "-s 10.244.0.0/16 -i vx4096 -o br0 -j ACCEPT" in nat_layout.network_chains(net)["F"]
    assert not any("-s 10.244.0.0/16 -o br0" in rule for rule in nat_layout.network_chains(net)["F"])


def test_wireguard_names_and_keys():
    for bad in ("../x", "a/b", "..", "a b", "a\nb"):
        with pytest.raises(InputError):
            wg_keys.network_name(bad, "network")
    assert wg_keys.network_name("backend", "network") == "backend"
    assert len(inputs.wireguard_key(KEY)) == 32
    for bad in (KEY[:-1] + "\n", "\n" + KEY[:43], KEY[:20] + "\n" + KEY[21:], KEY + "A"):
        with pytest.raises(ValueError):
            inputs.wireguard_key(bad)
    with pytest.raises(InputError):
        vxlan_inputs.normalize({"vni": 7, "encrypted": True, "firewall": False, "dev": "wg7", "local": "169.254.9.1",
                                "lease": "10.9.1.0/24"})


# the hosts' records, on the controller

NETS = [{"name": "flat", "driver": "overlay", "mode": "l2", "vni": 4097, "subnet": "10.245.0.0/24"},
        {"name": "backend", "driver": "overlay", "mode": "l3", "vni": 4096, "subnet": "10.244.0.0/16"}]


def fleet():
    return {"h1": {"underlay": "192.0.2.11", "containers": [{"name": "a", "networks": ["flat", "backend"]}]},
            "h2": {"underlay": "192.0.2.12", "containers": [{"name": "b", "networks": ["flat", "backend"]}]}}


def recorded():
    hosts = fleet()
    plans = fleet_plan.build_all(NETS, hosts, ["h1", "h2"])
    for h in hosts:
        hosts[h]["recorded"] = json.loads(json.dumps(plans[h]["record"]))
    return hosts, plans


@pytest.mark.parametrize("path, value, named", [
    (("leases", "backend", "h2"), "garbage", "h2: /var/lib/cnet/fleet.json.leases.backend.h2: 'garbage' is not a network"),
    (("l2", "flat", "h2/b"), "10.245.0.3%eth0\n10.245.0.9", "h2: /var/lib/cnet/fleet.json.l2.flat.h2/b: '10.2"),
    (("l2", "flat", "h2/b"), "10.245.0.3%eth0", "fleet.json.l2.flat.h2/b: '10.245.0.3%eth0' has a scope id"),
    (("l2", "flat", "h2/b"), "fd00::3", "fleet.json.l2.flat.h2/b: 'fd00::3' is not an IPv4 address"),
    (("interfaces", "b", "flat"), "eth0/x", "fleet.json.interfaces.b.flat: 'eth0/x' is not a legal interface name"),
    (("networks", "flat", "driver"), "weird", "fleet.json.networks.flat.driver: 'weird' is not one of"),
    (("networks", "flat", "vni"), "7", "fleet.json.networks.flat.vni: '7' is not a VNI"),
    (("underlay_mtu",), {"underlay": {"h1": "x"}}, "fleet.json.underlay_mtu.underlay.h1: 'x' is not a number"),
    (("smuggled",), 1, "fleet.json: unknown key 'smuggled'"),
])
def test_a_damaged_record_is_named_never_a_traceback(path, value, named):
    hosts, _plans = recorded()
    target = hosts["h2"]["recorded"]
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(InputError) as err:
        fleet_plan.build_all(NETS, hosts, ["h1", "h2"])
    assert named in str(err.value) and "remove it on h2" in str(err.value), str(err.value)


def test_a_record_claiming_another_hosts_address_is_refused_naming_both():
    hosts, plans = recorded()
    theirs = plans["h1"]["record"]["l2"]["flat"]["h2/b"]
    hosts["h1"]["recorded"]["l2"]["flat"]["h1/a"] = theirs  # h1's record claims b's address on h2
    with pytest.raises(InputError) as err:
        fleet_plan.build_all(NETS, hosts, ["h1", "h2"])
    assert "%s is recorded for both 'h1/a' and 'h2/b'" % theirs in str(err.value), str(err.value)
    hosts, plans = recorded()
    hosts["h1"]["recorded"]["leases"]["backend"]["h1"] = plans["h1"]["record"]["leases"]["backend"]["h2"]
    with pytest.raises(InputError) as err:
        fleet_plan.build_all(NETS, hosts, ["h1", "h2"])
    assert "to both h1 and h2" in str(err.value), str(err.value)


def test_records_unchanged_plan_the_same_and_nobody_is_renumbered():
    hosts, plans = recorded()
    again = fleet_plan.build_all(NETS, hosts, ["h1", "h2"])
    assert again["h1"]["record"] == plans["h1"]["record"] and again["h2"]["record"] == plans["h2"]["record"]


def test_two_hosts_on_one_underlay_address_and_bad_public_keys_are_refused():
    hosts = fleet()
    hosts["h2"]["underlay"] = "192.0.2.11"
    with pytest.raises(InputError) as err:
        fleet_plan.build_all(NETS, hosts, ["h1"])
    assert "h2: cnet_underlay_address 192.0.2.11 is also h1's" in str(err.value)
    assert records.public_keys({"backend": KEY}, "h1") == {"backend": KEY}
    for bad in (KEY[:43] + "\n", "x" * 44, 42, KEY + "=="):
        with pytest.raises(InputError) as err:
            records.public_keys({"backend": bad}, "h1")
        assert str(err.value).startswith("h1: wireguard_key's public_keys.backend")


def test_a_rebuilt_record_from_a_report_of_another_shape_is_named():
    hosts = fleet()
    hosts["h1"]["observed"] = {"bridges": [{"network": "flat"}], "vxlans": [], "pairs": []}  # no 'name'
    with pytest.raises(InputError) as err:
        fleet_plan.build_all(NETS, hosts, ["h1"])
    assert str(err.value).startswith("h1: network_info's devices: KeyError")


# the engine bundle

def test_the_bundle_is_built_in_a_private_folder_and_never_taken_from_another_user(tmp_path):
    root = os.path.join(os.path.dirname(os.path.dirname(engine_bundle.__file__)), "module_utils")
    path, data = engine_bundle.build(root, base=str(tmp_path))
    folder = os.path.dirname(path)
    assert folder == str(tmp_path / ("cnet-engine-%d" % os.geteuid())) and os.stat(folder).st_mode & 0o777 == 0o700
    assert open(path, "rb").read() == data == engine_bundle.bundle(root)  # the same bytes every time
    # a planted file of the same name: replaced by the fresh build
    with open(path, "wb") as handle:
        handle.write(b"PK planted")
    assert open(engine_bundle.build(root, base=str(tmp_path))[0], "rb").read() == data
    # a folder another user made (here: one another user may write) is never used
    os.chmod(folder, 0o777)
    other, _data = engine_bundle.build(root, base=str(tmp_path))
    assert os.path.dirname(other) != folder and open(other, "rb").read() == data
    os.chmod(folder, 0o700)
    if os.geteuid() == 0:  # owned by someone else
        os.chown(folder, 65534, 65534)
        assert os.path.dirname(engine_bundle.build(root, base=str(tmp_path))[0]) != folder


# cnet-restore with a damaged record

def test_a_damaged_desired_record_is_named_and_the_rest_restored(tmp_path):
    record = {}
    Netns.from_params({"namespaces": [{"name": "web"}, {"name": "db"}]}).remember(record)
    broken = copy.deepcopy(record)
    broken["kinds"]["netns"]["db"]["item"]["name"] = "db\nx"
    broken["kinds"]["veth"] = {"p": {"item": {"name": "p"}, "options": {}}}  # no netns: not a pair
    broken["kinds"]["bridge"] = ["not", "a", "mapping"]
    (tmp_path / "desired.json").write_text(json.dumps(broken))
    todo, skipped = restore.resources(str(tmp_path))
    assert [r.KIND for r in todo] == ["netns"] and [i["name"] for i in todo[0].items] == ["web"]
    text = "\n".join(skipped)
    assert "netns.db.item.name: 'db\\nx' holds the control character" in text, text
    assert "bridge: the record of this kind is not a mapping" in text, text
    assert "veth 'p': the record's item is damaged (KeyError: 'netns')" in text, text
    out = io.StringIO()
    restore.report([], True, skipped, out)
    assert "not restored" in out.getvalue()


# the FORWARD policy (issue 29, item 6)

SAVED = """*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [10:20]
:OUTPUT ACCEPT [0:0]
:CNET-FORWARD - [0:0]
-A FORWARD -j CNET-FORWARD
-A CNET-FORWARD -i vx1 -j ACCEPT
-A CNET-FORWARD -o vx1 -j ACCEPT
-A CNET-FORWARD -i half -j ACCEPT
COMMIT
"""


def test_policies_are_read_and_set_in_the_chains_transaction():
    from ansible_collections.cnet.linux.plugins.module_utils.xtables import saverestore, scope
    saved = saverestore.parse(SAVED)
    assert saved.policy("filter", "FORWARD") == "ACCEPT" and saved.policy("nat", "PREROUTING") == "ACCEPT"
    assert nat_layout.accepted(saved["filter"]["CNET-FORWARD"]) == ["vx1"]  # 'half' is accepted one way only
    want = {"raw": {}, "nat": {}, "filter": {"CNET-FORWARD": saved["filter"]["CNET-FORWARD"]}}
    action = scope.restore_action(nat_layout.SCOPE, "auto", saved, want, {},
                                  {("filter", "FORWARD"): ("ACCEPT", "DROP")})
    assert action.args["tables"]["filter"][0] == ":FORWARD DROP [0:0]"
    assert action.args["undo"]["filter"][0] == ":FORWARD ACCEPT [0:0]"
    assert "iptables -t filter -P FORWARD DROP" in action.details
    assert ("iptables", "filter", "FORWARD policy") in action.parts
    assert scope.restore_action(nat_layout.SCOPE, "auto", saved, want, {},
                                {("filter", "FORWARD"): ("DROP", "DROP")}) is None  # nothing to change
    chains = nat_layout.shared_chains({}, 4, ["br-l2", "cvp1"])["CNET-FORWARD"]
    assert chains == ["-i br-l2 -j ACCEPT", "-o br-l2 -j ACCEPT", "-i cvp1 -j ACCEPT", "-o cvp1 -j ACCEPT"]


def test_forward_drop_and_accept_interfaces_are_checked():
    for bad in ({"forward_drop": [5]}, {"forward_drop": [True]}, {"forward_drop": "4"}, {"accept_interfaces": ["a b"]},
                {"accept_interfaces": ["x%d"]}):
        with pytest.raises(InputError):
            NatNetworks.from_params(dict({"networks": []}, **bad))
    nat = NatNetworks.from_params({"networks": [], "forward_drop": [6, 4, 4], "accept_interfaces": ["b", "a"]})
    assert nat.forward_drop == [4, 6] and nat.accept_interfaces == ["a", "b"]
    assert NatNetworks.from_params({"networks": []}).forward_drop is None  # not given: the policy is left alone


def test_the_plan_lists_the_interfaces_that_have_no_network_chain():
    from ansible_collections.cnet.linux.plugins.module_utils.resources import veth
    nets = [NETS[0], {"name": "p2p", "driver": "ptp", "subnet": "10.9.0.0/30"}]
    containers = [{"name": "a", "networks": ["flat"]}, {"name": "j", "network": "p2p"}]
    hosts = {"h1": {"underlay": "192.0.2.11", "containers": containers}}
    plan = fleet_plan.build(nets, hosts, "h1")
    l2 = [b["name"] for b in plan["converge"]["bridge"]["bridges"] if b["network"] == "flat"]
    assert plan["converge"]["iptables_nat"]["accept_interfaces"] == sorted(l2 + [veth.host_end("j", "eth0")])
