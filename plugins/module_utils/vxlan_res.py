# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A VXLAN overlay on one host: the device and, per remote peer, its forwarding (FDB), neighbour and route
entries - everything programmed, nothing learned, so no first pass and no miss handler is needed.

Each host's VTEP MAC is derived from its underlay address (vtep_mac), so every host computes every peer's
MAC. mode l3 (flannel-like): per peer, a route to its lease via the lease's network address onlink, a
permanent neighbour entry for that address with the peer's VTEP MAC, and an FDB entry sending that MAC to the
peer's underlay address; the device holds this host's lease address (/32). mode l2 (Docker-overlay-like): the
device is a port of the network's bridge; per peer an all-zero FDB (flood) entry, and per known remote
endpoint an FDB entry and a permanent neighbour entry the device answers ARP from (proxy).

The device is ours (mark in its alias), so every permanent entry on it is ours: the peer set is authoritative.
By default only the listed peers may send to the VXLAN port (vxlan_fw has the rules).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress

from ansible_collections.cnet.linux.plugins.module_utils import marks, names, nlconst, vxlan_fw, xt_plan, xtables
from ansible_collections.cnet.linux.plugins.module_utils.actions import Action
from ansible_collections.cnet.linux.plugins.module_utils.names import InputError
from ansible_collections.cnet.linux.plugins.module_utils.plans import addr_actions, remove_link

FLOOD = "00:00:00:00:00:00"
OVERHEAD = 50  # outer IPv4 (20) + UDP (8) + VXLAN (8) + inner Ethernet (14)
RECREATE = ("vni", "port", "local", "dev", "proxy", "learning")


def vtep_mac(underlay):
    """02:cc + the IPv4 underlay address: locally administered, unicast, the same on every host that computes it."""
    return "02:cc:" + ":".join("%02x" % b for b in ipaddress.IPv4Address(underlay).packed)


def _int(raw, key, field, lo, hi, default=None):
    value = raw.get(key)
    if value is None:
        if default is None:
            raise InputError("%s.%s is required" % (field, key))
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InputError("%s.%s: '%s' is not a number" % (field, key, value))
    if not lo <= number <= hi:
        raise InputError("%s.%s: %d is out of range %d..%d" % (field, key, number, lo, hi))
    return number


def normalize(params):
    field = "vxlan"
    mode = params.get("mode") or "l3"
    if mode not in ("l3", "l2"):
        raise InputError("mode: '%s' is not one of l3 (routed, flannel-like), l2 (one subnet, Docker-like)" % mode)
    vni = _int(params, "vni", field, 1, 16777215)
    item = {"mode": mode, "vni": vni, "port": _int(params, "port", field, 1, 65535, 4789),
            "device": names.ifname(params.get("device") or "vx%d" % vni, "device"),
            "state": params.get("state") or "present", "network": names.label(params.get("name") or "vx%d" % vni),
            "local": names.ip(params["local"], "local", 4) if params.get("local") else None,
            "dev": names.ifname(params["dev"], "dev") if params.get("dev") else None,
            "mtu": names.mtu(params["mtu"], "mtu") if params.get("mtu") is not None else None}
    if item["state"] not in ("present", "absent"):
        raise InputError("state: '%s' is not one of present, absent" % item["state"])
    item["firewall"] = params.get("firewall") is not False
    item["backend"] = params.get("backend") or "auto"
    if item["backend"] not in ("auto", "nft", "legacy"):
        raise InputError("backend: '%s' is not one of auto, nft, legacy" % item["backend"])
    item["lease"] = names.network(params["lease"], "lease") if params.get("lease") else None
    item["bridge"] = names.ifname(params["bridge"], "bridge") if params.get("bridge") else None
    if item["state"] == "present":
        if mode == "l3" and not item["lease"]:
            raise InputError("lease: mode l3 needs this host's lease (its part of the overlay subnet, e.g. 10.244.3.0/24)")
        if mode == "l2" and not item["bridge"]:
            raise InputError("bridge: mode l2 needs the network's bridge (the VXLAN device becomes its port)")
    peers = []
    for i, raw in enumerate(params.get("peers") or []):
        where = "peers[%d]" % i
        if not isinstance(raw, dict) or not raw.get("address"):
            raise InputError("%s: needs 'address' (the peer's underlay IPv4 address)" % where)
        peer = {"address": names.ip(raw["address"], where + ".address", 4)}
        if mode == "l3":
            if not raw.get("lease"):
                raise InputError("%s.lease: mode l3 needs each peer's lease (e.g. 10.244.2.0/24)" % where)
            peer["lease"] = names.network(raw["lease"], where + ".lease")
        endpoints = {}
        for j, ep in enumerate(raw.get("endpoints") or []):
            at = "%s.endpoints[%d]" % (where, j)
            if mode != "l2":
                raise InputError("%s: endpoints are for mode l2 (in l3 the peer's lease is routed)" % at)
            if not isinstance(ep, dict) or not ep.get("ip") or not ep.get("mac"):
                raise InputError("%s: needs 'ip' and 'mac' of the remote container" % at)
            endpoints[names.ip(ep["ip"], at + ".ip", 4)] = names.mac(ep["mac"], at + ".mac")
        peer["endpoints"] = endpoints
        peers.append(peer)
    item["peers"] = peers
    return item


class VxlanOverlay:
    def __init__(self, item):
        self.item = item
        self._before = self._after = self._desired = None  # the diff views, made once
        seen, leases, ips = set(), [], {}
        for peer in item["peers"]:
            if peer["address"] in seen:
                raise InputError("peers: %s is listed twice" % peer["address"])
            seen.add(peer["address"])
            if "lease" in peer:
                leases.append((peer["lease"], peer["address"]))
            for ip in peer["endpoints"]:
                if ip in ips:
                    raise InputError("peers: endpoint %s is on both %s and %s" % (ip, ips[ip], peer["address"]))
                ips[ip] = peer["address"]
        if item["lease"]:
            leases.append((item["lease"], "this host"))
        nets = [(ipaddress.ip_network(lease), who) for lease, who in leases]
        for i, (net, who) in enumerate(nets):
            for other, whom in nets[i + 1:]:
                if net.overlaps(other) and not (net == other and "this host" in (who, whom)):  # itself, listed
                    raise InputError("peers: the leases of %s (%s) and %s (%s) overlap" % (who, net, whom, other))

    @classmethod
    def from_params(cls, params):
        return cls(normalize(params))

    def to_dict(self):
        return {"resource": "vxlan_overlay", "item": self.item}

    # observe: the host's links/addresses/routes, its ARP table and forwarding databases (one dump each)

    def observe(self, ctx):
        """The netlink dumps run while iptables-save does (the VXLAN port filter's table)."""
        self.ctx = ctx
        done = []

        def links():
            self._observe_links(ctx)
            done.append(True)
        try:
            saved = xtables.save(self.item["backend"], meanwhile=links, table="filter")
        except xtables.XtablesError:
            if self._filtering():
                raise
            saved = None  # no iptables here and no filter wanted: nothing to do about one
        if not done:
            links()
        self.xt = saved.get("filter", {}) if saved is not None else None

    def _filtering(self):
        return self.item["state"] == "present" and self.item["firewall"]

    def _observe_links(self, ctx):
        self.host = ctx.nl.view(None)
        item = self.item
        self.underlay = self._underlay()
        link = self.host.link(item["device"])
        index = link["index"] if link else None
        self.fdb, self.neigh = set(), {}
        if index is not None and item["state"] == "present":
            for entry in ctx.nl.neighbours(None, nlconst.AF_BRIDGE):
                if entry["index"] == index and entry["flags"] & nlconst.NTF_SELF and entry["dst"]:
                    self.fdb.add((entry["mac"], entry["dst"]))
            for entry in ctx.nl.neighbours(None, nlconst.AF_INET):
                if entry["index"] == index and entry["dst"]:
                    self.neigh[entry["dst"]] = (entry["mac"], entry["state"])

    def _underlay(self):
        """(local address, its device, the device's MTU): as given; the device holding 'local'; or the device of
        the IPv4 default route and its first address."""
        item = self.item
        if item["state"] != "present":
            return None
        local, dev = item["local"], item["dev"]
        if local and not dev:
            for index, addrs in self.host.addrs.items():
                if any(a.split("/")[0] == local for a in addrs):
                    dev = self.host.name_of(index)
            if not dev:
                raise InputError("local: no interface of this host has %s; fix 'local' or set 'dev'" % local)
        if not dev:
            default = [r for r in self.host.routes if r["dst"] == "0.0.0.0/0" and r["oif"]]
            if not default:
                raise InputError("local: this host has no IPv4 default route to find its underlay by; set 'local'")
            dev = self.host.name_of(default[0]["oif"])
        link = self.host.link(dev)
        if link is None:
            raise InputError("dev: this host has no interface '%s'" % dev)
        if not local:
            mine = sorted(a for a in self.host.addrs.get(link["index"], set()) if ":" not in a)
            if not mine:
                raise InputError("dev: %s has no IPv4 address; set 'local'" % dev)
            local = mine[0].split("/")[0]
        return local, dev, link["mtu"]

    # desired

    def desired(self):
        """(device settings, {(mac, dst)} FDB, {ip: mac} neighbours, {lease: via} routes)."""
        item = self.item
        local, dev, under_mtu = self.underlay
        device = {"vni": item["vni"], "port": item["port"], "local": local, "dev": dev, "proxy": item["mode"] == "l2",
                  "learning": False, "mtu": item["mtu"] or under_mtu - OVERHEAD, "mac": vtep_mac(local)}
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
        return device, fdb, neigh, routes

    # plan

    def _firewall(self):
        """(want, jumps) of the VXLAN port filter after this run, or None when iptables is not observed."""
        if self.xt is None:
            return None
        peers = None
        if self._filtering():
            local = self.underlay[0]
            peers = [p["address"] for p in self.item["peers"] if p["address"] != local]

        def port_of(device):
            link = self.host.link(device)
            return (link.get("vxlan") or {}).get("port") if link else None
        return vxlan_fw.desired(self.xt, self.item["device"], self.item["port"], peers, port_of)

    def plan(self, ctx):
        item = self.item
        name = item["device"]
        self._fw = self._firewall()
        # the port filter first: a new peer is let in before its entries exist
        restore = xt_plan.restore_action(vxlan_fw.SCOPE, item["backend"], {"filter": self.xt}, *self._fw) \
            if self._fw else None
        out = [restore] if restore else []
        if item["state"] == "absent":
            return out + remove_link(ctx, self.host, "vxlan", name)
        self._desired = self.desired()
        device, fdb, neigh, routes = self._desired
        link = self.host.link(name)
        if link is not None and (link["kind"] != "vxlan" or not marks.owned(link["alias"], "vxlan")):
            raise InputError("device: '%s' exists and was not created by cnet.linux (no mark in its alias); pick "
                             "another name" % name)
        if link is not None:
            have = dict(link.get("vxlan") or {})
            have["dev"] = self.host.name_of(have.get("dev"))
            changed = [key for key in RECREATE if have.get(key) != device[key]]
            if changed:
                out.append(Action("vxlan " + name, "link_del", "ip link del %s  # %s changed: the device is recreated"
                                  % (name, ", ".join("%s %s -> %s" % (k, have.get(k), device[k]) for k in changed)),
                                  ns=None, name=name))
                link = None
        if link is None:
            out += self._create(device)
        else:
            out += self._device(link, device)
        # a new (or recreated) device starts with no entries, whatever the old one had
        have_fdb, have_neigh = (self.fdb, self.neigh) if link is not None else (set(), {})
        out += self._entries(fdb, neigh, routes, link, have_fdb, have_neigh)
        return out

    def _mark(self):
        return marks.make("vxlan", net=self.item["network"])

    def _create(self, device):
        item, name = self.item, self.item["device"]
        obj = "vxlan " + name
        out = [Action(obj, "vxlan_add", "ip link add %s mtu %d address %s type vxlan id %d dstport %d local %s dev %s "
                      "nolearning%s" % (name, device["mtu"], device["mac"], item["vni"], item["port"], device["local"],
                                        device["dev"], " proxy" if device["proxy"] else ""),
                      name=name, vni=item["vni"], port=item["port"], local=device["local"], dev=device["dev"],
                      proxy=device["proxy"], mtu=device["mtu"], mac=device["mac"], mark=self._mark())]
        if item["mode"] == "l2":
            out.append(self._master_action())
        out.append(Action(obj, "link_set", "ip link set %s up" % name, ns=None, name=name, state="up"))
        if item["mode"] == "l3":
            out += addr_actions(obj, None, name, set(), [self._lease_address()])
        return out

    def _master_action(self):
        name, bridge = self.item["device"], self.item["bridge"]
        if self.host.link(bridge) is None and not self.ctx.check:
            raise InputError("bridge: '%s' does not exist; create it first (cnet.linux.bridge)" % bridge)
        return Action("vxlan " + name, "link_set", "ip link set %s master %s" % (name, bridge), ns=None, name=name,
                      master=bridge)

    def _lease_address(self):
        return "%s/32" % self.item["lease"].split("/")[0]

    def _device(self, link, device):
        item, name = self.item, self.item["device"]
        obj, out = "vxlan " + name, []
        change = []
        if link["alias"] != self._mark():
            change.append(("ifalias", self._mark(), "alias '%s'" % self._mark()))
        if link["mtu"] != device["mtu"]:
            change.append(("mtu", device["mtu"], "mtu %d" % device["mtu"]))
        if link["mac"] != device["mac"]:
            change.append(("address", device["mac"], "address %s" % device["mac"]))
        if change:
            out.append(Action(obj, "link_set", "ip link set %s %s" % (name, " ".join(w for _k, _v, w in change)),
                              ns=None, name=name, **dict((k, v) for k, v, _w in change)))
        master = self.host.name_of(link["master"]) if link["master"] else None
        if item["mode"] == "l2" and master != item["bridge"]:
            out.append(self._master_action())
        elif item["mode"] == "l3" and master:
            out.append(Action(obj, "link_set", "ip link set %s nomaster" % name, ns=None, name=name, master=0))
        if not link["up"]:
            out.append(Action(obj, "link_set", "ip link set %s up" % name, ns=None, name=name, state="up"))
        want = [self._lease_address()] if item["mode"] == "l3" else []
        out += addr_actions(obj, None, name, self.host.addrs.get(link["index"], set()), want)
        return out

    def _routes(self, link):
        if link is None:
            return {}
        return dict((r["dst"], r["gateway"]) for r in self.host.routes
                    if r["oif"] == link["index"] and r["proto"] == marks.PROTO)

    def _entries(self, fdb, neigh, routes, link, have_fdb, observed_neigh):
        """Per peer: removals first (route, neighbour, FDB - so nothing is routed to an entry that is gone), then
        additions in the mirror order (neighbour, FDB, route last), each under the peer it belongs to."""
        name = self.item["device"]
        owner = self._owners()
        have_routes = self._routes(link)
        have_neigh = dict((ip, mac) for ip, (mac, state) in observed_neigh.items() if state & nlconst.NUD_PERMANENT)
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
            current = observed_neigh.get(ip)
            if current != (mac, nlconst.NUD_PERMANENT):
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

    def _owners(self):
        """obj of an entry: 'peer <underlay address>' of the peer it belongs to (by address, lease or endpoint)."""
        by = {}
        for peer in self.item["peers"]:
            by[peer["address"]] = peer["address"]
            if "lease" in peer:
                by[peer["lease"]] = by[peer["lease"].split("/")[0]] = peer["address"]
            for ip in peer["endpoints"]:
                by[ip] = peer["address"]

        def owner(dst=None, ip=None):
            return "peer %s" % by.get(dst or ip, dst or ip)
        return owner

    # diff views: every peer's entries grouped once (not once per peer: a thousand peers stay linear)

    def before(self, obj):
        kind, _sep, what = obj.partition(" ")
        if kind == "iptables":
            return vxlan_fw.SCOPE.owned("filter", self.xt)
        link = self.host.link(self.item["device"])
        if kind == "vxlan":
            if link is None:
                return None
            view = dict(link.get("vxlan") or {})
            view.update(dev=self.host.name_of(view.get("dev")), mtu=link["mtu"], mac=link["mac"], up=link["up"],
                        master=self.host.name_of(link["master"]) if link["master"] else None,
                        addresses=sorted(self.host.addrs.get(link["index"], set())))
            return view
        if self._before is None:
            permanent = dict((ip, m) for ip, (m, st) in self.neigh.items() if st & nlconst.NUD_PERMANENT)
            self._before = self._peer_views(self.fdb, permanent, self._routes(link))
        return self._before.get(obj)

    def after(self, obj):
        kind, _sep, _what = obj.partition(" ")
        if kind == "iptables":
            want, jumps = self._fw
            return vxlan_fw.SCOPE.owned("filter", vxlan_fw.SCOPE.after_table("filter", self.xt, want["filter"], jumps))
        if self.item["state"] == "absent":
            return None
        if self._desired is None:
            self._desired = self.desired()
        device, fdb, neigh, routes = self._desired
        if kind == "vxlan":
            view = dict((k, device[k]) for k in ("vni", "port", "local", "dev", "proxy", "learning", "mtu", "mac"))
            view.update(up=True, master=self.item["bridge"] if self.item["mode"] == "l2" else None,
                        addresses=[self._lease_address()] if self.item["mode"] == "l3" else [])
            return view
        if self._after is None:
            self._after = self._peer_views(fdb, neigh, routes)
        return self._after.get(obj)

    def _peer_views(self, fdb, neigh, routes):
        """{'peer <address>': {fdb, neighbours, routes}} of the entries given."""
        owner, views = self._owners(), {}

        def view(obj):
            return views.setdefault(obj, {"fdb": [], "neighbours": {}, "routes": {}})
        for mac, dst in sorted(fdb):
            view(owner(dst=dst))["fdb"].append("%s dst %s" % (mac, dst))
        for ip, mac in sorted(neigh.items()):
            view(owner(ip=ip))["neighbours"][ip] = mac
        for dst, via in sorted(routes.items()):
            view(owner(dst=dst))["routes"][dst] = via
        return views
