# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""veth pairs: the host end (optionally a bridge port) and the peer, created directly inside the
container's namespace under its final name (eth0, eth1, ...), with MTU, MAC, addresses and routes.

The peer belongs to the collection entirely: its addresses (but the kernel's IPv6 link-local one) and its
non-kernel routes are authoritative. Both ends carry the mark 'cnet.linux:veth net=<network> ctr=<container>'.

A peer without IPv6 configuration gets no IPv6 link-local address (addrgenmode none), as Docker's containers
on IPv4-only networks have none: otherwise every new container's DAD, MLD reports and router solicitations
are flooded to every port of the bridge, which made creating the 1000th endpoint 4x slower than the 10th.
The mode is set in the request that brings the peer up, and the peer comes up before the host end: without
carrier the kernel defers IPv6 set-up to the link watcher, which runs after the request. (The end that comes
up second is configured at once, so the host end - whose own packets reach only its peer - is left as is.)
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.cnet.linux.plugins.module_utils.core import inputs, marks
from ansible_collections.cnet.linux.plugins.module_utils.core.action import Action
from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError
from ansible_collections.cnet.linux.plugins.module_utils.netlink import namespaces, sockets
from ansible_collections.cnet.linux.plugins.module_utils.resources import endpoint
from ansible_collections.cnet.linux.plugins.module_utils.resources.base import Resource, View
from ansible_collections.cnet.linux.plugins.module_utils.resources.links import addr_actions, link_del, remove_link
from ansible_collections.cnet.linux.plugins.module_utils.resources.links import link_set as _link_set


host_end = inputs.host_end  # the engine's name of a pair's host end (the controller's too)


def _normalize(raw, field, default_state, defaults):
    def get(key):
        value = raw.get(key)
        return defaults.get(key) if value is None else value

    netns = inputs.nsname(get("netns"), field + ".netns")
    peer = inputs.ifname(get("peer") or "eth0", field + ".peer")
    name = get("name")
    name = inputs.ifname(name, field + ".name") if name else host_end(netns, peer)
    state = inputs.state(raw, field, default_state)
    item = {"name": name, "netns": netns, "peer": peer, "state": state,
            "bridge": inputs.ifname(get("bridge"), field + ".bridge") if get("bridge") else None,
            "mtu": inputs.mtu(get("mtu"), field + ".mtu") if get("mtu") is not None else None,
            "mac": inputs.mac(raw["mac"], field + ".mac") if raw.get("mac") else None,
            "network": inputs.label(get("network") or get("bridge")),
            "container": inputs.label(get("container") or netns)}
    for key in ("addresses", "host_addresses"):
        item[key] = inputs.addresses(raw.get(key), "%s.%s" % (field, key))
    item["routes"], item["peer_ll6"] = endpoint.routes(raw, field, item["addresses"], get("ipv6_link_local"))
    item["hairpin"] = bool(get("hairpin"))
    if item["hairpin"] and not item["bridge"]:
        raise InputError("%s.hairpin: only a bridge port has a hairpin mode; set 'bridge' or drop 'hairpin'" % field)
    return item


class Veth(endpoint.Endpoints, Resource):
    KIND = "veth"
    ITEMS = "pairs"
    FIELD = "veth"
    UNIQUE = ((("name",), "pairs: host end '%s' is used by two pairs"),
              (("peer", "netns"), "pairs: '%s' in namespace '%s' is named by two pairs"))
    LIST_DEFAULTS = ("bridge", "mtu", "network", "peer", "ipv6_link_local", "hairpin")

    @classmethod
    def normalize(cls, raw, field, state, defaults=None):
        return _normalize(raw, field, state, defaults or {})

    @classmethod
    def options_of(cls, params):
        scope = [inputs.label(n) for n in params.get("purge_networks") or []]
        return {"purge": bool(params.get("purge")), "network": inputs.label(params.get("network") or params.get("bridge")),
                "purge_networks": scope}

    def validate(self):
        if self.purge and not self.network:
            raise InputError("purge: needs 'network' (or a top-level 'bridge') to know which pairs are in scope")
        if self.purge and self._purge_networks():
            raise InputError("purge and purge_networks: give one (purge_networks names every network in scope)")

    def _purge_networks(self):
        return getattr(self, "purge_networks", None) or []  # a record of an older run has no such option

    def replay_options(self):
        return {"purge": False, "network": self.network}

    # observe: one dump of the host namespace, one of each namespace the pairs name

    def observe(self, ctx):
        nl = sockets.of(ctx)
        peers = {}
        for item in self.items:
            ns = item["netns"]
            if ns not in peers:
                peers[ns] = nl.view(ns) if namespaces.identity(namespaces.path(ns)) else None
        return View(ctx.check, host=nl.view(None), peers=peers)

    @staticmethod
    def paired(view, host, item):
        """The peer end inside the item's namespace, if the host end's pair is really there."""
        ns_view = view.peers.get(item["netns"])
        peer = ns_view.link(item["peer"]) if ns_view else None
        if host and peer and peer["kind"] == "veth" and peer["peer_index"] == host["index"] \
                and host["peer_index"] == peer["index"]:
            return peer
        return None

    # plan

    def purged(self, view):
        out, scope = [], self.scope
        if scope:
            for name, link in sorted(view.host.links.items()):
                mark = marks.parse(link["alias"])
                if link["kind"] == "veth" and mark and mark[0] == "veth" and mark[1].get("net") in scope \
                        and name not in self.by_key:
                    out.append(link_del(("veth", name), None, name))
        return out

    def _mark(self, item):
        return marks.make("veth", net=item["network"], ctr=item["container"])

    def _create(self, view, item):
        ns, peer, obj = item["netns"], item["peer"], ("veth", item["name"])
        if view.peers.get(ns) is None and not view.check:
            raise InputError("pairs: namespace '%s' for '%s' does not exist; create it first (cnet.linux.netns)"
                             % (ns, item["name"]))
        if item["bridge"] and view.host.link(item["bridge"]) is None and not view.check:
            raise InputError("pairs: bridge '%s' for '%s' does not exist; create it first (cnet.linux.bridge)"
                             % (item["bridge"], item["name"]))
        text = "ip link add %s%s%s type veth peer name %s netns %s%s" % (
            item["name"], " mtu %d" % item["mtu"] if item["mtu"] else "",
            " master %s" % item["bridge"] if item["bridge"] else "", peer, ns,
            " address %s" % item["mac"] if item["mac"] else "")
        out = []
        existing = view.peers[ns].link(peer) if view.peers.get(ns) else None
        if existing is not None:
            if not (existing["kind"] == "veth" and marks.owned(existing["alias"], "veth")):
                raise InputError("pairs: '%s' already exists in namespace '%s' and is not ours; pick another peer name"
                                 % (peer, ns))
            out.append(link_del(obj, ns, peer))
        out.append(Action(obj, "veth_add", text, name=item["name"], netns=ns, peer=peer, mtu=item["mtu"],
                          mac=item["mac"], master=item["bridge"]).making(None, item["name"], self._mark(item)))
        # the peer comes up first, without carrier, so its addrgenmode is in place before the kernel configures
        # IPv6 on it (when the host end's 'up' brings the carrier)
        return out + endpoint.link(view, obj, item, None, self._mark(item)) + self._host_link(view, item, None) \
            + addr_actions(obj, None, item["name"], set(), item["host_addresses"]) + endpoint.l3(view, obj, item, None)

    def _host_link(self, view, item, host):
        """One 'ip link set' for whatever differs on the host end (one netlink request)."""
        name, obj, change = item["name"], ("veth", item["name"]), []
        mark = self._mark(item)
        if item["mtu"] and host is not None and host["mtu"] != item["mtu"]:
            change.append(("mtu", item["mtu"], "mtu %d" % item["mtu"]))
        if host is None or host["alias"] != mark:
            change.append(("ifalias", mark, "alias '%s'" % mark))
        if host is None:  # just created, as a port of its bridge
            master = item["bridge"]
        else:
            master = view.host.name_of(host["master"]) if host["master"] else None
        if item["bridge"] and master != item["bridge"]:
            if view.host.link(item["bridge"]) is None and not view.check:
                raise InputError("pairs: bridge '%s' for '%s' does not exist; create it first (cnet.linux.bridge)"
                                 % (item["bridge"], name))
            change.append(("master", item["bridge"], "master %s" % item["bridge"]))
        elif not item["bridge"] and master:
            change.append(("master", 0, "nomaster"))
        if host is None or not host["up"]:
            change.append(("state", "up", "up"))
        out = [_link_set(obj, None, name, change, host, view.host.name_of)] if change else []
        # the hairpin mode is the port's (a new port has it off); the request that changes it is applied by
        # the link's bridge at that moment, so it joins this request only when the bridge is not changing
        have = bool(host["hairpin"]) if host is not None and master == item["bridge"] else False
        if item["bridge"] and have != item["hairpin"]:
            hairpin = ("hairpin", item["hairpin"], "type bridge_slave hairpin %s" % ("on" if item["hairpin"] else "off"))
            if out and not any(key == "master" for key, _v, _w in change):
                out = [_link_set(obj, None, name, change + [hairpin], host, view.host.name_of)]
            else:
                out.append(_link_set(obj, None, name, [hairpin], host, view.host.name_of))
        return out

    def present(self, view, item):
        host = view.host.link(item["name"])
        if host is None:
            return self._create(view, item)
        if host["kind"] != "veth" or not marks.owned(host["alias"], "veth"):
            raise InputError("pairs: interface '%s' exists and was not created by cnet.linux (no mark in its alias); "
                             "pick another name" % item["name"])
        peer = self.paired(view, host, item)
        if peer is None:
            why = "its peer is not %s in %s: recreate the pair" % (item["peer"], item["netns"])
            return [link_del(("veth", item["name"]), None, item["name"], why)] + self._create(view, item)
        have, obj = view.host.addrs.get(host["index"], set()), ("veth", item["name"])
        return self._host_link(view, item, host) \
            + addr_actions(obj, None, item["name"], have, item["host_addresses"], True) \
            + endpoint.link(view, obj, item, peer, self._mark(item)) + endpoint.l3(view, obj, item, peer)

    def absent(self, view, item):
        return remove_link(view, "veth", item["name"])

    # diff views

    def before(self, view, key):
        name = key[1]
        host = view.host.link(name)
        if host is None:
            return None
        mark = marks.parse(host["alias"]) or ("", {})
        item = self.by_key.get(name)
        out = {"bridge": view.host.name_of(host["master"]) if host["master"] else None, "mtu": host["mtu"],
               "host_addresses": sorted(view.host.addrs.get(host["index"], set())),
               "up": host["up"], "network": mark[1].get("net"), "container": mark[1].get("ctr")}
        if host["hairpin"] is not None:
            out["hairpin"] = host["hairpin"]
        peer = self.paired(view, host, item) if item else None
        if peer is not None:
            out.update({"netns": item["netns"], "peer": peer["name"], "peer_mtu": peer["mtu"], "mac": peer["mac"],
                        "peer_up": peer["up"], "peer_ipv6_link_local": endpoint.link_local(peer)},
                       **endpoint.shown(view, item, peer))
        return out

    def after(self, view, key):
        return endpoint.after(self, view, key, lambda item: dict({
            "bridge": item["bridge"], "up": True, "host_addresses": sorted(item["host_addresses"]),
            "network": item["network"], "container": item["container"], "netns": item["netns"], "peer": item["peer"],
            "peer_up": True, "addresses": sorted(item["addresses"]), "routes": item["routes"]},
            **({"hairpin": item["hairpin"]} if item["bridge"] else {})),
            "peer_ipv6_link_local", (("mtu", "mtu"), ("peer_mtu", "mtu"), ("mac", "mac")))
