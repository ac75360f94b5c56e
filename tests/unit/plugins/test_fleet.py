"""The inventory model without hosts: validation messages, stable leases and addresses, one host's calls."""

import json

import pytest

from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError
from ansible_collections.cnet.linux.plugins.module_utils.resources.nat import NatNetworks
from ansible_collections.cnet.linux.plugins.module_utils.xtables import nat_layout
from ansible_collections.cnet.linux.plugins.plugin_utils.fleet import plan as fleet_plan
from ansible_collections.cnet.linux.plugins.plugin_utils.fleet import records as fleet_records

NETS = [{"name": "bridge", "driver": "bridge", "bridge": "cnet0", "subnet": "172.17.0.0/16"},
        {"name": "backend", "driver": "overlay", "mode": "l3", "vni": 4096, "subnet": "10.244.0.0/16"},
        {"name": "flat", "driver": "overlay", "mode": "l2", "vni": 4097, "subnet": "10.245.0.0/24"}]


def fleet(count, containers=None, recorded=None, pins=None):
    return dict(("h%d" % i, {"underlay": "192.0.2.%d" % (10 + i), "containers": (containers or {}).get("h%d" % i, []),
                             "recorded": (recorded or {}).get("h%d" % i), "leases": (pins or {}).get("h%d" % i)})
                for i in range(1, count + 1))


def leases_of(hosts):
    return fleet_plan.build(NETS, hosts, "h1")["record"]["leases"]["backend"]


def records(hosts):
    return dict((h, fleet_plan.build(NETS, hosts, h)["record"]) for h in hosts)


def test_leases_are_stable_when_hosts_come_and_go():
    three = fleet(3)
    first = leases_of(three)
    assert len(set(first.values())) == 3 and all(v.endswith("/24") for v in first.values())
    assert leases_of(three) == first  # the same from the same inputs
    # a fourth host, the hosts' records read: nobody else moves
    grown = fleet(4, recorded=records(three))
    assert dict((h, leases_of(grown)[h]) for h in first) == first
    # h2 leaves; the rest keep theirs, and h3's lease is known from h1's record even if h3's own is lost
    smaller = dict((h, v) for h, v in grown.items() if h != "h2")
    smaller["h3"] = dict(smaller["h3"], recorded=None)
    smaller["h1"] = dict(smaller["h1"], recorded=records(grown)["h1"])
    after = leases_of(smaller)
    assert after["h1"] == first["h1"] and after["h3"] == first["h3"] and "h2" not in after


def test_pinned_leases_are_honoured_and_checked():
    pinned = leases_of(fleet(2, pins={"h2": {"backend": "10.244.3.0/24"}}))
    assert pinned["h2"] == "10.244.3.0/24" and pinned["h1"] != pinned["h2"]
    for pins, words in (({"h1": {"backend": "10.244.3.0/24"}, "h2": {"backend": "10.244.3.0/24"}}, "pinned for h1 too"),
                        ({"h1": {"backend": "10.244.3.0/25"}}, "is not a /24 of 10.244.0.0/16"),
                        ({"h1": {"nope": "10.244.3.0/24"}}, "cnet_overlay_leases.nope: unknown network"),
                        ({"h1": {"flat": "10.245.0.0/24"}}, "only l3 and host-gw overlays have leases")):
        with pytest.raises(InputError) as err:
            leases_of(fleet(2, pins=pins))
        assert words in str(err.value)


def test_addresses_are_stable_across_removals_and_lost_namespaces():
    web = {"name": "web", "network": "bridge"}
    api = {"name": "api", "networks": [{"name": "bridge"}, {"name": "backend"}, {"name": "flat"}]}
    hosts = fleet(2, containers={"h1": [web, api], "h2": [dict(web, network="flat")]})
    plan = fleet_plan.build(NETS, hosts, "h1")
    assert plan["record"]["addresses"]["bridge"] == {"web": "172.17.0.2", "api": "172.17.0.3"}
    # web leaves: api keeps .3 (its record), a newcomer takes the free .2
    hosts["h1"] = dict(hosts["h1"], containers=[api, {"name": "new", "network": "bridge"}], recorded=plan["record"])
    again = fleet_plan.build(NETS, hosts, "h1")["record"]["addresses"]["bridge"]
    assert again == {"api": "172.17.0.3", "new": "172.17.0.2"}
    # l2: one subnet across hosts, unique
    l2 = plan["record"]["l2"]["flat"]
    assert sorted(l2) == ["h1/api", "h2/web"] and len(set(l2.values())) == 2
    # the overlay health gate: one probe per overlay and peer host, from the first local container on it
    h2_lease = plan["record"]["leases"]["backend"]["h2"]
    assert plan["health"] == [
        {"netns": "api", "host": "h2", "address": h2_lease.rsplit(".", 1)[0] + ".1", "network": "backend"},
        {"netns": "api", "host": "h2", "address": l2["h2/web"], "network": "flat"}]
    pair = [p for p in plan["converge"]["veth"]["pairs"] if p["network"] == "backend"][0]
    assert pair["peer"] == "eth1" and pair["routes"] == [{"dest": "10.244.0.0/16", "via": pair["addresses"][0]
                                                          .rsplit(".", 1)[0] + ".1"}] and "gateway" not in pair


@pytest.mark.parametrize("nets, containers, words", [
    (NETS + [{"name": "x", "subnet": "172.17.5.0/24"}], [], "the subnets of 'bridge' (172.17.0.0/16) and 'x'"),
    (NETS, [{"name": "a", "network": "nope"}], "unknown network 'nope'"),
    (NETS, [{"name": "a", "network": "bridge", "ipv4": "172.17.0.1"}], "172.17.0.1 is already the gateway"),
    (NETS, [{"name": "a", "network": "bridge", "ipv4": "10.0.0.5"}], "is not a usable address of 172.17.0.0/16"),
    (NETS, [{"name": "a", "network": "bridge", "ipv4": "172.17.0.9"}, {"name": "b", "network": "bridge",
                                                                       "ipv4": "172.17.0.9"}], "is already a on"),
    (NETS, [{"name": "a", "network": "container:web"}], "container:web names no container on this host"),
    (NETS, [{"name": "a", "network": "bridge"}, {"name": "a", "network": "none"}], "listed twice"),
    (NETS + [{"name": "b2", "bridge": "cnet0", "subnet": "172.18.0.0/16"}], [], "both use the device name 'cnet0'"),
    (NETS, [{"name": "a", "network": "flat", "publish": ["80:80"]}], "must be a bridge network"),
])
def test_bad_inventories_are_refused_with_the_variable_named(nets, containers, words):
    with pytest.raises(InputError) as err:
        fleet_plan.build(nets, fleet(1, containers={"h1": containers}), "h1")
    assert words in str(err.value), str(err.value)


def test_one_hosts_calls_follow_the_docker_modes():
    hosts = fleet(2, containers={"h1": [
        {"name": "web", "network": "bridge", "ipv4": "172.17.0.10", "publish": ["2333:22"]},
        {"name": "sidecar", "network": "container:web"}, {"name": "tools", "network": "none"},
        {"name": "monitor", "network": "host"}, {"name": "job", "pid": 4242, "network": "bridge"}]})
    plan = fleet_plan.build(NETS, hosts, "h1")
    modes = [dict((k, v) for k, v in item.items() if k not in ("hosts", "hosts_include", "dns"))
             for item in plan["converge"]["netns"]["namespaces"]]
    assert modes == [{"name": "web"}, {"name": "sidecar", "container": "web"}, {"name": "tools"},
                     {"name": "monitor", "host": True}, {"name": "job", "pid": 4242}]
    files = dict((item["name"], (item.get("hosts"), item.get("hosts_include"))) for item in plan["converge"]["netns"]["namespaces"])
    # the default network resolves no names (as Docker's): a container's file names itself only
    assert files == {"web": ([{"address": "172.17.0.10", "names": ["web"]}], []),
                     "sidecar": ([{"address": "172.17.0.10", "names": ["web"]}], []), "tools": ([], []),
                     "monitor": (None, None), "job": ([{"address": "172.17.0.2", "names": ["job"]}], [])}
    assert plan["converge"]["netns"]["hosts_tables"] == {}
    pairs = [p for p in plan["converge"]["veth"]["pairs"] if p["network"] == "bridge"]
    assert set(p["bridge"] for p in pairs) == {"cnet0"} and [p["netns"] for p in pairs] == ["web", "job"]
    assert pairs[0]["hairpin"] and pairs[0]["gateway"] == "172.17.0.1"
    assert pairs[0]["mac"] == "02:42:ac:11:00:0a"
    nat = [n for n in plan["converge"]["iptables_nat"]["networks"] if n["bridge"] == "cnet0"][0]
    assert nat["publish"] == [{"address": "172.17.0.10", "ports": ["2333:22"]}]
    # the l3 overlay's subnet, which the host routes, is not the bridge's to reach (nor the overlay's own bridge's)
    assert nat["isolated_subnets"] == ["10.244.0.0/16"]
    own = [n for n in plan["converge"]["iptables_nat"]["networks"] if n["bridge"] == "cn-backend"][0]
    assert own["isolated_subnets"] == [] and own["routed_subnets"] == ["10.244.0.0/16"]
    rules = nat_layout.network_chains(NatNetworks.normalize(dict(nat, publish=[]), "n", "present"))["F"]
    assert rules[-2:] == ["-d 10.244.0.0/16 -i cnet0 -j DROP", "-i cnet0 ! -o cnet0 -j ACCEPT"]
    vx = [o for o in plan["converge"]["vxlan_overlay"]["overlays"] if o["vni"] == 4096][0]
    assert [p["address"] for p in vx["peers"]] == ["192.0.2.11", "192.0.2.12"] and vx["local"] == "192.0.2.11"


def test_networks_removed_from_the_inventory_are_removed_and_teardown_removes_all():
    hosts = fleet(1, containers={"h1": [{"name": "web", "network": "bridge"}]})
    hosts["h1"]["recorded"] = fleet_plan.build(NETS, hosts, "h1")["record"]
    plan = fleet_plan.build(NETS[:1], hosts, "h1")  # both overlays gone from the inventory
    assert plan["gone"] == ["backend", "flat"]
    assert {"device": "vx4096", "vni": 4096, "state": "absent"} in plan["converge"]["vxlan_overlay"]["overlays"]
    assert {"name": "cn-backend", "state": "absent"} in plan["converge"]["bridge"]["bridges"]
    assert {"bridge": "cn-backend", "state": "absent"} in plan["converge"]["iptables_nat"]["networks"]
    assert sorted(plan["record_pending"]["networks"]) == ["backend", "bridge", "flat"]
    assert sorted(plan["record"]["networks"]) == ["bridge"]
    down = fleet_plan.build(NETS[:1], hosts, "h1", teardown=True)
    assert down["converge"]["netns"]["namespaces"] == [] and down["record"] is None
    assert {"name": "cnet0", "state": "absent"} in down["converge"]["bridge"]["bridges"]
    assert [o["device"] for o in down["converge"]["vxlan_overlay"]["overlays"]] == ["vx4096", "vx4097"]


def test_the_record_is_written_only_when_it_would_change():
    hosts = fleet(1, containers={"h1": [{"name": "web", "network": "bridge"}]})
    first = fleet_plan.build(NETS, hosts, "h1")
    # nothing recorded yet: written once before the run (nothing gone, so the end has nothing to add)
    assert first["record_pending"] == first["record"] and not first["record_write"]
    hosts["h1"]["recorded"] = json.loads(json.dumps(first["record"]))  # as the host's file reads back
    again = fleet_plan.build(NETS, hosts, "h1")
    assert "record_pending" not in again and not again["record_write"]
    gone = fleet_plan.build(NETS[:1], hosts, "h1")  # the pending record keeps the networks still to remove
    assert "record_pending" in gone and gone["record_write"]


def test_every_host_refuses_another_hosts_mistake():
    hosts = fleet(2, containers={"h2": [{"name": "a", "network": "bridge", "ipv4": "10.0.0.5"}]})
    for me in ("h1", "h2"):
        with pytest.raises(InputError) as err:
            fleet_plan.build(NETS, hosts, me)
        assert str(err.value).startswith("h2: cnet_containers (a) ipv4 on bridge"), str(err.value)


def test_one_view_plans_every_host_as_each_host_alone_would():
    """build_all (one run, one view of the fleet) and build (one host) give every host the same plan: l2 and
    l3 overlays, published ports, records of a previous run, and a teardown."""
    containers = dict(("h%d" % i, [{"name": "web", "network": "bridge", "publish": ["%d:80" % (8000 + i)]},
                                   {"name": "l3", "network": "backend"}, {"name": "l2", "network": "flat"},
                                   {"name": "both", "networks": [{"name": "backend"}, {"name": "flat"}]}])
                      for i in range(1, 6))
    hosts = fleet(5, containers=containers)
    hosts = fleet(5, containers=containers, recorded=dict((h, p["record"]) for h, p in
                                                          fleet_plan.build_all(NETS, hosts, sorted(hosts)).items()))
    for teardown in (False, True):
        together = fleet_plan.build_all(NETS, hosts, ["h2", "h4", "h5"], teardown=teardown)
        assert sorted(together) == ["h2", "h4", "h5"]
        for h, plan in together.items():
            assert json.dumps(plan, sort_keys=True) == json.dumps(fleet_plan.build(NETS, hosts, h, teardown),
                                                                  sort_keys=True)
    assert together["h2"]["converge"]["bridge"]["bridges"]  # the teardown removes something
    with pytest.raises(InputError, match="h9 is not in the fleet"):
        fleet_plan.build_all(NETS, hosts, ["h1", "h9"])


def test_names_resolve_on_user_defined_networks_across_the_fleet():
    nets = NETS + [{"name": "front", "driver": "bridge", "subnet": "172.20.0.0/24"}]
    hosts = fleet(2, containers={
        "h1": [{"name": "web", "networks": [{"name": "front", "aliases": ["www"]}, "backend"],
                "dns": "192.0.2.53", "dns_search": ["lab.example"], "dns_opt": ["ndots:2"]},
               {"name": "cache", "network": "front"}, {"name": "side", "network": "container:web"}],
        "h2": [{"name": "db", "network": "backend", "aliases": ["postgres"]},
               {"name": "web", "network": "flat"}]})
    plans = fleet_plan.build_all(nets, hosts, ["h1", "h2"])
    h1 = dict((item["name"], item) for item in plans["h1"]["converge"]["netns"]["namespaces"])
    assert h1["web"]["hosts_include"] == ["front", "backend"]
    assert h1["web"]["dns"] == {"servers": ["192.0.2.53"], "search": ["lab.example"], "options": ["ndots:2"]}
    assert h1["side"]["hosts_include"] == ["front", "backend"] and h1["side"]["dns"] == h1["web"]["dns"]
    assert h1["cache"]["dns"] == {"servers": [], "search": [], "options": []}  # the host's
    tables = plans["h1"]["converge"]["netns"]["hosts_tables"]
    assert [(e["address"], e["names"]) for e in tables["front"]] == [("172.20.0.2", ["web", "www"]),
                                                                     ("172.20.0.3", ["cache"])]
    # the overlay's table has the other hosts' containers, after this host's own
    backend = [(e["names"][0], e["address"].rsplit(".", 1)[0]) for e in tables["backend"]]
    lease = dict((h, plans[h]["record"]["leases"]["backend"][h].rsplit(".", 1)[0]) for h in ("h1", "h2"))
    assert backend == [("web", lease["h1"]), ("db", lease["h2"])]
    assert tables["backend"][1]["names"] == ["db", "postgres"]
    assert sorted(plans["h2"]["converge"]["netns"]["hosts_tables"]) == ["backend", "flat"]
    assert plans["h2"]["converge"]["netns"]["hosts_tables"]["backend"][0]["names"] == ["db", "postgres"]  # its own first


@pytest.mark.parametrize("container, words", [
    ({"name": "a b", "network": "bridge"}, "(a b).name (its name in the hosts files of its networks; rename it): "
                                           "'a b' is not a host name"),
    ({"name": "web", "network": "bridge", "aliases": ["ok", "no#"]}, "(web).aliases[1]: 'no#' is not a host name"),
    ({"name": "web", "networks": [{"name": "bridge", "aliases": "x y"}]}, "networks[0].aliases: 'x y' is a string; a list"),
    ({"name": "web", "network": "bridge", "dns": ["1.1.1.1", "nope"]}, "(web).dns[1]: 'nope' is not an IP address"),
    ({"name": "web", "network": "bridge", "dns": ["1.1.1.1", "1.0.0.1", "8.8.8.8", "9.9.9.9"]},
     "(web).dns: 4 servers; a resolver reads at most 3"),
    ({"name": "web", "network": "bridge", "dns_opt": ["ndots 2"]}, "(web).dns_opt[0]: 'ndots 2' is not a resolver"),
    ({"name": "web", "network": "host", "dns": ["1.1.1.1"]}, "(web).dns: a container in 'host' mode has the host's"),
    ({"name": "web", "network": "host", "aliases": ["x"]}, "(web).aliases: a container in 'host' mode has no "),
    ({"name": "web", "networks": ["bridge"], "aliases": ["x"]}, "(web).aliases: with 'networks' give each network"),
    ({"name": "web", "network": "bridge", "dns_serch": ["x"]}, "unknown key 'dns_serch'; did you mean 'dns_search'?"),
])
def test_name_and_resolver_keys_are_checked(container, words):
    with pytest.raises(InputError) as err:
        fleet_plan.build(NETS, fleet(1, containers={"h1": [container]}), "h1")
    assert words in str(err.value), str(err.value)


def _pairs(plan, network):
    return dict((p["netns"], p) for p in plan["converge"]["veth"]["pairs"] if p["network"] == network)


def test_compose_keys_map_onto_the_plan():
    nets = NETS + [{"name": "front", "driver": "bridge", "subnet": "172.20.0.0/24", "ip_range": "172.20.0.128/25",
                    "aux_addresses": {"router": "172.20.0.129"},
                    "driver_opts": {"com.docker.network.bridge.name": "br-front",
                                    "com.docker.network.bridge.enable_icc": "false",
                                    "com.docker.network.bridge.enable_ip_masquerade": "true",
                                    "com.docker.network.bridge.host_binding_ipv4": "192.0.2.11",
                                    "com.docker.network.driver.mtu": "1400"}}]
    hosts = fleet(2, containers={
        "h1": [{"name": "web", "publish": ["8080:80", "127.0.0.1:8053:53/udp"],
                "networks": [{"name": "bridge", "ipv4_address": "172.17.0.9"},
                             {"name": "front", "gw_priority": 10, "mac_address": "02:AA:BB:CC:DD:EE"}]},
               {"name": "cache", "network": "front"}, {"name": "pinned", "network": "front", "ipv4": "172.20.0.5"}],
        "h2": [{"name": "db", "network": "flat", "mac_address": "02:00:00:00:00:01"}]})
    plans = fleet_plan.build_all(nets, hosts, ["h1", "h2"])
    plan = plans["h1"]
    bridge = [b for b in plan["converge"]["bridge"]["bridges"] if b["network"] == "front"][0]
    assert bridge["name"] == "br-front" and bridge["mtu"] == 1400
    nat = [n for n in plan["converge"]["iptables_nat"]["networks"] if n["name"] == "front"][0]
    assert nat["icc"] is False and nat["masquerade"] is True
    # ipv4_address is the pin; the published ports of the first network
    assert _pairs(plan, "bridge")["web"]["addresses"] == ["172.17.0.9/16"]
    cnet0 = [n for n in plan["converge"]["iptables_nat"]["networks"] if n["name"] == "bridge"][0]
    assert cnet0["publish"] == [{"address": "172.17.0.9", "ports": ["8080:80", "127.0.0.1:8053:53/udp"]}]
    # gw_priority: front holds the default route; bridge, the first network, does not
    front = _pairs(plan, "front")
    assert front["web"]["gateway"] == "172.20.0.1" and "gateway" not in _pairs(plan, "bridge")["web"]
    assert front["web"]["mac"] == "02:aa:bb:cc:dd:ee"
    # ip_range: automatic addresses from 172.20.0.128/25, never the aux address; a pin may be outside the range
    assert [front[c]["addresses"] for c in ("web", "cache", "pinned")] == [
        ["172.20.0.128/24"], ["172.20.0.130/24"], ["172.20.0.5/24"]]
    # a pinned MAC on an l2 overlay is what every peer's entries use
    flat = [o for o in plan["converge"]["vxlan_overlay"]["overlays"] if o.get("vni") == 4097][0]
    assert [e["mac"] for p in flat["peers"] for e in p["endpoints"]] == ["02:00:00:00:00:01"]


def test_host_binding_ipv4_is_the_default_host_address_of_published_ports():
    nets = [{"name": "front", "driver": "bridge", "subnet": "172.20.0.0/24", "host_binding_ipv4": "192.0.2.11"}]
    hosts = fleet(1, containers={"h1": [{"name": "web", "network": "front",
                                         "publish": ["8080:80", "0.0.0.0:81:81", "127.0.0.1:82:82"]}]})
    nat = fleet_plan.build(nets, hosts, "h1")["converge"]["iptables_nat"]["networks"][0]
    assert nat["publish"][0]["ports"] == ["192.0.2.11:8080:80", "0.0.0.0:81:81", "127.0.0.1:82:82"]


def test_an_aux_address_never_renumbers_the_container_that_holds_it():
    nets = [{"name": "front", "driver": "bridge", "subnet": "172.20.0.0/24"}]
    hosts = fleet(1, containers={"h1": [{"name": "web", "network": "front"}]})
    hosts["h1"]["recorded"] = fleet_plan.build(nets, hosts, "h1")["record"]  # web holds 172.20.0.2
    nets[0]["aux_addresses"] = {"router": "172.20.0.2"}
    with pytest.raises(InputError) as err:
        fleet_plan.build(nets, hosts, "h1")
    assert "172.20.0.2 is aux address 'router' now, but 'web' holds it as its automatic address" in str(err.value)
    # an ip_range added later keeps the running container where it is; new ones come from the range
    nets[0] = {"name": "front", "driver": "bridge", "subnet": "172.20.0.0/24", "ip_range": "172.20.0.64/26"}
    hosts["h1"]["containers"].append({"name": "new", "network": "front"})
    got = dict((p["netns"], p["addresses"]) for p in fleet_plan.build(nets, hosts, "h1")["converge"]["veth"]["pairs"])
    assert got == {"web": ["172.20.0.2/24"], "new": ["172.20.0.64/24"]}


@pytest.mark.parametrize("network, container, words", [
    ({"ip_range": "172.21.0.0/24"}, None, "(front).ip_range: 172.21.0.0/24 is not an IPv4 network inside the subnet"),
    ({"aux_addresses": {"gw": "172.20.0.1"}}, None, "(front).aux_addresses.gw: 172.20.0.1 is the gateway"),
    ({"aux_addresses": {"r": "10.0.0.1"}}, None, "(front).aux_addresses.r: 10.0.0.1 is not in the subnet"),
    ({"aux_addresses": {"r": "172.20.0.9"}}, {"name": "web", "network": "front", "ipv4": "172.20.0.9"},
     "172.20.0.9 is already aux address 'r' on network front"),
    ({"ip_range": "172.20.0.0/31"}, {"name": "web", "network": "front"}, "172.20.0.0/31 has no free address left"),
    ({"driver_opts": {"com.docker.network.bridge.gateway_mode_ipv4": "routed"}}, None,
     "(front).driver_opts['com.docker.network.bridge.gateway_mode_ipv4']: not an option cnet.linux reads"),
    ({"driver_opts": {"com.docker.network.bridge.enable_icc": "maybe"}}, None, "'maybe' is not true or false"),
    ({"icc": True, "driver_opts": {"com.docker.network.bridge.enable_icc": "false"}}, None,
     "'false' disagrees with 'icc: True'; give one of them"),
    ({"driver_opts": {"com.docker.network.driver.mtu": "big"}}, None, "'big' is not a whole number"),
    ({"host_binding_ipv4": "::1"}, None, "(front).host_binding_ipv4: '::1' is not an IPv4 address"),
    ({}, {"name": "web", "networks": [{"name": "front", "gw_priority": "high"}]}, "gw_priority: 'high' is not a whole"),
    ({}, {"name": "web", "network": "front", "gw_priority": 1}, "(web).gw_priority: it chooses which of several"),
    ({}, {"name": "web", "network": "front", "mac_address": "02:42:ac:14:00:02"},
     "mac_address 02:42:ac:14:00:02 on network 'front' is also the MAC of 'web' on h1"),
])
def test_compose_keys_are_checked(network, container, words):
    nets = [dict({"name": "front", "driver": "bridge", "subnet": "172.20.0.0/24"}, **network)]
    conts = [container] if container else []
    if container and container.get("mac_address"):
        conts = [{"name": "web", "network": "front"},
                 {"name": "other", "network": "front", "mac_address": container["mac_address"]}]
    with pytest.raises(InputError) as err:
        fleet_plan.build(nets, fleet(1, containers={"h1": conts}), "h1")
    assert words in str(err.value), str(err.value)


def test_l3_overlays_refuse_ip_range():
    nets = [dict(NETS[1], ip_range="10.244.1.0/24")]
    with pytest.raises(InputError) as err:
        fleet_plan.build(nets, fleet(1), "h1")
    assert "(backend).ip_range: 'ip_range' applies to bridge networks and l2 overlays" in str(err.value)


def test_extra_hosts_and_service_mode():
    hosts = fleet(1, containers={"h1": [
        {"name": "web", "network": "bridge", "extra_hosts": ["printer:192.0.2.9", "gw=host-gateway", "v6:fd00::1"]},
        {"name": "side", "network": "service:web"},
        {"name": "tools", "network": "none", "extra_hosts": {"printer": "192.0.2.9"}}]})
    plan = fleet_plan.build(NETS, hosts, "h1")
    items = dict((item["name"], item) for item in plan["converge"]["netns"]["namespaces"])
    assert [(e["address"], e["names"]) for e in items["web"]["hosts"]] == [
        ("172.17.0.2", ["web"]), ("192.0.2.9", ["printer"]), ("172.17.0.1", ["gw"]), ("fd00::1", ["v6"])]
    assert items["side"]["container"] == "web" and items["side"]["hosts"] == items["web"]["hosts"]
    assert items["tools"]["hosts"] == [{"address": "192.0.2.9", "names": ["printer"]}]
    for bad, words in (({"name": "t", "network": "none", "extra_hosts": ["gw:host-gateway"]}, "has none; give an"),
                       ({"name": "t", "network": "none", "extra_hosts": ["nocolon"]}, "is not 'name:address'"),
                       ({"name": "t", "network": "none", "extra_hosts": ["x:1.2.3"]}, "'1.2.3' is not an IP"),
                       ({"name": "t", "network": "host", "extra_hosts": ["x:1.2.3.4"]}, "remove 'extra_hosts'")):
        with pytest.raises(InputError) as err:
            fleet_plan.build(NETS, fleet(1, containers={"h1": [bad]}), "h1")
        assert words in str(err.value), str(err.value)


def test_publish_entries_take_compose_long_syntax_and_allow():
    hosts = fleet(1, containers={"h1": [{"name": "web", "network": "bridge", "publish": [
        "2333:22", {"port": "8080:80", "allow": ["192.0.2.0/24", "10.1.2.3"]},
        {"target": 53, "published": 5353, "protocol": "udp", "host_ip": "127.0.0.1"},
        {"target": 443, "published": "8443", "allow": ["192.0.2.0/24", "10.1.2.3/32"]},
        {"port": "9000:9000", "allow": ["0.0.0.0/0"]}]}]})
    nat = [n for n in fleet_plan.build(NETS, hosts, "h1")["converge"]["iptables_nat"]["networks"] if n["bridge"] == "cnet0"][0]
    assert nat["publish"] == [
        {"address": "172.17.0.2", "ports": ["2333:22", "127.0.0.1:5353:53/udp"]},
        {"address": "172.17.0.2", "ports": ["8080:80", "8443:443"], "allow": ["192.0.2.0/24", "10.1.2.3/32"]},
        {"address": "172.17.0.2", "ports": ["9000:9000"], "allow": ["0.0.0.0/0"]}]  # every IPv4 source
    rules = nat_layout.network_chains(NatNetworks.normalize(nat, "n", "present"))["F"]
    assert "-s 10.1.2.3/32 -d 172.17.0.2/32 -o cnet0 -p tcp -m tcp --dport 80 -m conntrack --ctstate DNAT " \
           "--ctorigdstport 8080 -j ACCEPT" in rules
    assert "-d 172.17.0.2/32 -o cnet0 -p tcp -m tcp --dport 22 -m conntrack --ctstate DNAT -j ACCEPT" in rules
    assert "-d 172.17.0.2/32 -o cnet0 -p tcp -m tcp --dport 9000 -m conntrack --ctstate DNAT -j ACCEPT" in rules


@pytest.mark.parametrize("entry, words", [
    ({"port": "80:80", "allow": "192.0.2.0/24"}, "publish[0].allow: a list of source networks"),
    ({"port": "80:80", "allow": ["192.0.2.1/24"]}, "publish[0].allow[0]: '192.0.2.1/24' has host bits set; did you"),
    ({"port": "80:80", "allow": ["nope"]}, "publish[0].allow[0]: 'nope' is not a network like 192.0.2.0/24"),
    ({"port": "80:80", "target": 80}, "publish[0]: give 'port' ('8080:80') or compose's target/published, not both"),
    ({"target": 80}, "publish[0]: needs 'target' (the container's port) and 'published'"),
    ({"target": 80, "published": 80, "mode": "ingress"}, "publish[0].mode: 'ingress' is swarm's routing mesh"),
    ({"ports": "80:80"}, "publish[0]: unknown key 'ports'"),
])
def test_publish_entries_are_checked(entry, words):
    with pytest.raises(InputError) as err:
        fleet_plan.build(NETS, fleet(1, containers={"h1": [{"name": "web", "network": "bridge", "publish": [entry]}]}),
                         "h1")
    assert words in str(err.value), str(err.value)


DUAL = [{"name": "front", "driver": "bridge", "subnet": "172.20.0.0/24", "enable_ipv6": True, "subnet6": "fd00:20::/64",
         "masquerade6": True},
        {"name": "flat6", "driver": "overlay", "mode": "l2", "vni": 4100, "subnet": "10.246.0.0/24",
         "enable_ipv6": True, "subnet6": "fd00:46::/64"}]


def test_ipv6_addresses_are_stable_pinned_and_rebuilt_from_the_kernel():
    hosts = fleet(2, containers={"h1": [{"name": "web", "network": "front"}, {"name": "old", "network": "front"},
                                        {"name": "db", "network": "front", "ipv6": "fd00:20::99"}],
                                 "h2": [{"name": "api", "networks": ["flat6", {"name": "front", "gw_priority": 1}]}]})
    plans = fleet_plan.build_all(DUAL, hosts, ["h1", "h2"])
    web = _pairs(plans["h1"], "front")["web"]
    assert web["addresses"] == ["172.20.0.2/24", "fd00:20::2/64"] and web["gateway6"] == "fd00:20::1"
    assert _pairs(plans["h1"], "front")["db"]["addresses"][1] == "fd00:20::99/64"
    bridge = [b for b in plans["h1"]["converge"]["bridge"]["bridges"] if b["network"] == "front"][0]
    assert bridge["addresses"] == ["172.20.0.1/24", "fd00:20::1/64"] and plans["h1"]["ipv6"] is True
    nat = [n for n in plans["h1"]["converge"]["iptables_nat"]["networks"] if n["name"] == "front"][0]
    assert nat["subnet6"] == "fd00:20::/64" and nat["masquerade6"] is True
    # an l2 overlay holds no default route; the bridge with IPv6 does (gw_priority aside, the only one able)
    api = _pairs(plans["h2"], "flat6")["api"]
    assert api["addresses"] == ["10.246.0.1/24", "fd00:46::1/64"] and "gateway6" not in api
    assert _pairs(plans["h2"], "front")["api"]["gateway6"] == "fd00:20::1"
    assert plans["h1"]["record"]["addresses6"] == {"front": {"web": "fd00:20::2", "old": "fd00:20::3",
                                                             "db": "fd00:20::99"}}
    # old goes, new comes: web and db keep theirs
    hosts["h1"]["recorded"] = plans["h1"]["record"]
    hosts["h1"]["containers"] = [{"name": "new", "network": "front"}] + hosts["h1"]["containers"][::2]
    again = _pairs(fleet_plan.build(DUAL, hosts, "h1"), "front")
    assert [again[c]["addresses"][1] for c in ("web", "db")] == ["fd00:20::2/64", "fd00:20::99/64"]
    # a lost record: rebuilt from the kernel's addresses, nothing renumbered
    owned = {"bridges": [], "vxlans": [], "pairs": [
        {"network": "front", "container": "web", "peer": "eth0", "addresses": ["172.20.0.2/24", "fd00:20::7/64",
                                                                               "fe80::1/64"]}]}
    hosts["h1"] = dict(hosts["h1"], recorded=None, observed=owned, containers=[{"name": "web", "network": "front"}])
    assert _pairs(fleet_plan.build(DUAL, hosts, "h1"), "front")["web"]["addresses"] == ["172.20.0.2/24",
                                                                                        "fd00:20::7/64"]


@pytest.mark.parametrize("network, container, words", [
    ({"enable_ipv6": True}, None, "(front).enable_ipv6: needs subnet6"),
    ({"enable_ipv6": True, "subnet6": "10.0.0.0/8"}, None, "(front).subnet6: '10.0.0.0/8' is not an IPv6 network"),
    ({"enable_ipv6": True, "subnet6": "fd00::/64", "gateway6": "fd01::1"}, None, "gateway6: fd01::1 is not a usable"),
    ({"gateway6": "fd00::1"}, None, "(front).gateway6: the network's IPv6 needs enable_ipv6: true"),
    ({}, {"name": "web", "network": "front", "ipv6": "fd00::5"}, "(web).ipv6: network 'front' has no IPv6"),
    ({"enable_ipv6": True, "subnet6": "fd00::/64"}, {"name": "web", "network": "front", "ipv6": "fd01::5"},
     "fd01::5 is not a usable address of fd00::/64"),
])
def test_ipv6_keys_are_checked(network, container, words):
    nets = [dict({"name": "front", "driver": "bridge", "subnet": "172.20.0.0/24"}, **network)]
    with pytest.raises(InputError) as err:
        fleet_plan.build(nets, fleet(1, containers={"h1": [container] if container else []}), "h1")
    assert words in str(err.value), str(err.value)


def test_l3_overlays_and_overlapping_subnet6_are_refused():
    with pytest.raises(InputError) as err:
        fleet_plan.build([dict(NETS[1], enable_ipv6=True, subnet6="fd00::/64")], fleet(1), "h1")
    assert "an l3 overlay carries IPv4 only" in str(err.value)
    with pytest.raises(InputError) as err:
        fleet_plan.build([DUAL[0], dict(DUAL[1], subnet6="fd00:20::/48")], fleet(1), "h1")
    assert "the subnet6s of 'front' (fd00:20::/64) and 'flat6' (fd00:20::/48) overlap" in str(err.value)


HOSTGW = {"name": "fast", "driver": "overlay", "mode": "host-gw", "subnet": "10.250.0.0/16"}


def test_host_gw_overlays_route_leases_with_the_full_mtu():
    hosts = fleet(2, containers={"h1": [{"name": "a", "network": "fast"}], "h2": [{"name": "b", "network": "fast"}]})
    for h in hosts.values():
        h["underlay_mtu"], h["underlay_prefix"], h["underlay_device"] = 1450, 24, "eth0"
    plans = fleet_plan.build_all([HOSTGW], hosts, ["h1", "h2"])
    # the other hosts' leases are let in from the underlay interface only
    assert plans["h1"]["converge"]["iptables_nat"]["networks"][0]["routed_in"] == ["eth0"]
    leases = plans["h1"]["record"]["leases"]["fast"]
    assert plans["h1"]["converge"]["host_gw"]["overlays"] == [{
        "name": "fast", "subnet": "10.250.0.0/16", "lease": leases["h1"],
        "peers": [{"address": "192.0.2.11", "lease": leases["h1"]}, {"address": "192.0.2.12", "lease": leases["h2"]}]}]
    assert "vxlan_overlay" not in plans["h1"]["converge"]  # no VXLAN device
    pair = _pairs(plans["h1"], "fast")["a"]
    assert pair["mtu"] == 1450 and pair["gateway"] == fleet_plan.lease_gateway(leases["h1"])
    assert plans["h1"]["health"] == [{"netns": "a", "host": "h2", "address": fleet_plan.lease_gateway(leases["h2"]),
                                      "network": "fast"}]
    # gone from the inventory: its routes go by its subnet
    hosts["h1"]["recorded"] = plans["h1"]["record"]
    gone = fleet_plan.build([], dict((h, dict(v, containers=[])) for h, v in hosts.items()), "h1")
    assert gone["converge"]["host_gw"]["overlays"] == [{"name": "fast", "subnet": "10.250.0.0/16", "state": "absent"}]


@pytest.mark.parametrize("network, words", [
    ({"vni": 7}, "(fast).vni: 'vni' is VXLAN's; a host-gw overlay routes the leases with no encapsulation"),
    ({"gateway": "10.250.0.1"}, "(fast).gateway: an host-gw overlay's gateway is each host's lease's first address"),
    ({"enable_ipv6": True, "subnet6": "fd00::/64"}, "an host-gw overlay carries IPv4 only"),
    ({"mode": "ipip"}, "(fast).mode: 'ipip' is not one of l3"),
])
def test_host_gw_keys_are_checked(network, words):
    with pytest.raises(InputError) as err:
        fleet_plan.build([dict(HOSTGW, **network)], fleet(1), "h1")
    assert words in str(err.value), str(err.value)


def test_a_host_gw_peer_across_a_router_fails_the_plan():
    hosts = fleet(2)
    hosts["h2"]["underlay"] = "198.51.100.12"
    for h in hosts.values():
        h["underlay_prefix"] = 24
    with pytest.raises(InputError) as err:
        fleet_plan.build([HOSTGW], hosts, "h1")
    assert "mode host-gw routes each lease via its host's underlay address, which needs one L2 underlay: h2 " \
           "(198.51.100.12) is not on-link from h1 (192.0.2.0/24); use mode l3" in str(err.value), str(err.value)


def test_host_binding_ipv4_leaves_a_dual_stack_containers_ipv6_ports_on_every_ipv6_address():
    nets = [dict(DUAL[0], host_binding_ipv4="192.0.2.11")]
    hosts = fleet(1, containers={"h1": [{"name": "web", "network": "front", "publish": ["8080:80"]}]})
    nat = fleet_plan.build(nets, hosts, "h1")["converge"]["iptables_nat"]["networks"][0]
    assert nat["publish"] == [{"address": "172.20.0.2", "address6": "fd00:20::2",
                               "ports": ["192.0.2.11:8080:80", "[::]:8080:80"]}]
    mappings = NatNetworks.normalize(nat, "n", "present")
    assert [(m["host_ip"], m["host_port"]) for m in mappings["mappings"]] == [("192.0.2.11", 8080)]
    assert [(m["host_ip"], m["address"]) for m in mappings["mappings6"]] == [(None, "fd00:20::2")]


LAN = {"name": "lan", "driver": "macvlan", "parent": "eth0", "subnet": "192.0.2.0/24", "gateway": "192.0.2.1",
       "ip_range": "192.0.2.0/28", "host_access": True}


def test_macvlan_networks_give_fleet_wide_addresses_on_the_parent_and_a_shim_per_host():
    hosts = fleet(2, containers={"h1": [{"name": "a", "network": "lan"}, {"name": "c", "network": "lan"}],
                                 "h2": [{"name": "b", "networks": [{"name": "lan", "aliases": ["db"]}]}]})
    hosts["h1"]["underlay"] = "192.0.2.2"  # a host's own address in the subnet is never handed out
    plans = fleet_plan.build_all([LAN], hosts, ["h1", "h2"])
    l2 = plans["h1"]["record"]["l2"]["lan"]
    assert l2 == {"h1/a": "192.0.2.3", "h1/c": "192.0.2.4", "h2/b": "192.0.2.5", "h1/": "192.0.2.6", "h2/": "192.0.2.7"}
    assert plans["h1"]["converge"]["macvlan"] == {"purge_networks": ["lan"], "endpoints": [
        {"netns": "a", "name": "eth0", "container": "a", "network": "lan", "parent": "eth0", "mode": "bridge",
         "mac": "02:42:c0:00:02:03", "addresses": ["192.0.2.3/24"], "mtu": None, "gateway": "192.0.2.1"},
        {"netns": "c", "name": "eth0", "container": "c", "network": "lan", "parent": "eth0", "mode": "bridge",
         "mac": "02:42:c0:00:02:04", "addresses": ["192.0.2.4/24"], "mtu": None, "gateway": "192.0.2.1"},
        {"name": "cm-lan", "network": "lan", "parent": "eth0", "mode": "bridge", "addresses": ["192.0.2.6/32"],
         "routes": [{"dest": "192.0.2.3/32"}, {"dest": "192.0.2.4/32"}]}]}
    assert "bridge" not in plans["h1"]["converge"] and "vxlan_overlay" not in plans["h1"]["converge"]
    # one Ethernet across the fleet: the other host's containers resolve too
    assert plans["h1"]["converge"]["netns"]["hosts_tables"]["lan"][-1] == {"address": "192.0.2.5", "names": ["b", "db"]}
    # stable: recorded addresses stay when a container goes; gone from the inventory, its devices and shims go
    for h in hosts:
        hosts[h]["recorded"] = plans[h]["record"]
    hosts["h1"]["containers"] = [{"name": "c", "network": "lan"}]
    again = fleet_plan.build_all([LAN], hosts, ["h1"])["h1"]
    assert again["record"]["l2"]["lan"]["h1/c"] == "192.0.2.4" and again["record"]["l2"]["lan"]["h1/"] == "192.0.2.6"
    gone = fleet_plan.build([], dict((h, dict(v, containers=[])) for h, v in hosts.items()), "h1")
    assert gone["converge"]["macvlan"] == {"endpoints": [], "purge_networks": ["lan"]}
    down = fleet_plan.build([LAN], hosts, "h1", teardown=True)
    assert down["converge"]["macvlan"]["purge_networks"] == ["lan"]


@pytest.mark.parametrize("network, words", [
    ({"parent": None}, "(lan).parent is required: the host interface on the network the containers join"),
    ({"macvlan_mode": "bridged"}, "(lan).macvlan_mode: 'bridged' is not one of bridge, private, vepa, passthru"),
    ({"macvlan_mode": "private"}, "(lan).host_access: the host's shim reaches the containers as their sibling"),
    ({"vni": 7}, "(lan).vni: 'vni' applies to overlay networks, not to this macvlan network"),
    ({"driver_opts": {"parent": "eth1"}}, "driver_opts['parent']: 'eth1' disagrees with 'parent: eth0'"),
    ({"driver_opts": {"com.docker.network.bridge.name": "x"}}, "not an option cnet.linux reads (it reads macvlan_mode, "
                                                               "parent)"),
])
def test_macvlan_keys_are_checked(network, words):
    with pytest.raises(InputError) as err:
        fleet_plan.build([dict(LAN, **network)], fleet(1), "h1")
    assert words in str(err.value), str(err.value)


def test_docker_driver_opts_name_a_macvlan_networks_parent_and_mode():
    net = dict(LAN, driver_opts={"parent": "eth0", "macvlan_mode": "vepa"}, host_access=False)
    del net["parent"]
    hosts = fleet(1, containers={"h1": [{"name": "a", "network": "lan"}]})
    endpoint = fleet_plan.build([net], hosts, "h1")["converge"]["macvlan"]["endpoints"][0]
    assert (endpoint["parent"], endpoint["mode"]) == ("eth0", "vepa")


def test_a_lost_record_is_rebuilt_from_the_macvlan_devices_the_kernel_shows():
    hosts = fleet(1, containers={"h1": [{"name": "a", "network": "lan"}, {"name": "b", "network": "lan"}]})
    first = fleet_plan.build([LAN], hosts, "h1")["record"]["l2"]["lan"]
    # the record is lost; the kernel still has a's device (at .3) and the shim (.5): b is new to it
    hosts["h1"]["observed"] = {"bridges": [], "vxlans": [], "pairs": [], "macvlans": [
        {"network": "lan", "container": "a", "netns": "a", "name": "eth0", "addresses": ["192.0.2.4/24"]},
        {"network": "lan", "container": None, "netns": None, "name": "cm-lan", "addresses": ["192.0.2.2/32"]}]}
    again = fleet_plan.build([LAN], hosts, "h1")["record"]["l2"]["lan"]
    assert first == {"h1/a": "192.0.2.2", "h1/b": "192.0.2.3", "h1/": "192.0.2.4"}
    assert again == {"h1/a": "192.0.2.4", "h1/": "192.0.2.2", "h1/b": "192.0.2.3"}


SECRET = {"name": "secret", "driver": "overlay", "mode": "l3", "vni": 4098, "subnet": "10.246.0.0/16",
          "encrypted": True}
KEYS = {"h1": {"secret": "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo="},
        "h2": {"secret": "3p7bfXt9wbTTW2HC7OQ1Nz+DQ8hbeGdNrfx+FG+IK08="}}


def test_an_encrypted_overlay_runs_vxlan_between_tunnel_addresses_over_wireguard():
    hosts = fleet(3, containers={"h1": [{"name": "a", "network": "secret"}], "h2": [{"name": "b", "network": "secret"}]})
    for h in ("h1", "h2"):  # h3 has not made its key yet (it never ran): it is no peer yet
        hosts[h]["wireguard_keys"] = KEYS[h]
    plans = fleet_plan.build_all([SECRET], hosts, ["h1", "h2", "h3"])
    tunnels = plans["h1"]["record"]["tunnels"]["secret"]
    assert tunnels == {"h1": "169.254.99.1", "h2": "169.254.99.2", "h3": "169.254.99.3"}  # 1 + 4098 % 250 = 99
    assert plans["h1"]["converge"].get("wireguard") == {"purge": True, "tunnels": [{
        "name": "wg4098", "network": "secret", "port": 51820, "mtu": 1440, "address": "169.254.99.1/24",
        "peers": [{"public_key": KEYS["h2"]["secret"], "endpoint": "192.0.2.12", "address": "169.254.99.2"}]}]}
    overlay = plans["h1"]["converge"]["vxlan_overlay"]["overlays"][0]
    assert (overlay["local"], overlay["dev"], overlay["mtu"]) == ("169.254.99.1", "wg4098", 1390)
    assert overlay["encrypted"] is True and overlay["port"] == 4790  # a VXLAN port of its own
    assert [p["address"] for p in overlay["peers"]] == ["169.254.99.1", "169.254.99.2", "169.254.99.3"]
    assert _pairs(plans["h1"], "secret")["a"]["mtu"] == 1390
    # stable: h1 leaves, the others keep theirs; turned off, the devices and keys go (the part purges them)
    for h in hosts:
        hosts[h]["recorded"] = plans[h]["record"]
    smaller = dict((h, v) for h, v in hosts.items() if h != "h1")
    kept = fleet_plan.build([SECRET], smaller, "h2")["record"]["tunnels"]["secret"]
    assert kept == {"h2": "169.254.99.2", "h3": "169.254.99.3"}
    plain = fleet_plan.build([dict(SECRET, encrypted=False)], hosts, "h1")
    assert plain["converge"].get("wireguard") == {"tunnels": [], "purge": True} and plain["converge"]["vxlan_overlay"]["overlays"][0]["local"] == "192.0.2.11"
    assert fleet_plan.build([dict(SECRET, encrypted=False)], fleet(1), "h1")["converge"].get("wireguard") is None  # never encrypted


@pytest.mark.parametrize("network, words", [
    ({"key_epoch": 1, "encrypted": False}, "(secret).key_epoch: applies to an encrypted overlay; add encrypted: true"),
    ({"encrypted": "yes"}, "(secret).encrypted: 'yes' is a string; true or false is expected"),
    ({"tunnel_subnet": "169.254.0.0/30"}, "(secret).tunnel_subnet: '169.254.0.0/30' is not an IPv4 network of at least 8"),
    ({"mode": "host-gw", "vni": None}, "(secret).encrypted: 'encrypted' is VXLAN's; a host-gw overlay routes"),
    ({"wireguard_port": 0}, "(secret).wireguard_port: 0 is out of range 1..65535"),
])
def test_encrypted_overlay_keys_are_checked(network, words):
    with pytest.raises(InputError) as err:
        fleet_plan.build([dict((k, v) for k, v in dict(SECRET, **network).items() if v is not None)], fleet(1), "h1")
    assert words in str(err.value), str(err.value)


def test_two_encrypted_overlays_need_their_own_port_and_tunnel_subnet():
    other = dict(SECRET, name="other", vni=4348, subnet="10.247.0.0/16")  # 4348 % 250 == 4098 % 250
    with pytest.raises(InputError) as err:
        fleet_plan.build([SECRET, dict(other, wireguard_port=51821)], fleet(1), "h1")
    assert "the tunnel_subnets of encrypted overlays 'secret' and 'other' overlap" in str(err.value)
    with pytest.raises(InputError) as err:
        fleet_plan.build([SECRET, dict(other, tunnel_subnet="169.254.200.0/24")], fleet(1), "h1")
    assert "both listen on WireGuard port 51820; set wireguard_port on one" in str(err.value)


def test_an_encrypted_overlay_never_shares_its_vxlan_port_with_an_unencrypted_one():
    backend = {"name": "backend", "driver": "overlay", "vni": 4096, "subnet": "10.244.0.0/16"}
    plan = fleet_plan.build([backend, SECRET], fleet(1), "h1")
    assert sorted(o["port"] for o in plan["converge"]["vxlan_overlay"]["overlays"]) == [4789, 4790]
    with pytest.raises(InputError) as err:
        fleet_plan.build([backend, dict(SECRET, port=4789)], fleet(1), "h1")
    assert "encrypted overlay 'secret' and unencrypted 'backend' both use VXLAN port 4789" in str(err.value)


def test_an_encrypted_overlays_peers_are_accepted_from_inside_the_tunnel_only():
    from ansible_collections.cnet.linux.plugins.module_utils.xtables import vxlan_filter
    want = vxlan_filter.desired({}, "vx4098", 4790, ["169.254.99.2"], lambda d: None, "wg4098")[0]["filter"]
    assert want["CNET-V-vx4098"] == ["-s 169.254.99.2/32 -i wg4098 -j ACCEPT"]
    assert want["CNET-VXLAN"] == ["-p udp -m udp --dport 4790 -j CNET-V-vx4098", "-p udp -m udp --dport 4790 -j DROP"]


def test_a_record_is_read_back_as_a_record_with_its_tables_by_name():
    hosts = fleet(2, containers={"h1": [{"name": "web", "network": "bridge"}, {"name": "a", "network": "flat"}]})
    written = fleet_plan.build(NETS, hosts, "h1")["record"]
    read = fleet_records.check(json.loads(json.dumps(written)), "h1")
    assert isinstance(read, fleet_records.Record) and read.as_dict() == json.loads(json.dumps(written))
    assert read.table("addresses", "bridge") == {"web": "172.17.0.2"}
    assert read.table("l2", "flat") == {"h1/a": "10.245.0.1"} and read.table("leases", "nope") == {}
    assert read.interfaces == {"web": {"bridge": "eth0"}, "a": {"flat": "eth0"}} and not read.observed
    assert sorted(read.networks) == ["backend", "bridge", "flat"]
    with pytest.raises(KeyError):
        read.table("interfaces", "bridge")  # not an address table
