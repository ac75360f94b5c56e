"""The planners on observed state given as data: what a run would do, without a kernel."""

import json

import pytest

from ansible_collections.cnet.linux.plugins.module_utils.core import marks
from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError
from ansible_collections.cnet.linux.plugins.module_utils.netlink.view import NsView
from ansible_collections.cnet.linux.plugins.module_utils.resources.base import View
from ansible_collections.cnet.linux.plugins.module_utils.resources.bridge import Bridge
from ansible_collections.cnet.linux.plugins.module_utils.resources.netns import Netns
from ansible_collections.cnet.linux.plugins.module_utils.resources.veth import Veth


def link(index, name, kind=None, alias=None, up=True, mtu=1500, master=None, peer_index=None, mac="02:00:00:00:00:01",
         addrgenmode=0, hairpin=None):
    return {"index": index, "name": name, "kind": kind, "alias": alias, "up": up, "mtu": mtu, "master": master,
            "peer_index": peer_index, "peer_netnsid": None, "mac": mac, "stp": False, "vlan_filtering": False,
            "addrgenmode": addrgenmode, "hairpin": False if master and hairpin is None else hairpin}


def view(links, addrs=None, routes=None):
    return NsView(dict((l["name"], l) for l in links), addrs or {}, routes or [])


MARK = marks.make("veth", net="cnet0", ctr="web")
WEB = {"bridge": "cnet0", "pairs": [{"name": "vweb", "netns": "web", "addresses": ["172.17.0.10/16"],
                                     "gateway": "172.17.0.1"}]}


def observed(host, peers=None):
    """What observe() would read: the host's view and each container namespace's."""
    return View(host=host, peers=peers or {})


def planned(resource, host, peers=None):
    return [a.text for a in resource.plan(observed(host, peers))]


def converged_web():
    host = view([link(1, "lo"), link(5, "cnet0", "bridge", marks.make("bridge", net="cnet0")),
                 link(9, "vweb", "veth", MARK, master=5, peer_index=2)])
    web = view([link(1, "lo"), link(2, "eth0", "veth", MARK, peer_index=9, addrgenmode=1)], {2: {"172.17.0.10/16"}},
               [{"dst": "0.0.0.0/0", "gateway": "172.17.0.1", "oif": 2, "proto": marks.PROTO, "family": 2},
                {"dst": "172.17.0.0/16", "gateway": None, "oif": 2, "proto": 2, "family": 2}])
    return host, {"web": web}


def test_converged_pair_plans_nothing():
    host, peers = converged_web()
    assert planned(Veth.from_params(WEB), host, peers) == []


def test_fresh_pair_plan():
    host, peers = converged_web()
    del host.links["vweb"]
    peers["web"] = view([link(1, "lo")])
    assert planned(Veth.from_params(WEB), host, peers) == [
        "ip link add vweb master cnet0 type veth peer name eth0 netns web",
        "ip -n web link set eth0 alias '%s' addrgenmode none up" % MARK, "ip link set vweb alias '%s' up" % MARK,
        "ip -n web addr add 172.17.0.10/16 dev eth0",
        "ip -n web route replace default via 172.17.0.1 dev eth0 proto %d" % marks.PROTO]


def test_ipv6_link_local_follows_the_peers_ipv6_configuration():
    host, peers = converged_web()
    v6 = {"bridge": "cnet0", "pairs": [dict(WEB["pairs"][0], addresses=["172.17.0.10/16", "fd00::a/64"])]}
    peers["web"].addrs[2].add("fd00::a/64")
    assert planned(Veth.from_params(v6), host, peers) == ["ip netns exec web sysctl -w net.ipv6.conf.eth0.addr_gen_mode=0"]
    peers["web"].links["eth0"]["addrgenmode"] = 2  # stable_secret: has a link-local address, fine
    assert planned(Veth.from_params(v6), host, peers) == []
    assert planned(Veth.from_params(WEB), host, peers) == [
        "ip -n web link set eth0 addrgenmode none", "ip -n web addr del fd00::a/64 dev eth0"]
    host.links["lo"]["addrgenmode"] = None  # a kernel without IPv6: nothing to say about it
    peers["web"].links["eth0"]["addrgenmode"] = None
    del peers["web"].addrs[2]
    del host.links["vweb"]
    peers["web"] = view([link(1, "lo", addrgenmode=None)])
    assert "ip -n web link set eth0 alias '%s' up" % MARK in planned(Veth.from_params(WEB), host, peers)


def test_foreign_route_on_our_peer_is_removed_kernel_route_kept():
    host, peers = converged_web()
    peers["web"].routes.append({"dst": "10.5.0.0/16", "gateway": "172.17.0.9", "oif": 2, "proto": 3, "family": 2})
    assert planned(Veth.from_params(WEB), host, peers) == ["ip -n web route del 10.5.0.0/16 dev eth0"]


def test_purge_removes_only_marked_pairs_of_the_network():
    host, peers = converged_web()
    host.links["vold"] = link(11, "vold", "veth", marks.make("veth", net="cnet0", ctr="old"), master=5)
    host.links["vother"] = link(12, "vother", "veth", marks.make("veth", net="other", ctr="x"), master=5)
    host.links["handmade"] = link(13, "handmade", "veth", None, master=5)
    assert planned(Veth.from_params(dict(WEB, purge=True)), host, peers) == ["ip link del vold"]


def test_name_taken_by_a_foreign_interface_fails_before_anything():
    host, peers = converged_web()
    host.links["vweb"]["alias"] = None
    with pytest.raises(InputError) as err:
        planned(Veth.from_params(WEB), host, peers)
    assert "'vweb' exists and was not created by cnet.linux" in str(err.value)


def test_bridge_drift_plan_and_diff_views():
    bridge = Bridge.from_params({"name": "cnet0", "addresses": ["172.17.0.1/16"], "mtu": 1500, "network": "cnet0"})
    host = view([link(5, "cnet0", "bridge", marks.make("bridge", net="cnet0"), up=False, mtu=1400)], {5: {"10.0.0.1/8"}})
    assert planned(bridge, host) == ["ip link set cnet0 mtu 1500", "ip link set cnet0 address 02:42:ac:11:00:01",
                                     "ip addr del 10.0.0.1/8 dev cnet0",
                                     "ip addr add 172.17.0.1/16 dev cnet0", "ip link set cnet0 up"]
    seen = observed(host)
    assert bridge.before(seen, ("bridge", "cnet0"))["mtu"] == 1400 and bridge.after(seen, ("bridge", "cnet0"))["mtu"] == 1500
    assert bridge.after(seen, ("bridge", "cnet0"))["mac"] == "02:42:ac:11:00:01"


def test_a_desired_record_of_the_previous_version_still_plans():
    """cnet-restore replays desired.json as written (items normalized then): one written before the bridge had
    mac and netfilter plans the bridge as that version did, and an existing one is left as it is."""
    old = {"name": "cnet0", "state": "present", "addresses": ["172.17.0.1/16"], "mtu": 1500, "stp": False,
           "vlan_filtering": None, "network": "bridge"}
    bridge = Bridge.from_dict({"resource": "bridge", "items": [old]})
    assert planned(bridge, view([])) == ["ip link add cnet0 type bridge stp_state 0", "ip addr add 172.17.0.1/16 dev cnet0",
                                         "ip link set cnet0 up"]
    there = view([link(5, "cnet0", "bridge", marks.make("bridge", net="bridge"), up=True, mtu=1500)], {5: {"172.17.0.1/16"}})
    assert planned(bridge, there) == []


def test_netns_order_and_loop():
    ns = Netns.from_params({"namespaces": [{"name": "side", "container": "web"}, {"name": "web"}]})
    assert [item["name"] for item in ns.items] == ["web", "side"]
    with pytest.raises(InputError):
        Netns.from_params({"namespaces": [{"name": "a", "container": "b"}, {"name": "b", "container": "a"}]})


def test_desired_state_is_serializable():
    for resource in (Veth.from_params(WEB), Netns.from_params({"name": "x"}), Bridge.from_params({"name": "b"})):
        assert json.loads(json.dumps(resource.to_dict())) == resource.to_dict()


def test_the_serialized_state_plans_the_same():
    """What a boot-time restore replays: from_dict(to_dict()) through JSON plans exactly what the original does."""
    host, peers = converged_web()
    del host.links["vweb"]
    peers["web"] = view([link(1, "lo")])
    for resource in (Veth.from_params(dict(WEB, purge=True)), Bridge.from_params({"name": "cnet0", "mtu": 1400}),
                     Netns.from_params({"namespaces": [{"name": "side", "container": "web"}, {"name": "web"}]})):
        again = type(resource).from_dict(json.loads(json.dumps(resource.to_dict())))
        seen = View(host=host, peers=peers, found={"web": (1, 2)}, records={"web": {"kind": "create", "ino": 2}},
                    loopback={"web": {"up": False, "alias": None}}, sources={}, owned={"web": True}, files={})
        assert [a.to_dict() for a in again.plan(seen)] == [a.to_dict() for a in resource.plan(seen)] != []
    with pytest.raises(InputError):
        Bridge.from_dict(Veth.from_params(WEB).to_dict())


def test_a_restore_replays_namespaces_and_leaves_their_name_files_as_they_are():
    """The record keeps each namespace's name wishes, not the shared tables; a boot-time restore (files: keep)
    plans the namespaces alone: the files are on disk, and a reboot does not lose them."""
    ns = Netns.from_params({"namespaces": [{"name": "web", "hosts_include": ["front"], "dns": {}}],
                            "hosts_tables": {"front": [{"address": "10.0.0.2", "names": ["web"]}]}})
    record = {}
    assert ns.remember(record)
    entry = record["kinds"]["netns"]["web"]
    assert entry["options"] == {"purge": False, "hosts_tables": {}, "files": "keep"}
    again = Netns.from_dict(dict(entry["options"], resource="netns", items=[entry["item"]]))
    seen = View(found={}, records={}, loopback={}, sources={}, owned={}, files={"web": {"hosts": None}})
    assert [a.text for a in again.plan(seen)] == ["ip netns add web",
                                                  "ip -n web link set lo up alias 'cnet.linux:netns name=web'"]


def test_a_namespace_recorded_before_the_name_files_replays():
    """desired.json written before the netns items had hosts/dns (and options without 'files'): a restore plans
    the namespace and no file."""
    old = {"name": "web", "state": "present", "kind": "create", "source": None}
    ns = Netns.from_dict({"resource": "netns", "items": [old], "purge": False})
    seen = View(found={}, records={}, loopback={}, sources={}, owned={}, files={"web": {"hosts": None}})
    assert [a.text for a in ns.plan(seen)] == ["ip netns add web",
                                               "ip -n web link set lo up alias 'cnet.linux:netns name=web'"]
