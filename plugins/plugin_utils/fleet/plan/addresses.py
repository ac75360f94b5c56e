# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet's address tables, each computed once per run (allocation.py holds them): a host's own addresses on
its bridge, ptp and l3 networks, the fleet-wide ones of l2 overlays and macvlan networks, the encrypted overlays'
tunnel addresses, the pinned MACs. What a record holds is kept while it is free; pins are honoured; new keys get
the next free address (alloc.Pool)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress

from ansible_collections.cnet.linux.plugins.module_utils.core import inputs
from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError
from ansible_collections.cnet.linux.plugins.plugin_utils.fleet import alloc
from ansible_collections.cnet.linux.plugins.plugin_utils.fleet import inventory, records


def lease_gateway(lease):
    """The first address of an l3 lease: the gateway on that host's overlay bridge."""
    return str(ipaddress.ip_network(lease).network_address + 1)


def endpoint_mac(ip):
    """02:42 + the IPv4 address, as Docker derives a container's MAC: every host computes every endpoint's."""
    return inputs.ipv4_mac(ip)


def pool(net, family, what):
    """The address pool of a network (or, for IPv6, its subnet6); ip_range and aux_addresses are IPv4's."""
    if family == 6:
        return alloc.Pool(net["subnet6"], net["gateway6"], what)
    return alloc.Pool(net["subnet"], net["gateway"], what, net.get("ip_range"), net.get("aux_addresses"))


def kept_or_taken(addresses, wanted, recorded, scope, where):
    """{key: address} for the wanted keys: each recorded address kept where it is still free (a running
    container, a host's tunnel is never renumbered), then the new keys given the next free ones."""
    out = {}
    for key in wanted:
        if key in recorded and addresses.keep(key, recorded[key], scope(key)):
            out[key] = recorded[key]
    for key in wanted:
        if key not in out:
            out[key] = addresses.take(key, where(key))
    return out


def spanning(net, fleet, conts, recorded, family=4, hosts_at=None):
    """{'host/container': ip} of an l2 overlay or macvlan network across the fleet: one subnet (of that family),
    unique everywhere. A macvlan network with host_access has each host's shim address too, as 'host/' (no
    container has an empty name); hosts_at {address: host}: addresses that are hosts' own (never handed out)."""
    pin, table = "ipv%d" % family, records.SPANNING[family]
    addresses = pool(net, family, "network %s" % net["name"])
    if net["driver"] == "macvlan" and family == 4:
        for addr, h in sorted((hosts_at or {}).items()):
            if inputs.contains(net["subnet"], addr):
                addresses.taken[ipaddress.ip_address(addr)] = "host %s's own address" % h
    wanted, out = [], {}
    for h in fleet:
        for c in conts[h]:
            for a in c["attach"]:
                if a["network"] == net["name"]:
                    key = "%s/%s" % (h, c["name"])
                    if a[pin]:
                        addresses.pin(key, a[pin], "%s: cnet_containers (%s) %s" % (h, c["name"], pin))
                        out[key] = a[pin]
                    else:
                        wanted.append(key)
    if net.get("shim") and family == 4:  # a shim on each host with containers there
        wanted += sorted(set(key.split("/", 1)[0] + "/" for key in wanted + list(out)))
    out.update(kept_or_taken(addresses, wanted, alloc.merged(recorded, table, net["name"], fleet),
                             lambda key: "%s: cnet_containers on %s" % (key.split("/", 1)[0], net["name"]),
                             lambda key: "network %s" % net["name"]))
    return out


def local(nets, conts, me, leases, record, family=4):
    """{network: {container: ip}} of this host's bridge, ptp and l3 overlay attachments (family 6: the IPv6
    addresses of its bridge networks with IPv6)."""
    out, pools, wanted = {}, {}, []
    pin, table = "ipv%d" % family, records.LOCAL[family]
    for c in conts:
        for a in c["attach"]:
            net = nets[a["network"]]
            if inventory.spanning(net) or family == 6 and not net.get("subnet6"):
                continue
            name = net["name"]
            if name not in pools:
                what = "network %s on %s" % (name, me)
                if net["driver"] == "overlay":  # a lease is this host's part of an l3 overlay's subnet
                    pools[name] = alloc.Pool(leases[name][me], lease_gateway(leases[name][me]), what)
                else:
                    pools[name] = pool(net, family, what)
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
        old = record.table(table, name).get(cname) if record else None
        if old and pools[name].keep(cname, old, "%s: cnet_containers on %s" % (me, name)):
            out[name][cname] = old
    for name, cname in wanted:
        if out[name][cname] is None:
            out[name][cname] = pools[name].take(cname, "%s: network %s" % (me, name))
    return out


def tunnels(net, fleet, recorded):
    """{host: tunnel address} of an encrypted overlay: one address of its tunnel_subnet per host, stable (recorded,
    as leases are)."""
    addresses = alloc.Pool(net["tunnel_subnet"], None, "the tunnel_subnet of %s" % net["name"])
    return kept_or_taken(addresses, fleet, alloc.merged(recorded, "tunnels", net["name"], fleet),
                         lambda h: "%s: the tunnel address on %s" % (h, net["name"]),
                         lambda h: "%s: network %s" % (h, net["name"]))


def macs(nets, fleet, conts, address):
    """{('host/container', network): mac} of the pinned MACs (mac_address). Two interfaces of one Ethernet (a
    bridge network or l3 lease on one host; an l2 overlay across the fleet) with one MAC - pinned, or Docker's
    02:42:<IPv4> of another's address - are refused. address(net, host, container): its IPv4 address."""
    out, seen = {}, {}
    for h in fleet:
        for c in conts[h]:
            for a in c["attach"]:
                net, key = nets[a["network"]], "%s/%s" % (h, c["name"])
                mac = a["mac"] or endpoint_mac(address(net, h, c["name"]))
                domain = (None if inventory.spanning(net) else h, net["name"])
                other = seen.setdefault(domain, {}).get(mac)
                if other is not None:
                    mine = "mac_address %s" % mac if a["mac"] else "MAC %s (02:42 and its address)" % mac
                    raise InputError("%s: cnet_containers (%s): %s on network '%s' is also the MAC of %s there; pin "
                                     "another mac_address" % (h, c["name"], mine, net["name"], other))
                seen[domain][mac] = "'%s' on %s" % (c["name"], h)
                if a["mac"]:
                    out[(key, net["name"])] = a["mac"]
    return out


def endpoints_by_host(addresses, pinned_macs, net, addresses6=None):
    """{host: [{ip, mac}]} of an l2 overlay's {'host/container': ip}, in key order; a container with an IPv6
    address too is a second endpoint with the same MAC."""
    out = {}
    for key, ip in sorted(addresses.items()):
        mac = pinned_macs.get((key, net)) or endpoint_mac(ip)
        out.setdefault(key.split("/", 1)[0], []).append({"ip": ip, "mac": mac})
        if (addresses6 or {}).get(key):
            out[key.split("/", 1)[0]].append({"ip": addresses6[key], "mac": mac})
    return out
