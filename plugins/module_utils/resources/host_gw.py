# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Flannel's host-gw backend: an overlay whose hosts share one L2 underlay, with no encapsulation. Each
remote host's lease is routed via that host's underlay address (`ip route replace LEASE via PEER dev DEV
proto 147`); the local lease sits on the overlay's bridge (cnet.linux.bridge), so packets keep the full MTU.

Ownership: our routes carry the collection's route protocol (marks.PROTO); within an overlay's subnet,
a route of ours whose gateway is outside that subnet is this backend's (an l3 VXLAN overlay's routes go via
an address of the subnet). The peer set is authoritative: routes of peers no longer listed are removed.
A peer that is not on-link (no address of this host shares its subnet) is refused, naming why.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress

from ansible_collections.cnet.linux.plugins.module_utils.core import inputs, marks
from ansible_collections.cnet.linux.plugins.module_utils.core.action import Action
from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError
from ansible_collections.cnet.linux.plugins.module_utils.netlink import ops, sockets
from ansible_collections.cnet.linux.plugins.module_utils.resources.base import Resource, View


def _normalize(raw, field, default_state):
    name = inputs.label(raw.get("name"))
    if not name:
        raise InputError("%s.name: the overlay's name is required" % field)
    item = {"name": name, "state": inputs.state(raw, field, default_state)}
    if not raw.get("subnet"):
        raise InputError("%s.subnet: the overlay's IPv4 subnet is required (e.g. 10.244.0.0/16)" % field)
    item["subnet"] = inputs.network(raw["subnet"], field + ".subnet")
    if inputs.version_of(item["subnet"]) != 4:
        raise InputError("%s.subnet: '%s' is not IPv4" % (field, item["subnet"]))
    if item["state"] == "absent":
        item.update(lease=None, peers=[])
        return item
    subnet = ipaddress.ip_network(item["subnet"])
    lease = inputs.network(raw.get("lease") or "", field + ".lease") if raw.get("lease") else None
    if lease is None or not _inside(lease, subnet):
        raise InputError("%s.lease: this host's lease, a network inside %s, is required" % (field, item["subnet"]))
    peers, seen = [], {}
    for i, peer in enumerate(raw.get("peers") or []):
        at = "%s.peers[%d]" % (field, i)
        if not isinstance(peer, dict) or not peer.get("address") or not peer.get("lease"):
            raise InputError("%s: needs 'address' (the peer's underlay IPv4 address) and 'lease'" % at)
        address = inputs.ip(peer["address"], at + ".address", 4)
        peer_lease = inputs.network(peer["lease"], at + ".lease")
        if not _inside(peer_lease, subnet):
            raise InputError("%s.lease: %s is not inside the overlay's subnet %s" % (at, peer_lease, item["subnet"]))
        for key in (address, peer_lease):
            if key in seen:
                raise InputError("%s: %s is also peer %s's" % (at, key, seen[key]))
            seen[key] = i
        peers.append({"address": address, "lease": peer_lease})
    item.update(lease=lease, peers=peers)
    return item


def _inside(network, subnet):
    """Whether a network (any family) is inside the IPv4 subnet."""
    net = ipaddress.ip_network(network)
    return net.version == subnet.version and net.subnet_of(subnet)


class HostGw(Resource):
    KIND = "host_gw"
    ITEMS = "overlays"
    FIELD = "overlay"
    UNIQUE = ((("name",), "overlays: '%s' is listed twice"),)
    OPS = ops.OPS

    @classmethod
    def normalize(cls, raw, field, state, defaults=None):
        return _normalize(raw, field, state)

    def validate(self):
        nets = [(ipaddress.ip_network(item["subnet"]), item["name"]) for item in self.items]
        for i, (net, name) in enumerate(nets):
            for other, other_name in nets[:i]:
                if net.overlaps(other):
                    raise InputError("overlays: the subnets of '%s' and '%s' overlap" % (other_name, name))

    def observe(self, ctx):
        return View(ctx.check, host=sockets.of(ctx).view(None))

    # desired

    @staticmethod
    def ours(item, route):
        """Whether a main-table route is this overlay's: our protocol, inside its subnet, via an address outside
        it (a host's underlay address)."""
        if route["proto"] != marks.PROTO or route.get("family", 2) != 2 or not route["gateway"]:
            return False
        subnet = ipaddress.ip_network(item["subnet"])
        dst = ipaddress.ip_network(route["dst"])
        return dst.version == 4 and dst.subnet_of(subnet) and ipaddress.ip_address(route["gateway"]) not in subnet

    @staticmethod
    def on_link(view, address):
        """The host's device whose address's subnet holds address (the route's dev), or None."""
        connected = view.memo("connected", lambda: [
            (ipaddress.ip_interface(text), view.host.name_of(index))
            for index, held in sorted(view.host.addrs.items()) for text in sorted(held)
            if ipaddress.ip_interface(text).version == 4])
        addr = ipaddress.ip_address(address)
        for iface, dev in connected:
            if addr in iface.network and addr != iface.ip:
                return dev
        return None

    def desired(self, item, view):
        """{lease: (peer address, device)} of the remote peers (the peer holding this host's lease is this host),
        once per run (the plan and the diff views share it)."""
        return view.memo("want " + item["name"], lambda: self._desired(item, view))

    def _desired(self, item, view):
        if item["state"] == "absent":
            return {}
        out = {}
        for peer in item["peers"]:
            if peer["lease"] == item["lease"]:
                continue
            dev = self.on_link(view, peer["address"])
            if dev is None:
                raise InputError("overlays (%s): peer %s is not on-link from this host (no address of this host "
                                 "shares its subnet): host-gw routes each lease via its host's underlay address, "
                                 "which needs one L2 underlay; use mode l3 (VXLAN) across routers"
                                 % (item["name"], peer["address"]))
            out[peer["lease"]] = (peer["address"], dev)
        return out

    def observed(self, item, view):
        """{lease: (via, device)} of the overlay's routes of ours on the host, once per run."""
        return view.memo("have " + item["name"], lambda: dict(
            (r["dst"], (r["gateway"], view.host.name_of(r["oif"]))) for r in view.host.routes if self.ours(item, r)))

    # plan

    def plan(self, view):
        out, gone = [], []
        for item in self.items:
            want, have = self.desired(item, view), self.observed(item, view)
            for dst, (via, dev) in sorted(have.items()):
                if want.get(dst) != (via, dev):
                    gone.append(Action(("route", item["name"], dst), "route_del", "ip route del %s via %s dev %s"
                                       % (dst, via, dev), ns=None, dev=dev, dst=dst, gateway=via, proto=marks.PROTO))
            for dst, (via, dev) in sorted(want.items()):
                if have.get(dst) != (via, dev):
                    out.append(Action(("route", item["name"], dst), "route_add", "ip route replace %s via %s dev %s "
                                      "proto %d" % (dst, via, dev, marks.PROTO), ns=None, dev=dev, dst=dst,
                                      gateway=via))
        return gone + out  # removals first: a lease that moved to another peer is never routed twice

    # diff views

    def before(self, view, key):
        item = self.by_key.get(key[1])
        route = self.observed(item, view).get(key[2]) if item else None
        return {"via": route[0], "dev": route[1]} if route else None

    def after(self, view, key):
        item = self.by_key.get(key[1])
        want = self.desired(item, view).get(key[2]) if item else None
        return {"via": want[0], "dev": want[1]} if want else None
