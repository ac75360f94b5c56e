# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""From the inventory to one host's module calls: build(networks, hosts, me) checks the whole fleet's
variables (inventory.py), allocates leases and addresses (alloc.py), and returns a plain, serializable dict - the
arguments of the few list-form module calls the roles make for this host, what to remove, the overlay
health targets, and the record the host keeps for the next run.

build_all() plans every host of a run from one view of the fleet, so their views of each other agree.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress
import json

from ansible_collections.cnet.linux.plugins.module_utils.core import inputs
from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError
from ansible_collections.cnet.linux.plugins.module_utils.resources import veth
from ansible_collections.cnet.linux.plugins.plugin_utils.fleet import alloc as fleet_alloc
from ansible_collections.cnet.linux.plugins.plugin_utils.fleet import interfaces, observed
from ansible_collections.cnet.linux.plugins.plugin_utils.fleet import records as fleet_records
from ansible_collections.cnet.linux.plugins.plugin_utils.fleet import inventory as fleet_inventory

VERSION = fleet_records.VERSION
# hosts[h]'s keys, as the messages name them ('recorded', the host's fleet.json, is checked by records.check)
HOST_INPUTS = (("containers", "cnet_containers"), ("leases", "cnet_overlay_leases"),
               ("underlay", "cnet_underlay_address"), ("underlay_mtu", "cnet_underlay_mtu"),
               ("underlay_device", "network_info's underlay interface"),
               ("observed", "network_info's devices"),
               ("wireguard_keys", "wireguard_key's public_keys"), ("wireguard", "network_info's wireguard"))
DEFAULT_NETWORK = "bridge"  # as in Docker, the one network whose containers do not resolve each other's names
UNDERLAY_MTU = 1500  # assumed for a host whose underlay MTU is not known (no facts, no record)
VXLAN_OVERHEAD = 50  # VXLAN over IPv4: outer IPv4 20 + UDP 8 + VXLAN 8 + the inner Ethernet header 14
WG_OVERHEAD = 60  # WireGuard over IPv4: outer IPv4 20 + UDP 8 + WireGuard's header 16 + its tag 16


def lease_gateway(lease):
    """The first address of an l3 lease: the gateway on that host's overlay bridge."""
    return str(ipaddress.ip_network(lease).network_address + 1)


def endpoint_mac(ip):
    """02:42 + the IPv4 address, as Docker derives a container's MAC: every host computes every endpoint's."""
    return inputs.ipv4_mac(ip)


def build(raw_networks, hosts, me, teardown=False):
    """hosts: {name: {containers, leases (pins), underlay, recorded}} for the whole fleet; me: this host.
    teardown: every network of the inventory and of the host's record goes, every container with it."""
    return build_all(raw_networks, hosts, [me], teardown)[me]


def build_all(raw_networks, hosts, planned, teardown=False):
    """{host: plan} for every host in `planned`, from one view of the fleet: its variables are checked and its
    leases and addresses allocated once, not once per host (a run plans n hosts in O(n) allocations)."""
    fleet = sorted(hosts)
    for me in planned:
        if me not in hosts:
            raise InputError("%s is not in the fleet (%s)" % (me, ", ".join(fleet)))
    inputs.plain(raw_networks, "%scnet_networks" % (planned[0] + ": " if len(planned) == 1 else ""))
    for h in fleet:  # one line of printable text per value, whatever the variable or the host's report
        for key, name in HOST_INPUTS:
            inputs.plain(hosts[h].get(key), "%s: %s" % (h, name))
    nets = fleet_inventory.networks(raw_networks, planned[0] if len(planned) == 1 else None)
    records = dict((h, fleet_records.check(hosts[h].get("recorded"), h)
                    or observed.record(hosts[h].get("observed"), h, nets)) for h in fleet)
    if teardown:
        return dict((me, _teardown(nets, records[me])) for me in planned)
    conts = dict((h, fleet_inventory.containers(hosts[h].get("containers"), nets, h)) for h in fleet)
    pins = dict((h, fleet_inventory.lease_pins(hosts[h].get("leases"), nets, h)) for h in fleet)
    overlays = [n for n in nets.values() if n["driver"] == "overlay"]
    underlay = {}
    if overlays:
        for h in fleet:
            addr = hosts[h].get("underlay")
            if not addr:
                raise InputError("%s: no underlay address; set cnet_underlay_address (or gather facts so the default "
                                 "IPv4 address is known)" % h)
            underlay[h] = inputs.ip(addr, "%s: cnet_underlay_address" % h, 4)
    holders = {}
    for h in underlay:  # each host's peers are programmed by underlay address: two hosts on one would swap traffic
        if underlay[h] in holders:
            raise InputError("%s: cnet_underlay_address %s is also %s's; every host's underlay address is its own "
                             "(set cnet_underlay_address where facts picked the wrong one)"
                             % (h, underlay[h], holders[underlay[h]]))
        holders[underlay[h]] = h
    underlay_mtu = _underlay_mtus(hosts, fleet, records) if overlays else {}
    overlay_mtu = min(list(underlay_mtu.values()) or [UNDERLAY_MTU]) - VXLAN_OVERHEAD
    for n in nets.values():  # host-gw: no encapsulation, the underlay's whole MTU; encrypted: WireGuard's less
        full = overlay_mtu + VXLAN_OVERHEAD if n.get("mode") == "host-gw" else overlay_mtu
        if n.get("encrypted"):
            full, n["wg_mtu"] = overlay_mtu - WG_OVERHEAD, overlay_mtu + VXLAN_OVERHEAD - WG_OVERHEAD
        n["link_mtu"] = n["mtu"] or (full if n["driver"] == "overlay" else None if n["driver"] == "macvlan" else 1500)
    leases = dict((n["name"], fleet_alloc.leases(n, fleet, pins, records)) for n in overlays
                  if fleet_inventory.leased(n))
    _check_on_link([n for n in overlays if n["mode"] == "host-gw"], hosts, underlay)
    tunnels = dict((n["name"], _tunnels(n, fleet, records)) for n in overlays if n.get("encrypted"))
    for h in (fleet if tunnels else ()):
        if hosts[h].get("wireguard") is False:
            raise InputError("%s: the encrypted overlay %s needs WireGuard, which this host's kernel does not have "
                             "(Linux 5.6 or later, or the wireguard module); use an unencrypted overlay here or "
                             "another kernel" % (h, ", ".join(sorted(tunnels))))
    keys = dict((h, fleet_records.public_keys(hosts[h].get("wireguard_keys"), h)) for h in fleet)
    spans = [n for n in nets.values() if fleet_inventory.spanning(n)]
    # the hosts' own addresses on a macvlan network's Ethernet are never handed out
    hosts_at = dict((hosts[h]["underlay"], h) for h in fleet if hosts[h].get("underlay"))
    l2 = dict((n["name"], _l2_addresses(n, fleet, conts, records, hosts_at=hosts_at)) for n in spans)
    # every host's addresses are allocated, not only the planned hosts': a mistake anywhere fails every plan
    local = dict((h, _local_addresses(nets, conts[h], h, leases, records[h])) for h in fleet)
    l26 = dict((n["name"], _l2_addresses(n, fleet, conts, records, 6)) for n in spans if n.get("subnet6"))
    local6 = dict((h, _local_addresses(nets, conts[h], h, leases, records[h], 6)) for h in fleet)
    six = {"local": local6, "l2": l26}
    macs = _macs(nets, fleet, conts, (local, l2))
    l2_by_host = dict((name, _by_host(addresses, macs, name, l26.get(name))) for name, addresses in l2.items()
                      if nets[name]["driver"] == "overlay")
    known = _name_entries(nets, fleet, conts, (local, l2), (local6, l26))  # every host's, for the overlays
    devices = dict((h, inputs.ifname(hosts[h]["underlay_device"], "%s: network_info's underlay interface" % h))
                   for h in planned if hosts[h].get("underlay_device"))
    out = {}
    for me in planned:
        names = interfaces.names(conts[me], records[me], me)
        out[me] = _calls(nets, fleet, me, conts[me], local[me], leases, (l2, l2_by_host), underlay, records[me],
                         names, underlay_mtu, {"local": local6[me], "l2": l26}, (tunnels, keys),
                         underlay_devices=devices)
        out[me]["hosts_tables"] = _hosts_tables(nets, fleet, me, known, out[me]["namespaces"])
    return out


def _address(net, h, cname, table):
    """A container's address on a network from one family's allocations, table = (per host {host: {network:
    {container: ip}}}, fleet-wide {network: {'host/container': ip}}); None when it has none of that family."""
    local, l2 = table
    if fleet_inventory.spanning(net):
        return (l2.get(net["name"]) or {}).get("%s/%s" % (h, cname))
    return ((local.get(h) or {}).get(net["name"]) or {}).get(cname)


def _addresses_of(net, h, cname, four, six):
    """[IPv4 address, IPv6 address if the network has IPv6] of a container on a network."""
    return [ip for ip in (_address(net, h, cname, four), _address(net, h, cname, six)) if ip]


def _name_entries(nets, fleet, conts, four, six):
    """{network: {host: [{address, names}]}} of every user-defined network: each container's addresses there
    with its name and that attachment's aliases, what the hosts files of the network's containers list."""
    out = {}
    for h in fleet:
        for c in conts[h]:
            for a in c["attach"]:
                net = nets[a["network"]]
                if net["name"] == DEFAULT_NETWORK:
                    continue
                for ip in _addresses_of(net, h, c["name"], four, six):
                    out.setdefault(net["name"], {}).setdefault(h, []).append(
                        {"address": ip, "names": [c["name"]] + a["aliases"]})
    return out


def _hosts_tables(nets, fleet, me, known, namespaces):
    """{network: entries} for the networks this host's hosts files include: its own containers first, then,
    on an overlay, the other hosts' in host order (a name on two hosts resolves to the nearer one)."""
    out = {}
    for item in namespaces:
        for name in item.get("hosts_include") or []:
            if name not in out:
                by_host = known.get(name) or {}
                hosts = [me] + [h for h in fleet if h != me] if fleet_inventory.multi_host(nets[name]) else [me]
                out[name] = [entry for h in hosts for entry in by_host.get(h, [])]
    return out


def _check_on_link(host_gw, hosts, underlay):
    """host-gw routes each lease via its host's underlay address: every host must be on-link from every other
    (checked where a host's underlay prefix is known; the module checks again on each host)."""
    if not host_gw:
        return
    subnets = {}
    for h, addr in sorted(underlay.items()):
        prefix = hosts[h].get("underlay_prefix")
        if prefix is not None:
            subnets.setdefault(str(ipaddress.ip_interface("%s/%s" % (addr, prefix)).network), h)
    for subnet, h in sorted(subnets.items()):
        for other, addr in sorted(underlay.items()):
            if ipaddress.ip_address(addr) not in ipaddress.ip_network(subnet):
                raise InputError("cnet_networks (%s): mode host-gw routes each lease via its host's underlay address, "
                                 "which needs one L2 underlay: %s (%s) is not on-link from %s (%s); use mode l3 "
                                 "(VXLAN) across routers" % (host_gw[0]["name"], other, addr, h, subnet))


def _teardown(nets, record):
    old = dict(((record or {}).get("networks")) or {})
    old.update(_net_records(nets.values()))
    empty = {"namespaces": [], "hosts_tables": {}, "health": [], "record": None, "overlay": {"overlays": []},
             "wireguard": {"tunnels": [], "purge": True},
             "bridge": {"bridges": [], "veths": [], "nat": []}}
    return _with_removals(empty, {}, {"networks": old})


def _by_host(addresses, macs, net, addresses6=None):
    """{host: [{ip, mac}]} of an l2 overlay's {'host/container': ip}, in key order; a container with an IPv6
    address too is a second endpoint with the same MAC."""
    out = {}
    for key, ip in sorted(addresses.items()):
        mac = macs.get((key, net)) or endpoint_mac(ip)
        out.setdefault(key.split("/", 1)[0], []).append({"ip": ip, "mac": mac})
        if (addresses6 or {}).get(key):
            out[key.split("/", 1)[0]].append({"ip": addresses6[key], "mac": mac})
    return out


def _macs(nets, fleet, conts, four):
    """{('host/container', network): mac} of the pinned MACs (mac_address). Two interfaces of one Ethernet (a
    bridge network or l3 lease on one host; an l2 overlay across the fleet) with one MAC - pinned, or Docker's
    02:42:<IPv4> of another's address - are refused."""
    out, seen = {}, {}
    for h in fleet:
        for c in conts[h]:
            for a in c["attach"]:
                net, key = nets[a["network"]], "%s/%s" % (h, c["name"])
                mac = a["mac"] or endpoint_mac(_address(net, h, c["name"], four))
                domain = (None if fleet_inventory.spanning(net) else h, net["name"])
                other = seen.setdefault(domain, {}).get(mac)
                if other is not None:
                    mine = "mac_address %s" % mac if a["mac"] else "MAC %s (02:42 and its address)" % mac
                    raise InputError("%s: cnet_containers (%s): %s on network '%s' is also the MAC of %s there; pin "
                                     "another mac_address" % (h, c["name"], mine, net["name"], other))
                seen[domain][mac] = "'%s' on %s" % (c["name"], h)
                if a["mac"]:
                    out[(key, net["name"])] = a["mac"]
    return out


def _underlay_mtus(hosts, fleet, records):
    """{host: underlay MTU} where known: from the host's facts (or cnet_underlay_mtu), else as recorded (a host
    not in this run keeps its value in the others' view, like its lease)."""
    recorded = fleet_alloc.merged(records, "underlay_mtu", "underlay", fleet)
    out = {}
    for h in fleet:
        raw = hosts[h].get("underlay_mtu")
        raw = recorded.get(h) if raw is None else raw
        if raw is not None:
            out[h] = inputs.mtu(raw, "%s: cnet_underlay_mtu" % h)
            if out[h] - VXLAN_OVERHEAD < 576:
                raise InputError("%s: cnet_underlay_mtu: %d leaves an overlay %d bytes; an underlay needs at least %d"
                                 % (h, out[h], out[h] - VXLAN_OVERHEAD, 576 + VXLAN_OVERHEAD))
    return out


def _pool(net, family, what):
    """The address pool of a network (or, for IPv6, its subnet6); ip_range and aux_addresses are IPv4's."""
    if family == 6:
        return fleet_alloc.Pool(net["subnet6"], net["gateway6"], what)
    return fleet_alloc.Pool(net["subnet"], net["gateway"], what, net.get("ip_range"), net.get("aux_addresses"))


def _l2_addresses(net, fleet, conts, records, family=4, hosts_at=None):
    """{'host/container': ip} of an l2 overlay or macvlan network across the fleet: one subnet (of that family),
    unique everywhere. A macvlan network with host_access has each host's shim address too, as 'host/' (no
    container has an empty name); hosts_at {address: host}: addresses that are hosts' own (never handed out)."""
    pin, table = ("ipv6", "l26") if family == 6 else ("ipv4", "l2")
    pool = _pool(net, family, "network %s" % net["name"])
    if net["driver"] == "macvlan" and family == 4:
        for addr, h in sorted((hosts_at or {}).items()):
            if inputs.contains(net["subnet"], addr):
                pool.taken[ipaddress.ip_address(addr)] = "host %s's own address" % h
    wanted, out = [], {}
    for h in fleet:
        for c in conts[h]:
            for a in c["attach"]:
                if a["network"] == net["name"]:
                    key = "%s/%s" % (h, c["name"])
                    if a[pin]:
                        pool.pin(key, a[pin], "%s: cnet_containers (%s) %s" % (h, c["name"], pin))
                        out[key] = a[pin]
                    else:
                        wanted.append(key)
    if net.get("shim") and family == 4:  # a shim on each host with containers there
        wanted += sorted(set(key.split("/", 1)[0] + "/" for key in wanted + list(out)))
    out.update(_kept_or_taken(pool, wanted, fleet_alloc.merged(records, table, net["name"], fleet),
                              lambda key: "%s: cnet_containers on %s" % (key.split("/", 1)[0], net["name"]),
                              lambda key: "network %s" % net["name"]))
    return out


def _kept_or_taken(pool, wanted, recorded, scope, where):
    """{key: address} for the wanted keys: each recorded address kept where it is still free (a running
    container, a host's tunnel is never renumbered), then the new keys given the next free ones."""
    out = {}
    for key in wanted:
        if key in recorded and pool.keep(key, recorded[key], scope(key)):
            out[key] = recorded[key]
    for key in wanted:
        if key not in out:
            out[key] = pool.take(key, where(key))
    return out


def _local_addresses(nets, conts, me, leases, record, family=4):
    """{network: {container: ip}} of this host's bridge, ptp and l3 overlay attachments (family 6: the IPv6
    addresses of its bridge networks with IPv6)."""
    out, pools, wanted = {}, {}, []
    pin, table = ("ipv6", "addresses6") if family == 6 else ("ipv4", "addresses")
    recorded = (record or {}).get(table) or {}
    for c in conts:
        for a in c["attach"]:
            net = nets[a["network"]]
            if fleet_inventory.spanning(net) or family == 6 and not net.get("subnet6"):
                continue
            name = net["name"]
            if name not in pools:
                what = "network %s on %s" % (name, me)
                if net["driver"] == "overlay":  # a lease is this host's part of an l3 overlay's subnet
                    pools[name] = fleet_alloc.Pool(leases[name][me], lease_gateway(leases[name][me]), what)
                else:
                    pools[name] = _pool(net, family, what)
            if net["driver"] == "ptp" and name in out:
                raise InputError("%s: cnet_containers (%s): a ptp network has one container per host; '%s' already has "
                                 "%s" % (me, c["name"], name, ", ".join(out[name])))
            if a[pin]:
                pools[name].pin(c["name"], a[pin], "%s: cnet_containers (%s) %s on %s" % (me, c["name"], pin, name))
                out.setdefault(name, {})[c["name"]] = a[pin]
            else:
                out.setdefault(name, {})[c["name"]] = None
                wanted.append((name, c["name"]))
    for name, cname in wanted:
        old = (recorded.get(name) or {}).get(cname)
        if old and pools[name].keep(cname, old, "%s: cnet_containers on %s" % (me, name)):
            out[name][cname] = old
    for name, cname in wanted:
        if out[name][cname] is None:
            out[name][cname] = pools[name].take(cname, "%s: network %s" % (me, name))
    return out


def _calls(nets, fleet, me, conts, local, leases, l2_view, underlay, old_record, names, underlay_mtu, six, wg,
           underlay_devices=None):
    l2, l2_by_host = l2_view
    tunnels, keys = wg
    bridges, pairs, nat, overlays, health, host_gw = [], dict((n, []) for n in nets), [], [], [], []
    macvlan, wireguard = [], []
    summary = {"networks": _shown_networks(nets, fleet, me, (leases, l2_view[1]), underlay), "containers": {},
               "underlay": underlay.get(me)}
    # the subnets the host routes for l3 overlays: no other network's containers reach them through the host
    routed = [n["subnet"] for n in nets.values() if fleet_inventory.leased(n)]
    # bridges with rules carry their own bridged frames to them (nf_call_iptables), whatever the host-wide sysctl
    for net in nets.values():
        name = net["name"]
        if net["driver"] == "bridge":
            prefix = ipaddress.ip_network(net["subnet"]).prefixlen
            addresses = ["%s/%d" % (net["gateway"], prefix)]
            if net["subnet6"]:
                addresses.append("%s/%d" % (net["gateway6"], ipaddress.ip_network(net["subnet6"]).prefixlen))
            bridges.append({"name": net["bridge"], "network": name, "addresses": addresses,
                            "mtu": net["link_mtu"], "netfilter": True})
            nat.append({"name": name, "bridge": net["bridge"], "subnet": net["subnet"], "icc": net["icc"],
                        "internal": net["internal"], "masquerade": net["masquerade"], "publish": [],
                        "isolated_subnets": routed})
            if net["subnet6"]:
                nat[-1].update(subnet6=net["subnet6"], masquerade6=net["masquerade6"])
        elif net["driver"] == "overlay" and net["mode"] == "host-gw":
            lease = leases[name][me]
            bridges.append({"name": net["bridge"], "network": name, "mtu": net["link_mtu"], "netfilter": True,
                            "addresses": ["%s/%d" % (lease_gateway(lease), net["host_prefix"])]})
            if not (underlay_devices or {}).get(me):
                raise InputError("%s: the underlay interface (the one holding %s) is not known, and a host-gw overlay "
                                 "admits its peers' leases from it only; run cnet.linux.network_info with host_facts "
                                 "(the host role's read step does)" % (me, underlay.get(me)))
            # from the underlay interface, and from the other hosts' leases only: a machine on the underlay that
            # sends from elsewhere in the overlay's subnet is dropped (one inside a peer's lease is not: host-gw
            # trusts its L2 segment, as Flannel's; docs/security.md)
            nat.append({"name": name, "bridge": net["bridge"], "subnet": lease, "routed_in": [underlay_devices[me]],
                        "routed_subnets": [leases[name][h] for h in fleet if h != me], "icc": True,
                        "internal": False, "masquerade": True, "publish": [],
                        "isolated_subnets": [s for s in routed if s != net["subnet"]]})
            host_gw.append({"name": name, "subnet": net["subnet"], "lease": lease,
                            "peers": [{"address": underlay[h], "lease": leases[name][h]} for h in fleet]})
        elif net["driver"] == "overlay":
            mtu = net["link_mtu"]
            # an encrypted overlay's VXLAN runs between the hosts' tunnel addresses, over WireGuard
            at = tunnels[name] if net.get("encrypted") else underlay
            args = {"name": name, "vni": net["vni"], "port": net["port"], "mode": net["mode"], "device": net["device"],
                    "local": at[me], "mtu": mtu, "firewall": net["firewall"]}
            if net["mode"] == "l3":
                lease = leases[name][me]
                gateway = lease_gateway(lease)
                bridges.append({"name": net["bridge"], "network": name, "mtu": mtu, "netfilter": True,
                                "addresses": ["%s/%d" % (gateway, net["host_prefix"])]})
                # the other hosts' containers come out of the VXLAN device only (not from the underlay)
                nat.append({"name": name, "bridge": net["bridge"], "subnet": lease, "routed_subnets": [net["subnet"]],
                            "routed_in": [net["device"]], "icc": True, "internal": False, "masquerade": True,
                            "publish": [], "isolated_subnets": [s for s in routed if s != net["subnet"]]})
                args.update(lease=lease, peers=[{"address": at[h], "lease": leases[name][h]} for h in fleet])
            else:
                bridges.append({"name": net["bridge"], "network": name, "mtu": mtu, "addresses": []})
                by_host = l2_by_host[name]
                args.update(bridge=net["bridge"], peers=[{"address": at[h], "endpoints": by_host.get(h, [])}
                                                         for h in fleet if h != me])
            if net.get("encrypted"):  # its peers' VXLAN is accepted from inside the tunnel only
                wireguard.append(_tunnel(net, fleet, me, underlay, tunnels[name], keys))
                args.update(dev=net["wg_device"], encrypted=True)
            overlays.append(args)
    namespaces = []
    nat_by_bridge = dict((item["bridge"], item) for item in nat)
    probed = set()
    for c in conts:
        item = {"name": c["name"]}
        if c["pid"]:
            item["pid"] = c["pid"]
        if c["mode"] == "host":
            item["host"] = True
        elif c["mode"] == "container":
            item["container"] = c["target"]
        namespaces.append(item)
        shown = {"mode": c["mode"], "target": c["target"], "networks": {},
                 "publish": [dict(e) for e in c["publish"]]}
        summary["containers"][c["name"]] = shown
        if c["mode"] != "host":  # a host-mode container reads the host's own files
            item.update(hosts=[], hosts_include=[], dns=c["dns"])
        route4, route6 = _default_route(c), _default_route6(c, nets)
        own = []  # the container's pair or macvlan device on each of its networks
        for j, a in enumerate(c["attach"]):
            net = nets[a["network"]]
            pair, ip = _pair(net, c, (j, route4), (local, l2, leases), me, names[c["name"]][net["name"]], a["mac"])
            ip6 = _address(net, me, c["name"], ({me: six["local"]}, six["l2"]))
            if ip6:
                pair["addresses"].append("%s/%d" % (ip6, ipaddress.ip_network(net["subnet6"]).prefixlen))
                if j == route6:
                    pair["gateway6"] = net["gateway6"]
            item["hosts"] += [{"address": addr, "names": [c["name"]] + a["aliases"]} for addr in [ip, ip6] if addr]
            if net["name"] != DEFAULT_NETWORK:
                item["hosts_include"].append(net["name"])
            own.append(pair)
            shown["networks"][net["name"]] = {"interface": pair.get("peer") or pair.get("name"), "ipv4": ip, "ipv6": ip6,
                                              "mac": pair["mac"], "aliases": a["aliases"]}
            (macvlan if net["driver"] == "macvlan" else pairs[net["name"]]).append(pair)
            if j == 0 and c["publish"]:
                nat_by_bridge[net["bridge"]]["publish"] += _published(ip, ip6, c["publish"], net)
            if net["driver"] == "overlay" and net["name"] not in probed:
                probed.add(net["name"])  # the first local container on the overlay probes each peer host once
                health += [{"netns": c["name"], "host": h, "address": addr, "network": net["name"]}
                           for h, addr in _peer_targets(net, fleet, me, leases, l2_by_host)]
        if c["extra_hosts"]:
            item["hosts"] += _extra_hosts(c, me, own)
    by_name = dict((item["name"], item) for item in namespaces)
    for item in namespaces:
        if item.get("container"):  # shares its target's namespace, and its name files
            target = by_name[item["container"]]
            item.update(hosts=target["hosts"], hosts_include=target["hosts_include"], dns=target["dns"])
    record = {"version": VERSION, "host": me, "underlay": underlay.get(me), "networks": _net_records(nets.values()),
              "addresses": local, "leases": leases, "l2": l2, "interfaces": names}
    if underlay_mtu:
        record["underlay_mtu"] = {"underlay": underlay_mtu}
    if any(six["local"].values()) or six["l2"]:  # only then: a record of an IPv4-only fleet is as before
        record.update(addresses6=six["local"], l26=six["l2"])
    plan = {"namespaces": namespaces, "health": health, "record": record, "summary": summary,
            "ipv6": any(n.get("subnet6") for n in nets.values())}  # the host forwards IPv6
    # The host's side of every network, overlays' bridges included, in one part: one bridge call and one NAT
    # call per host, so the shared chains and their jumps are planned once (a check run plans what the real
    # run does). The overlay part is the VXLAN devices, converged once their bridges exist.
    # the collection's interfaces with no network chain, whose traffic the chains accept (FORWARD policy DROP):
    # an l2 overlay's bridge (its containers' frames are bridged through netfilter), a ptp pair's host end
    accept = [n["bridge"] for n in nets.values() if n["driver"] == "overlay" and n["mode"] == "l2"]
    accept += [veth.host_end(p["netns"], p["peer"]) for n, ps in pairs.items() if nets[n]["driver"] == "ptp" for p in ps]
    plan["bridge"] = {"bridges": bridges, "nat": nat, "accept": sorted(set(accept)),
                      "veths": [{"network": n, "bridge": nets[n].get("bridge"), "pairs": p, "purge": True}
                                for n, p in pairs.items()]}
    plan["overlay"] = {"overlays": overlays}
    plan["host_gw"] = {"overlays": host_gw}
    had = any(n.get("wg_device") for n in ((old_record or {}).get("networks") or {}).values())
    plan["wireguard"] = {"tunnels": wireguard, "purge": True} if wireguard or had else None
    if wireguard:
        record["tunnels"] = tunnels
    plan["macvlan"] = {"endpoints": macvlan + _shims(nets, me, macvlan, l2),
                       "purge_networks": [n["name"] for n in nets.values() if n["driver"] == "macvlan"]}
    return _with_removals(plan, nets, old_record)


def _tunnels(net, fleet, records):
    """{host: tunnel address} of an encrypted overlay: one address of its tunnel_subnet per host, stable (recorded,
    as leases are)."""
    pool = fleet_alloc.Pool(net["tunnel_subnet"], None, "the tunnel_subnet of %s" % net["name"])
    return _kept_or_taken(pool, fleet, fleet_alloc.merged(records, "tunnels", net["name"], fleet),
                          lambda h: "%s: the tunnel address on %s" % (h, net["name"]),
                          lambda h: "%s: network %s" % (h, net["name"]))


def _tunnel(net, fleet, me, underlay, tunnel, keys):
    """This host's WireGuard device of an encrypted overlay: its tunnel address, and each other host whose
    public key is known as a peer (a host that never ran has none yet: its peers meet it after its first run)."""
    prefix = ipaddress.ip_network(net["tunnel_subnet"]).prefixlen
    return {"name": net["wg_device"], "network": net["name"], "port": net["wireguard_port"], "mtu": net["wg_mtu"],
            "address": "%s/%d" % (tunnel[me], prefix),
            "peers": [{"public_key": keys[h][net["name"]], "endpoint": underlay[h], "address": tunnel[h]}
                      for h in fleet if h != me and (keys.get(h) or {}).get(net["name"])]}


def _shown_networks(nets, fleet, me, allocated, underlay):
    """{network: what inspect.yml shows of it on this host}: the driver's settings, this host's lease, the peer
    hosts (an overlay's underlay addresses with their leases or endpoints)."""
    leases, l2_by_host = allocated
    out = {}
    for net in nets.values():
        fields = ("driver", "mode", "subnet", "gateway", "subnet6", "gateway6", "bridge", "device", "vni", "parent",
                  "macvlan_mode", "shim", "wg_device", "wireguard_port")
        shown = dict((key, net.get(key)) for key in fields
                     if net.get(key) is not None)
        if fleet_inventory.leased(net):
            shown["lease"] = leases[net["name"]][me]
            shown["gateway"] = lease_gateway(shown["lease"])
        if net["driver"] == "overlay":
            shown["peers"] = [dict({"host": h, "address": underlay[h]},
                                   **({"lease": leases[net["name"]][h]} if fleet_inventory.leased(net) else
                                      {"endpoints": l2_by_host[net["name"]].get(h, [])}))
                              for h in fleet if h != me]
        out[net["name"]] = shown
    return out


def _shims(nets, me, endpoints, l2):
    """The host's shim on each macvlan network with host_access where it has containers: a macvlan device in the
    host's namespace with its own address and a /32 route to each local container (the host cannot reach them
    through the parent)."""
    out = []
    for net in nets.values():
        shim_ip = (l2.get(net["name"]) or {}).get("%s/" % me) if net.get("shim") else None
        if shim_ip:
            local = [e["addresses"][0].split("/")[0] for e in endpoints if e["network"] == net["name"]]
            out.append({"name": net["shim"], "network": net["name"], "parent": net["parent"], "mode": "bridge",
                        "addresses": ["%s/32" % shim_ip], "routes": [{"dest": "%s/32" % ip} for ip in local]})
    return out


def _net_records(nets):
    out = dict((n["name"], dict((k, n.get(k)) for k in ("driver", "bridge", "device", "vni"))) for n in nets)
    for n in nets:
        if n.get("wg_device"):  # an encrypted overlay's WireGuard device: the wireguard part purges it when it goes
            out[n["name"]]["wg_device"] = n["wg_device"]
    for n in nets:
        if n.get("mode") == "host-gw":  # its routes are found by its subnet when it goes
            out[n["name"]].update(mode="host-gw", subnet=n["subnet"])
    return out


def _with_removals(plan, nets, old_record):
    """Add what goes: networks the host's record has and the inventory no longer does (every device of theirs,
    in the role of their driver). Until a run records its end, they stay in the pending record."""
    old = dict(((old_record or {}).get("networks") or {}))
    current = set()
    for n in nets.values():
        current.update(d for d in (n.get("bridge"), n.get("device")) if d)
    gone = dict((name, net) for name, net in sorted(old.items()) if name not in nets)
    for name, net in gone.items():
        if net.get("driver") == "macvlan":  # its devices, and the host's shim
            plan.setdefault("macvlan", {"endpoints": [], "purge_networks": []})["purge_networks"].append(name)
        role = plan["bridge"]
        role["veths"].append({"network": name, "bridge": None, "pairs": [], "purge": True})
        bridge = net.get("bridge")
        if bridge and bridge not in current:
            role["bridges"].append({"name": bridge, "state": "absent"})
            role["nat"].append({"bridge": bridge, "state": "absent"})
        if net.get("device") and net["device"] not in current:
            plan["overlay"]["overlays"].append({"device": net["device"], "vni": net["vni"], "state": "absent"})
        if net.get("mode") == "host-gw":
            plan.setdefault("host_gw", {"overlays": []})["overlays"].append(
                {"name": name, "subnet": net["subnet"], "state": "absent"})
    plan["gone"] = sorted(gone)
    if plan["record"] is not None:
        # What the host's file holds after each write; a write that would not change it is not planned.
        on_disk = _as_json(old_record)
        pending = _as_json(dict(plan["record"], networks=dict(plan["record"]["networks"], **gone)))
        if pending != on_disk:
            plan["record_pending"] = on_disk = pending
        plan["record_write"] = _as_json(plan["record"]) != on_disk
    return plan


def _as_json(value):
    """The value as read back from the record file (tuples become lists, keys strings)."""
    return json.loads(json.dumps(value)) if value is not None else None


def _extra_hosts(c, me, own_pairs):
    """The container's extra_hosts entries; 'host-gateway' is the gateway its default route goes through."""
    gateways = [p["gateway"] for p in own_pairs if p.get("gateway")]
    out = []
    for entry in c["extra_hosts"]:
        if entry["address"] == "host-gateway":
            if not gateways:
                raise InputError("%s: cnet_containers (%s): extra_hosts %s: host-gateway is the gateway of the default "
                                 "route, and this container has none; give an address"
                                 % (me, c["name"], entry["names"][0]))
            entry = dict(entry, address=gateways[0])
        out.append(entry)
    return out


def _default_route(c):
    """The index of the attachment that holds the default route: the highest gw_priority, the first of equals."""
    return max(range(len(c["attach"])), key=lambda j: (c["attach"][j]["gw_priority"], -j)) if c["attach"] else None


def _pair(net, c, position, allocated, me, ifname, mac):
    """The container's veth pair on its network number j, and its address; position = (j, the number of the
    network holding the IPv4 default route)."""
    (j, route4), (local, l2, leases), name = position, allocated, net["name"]
    if fleet_inventory.spanning(net):
        ip, prefix, gateway = l2[name]["%s/%s" % (me, c["name"])], ipaddress.ip_network(net["subnet"]).prefixlen, None
    elif net["driver"] == "overlay":
        ip, prefix, gateway = local[name][c["name"]], net["host_prefix"], lease_gateway(leases[name][me])
    else:
        ip, prefix, gateway = local[name][c["name"]], ipaddress.ip_network(net["subnet"]).prefixlen, net["gateway"]
    if net["driver"] == "macvlan":  # on the outside network: its router is the gateway
        gateway = net["gateway"]
    pair = {"netns": c["name"], "peer": ifname, "container": c["name"], "mac": mac or endpoint_mac(ip),
            "addresses": ["%s/%d" % (ip, prefix)], "mtu": net["link_mtu"], "network": name, "bridge": net.get("bridge")}
    if net["driver"] == "macvlan":  # a macvlan device is named in its namespace; it has a parent, no bridge
        del pair["peer"], pair["bridge"]
        pair.update(name=ifname, parent=net["parent"], mode=net["macvlan_mode"])
    if net["driver"] == "ptp":
        pair["host_addresses"] = ["%s/%d" % (net["gateway"], prefix)]
    if j == route4 and gateway:
        pair["gateway"] = gateway
    elif gateway and net["driver"] == "overlay":
        pair["routes"] = [{"dest": net["subnet"], "via": gateway}]  # the other leases, through this host
    if j == 0 and c["publish"]:
        pair["hairpin"] = True  # a container reaches its own published port through the host's address
    return pair, ip


def _default_route6(c, nets):
    """The attachment that holds the IPv6 default route: the highest gw_priority among the networks with an IPv6
    gateway (bridge networks with IPv6), the first of equals; None when there is none."""
    able = [j for j, a in enumerate(c["attach"]) if nets[a["network"]]["driver"] in ("bridge", "macvlan")
            and nets[a["network"]].get("subnet6")]
    return max(able, key=lambda j: (c["attach"][j]["gw_priority"], -j)) if able else None


def _published(ip, ip6, entries, net):
    """The container's iptables_nat publish entries: one per source list, in order ({address, ports} for
    every source, as before allow existed, so an unchanged inventory plans the same arguments). A spec naming no
    host address gets the network's host_binding_ipv4 (Docker's default host address) for IPv4; its IPv6 mapping,
    where the container has IPv6, stays on every IPv6 address."""
    binding = net.get("host_binding_ipv4")
    out, by_allow = [], {}
    for entry in entries:
        specs = [entry["spec"]]
        if binding and entry["spec"].count(":") == 1:  # IPv4 on that address; IPv6, where it has it, on every one
            specs = ["%s:%s" % (binding, entry["spec"])] + (["[::]:%s" % entry["spec"]] if ip6 else [])
        key = tuple(entry["allow"]) if entry["allow"] is not None else None
        if key not in by_allow:
            by_allow[key] = {"address": ip, "ports": []}
            if ip6:
                by_allow[key]["address6"] = ip6
            if key is not None:
                by_allow[key]["allow"] = list(key)
            out.append(by_allow[key])
        by_allow[key]["ports"] += specs
    return out


def _peer_targets(net, fleet, me, leases, l2_by_host):
    """[(peer host, address)] to probe an overlay by: each peer's lease gateway (l3), or its first endpoint (l2)."""
    if net["mode"] != "l2":
        return [(h, lease_gateway(leases[net["name"]][h])) for h in fleet if h != me]
    return [(h, endpoints[0]["ip"]) for h, endpoints in sorted(l2_by_host[net["name"]].items()) if h != me]
