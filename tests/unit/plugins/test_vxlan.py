"""The overlay's plan without a kernel: VTEP MACs, per-peer entries, removals before additions."""

import pytest

from ansible_collections.cnet.linux.plugins.module_utils.core import marks
from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError
from ansible_collections.cnet.linux.plugins.module_utils.netlink import const as nlconst
from ansible_collections.cnet.linux.plugins.module_utils.netlink.view import NsView
from ansible_collections.cnet.linux.plugins.module_utils.resources.vxlan.device import vtep_mac
from ansible_collections.cnet.linux.plugins.module_utils.resources.vxlan.overlay import VxlanOverlay


def host_view(vx=None):
    links = {"eth0": {"index": 2, "name": "eth0", "kind": "veth", "mtu": 1500, "alias": None, "master": None,
                      "up": True, "mac": "02:00:00:00:00:02"}}
    if vx:
        links["vx4096"] = dict({"index": 9, "name": "vx4096", "kind": "vxlan", "mtu": 1450, "master": None, "up": True,
                                "mac": vtep_mac("192.0.2.11"), "alias": marks.make("vxlan", net="backend")}, **vx)
    routes = [{"dst": "0.0.0.0/0", "gateway": "192.0.2.1", "oif": 2, "proto": 3, "family": 2}]
    if vx:
        routes.append({"dst": "10.244.2.0/24", "gateway": "10.244.2.0", "oif": 9, "proto": marks.PROTO, "family": 2})
        routes.append({"dst": "10.244.9.0/24", "gateway": "10.244.9.0", "oif": 9, "proto": marks.PROTO, "family": 2})
    addrs = {2: {"192.0.2.11/24"}}
    if vx:
        addrs[9] = {"10.244.1.0/32"}
    return NsView(links, addrs, routes)


PARAMS = {"name": "backend", "vni": 4096, "lease": "10.244.1.0/24",
          "peers": [{"address": "192.0.2.11", "lease": "10.244.1.0/24"}, {"address": "192.0.2.12", "lease": "10.244.2.0/24"},
                    {"address": "192.0.2.13", "lease": "10.244.3.0/24"}]}


def planned(params, view, fdb=(), neigh=None, xt=None):
    """The plan's words; xt: the observed filter table (None: iptables not observed, no filter planned)."""
    res = VxlanOverlay.from_params(params)
    seen = res.make_view(view, fdb, neigh or {}, xt, check=True)
    return [word for action in res.plan(seen) for word in action.words()]


def test_vtep_mac_is_derived_from_the_underlay_address():
    assert vtep_mac("192.0.2.12") == "02:cc:c0:00:02:0c"


def test_a_new_device_and_every_peer_in_one_plan():
    actions = planned(PARAMS, host_view())
    assert actions[0] == "ip link add vx4096 mtu 1450 address 02:cc:c0:00:02:0b type vxlan id 4096 dstport 4789 " \
        "local 192.0.2.11 dev eth0 nolearning"
    assert "ip addr add 10.244.1.0/32 dev vx4096" in actions
    assert "ip neigh replace 10.244.3.0 lladdr 02:cc:c0:00:02:0d dev vx4096 nud permanent" in actions
    assert "bridge fdb replace 02:cc:c0:00:02:0d dev vx4096 dst 192.0.2.13 self permanent" in actions
    assert actions[-1] == "ip route replace 10.244.3.0/24 via 10.244.3.0 dev vx4096 onlink proto 147"
    assert not any("192.0.2.11 self" in a or "10.244.1.0/24 via" in a for a in actions)  # none for itself


def test_entries_of_unlisted_peers_are_removed_route_first():
    info = {"vxlan": {"vni": 4096, "port": 4789, "local": "192.0.2.11", "dev": 2, "proxy": False, "learning": False}}
    fdb = {("02:cc:c0:00:02:0c", "192.0.2.12"), ("02:cc:c0:00:02:63", "192.0.2.99")}
    neigh = {"10.244.2.0": ("02:cc:c0:00:02:0c", nlconst.NUD_PERMANENT), "10.244.9.0": ("02:cc:c0:00:02:63", 0x80)}
    params = dict(PARAMS, peers=[{"address": "192.0.2.12", "lease": "10.244.2.0/24"}])
    assert planned(params, host_view(info), fdb, neigh) == [
        "ip route del 10.244.9.0/24 dev vx4096", "ip neigh del 10.244.9.0 dev vx4096",
        "bridge fdb del 02:cc:c0:00:02:63 dev vx4096 dst 192.0.2.99 self"]
    # nothing to do when all is there
    assert planned(params, host_view(info), fdb - {("02:cc:c0:00:02:63", "192.0.2.99")},
                   {"10.244.2.0": ("02:cc:c0:00:02:0c", nlconst.NUD_PERMANENT)}) == [
        "ip route del 10.244.9.0/24 dev vx4096"]


def test_l2_an_endpoint_that_moved_to_another_peer_is_replaced_in_place():
    info = {"vxlan": {"vni": 4096, "port": 4789, "local": "192.0.2.11", "dev": 2, "proxy": True, "learning": False},
            "master": 5}
    view = host_view(info)
    view.links["br0"] = {"index": 5, "name": "br0", "kind": "bridge", "mtu": 1450, "alias": None, "master": None,
                         "up": True, "mac": "02:00:00:00:00:05"}
    view.by_index[5] = view.links["br0"]
    view.addrs.pop(9)
    view.routes = view.routes[:1]
    params = {"name": "backend", "vni": 4096, "mode": "l2", "bridge": "br0",
              "peers": [{"address": "192.0.2.12"}, {"address": "192.0.2.13", "endpoints": [
                  {"ip": "10.245.0.5", "mac": "02:42:0a:f5:00:05"}]}]}
    fdb = {("00:00:00:00:00:00", "192.0.2.12"), ("00:00:00:00:00:00", "192.0.2.13"), ("02:42:0a:f5:00:05", "192.0.2.12")}
    neigh = {"10.245.0.5": ("02:42:0a:f5:00:05", nlconst.NUD_PERMANENT)}
    assert planned(params, view, fdb, neigh) == ["bridge fdb replace 02:42:0a:f5:00:05 dev vx4096 dst 192.0.2.13 self permanent"]


@pytest.mark.parametrize("params, words", [
    ({"vni": 4096, "lease": "10.244.1.0/24", "mode": "l4"}, "mode: 'l4' is not one of"),
    ({"vni": 4096, "mode": "l2", "bridge": "br0", "peers": [{"address": "192.0.2.12", "lease": "10.0.0.0/24",
                                                            "endpoints": [{"ip": "10.0.0.5"}]}]}, "needs 'ip' and 'mac'"),
    ({"vni": 4096, "lease": "10.244.1.0/24", "peers": [{"address": "192.0.2.12", "endpoints": []}]}, "needs each peer's lease"),
    ({"vni": 4096, "lease": "10.244.1.0/24", "peers": [{"address": "192.0.2.12", "lease": "10.244.2.0/24"}] * 2},
     "listed twice"),
])
def test_bad_input_names_the_field(params, words):
    with pytest.raises(InputError) as err:
        VxlanOverlay.from_params(params)
    assert words in str(err.value)


def test_port_filter_first_accepts_the_listed_peers_and_drops_the_rest_of_the_port():
    actions = planned(PARAMS, host_view(), xt={"INPUT": ["-j HOSTFW"], "HOSTFW": []})
    assert actions[:6] == [
        "iptables -t filter -N CNET-VXLAN", "iptables -t filter -N CNET-V-vx4096",
        "iptables -t filter -I INPUT 1 -p udp -j CNET-VXLAN",
        "iptables -t filter -A CNET-VXLAN -p udp -m udp --dport 4789 -j CNET-V-vx4096",
        "iptables -t filter -A CNET-VXLAN -p udp -m udp --dport 4789 -j DROP",
        "iptables -t filter -A CNET-V-vx4096 -s 192.0.2.12/32 -j ACCEPT"]
    assert actions[6] == "iptables -t filter -A CNET-V-vx4096 -s 192.0.2.13/32 -j ACCEPT"  # not itself (.11)
    assert actions[7].startswith("ip link add vx4096")


def test_port_filter_keeps_other_overlays_and_the_bridge_networks_chains():
    view = host_view()
    view.links["vx7"] = {"index": 12, "name": "vx7", "kind": "vxlan", "mtu": 1450, "master": None, "up": True,
                         "mac": "02:cc:00:00:00:07", "alias": None, "vxlan": {"port": 8472}}
    xt = {"INPUT": ["-p udp -j CNET-VXLAN", "-j HOSTFW"], "FORWARD": ["-j CNET-USER", "-j CNET-FORWARD"],
          "CNET-FORWARD": [], "CNET-USER": [], "CNET-F-cnet0": [],
          "CNET-VXLAN": ["-p udp -m udp --dport 8472 -j CNET-V-vx7", "-p udp -m udp --dport 8472 -j DROP"],
          "CNET-V-vx7": ["-s 192.0.2.50/32 -j ACCEPT"]}
    actions = [a for a in planned(PARAMS, view, xt=xt) if a.startswith("iptables")]
    assert actions == [
        "iptables -t filter -N CNET-V-vx4096",
        "iptables -t filter -I CNET-VXLAN 1 -p udp -m udp --dport 4789 -j CNET-V-vx4096",
        "iptables -t filter -I CNET-VXLAN 3 -p udp -m udp --dport 4789 -j DROP",  # after vx7
        "iptables -t filter -A CNET-V-vx4096 -s 192.0.2.12/32 -j ACCEPT",
        "iptables -t filter -A CNET-V-vx4096 -s 192.0.2.13/32 -j ACCEPT"]
    # without a filter of its own the overlay's chain and dispatch go; the other overlay's stay
    off = [a for a in planned(dict(PARAMS, firewall=False), view, xt=dict(xt, **{
        "CNET-VXLAN": xt["CNET-VXLAN"] + ["-p udp -m udp --dport 4789 -j CNET-V-vx4096"],
        "CNET-V-vx4096": ["-s 192.0.2.12/32 -j ACCEPT"]})) if a.startswith("iptables")]
    assert off == ["iptables -t filter -D CNET-VXLAN -p udp -m udp --dport 4789 -j CNET-V-vx4096",
                   "iptables -t filter -F CNET-V-vx4096", "iptables -t filter -X CNET-V-vx4096"]


def test_port_filter_is_removed_with_the_last_overlay():
    dispatch = ["-p udp -m udp --dport 4789 -j CNET-V-vx4096", "-p udp -m udp --dport 4789 -j DROP"]
    xt = {"INPUT": ["-p udp -j CNET-VXLAN"], "CNET-VXLAN": dispatch,
          "CNET-V-vx4096": ["-s 192.0.2.12/32 -j ACCEPT"], "CNET-USER": ["-j ACCEPT"]}
    actions = planned({"vni": 4096, "state": "absent"}, host_view(), xt=xt)
    assert actions == ["iptables -t filter -D INPUT -p udp -j CNET-VXLAN", "iptables -t filter -F CNET-VXLAN",
                       "iptables -t filter -F CNET-V-vx4096", "iptables -t filter -X CNET-VXLAN",
                       "iptables -t filter -X CNET-V-vx4096"]
