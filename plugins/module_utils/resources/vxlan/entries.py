# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every remote peer's entries on the overlay's device - forwarding (FDB), neighbour and route - and the plan
that moves the observed ones to them: per peer, removals first (route, neighbour, FDB), then additions in the
mirror order (neighbour, FDB, route last), so nothing is ever routed to an entry that is not there.

mode l3 (flannel-like): per peer a route to its lease via the lease's network address onlink, a permanent
neighbour entry for that address with the peer's VTEP MAC, an FDB entry sending that MAC to the peer.
mode l2 (Docker-overlay-like): per peer an all-zero FDB (flood) entry, and per remote endpoint an FDB entry
and a permanent neighbour entry the device answers ARP (IPv4) or neighbour solicitations (IPv6) from (proxy).
The underlay is IPv4 in both modes.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.cnet.linux.plugins.module_utils.core import marks
from ansible_collections.cnet.linux.plugins.module_utils.core.action import Action
from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError
from ansible_collections.cnet.linux.plugins.module_utils.netlink import const
from ansible_collections.cnet.linux.plugins.module_utils.resources.vxlan.device import vtep_mac

FLOOD = "00:00:00:00:00:00"


def desired(item, local):
    """({(mac, dst)} FDB, {ip: mac} neighbours, {lease: via} routes) of a present overlay whose underlay
    address here is local."""
    fdb, neigh, routes = set(), {}, {}
    for peer in item["peers"]:
        if peer["address"] == local:
            if peer.get("lease", item["lease"]) != item["lease"]:
                raise InputError("peers: %s is this host (its underlay address) but has lease %s, not this "
                                 "host's %s" % (local, peer["lease"], item["lease"]))
            continue  # this host in the fleet's list: no entries for itself
        if item["lease"] and peer.get("lease") == item["lease"]:
            raise InputError("peers: %s has this host's lease %s" % (peer["address"], item["lease"]))
        if item["mode"] == "l3":
            via = peer["lease"].split("/")[0]
            fdb.add((vtep_mac(peer["address"]), peer["address"]))
            neigh[via] = vtep_mac(peer["address"])
            routes[peer["lease"]] = via
        else:
            fdb.add((FLOOD, peer["address"]))
            for ip, mac in peer["endpoints"].items():
                fdb.add((mac, peer["address"]))
                neigh[ip] = mac
    return fdb, neigh, routes


def routes_of(host, link):
    """{dst: via} of our routes through the device (host: the NsView; link: the device, or None)."""
    if link is None:
        return {}
    return dict((r["dst"], r["gateway"]) for r in host.routes if r["oif"] == link["index"] and r["proto"] == marks.PROTO)


def permanent(neigh):
    """{ip: mac} of the permanent ones of observed neighbour entries {ip: (mac, state)}."""
    return dict((ip, mac) for ip, (mac, state) in neigh.items() if state & const.NUD_PERMANENT)


def owners(item):
    """owner(dst=..., ip=...) -> the key ('peer', device, underlay address) of the peer an entry belongs to
    (by address, lease or endpoint): the drift report's 'peer vx4097 192.0.2.12' says which overlay's."""
    by = {}
    for peer in item["peers"]:
        by[peer["address"]] = peer["address"]
        if "lease" in peer:
            by[peer["lease"]] = by[peer["lease"].split("/")[0]] = peer["address"]
        for ip in peer["endpoints"]:
            by[ip] = peer["address"]

    def owner(dst=None, ip=None):
        return ("peer", item["device"], by.get(dst or ip, dst or ip))
    return owner


def plan(item, want, have_routes, have_fdb, observed_neigh):
    """The actions from the observed entries (routes {dst: via}, FDB {(mac, dst)}, neighbours {ip: (mac,
    state)}) to want (desired())."""
    fdb, neigh, routes = want
    name = item["device"]
    owner = owners(item)
    have_neigh = permanent(observed_neigh)
    gone, made = [], []
    for dst, via in sorted(have_routes.items()):
        if routes.get(dst) != via:
            gone.append(Action(owner(dst=dst), "route_del", "ip route del %s dev %s" % (dst, name), ns=None,
                               dev=name, dst=dst, gateway=via, proto=marks.PROTO))
    for ip, mac in sorted(have_neigh.items()):
        if neigh.get(ip) != mac:
            gone.append(Action(owner(ip=ip), "neigh_del", "ip neigh del %s dev %s" % (ip, name), dev=name,
                               address=ip, mac=mac))
    # a MAC that moved to another peer is replaced in place (its one old entry), not deleted and added
    moving = set(mac for mac, dst in fdb - have_fdb if mac != FLOOD)
    for mac, dst in sorted(have_fdb - fdb):
        if mac in moving:
            moving.discard(mac)
        else:
            gone.append(Action(owner(dst=dst), "fdb_del", "bridge fdb del %s dev %s dst %s self" % (mac, name, dst),
                               dev=name, mac=mac, dst=dst))
    for ip, mac in sorted(neigh.items()):
        if observed_neigh.get(ip) != (mac, const.NUD_PERMANENT):
            made.append(Action(owner(ip=ip), "neigh_set", "ip neigh replace %s lladdr %s dev %s nud permanent"
                               % (ip, mac, name), dev=name, address=ip, mac=mac))
    for mac, dst in sorted(fdb - have_fdb):
        verb = "append" if mac == FLOOD else "replace"
        made.append(Action(owner(dst=dst), "fdb_set", "bridge fdb %s %s dev %s dst %s self permanent"
                           % (verb, mac, name, dst), dev=name, mac=mac, dst=dst, append=mac == FLOOD))
    for dst, via in sorted(routes.items()):
        if have_routes.get(dst) != via:
            made.append(Action(owner(dst=dst), "route_add", "ip route replace %s via %s dev %s onlink proto %d"
                               % (dst, via, name, marks.PROTO), ns=None, dev=name, dst=dst, gateway=via, onlink=True))
    return gone + made


def views(item, fdb, neigh, routes):
    """{('peer', device, address): {fdb, neighbours, routes}} of the entries given: every peer's grouped at once (not
    once per peer: a thousand peers stay linear)."""
    owner, out = owners(item), {}

    def view(key):
        return out.setdefault(key, {"fdb": [], "neighbours": {}, "routes": {}})
    for mac, dst in sorted(fdb):
        view(owner(dst=dst))["fdb"].append("%s dst %s" % (mac, dst))
    for ip, mac in sorted(neigh.items()):
        view(owner(ip=ip))["neighbours"][ip] = mac
    for dst, via in sorted(routes.items()):
        view(owner(dst=dst))["routes"][dst] = via
    return out
