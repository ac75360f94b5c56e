# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A container's interface inside its namespace - a veth pair's peer, a macvlan device - as both kinds plan it:
its routes as given (gateway, gateway6, routes), its link settings (MTU, MAC, mark, the IPv6 link-local switch,
up) in one request, its addresses and non-kernel routes (both authoritative), and what the diff shows of them.

An item here has: netns (None: the host's own namespace), peer (the interface's name there), mtu, mac,
addresses, routes ({dest: via}) and peer_ll6 (whether it keeps an IPv6 link-local address)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.cnet.linux.plugins.module_utils.core import inputs, marks
from ansible_collections.cnet.linux.plugins.module_utils.core.action import Action
from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError
from ansible_collections.cnet.linux.plugins.module_utils.core.ops import merged
from ansible_collections.cnet.linux.plugins.module_utils.netlink import const, ops, sysctl
from ansible_collections.cnet.linux.plugins.module_utils.resources.links import addr_actions, sysctl_action
from ansible_collections.cnet.linux.plugins.module_utils.resources.links import link_set as _link_set


def routes(raw, field, addresses, ll6):
    """(routes {dest: via}, whether the device keeps an IPv6 link-local address) of an item's gateway, gateway6,
    routes and ipv6_link_local (default: only when it has IPv6 addresses or routes)."""
    out = {}
    for key, dst, version in (("gateway", "0.0.0.0/0", 4), ("gateway6", "::/0", 6)):
        if raw.get(key):
            out[dst] = inputs.ip(raw[key], "%s.%s" % (field, key), version)
    for i, route in enumerate(raw.get("routes") or []):
        where = "%s.routes[%d]" % (field, i)
        if not isinstance(route, dict) or not route.get("dest"):
            raise InputError("%s: a route needs 'dest' (a network or 'default') and optionally 'via'" % where)
        dst = inputs.network(route["dest"], where + ".dest")
        via = inputs.ip(route["via"], where + ".via") if route.get("via") else None
        if via and inputs.version_of(via) != inputs.version_of(dst):
            raise InputError("%s: via %s and dest %s are of different IP versions" % (where, via, dst))
        if dst in out:
            raise InputError("%s: a route to %s is given twice (a gateway is a route to default)" % (where, dst))
        out[dst] = via
    ll6 = bool(ll6) if ll6 is not None else any(":" in a for a in list(addresses) + list(out))
    return dict(sorted(out.items())), ll6


def ipv6(view):
    """False when the kernel runs without IPv6 (then no link has IPv6 settings, not even lo)."""
    lo = view.host.link("lo")
    return bool(lo and lo["addrgenmode"] is not None)


def link_local(link):
    """Whether a link has an IPv6 link-local address (None: the kernel has no IPv6)."""
    mode = link["addrgenmode"]
    return None if mode is None else mode != const.ADDRGEN_NONE


def _addrgen(view, obj, item, link, change, made_with_it):
    """The IPv6 link-local part: a word in the interface's 'ip link set', or a sysctl to turn it back on.
    made_with_it: a new interface gets its mode in the request that makes it (nothing to do here then)."""
    if link is None and made_with_it:
        return []
    mode = link["addrgenmode"] if link is not None else (const.ADDRGEN_EUI64 if ipv6(view) else None)
    if mode is None or item["peer_ll6"] == (mode != const.ADDRGEN_NONE):
        return []
    if not item["peer_ll6"]:
        change.append(("addrgenmode", "none", "addrgenmode none"))
        return []
    # netlink can set the mode but does not make the address; the sysctl does both
    return [sysctl_action(obj, item["netns"], ("net", "ipv6", "conf", item["peer"], "addr_gen_mode"),
                          const.ADDRGEN_EUI64)]


def link(view, obj, item, have, mark, made_with_it=False):
    """One 'ip link set' for whatever differs on the interface (have: its link, None when it is being made), and
    the sysctl that gives it back an IPv6 link-local address."""
    ns, dev, change = item["netns"], item["peer"], []
    if have is not None and item["mtu"] and have["mtu"] != item["mtu"]:
        change.append(("mtu", item["mtu"], "mtu %d" % item["mtu"]))
    if have is not None and item["mac"] and have["mac"] != item["mac"]:
        change.append(("address", item["mac"], "address %s" % item["mac"]))
    if have is None or have["alias"] != mark:
        change.append(("ifalias", mark, "alias '%s'" % mark))
    extra = _addrgen(view, obj, item, have, change, made_with_it)
    if have is None or not have["up"]:
        change.append(("state", "up", "up"))
    return ([_link_set(obj, ns, dev, change, have)] if change else []) + extra


def kernel_routes(ns_view, have):
    """{dest: route} of the interface's routes that are not the kernel's own (ours, or put there by hand)."""
    if have is None:
        return {}
    return dict((route["dst"], route) for route in ns_view.routes
                if route["oif"] == have["index"] and route["proto"] != const.RTPROT_KERNEL)


def l3(view, obj, item, have):
    """The interface's addresses and routes, both authoritative."""
    ns, dev = item["netns"], item["peer"]
    out, pre = [], "ip -n %s " % ns if ns else "ip "
    addrs = view.peers[ns].addrs.get(have["index"], set()) if have is not None else set()
    out.extend(addr_actions(obj, ns, dev, addrs, item["addresses"], have is not None))
    current = kernel_routes(view.peers[ns], have)
    for dst, route in sorted(current.items()):
        if dst not in item["routes"]:
            out.append(Action(obj, "route_del", pre + "route del %s dev %s" % (_dst(dst), dev), ns=ns, dev=dev,
                              dst=dst, gateway=route["gateway"], proto=route["proto"]))
    for dst, via in item["routes"].items():
        route = current.get(dst)
        if route is None or route["gateway"] != via or route["proto"] != marks.PROTO:
            out.append(Action(obj, "route_add", pre + "route replace %s%s dev %s proto %d" % (
                _dst(dst), " via %s" % via if via else "", dev, marks.PROTO), ns=ns, dev=dev, dst=dst, gateway=via))
    return out


def shown(view, item, have):
    """What the diff shows of the interface's addresses and routes."""
    ns_view = view.peers[item["netns"]]
    return {"addresses": sorted(ns_view.addrs.get(have["index"], set())),
            "routes": dict((dst, r["gateway"]) for dst, r in sorted(kernel_routes(ns_view, have).items()))}


class Endpoints:
    """What a list of interfaces in namespaces has beside its items (mixed into Veth and Macvlan): the op tables
    of links, addresses, routes and the IPv6 link-local sysctl; the top-level options its items inherit
    (LIST_DEFAULTS); the purge scope - the network labels it is authoritative for (purge_networks, or with
    purge its one network)."""
    OPS = merged(ops.OPS, sysctl.OPS)
    LIST_DEFAULTS = ()

    @classmethod
    def list_defaults(cls, params):
        return dict((key, params.get(key)) for key in cls.LIST_DEFAULTS)

    @property
    def scope(self):
        named = set(getattr(self, "purge_networks", None) or [])  # a record of an older run has no such option
        return named or (set([self.network]) if getattr(self, "purge", False) else set())

    def forgotten(self, entries):
        """The recorded entries of the scope's networks that the list no longer has (a purge removes them, as
        purged() does on the host)."""
        scope = self.scope
        return [key for key, entry in entries.items() if entry["item"]["network"] in scope and key not in self.by_key]


def after(resource, view, key, wanted, ll6_key, optional):
    """The diff's after view of an interface: what is there now (resource.before) with what the item wants
    (wanted(item)), its IPv6 link-local switch as ll6_key where the kernel has IPv6, and each (name, field) of
    optional the item sets. None when the item is absent."""
    item = resource.by_key.get(key[1])
    if item is None or item["state"] == "absent":
        return None
    out = resource.before(view, key) or {}
    out.update(wanted(item))
    if ipv6(view):
        out[ll6_key] = item["peer_ll6"]
    for name, field in optional:
        if item[field] is not None:
            out[name] = item[field]
    return out


def _dst(dst):
    return "default" if dst in ("0.0.0.0/0", "::/0") else dst
