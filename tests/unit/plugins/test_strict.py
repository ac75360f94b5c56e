"""Strict inventory (issue 17): every key and value checked, nothing renumbered or renamed as a side effect."""

import copy

import pytest

from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError
from ansible_collections.cnet.linux.plugins.plugin_utils.fleet import plan as fleet_plan
from ansible_collections.cnet.linux.plugins.plugin_utils.fleet import schema

from .test_fleet import NETS, fleet


def refused(nets=None, containers=None, pins=None, recorded=None):
    with pytest.raises(InputError) as err:
        hosts = fleet(2, containers={"h1": containers or []}, pins=pins, recorded=recorded)
        fleet_plan.build(NETS if nets is None else nets, hosts, "h1")
    return str(err.value)


def with_key(i, **extra):
    nets = copy.deepcopy(NETS)
    nets[i].update(extra)
    return nets


@pytest.mark.parametrize("nets, words", [
    (with_key(0, gatway="172.17.0.1"), "h1: cnet_networks[0] (bridge): unknown key 'gatway'; did you mean 'gateway'?"),
    (with_key(0, enable_ipv6=True), "cnet_networks[0] (bridge).enable_ipv6: needs subnet6"),
    (with_key(0, subnet6="fd00::/64"), "cnet_networks[0] (bridge).subnet6: the network's IPv6 needs enable_ipv6: true"),
    (with_key(0, link_local_ips=[]), "cnet_networks[0] (bridge).link_local_ips: Docker's 'link_local_ips' is not"),
    (with_key(0, vni=5), "(bridge).vni: 'vni' applies to overlay networks, not to this bridge network"),
    (with_key(1, icc=False), "(backend).icc: 'icc' applies to bridge networks, not to this overlay network"),
    (with_key(2, host_prefix=26), "(flat).host_prefix: 'host_prefix' sizes the leases of an l3 overlay"),
    (with_key(0, mtu=1500.5), "(bridge).mtu: '1500.5' is not a whole number"),
    (with_key(0, mtu="9000x"), "(bridge).mtu: '9000x' is not a whole number"),
    (with_key(0, icc="no"), "(bridge).icc: 'no' is a string; true or false is expected"),
    (with_key(0, masquerade=1), "(bridge).masquerade: 1 is a number; true or false is expected"),
    (with_key(0, bridge=7), "(bridge).bridge: 7 is a number; an interface name (a string) is expected"),
    (with_key(1, vni="4096a"), "(backend).vni: '4096a' is not a whole number"),
    (with_key(0, name=5), "h1: cnet_networks[0].name: 5 is not a string; quote it"),
    (NETS + ["oops"], "h1: cnet_networks[3]: a mapping is expected, not 'oops'"),
])
def test_every_network_key_and_value_is_checked(nets, words):
    assert words in refused(nets=nets)


@pytest.mark.parametrize("containers, words", [
    ([{"name": "web", "network": "bridge", "ip": "172.17.0.9"}],
     "h1: cnet_containers[0] (web): unknown key 'ip'; did you mean 'ipv4'?"),
    ([{"name": "web", "network": "bridge", "mac_address": "03:42:ac:11:00:09"}],
     "(web).mac_address: '03:42:ac:11:00:09' is a multicast MAC"),
    ([{"name": "web", "network": "bridge", "aliases": "www"}], "(web).aliases: 'www' is a string; a list of host"),
    ([{"name": "web", "network": "bridge", "dns": 5}], "(web).dns: 5 is a number; a list of resolver addresses"),
    ([{"name": "web", "networks": [{"name": "bridge", "ipv4_address": "172.17.0.9", "ipv4": "172.17.0.8"}]}],
     "(web).networks[0]: ipv4 172.17.0.8 and ipv4_address 172.17.0.9 disagree"),
    ([{"name": "web", "networks": [{"name": "bridge", "ip_address": "172.17.0.9"}]}],
     "(web).networks[0]: unknown key 'ip_address'; did you mean 'ipv4'?"),
    ([{"name": "web", "networks": [{"nme": "bridge"}]}], "(web).networks[0]: unknown key 'nme'; did you mean 'name'?"),
    ([{"name": "web", "networks": [5]}], "(web).networks[0]: 5 is neither a network name nor a mapping"),
    ([{"name": "web", "network": "bridge", "publish": "2333:22"}], "(web).publish: '2333:22' is a string; a list"),
    ([{"name": "web", "network": "bridge", "publish": ["2333-22"]}], "(web).publish[0]: '2333-22' is not [host_ip:]"),
    ([{"name": "web", "network": "bridge", "publish": ["70000:22"]}], "(web).publish[0]: '70000:22' has port 70000"),
    ([{"name": "web", "network": "bridge", "pid": "x"}], "(web).pid: 'x' is not a whole number"),
    ([{"name": "web", "network": "bridge", "ipv4": 5}], "(web).ipv4: 5 is a number; an IPv4 address"),
    ([{"name": "web", "network": "none", "interface": "eth3"}], "(web).interface: a container in 'none' mode"),
    ([{"name": "web", "networks": ["bridge", "backend"], "interface": "e0"}], "(web).interface: with 'networks'"),
    ([{"name": "web", "networks": [{"name": "bridge", "interface": "lo"}]}], "interface: 'lo' is the sandbox's"),
    ([{"name": "web", "networks": [{"name": "bridge", "interface": "e0"}, {"name": "backend", "interface": "e0"}]}],
     "(web).networks[1].interface: 'e0' is also the interface of network 'bridge'"),
    ([{"name": "web", "network": "bridge", "interface": "a/b"}], "(web).network.interface: 'a/b'"),
    ([{"name": 42, "network": "bridge"}], "h1: cnet_containers[0].name: 42 is not a string; quote it"),
])
def test_every_container_key_and_value_is_checked(containers, words):
    assert words in refused(containers=containers)


def test_the_inventory_variables_themselves_are_checked():
    schema.check_variables(["cnet_networks", "cnet_runc_port", "cnet_hosts"], "h1")  # ours and the user's own
    with pytest.raises(InputError) as err:
        schema.check_variables(["cnet_container"], "h2")
    assert str(err.value) == "h2: inventory variable 'cnet_container' is not one cnet.linux reads; did you mean " \
        "'cnet_containers'?"
    assert "cnet_overlay_leases.bridge: 'bridge' is a bridge network" in refused(pins={"h1": {"bridge": "10.0.0.0/24"}})
    assert "cnet_overlay_leases.backend: 5 is not a lease" in refused(pins={"h1": {"backend": 5}})


def record_of(hosts, me="h1"):
    return fleet_plan.build(NETS, hosts, me)["record"]


def test_a_pin_on_a_running_containers_address_is_refused_naming_both():
    hosts = fleet(1, containers={"h1": [{"name": "web", "network": "bridge"}]})
    hosts["h1"]["recorded"] = record_of(hosts)
    assert hosts["h1"]["recorded"]["addresses"]["bridge"] == {"web": "172.17.0.2"}
    hosts["h1"]["containers"] = [{"name": "web", "network": "bridge"},
                                 {"name": "new", "network": "bridge", "ipv4": "172.17.0.2"}]
    with pytest.raises(InputError) as err:
        record_of(hosts)
    assert "h1: cnet_containers on bridge: 172.17.0.2 is pinned for 'new' but is the automatic address of 'web'" \
        in str(err.value)
    # moving web on purpose first (a pin of its own) is the way, and then the pin is free
    hosts["h1"]["containers"][0]["ipv4"] = "172.17.0.50"
    assert record_of(hosts)["addresses"]["bridge"] == {"web": "172.17.0.50", "new": "172.17.0.2"}
    # the same on an l2 overlay across hosts, and for a host's l3 lease
    two = fleet(2, containers={"h2": [{"name": "db", "network": "flat"}]})
    two["h2"]["recorded"] = record_of(two, "h2")
    taken = two["h2"]["recorded"]["l2"]["flat"]["h2/db"]
    two["h1"]["containers"] = [{"name": "a", "network": "flat", "ipv4": taken}]
    with pytest.raises(InputError) as err:
        record_of(two)
    assert "is pinned for 'h1/a' but is the automatic address of 'h2/db'" in str(err.value)
    lease = two["h2"]["recorded"]["leases"]["backend"]["h2"]
    two["h1"].update(containers=[], leases={"backend": lease})
    with pytest.raises(InputError) as err:
        record_of(two)
    assert "h1: cnet_overlay_leases.backend: %s is the lease h2 holds now" % lease in str(err.value)


def test_interface_names_are_stable_and_can_be_given():
    api = {"name": "api", "networks": ["bridge", "backend", "flat"]}
    hosts = fleet(1, containers={"h1": [api]})
    rec = record_of(hosts)
    assert rec["interfaces"] == {"api": {"bridge": "eth0", "backend": "eth1", "flat": "eth2"}}
    hosts["h1"].update(recorded=rec, containers=[dict(api, networks=["backend", "flat"])])
    plan = fleet_plan.build(NETS, hosts, "h1")
    peers = dict((p["network"], p["peer"]) for p in plan["converge"]["veth"]["pairs"])
    assert peers == {"backend": "eth1", "flat": "eth2"}  # not renamed to eth0/eth1
    first = [p for p in plan["converge"]["veth"]["pairs"] if p["peer"] == "eth1"][0]
    assert "gateway" in first  # the first listed network still holds the default route
    # a new network takes the lowest free name; a given name is used; one that another network holds is refused
    hosts["h1"].update(recorded=plan["record"], containers=[dict(api, networks=["backend", "flat", "bridge"])])
    assert record_of(hosts)["interfaces"]["api"] == {"backend": "eth1", "flat": "eth2", "bridge": "eth0"}
    hosts["h1"]["containers"] = [dict(api, networks=["backend", "flat", {"name": "bridge", "interface": "front"}])]
    assert record_of(hosts)["interfaces"]["api"]["bridge"] == "front"
    hosts["h1"]["containers"] = [dict(api, networks=["backend", {"name": "bridge", "interface": "eth2"}, "flat"])]
    with pytest.raises(InputError) as err:
        record_of(hosts)
    assert "h1: cnet_containers (api): interface 'eth2' for network 'bridge' is the name network 'flat' has now" \
        in str(err.value)


def test_a_lost_record_is_rebuilt_from_the_kernels_view():
    """hosts[h]['observed'] is cnet.linux.network_info's result (the integration test reads it from a host)."""
    hosts = fleet(2, containers={"h1": [{"name": "web", "networks": ["backend", "bridge"]},
                                        {"name": "db", "network": "flat"}]})
    observed = {"bridges": [{"name": "cnet0", "network": "bridge", "addresses": ["172.17.0.1/16"]},
                            {"name": "cn-backend", "network": "backend", "addresses": ["10.244.77.1/24"]},
                            {"name": "cn-old", "network": "old", "addresses": ["10.9.0.1/24"]}],
                "vxlans": [{"name": "vx4096", "network": "backend", "vni": 4096}],
                "pairs": [{"network": "bridge", "container": "web", "peer": "eth1", "addresses": ["172.17.0.9/16"]},
                          {"network": "backend", "container": "web", "peer": "eth0", "addresses": ["10.244.77.5/24"]},
                          {"network": "flat", "container": "db", "peer": "eth0", "addresses": ["10.245.0.40/24"]}]}
    hosts["h1"]["observed"] = observed
    plan = fleet_plan.build(NETS, hosts, "h1")
    rec = plan["record"]
    assert rec["addresses"]["bridge"] == {"web": "172.17.0.9"}
    assert rec["addresses"]["backend"] == {"web": "10.244.77.5"} and rec["leases"]["backend"]["h1"] == "10.244.77.0/24"
    assert rec["l2"]["flat"]["h1/db"] == "10.245.0.40"
    assert rec["interfaces"]["web"] == {"backend": "eth0", "bridge": "eth1"}
    assert plan["gone"] == ["old"] and {"name": "cn-old", "state": "absent"} in plan["converge"]["bridge"]["bridges"]
    assert plan["record_pending"]  # the rebuilt record is written at once
    # h2 lost its record too and shows nothing yet: its lease comes from h1's copy, as before
    hosts["h1"]["recorded"], hosts["h2"]["observed"] = rec, {"bridges": [], "vxlans": [], "pairs": []}
    assert record_of(hosts, "h2")["leases"]["backend"]["h2"] == rec["leases"]["backend"]["h2"]


def test_the_overlay_mtu_follows_the_smallest_underlay():
    def mtus(plan):
        vx = dict((o["name"], o["mtu"]) for o in plan["converge"]["vxlan_overlay"]["overlays"])
        br = dict((b["network"], b["mtu"]) for b in plan["converge"]["bridge"]["bridges"])
        veth = plan["converge"]["veth"]
        pairs = dict((n, sorted(set(p["mtu"] for p in veth["pairs"] if p["network"] == n)))
                     for n in veth["purge_networks"])
        return vx, br, pairs

    both = {"h1": [{"name": "api", "networks": ["bridge", "backend", "flat"]}]}
    hosts = fleet(2, containers=both)
    assert mtus(fleet_plan.build(NETS, hosts, "h1"))[0] == {"backend": 1450, "flat": 1450}  # nothing known: 1500
    hosts["h1"]["underlay_mtu"], hosts["h2"]["underlay_mtu"] = 9000, 1450
    plan = fleet_plan.build(NETS, hosts, "h1")
    assert mtus(plan) == ({"backend": 1400, "flat": 1400}, {"backend": 1400, "flat": 1400, "bridge": 1500},
                          {"backend": [1400], "flat": [1400], "bridge": [1500]})
    # h2 not in this run (no facts): its MTU as h1 recorded it still counts
    hosts["h1"]["recorded"], hosts["h2"]["underlay_mtu"] = plan["record"], None
    assert mtus(fleet_plan.build(NETS, hosts, "h1"))[0] == {"backend": 1400, "flat": 1400}
    # a network's own mtu wins; a too small underlay is refused
    assert mtus(fleet_plan.build(with_key(1, mtu=1300), hosts, "h1"))[0] == {"backend": 1300, "flat": 1400}
    hosts["h2"]["underlay_mtu"] = 600
    with pytest.raises(InputError) as err:
        fleet_plan.build(NETS, hosts, "h1")
    assert "h2: cnet_underlay_mtu: 600 leaves an overlay 550 bytes" in str(err.value)
