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

from ansible_collections.cnet.linux.plugins.module_utils import marks, names, nlconst, nsfs
from ansible_collections.cnet.linux.plugins.module_utils.actions import Action
from ansible_collections.cnet.linux.plugins.module_utils.names import InputError
from ansible_collections.cnet.linux.plugins.module_utils.plans import addr_actions, remove_link, sysctl_action, \
    link_set as _link_set


def normalize(raw, field, default_state, defaults):
    def get(key):
        value = raw.get(key)
        return defaults.get(key) if value is None else value

    netns = names.nsname(get("netns"), field + ".netns")
    peer = names.ifname(get("peer") or "eth0", field + ".peer")
    name = get("name")
    name = names.ifname(name, field + ".name") if name else names.derived("cv", "%s/%s" % (netns, peer))
    state = raw.get("state") or default_state
    if state not in ("present", "absent"):
        raise InputError("%s.state: '%s' is not one of present, absent" % (field, state))
    item = {"name": name, "netns": netns, "peer": peer, "state": state,
            "bridge": names.ifname(get("bridge"), field + ".bridge") if get("bridge") else None,
            "mtu": names.mtu(get("mtu"), field + ".mtu") if get("mtu") is not None else None,
            "mac": names.mac(raw["mac"], field + ".mac") if raw.get("mac") else None,
            "network": names.label(get("network") or get("bridge")),
            "container": names.label(get("container") or netns)}
    for key in ("addresses", "host_addresses"):
        item[key] = names.addresses(raw.get(key), "%s.%s" % (field, key))
    routes = {}
    for key, dst, version in (("gateway", "0.0.0.0/0", 4), ("gateway6", "::/0", 6)):
        if raw.get(key):
            routes[dst] = names.ip(raw[key], "%s.%s" % (field, key), version)
    for i, route in enumerate(raw.get("routes") or []):
        where = "%s.routes[%d]" % (field, i)
        if not isinstance(route, dict) or not route.get("dest"):
            raise InputError("%s: a route needs 'dest' (a network or 'default') and optionally 'via'" % where)
        dst = names.network(route["dest"], where + ".dest")
        via = names.ip(route["via"], where + ".via") if route.get("via") else None
        if via and names.version_of(via) != names.version_of(dst):
            raise InputError("%s: via %s and dest %s are of different IP versions" % (where, via, dst))
        if dst in routes:
            raise InputError("%s: a route to %s is given twice (a gateway is a route to default)" % (where, dst))
        routes[dst] = via
    item["routes"] = dict(sorted(routes.items()))
    item["hairpin"] = bool(get("hairpin"))
    if item["hairpin"] and not item["bridge"]:
        raise InputError("%s.hairpin: only a bridge port has a hairpin mode; set 'bridge' or drop 'hairpin'" % field)
    ll6 = get("ipv6_link_local")
    item["peer_ll6"] = bool(ll6) if ll6 is not None else any(":" in a for a in list(item["addresses"]) + list(routes))
    return item


class Veth:
    def __init__(self, items, purge=False, network=None):
        hosts, ends = set(), set()
        for item in items:
            if item["name"] in hosts:
                raise InputError("pairs: host end '%s' is used by two pairs" % item["name"])
            hosts.add(item["name"])
            if (item["netns"], item["peer"]) in ends:
                raise InputError("pairs: '%s' in namespace '%s' is named by two pairs" % (item["peer"], item["netns"]))
            ends.add((item["netns"], item["peer"]))
        if purge and not network:
            raise InputError("purge: needs 'network' (or a top-level 'bridge') to know which pairs are in scope")
        self.items = items
        self.by_name = dict((item["name"], item) for item in items)
        self.purge = purge
        self.network = network

    @classmethod
    def from_params(cls, params):
        state = params.get("state") or "present"
        defaults = dict((key, params.get(key)) for key in ("bridge", "mtu", "network", "peer", "ipv6_link_local",
                                                           "hairpin"))
        if params.get("pairs") is not None:
            items = [normalize(raw, "pairs[%d]" % i, state, defaults) for i, raw in enumerate(params["pairs"])]
        else:
            items = [normalize(params, "veth", state, {})]
        return cls(items, purge=bool(params.get("purge")), network=names.label(params.get("network") or params.get("bridge")))

    def to_dict(self):
        return {"resource": "veth", "items": self.items, "purge": self.purge, "network": self.network}

    # observe: one dump of the host namespace, one of each namespace the pairs name

    def observe(self, ctx):
        self.ctx = ctx
        self.host = ctx.nl.view(None)
        self.peers = {}
        for item in self.items:
            ns = item["netns"]
            if ns not in self.peers:
                self.peers[ns] = ctx.nl.view(ns) if nsfs.identity(nsfs.path(ns)) else None

    @property
    def ipv6(self):
        """False when the kernel runs without IPv6 (then no link has IPv6 settings, not even lo)."""
        lo = self.host.link("lo")
        return bool(lo and lo["addrgenmode"] is not None)

    def paired(self, host, item):
        """The peer end inside the item's namespace, if the host end's pair is really there."""
        view = self.peers.get(item["netns"])
        peer = view.link(item["peer"]) if view else None
        if host and peer and peer["kind"] == "veth" and peer["peer_index"] == host["index"] \
                and host["peer_index"] == peer["index"]:
            return peer
        return None

    # plan

    def plan(self, ctx):
        plan = []
        for item in self.items:
            plan.extend(self._present(item) if item["state"] == "present" else self._absent(item))
        if self.purge:
            for name, link in sorted(self.host.links.items()):
                mark = marks.parse(link["alias"])
                if link["kind"] == "veth" and mark and mark[0] == "veth" and mark[1].get("net") == self.network \
                        and name not in self.by_name:
                    plan.append(Action("veth " + name, "link_del", "ip link del %s" % name, ns=None, name=name))
        return plan

    def _mark(self, item):
        return marks.make("veth", net=item["network"], ctr=item["container"])

    def _create(self, item):
        ns, peer, obj = item["netns"], item["peer"], "veth " + item["name"]
        if self.peers.get(ns) is None and not self.ctx.check:
            raise InputError("pairs: namespace '%s' for '%s' does not exist; create it first (cnet.linux.netns)"
                             % (ns, item["name"]))
        if item["bridge"] and self.host.link(item["bridge"]) is None and not self.ctx.check:
            raise InputError("pairs: bridge '%s' for '%s' does not exist; create it first (cnet.linux.bridge)"
                             % (item["bridge"], item["name"]))
        text = "ip link add %s%s%s type veth peer name %s netns %s%s" % (
            item["name"], " mtu %d" % item["mtu"] if item["mtu"] else "",
            " master %s" % item["bridge"] if item["bridge"] else "", peer, ns,
            " address %s" % item["mac"] if item["mac"] else "")
        out = []
        existing = self.peers[ns].link(peer) if self.peers.get(ns) else None
        if existing is not None:
            if not (existing["kind"] == "veth" and marks.owned(existing["alias"], "veth")):
                raise InputError("pairs: '%s' already exists in namespace '%s' and is not ours; pick another peer name"
                                 % (peer, ns))
            out.append(Action(obj, "link_del", "ip -n %s link del %s" % (ns, peer), ns=ns, name=peer))
        out.append(Action(obj, "veth_add", text, name=item["name"], netns=ns, peer=peer, mtu=item["mtu"],
                          mac=item["mac"], master=item["bridge"]))
        # the peer comes up first, without carrier, so its addrgenmode is in place before the kernel configures
        # IPv6 on it (when the host end's 'up' brings the carrier)
        return out + self._peer_link(item, None) + self._host_link(item, None) \
            + addr_actions(obj, None, item["name"], set(), item["host_addresses"]) + self._peer_l3(item, None)

    def _addrgen(self, obj, ns, dev, want, link, change):
        """The IPv6 link-local part of the peer: a word in its 'ip link set', or a sysctl to turn it back on."""
        mode = link["addrgenmode"] if link is not None else (nlconst.ADDRGEN_EUI64 if self.ipv6 else None)
        if mode is None or want == (mode != nlconst.ADDRGEN_NONE):
            return []
        if not want:
            change.append(("addrgenmode", "none", "addrgenmode none"))
            return []
        # netlink can set the mode but does not make the address; the sysctl does both
        return [sysctl_action(obj, ns, ("net", "ipv6", "conf", dev, "addr_gen_mode"), nlconst.ADDRGEN_EUI64)]

    def _host_link(self, item, host):
        """One 'ip link set' for whatever differs on the host end (one netlink request)."""
        name, obj, change = item["name"], "veth " + item["name"], []
        mark = self._mark(item)
        if item["mtu"] and host is not None and host["mtu"] != item["mtu"]:
            change.append(("mtu", item["mtu"], "mtu %d" % item["mtu"]))
        if host is None or host["alias"] != mark:
            change.append(("ifalias", mark, "alias '%s'" % mark))
        if host is None:  # just created, as a port of its bridge
            master = item["bridge"]
        else:
            master = self.host.name_of(host["master"]) if host["master"] else None
        if item["bridge"] and master != item["bridge"]:
            if self.host.link(item["bridge"]) is None and not self.ctx.check:
                raise InputError("pairs: bridge '%s' for '%s' does not exist; create it first (cnet.linux.bridge)"
                                 % (item["bridge"], name))
            change.append(("master", item["bridge"], "master %s" % item["bridge"]))
        elif not item["bridge"] and master:
            change.append(("master", 0, "nomaster"))
        if host is None or not host["up"]:
            change.append(("state", "up", "up"))
        out = [_link_set(obj, None, name, change)] if change else []
        # the hairpin mode is the port's (a new port has it off); the request that changes it is applied by
        # the link's bridge at that moment, so it joins this request only when the bridge is not changing
        have = bool(host["hairpin"]) if host is not None and master == item["bridge"] else False
        if item["bridge"] and have != item["hairpin"]:
            hairpin = ("hairpin", item["hairpin"], "type bridge_slave hairpin %s" % ("on" if item["hairpin"] else "off"))
            if out and not any(key == "master" for key, _v, _w in change):
                out = [_link_set(obj, None, name, change + [hairpin])]
            else:
                out.append(_link_set(obj, None, name, [hairpin]))
        return out

    def _peer_link(self, item, peer):
        ns, dev, obj, change = item["netns"], item["peer"], "veth " + item["name"], []
        mark = self._mark(item)
        if peer is not None and item["mtu"] and peer["mtu"] != item["mtu"]:
            change.append(("mtu", item["mtu"], "mtu %d" % item["mtu"]))
        if peer is not None and item["mac"] and peer["mac"] != item["mac"]:
            change.append(("address", item["mac"], "address %s" % item["mac"]))
        if peer is None or peer["alias"] != mark:
            change.append(("ifalias", mark, "alias '%s'" % mark))
        extra = self._addrgen(obj, ns, dev, item["peer_ll6"], peer, change)
        if peer is None or not peer["up"]:
            change.append(("state", "up", "up"))
        return ([_link_set(obj, ns, dev, change)] if change else []) + extra

    def _peer_l3(self, item, peer):
        """The peer's addresses and routes, both authoritative."""
        ns, dev, obj = item["netns"], item["peer"], "veth " + item["name"]
        out, pre = [], "ip -n %s " % ns
        have = self.peers[ns].addrs.get(peer["index"], set()) if peer is not None else set()
        out.extend(addr_actions(obj, ns, dev, have, item["addresses"]))
        routes = self._routes(item, peer)
        for dst, route in sorted(routes.items()):
            if dst not in item["routes"]:
                out.append(Action(obj, "route_del", pre + "route del %s dev %s" % (_dst(dst), dev), ns=ns, dev=dev,
                                  dst=dst, gateway=route["gateway"], proto=route["proto"]))
        for dst, via in item["routes"].items():
            route = routes.get(dst)
            if route is None or route["gateway"] != via or route["proto"] != marks.PROTO:
                out.append(Action(obj, "route_add", pre + "route replace %s%s dev %s proto %d" % (
                    _dst(dst), " via %s" % via if via else "", dev, marks.PROTO), ns=ns, dev=dev, dst=dst, gateway=via))
        return out

    def _routes(self, item, peer):
        if peer is None:
            return {}
        out = {}
        for route in self.peers[item["netns"]].routes:
            if route["oif"] == peer["index"] and route["proto"] != nlconst.RTPROT_KERNEL:
                out[route["dst"]] = route
        return out

    def _present(self, item):
        host = self.host.link(item["name"])
        if host is None:
            return self._create(item)
        if host["kind"] != "veth" or not marks.owned(host["alias"], "veth"):
            raise InputError("pairs: interface '%s' exists and was not created by cnet.linux (no mark in its alias); "
                             "pick another name" % item["name"])
        peer = self.paired(host, item)
        if peer is None:
            obj = "veth " + item["name"]
            return [Action(obj, "link_del", "ip link del %s  # its peer is not %s in %s: recreate the pair"
                           % (item["name"], item["peer"], item["netns"]), ns=None, name=item["name"])] \
                + self._create(item)
        have = self.host.addrs.get(host["index"], set())
        return self._host_link(item, host) + addr_actions("veth " + item["name"], None, item["name"], have,
                                                          item["host_addresses"]) \
            + self._peer_link(item, peer) + self._peer_l3(item, peer)

    def _absent(self, item):
        return remove_link(self.ctx, self.host, "veth", item["name"])

    # diff views

    def before(self, obj):
        name = obj.split(" ", 1)[1]
        host = self.host.link(name)
        if host is None:
            return None
        mark = marks.parse(host["alias"]) or ("", {})
        item = self.by_name.get(name)
        view = {"bridge": self.host.name_of(host["master"]) if host["master"] else None, "mtu": host["mtu"],
                "host_addresses": sorted(self.host.addrs.get(host["index"], set())),
                "up": host["up"], "network": mark[1].get("net"), "container": mark[1].get("ctr")}
        if host["hairpin"] is not None:
            view["hairpin"] = host["hairpin"]
        peer = self.paired(host, item) if item else None
        if peer is not None:
            view.update({"netns": item["netns"], "peer": peer["name"], "peer_mtu": peer["mtu"], "mac": peer["mac"],
                         "peer_up": peer["up"], "peer_ipv6_link_local": _ll6(peer),
                         "addresses": sorted(self.peers[item["netns"]].addrs.get(peer["index"], set())),
                         "routes": dict((dst, r["gateway"]) for dst, r in sorted(self._routes(item, peer).items()))})
        return view

    def after(self, obj):
        item = self.by_name.get(obj.split(" ", 1)[1])
        if item is None or item["state"] == "absent":
            return None
        view = self.before(obj) or {}
        view.update({"bridge": item["bridge"], "up": True, "host_addresses": sorted(item["host_addresses"]),
                     "network": item["network"], "container": item["container"], "netns": item["netns"], "peer": item["peer"], "peer_up": True,
                     "addresses": sorted(item["addresses"]), "routes": item["routes"]})
        if self.ipv6:
            view["peer_ipv6_link_local"] = item["peer_ll6"]
        if item["bridge"]:
            view["hairpin"] = item["hairpin"]
        for key, value in (("mtu", item["mtu"]), ("peer_mtu", item["mtu"]), ("mac", item["mac"])):
            if value is not None:
                view[key] = value
        return view


def _ll6(link):
    mode = link["addrgenmode"]
    return None if mode is None else mode != nlconst.ADDRGEN_NONE


def _dst(dst):
    return "default" if dst in ("0.0.0.0/0", "::/0") else dst
