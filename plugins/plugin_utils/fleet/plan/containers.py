# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A host's containers: each one's namespace (with its hosts entries and resolvers), its interface on each of its
networks (built by the network's driver), its published ports on its first network's NAT item, and the overlays'
health probes from the first local container on each."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress

from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError
from ansible_collections.cnet.linux.plugins.plugin_utils.fleet.plan import addresses, drivers
from ansible_collections.cnet.linux.plugins.plugin_utils.fleet.plan.allocation import DEFAULT_NETWORK


def build(alloc, me, parts, shown):
    """Write the host's namespaces, interfaces and published ports to parts and what inspect.yml shows of each
    container to shown; return the health probes [{netns, host, address, network}]."""
    health, probed = [], set()
    nat = dict((item["bridge"], item) for item in parts.nat)
    for c in alloc.conts[me]:
        item = {"name": c["name"]}
        if c["pid"]:
            item["pid"] = c["pid"]
        if c["mode"] == "host":
            item["host"] = True
        elif c["mode"] == "container":
            item["container"] = c["target"]
        parts.namespaces.append(item)
        seen = {"mode": c["mode"], "target": c["target"], "networks": {}, "publish": [dict(e) for e in c["publish"]]}
        shown[c["name"]] = seen
        if c["mode"] != "host":  # a host-mode container reads the host's own files
            item.update(hosts=[], hosts_include=[], dns=c["dns"])
        route4, route6 = _default_route(c), _default_route6(c, alloc.nets)
        own = []  # the container's pair or macvlan device on each of its networks
        for j, a in enumerate(c["attach"]):
            net = alloc.nets[a["network"]]
            iface, ip = _interface(alloc, net, c, (j, route4), me, a["mac"])
            ip6 = alloc.address(net, me, c["name"], 6)
            if ip6:
                iface["addresses"].append("%s/%d" % (ip6, ipaddress.ip_network(net["subnet6"]).prefixlen))
                if j == route6:
                    iface["gateway6"] = net["gateway6"]
            item["hosts"] += [{"address": addr, "names": [c["name"]] + a["aliases"]} for addr in [ip, ip6] if addr]
            if net["name"] != DEFAULT_NETWORK:
                item["hosts_include"].append(net["name"])
            own.append(iface)
            seen["networks"][net["name"]] = {"interface": iface.get("peer") or iface.get("name"), "ipv4": ip,
                                             "ipv6": ip6, "mac": iface["mac"], "aliases": a["aliases"]}
            (parts.macvlan if net["driver"] == "macvlan" else parts.pairs[net["name"]]).append(iface)
            if j == 0 and c["publish"]:
                nat[net["bridge"]]["publish"] += _published(ip, ip6, c["publish"], net)
            if net["driver"] == "overlay" and net["name"] not in probed:
                probed.add(net["name"])  # the first local container on the overlay probes each peer host once
                health += [{"netns": c["name"], "host": h, "address": addr, "network": net["name"]}
                           for h, addr in drivers.of(net).probes(alloc, net, me)]
        if c["extra_hosts"]:
            item["hosts"] += _extra_hosts(c, me, own)
    by_name = dict((item["name"], item) for item in parts.namespaces)
    for item in parts.namespaces:
        if item.get("container"):  # shares its target's namespace, and its name files
            target = by_name[item["container"]]
            item.update(hosts=target["hosts"], hosts_include=target["hosts_include"], dns=target["dns"])
    return health


def _interface(alloc, net, c, position, me, mac):
    """The container's interface on its network number j (a veth pair, or its driver's device), and its address;
    position = (j, the number of the network holding the IPv4 default route)."""
    (j, route4), driver = position, drivers.of(net)
    ip, prefix, gateway = driver.endpoint(alloc, net, me, c["name"])
    item = {"netns": c["name"], "peer": alloc.interfaces[me][c["name"]][net["name"]], "container": c["name"],
            "mac": mac or addresses.endpoint_mac(ip), "addresses": ["%s/%d" % (ip, prefix)], "mtu": net["link_mtu"],
            "network": net["name"], "bridge": net.get("bridge")}
    if j == route4 and gateway:
        item["gateway"] = gateway
    driver.interface(alloc, net, me, item)
    if j == 0 and c["publish"]:
        item["hairpin"] = True  # a container reaches its own published port through the host's address
    return item, ip


def _default_route(c):
    """The index of the attachment that holds the default route: the highest gw_priority, the first of equals."""
    return max(range(len(c["attach"])), key=lambda j: (c["attach"][j]["gw_priority"], -j)) if c["attach"] else None


def _default_route6(c, nets):
    """The attachment that holds the IPv6 default route: the highest gw_priority among the networks with an IPv6
    gateway (bridge networks with IPv6), the first of equals; None when there is none."""
    able = [j for j, a in enumerate(c["attach"]) if nets[a["network"]]["driver"] in ("bridge", "macvlan")
            and nets[a["network"]].get("subnet6")]
    return max(able, key=lambda j: (c["attach"][j]["gw_priority"], -j)) if able else None


def _extra_hosts(c, me, own):
    """The container's extra_hosts entries; 'host-gateway' is the gateway its default route goes through."""
    gateways = [p["gateway"] for p in own if p.get("gateway")]
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
