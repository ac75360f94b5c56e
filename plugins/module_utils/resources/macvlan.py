# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""macvlan endpoints (Docker's macvlan driver): a device on a host interface (the parent), made directly inside
the container's namespace under its final name, with its own MAC on the parent's Ethernet. Containers so
attached are on the outside network itself: they reach its router and each other (on this host and on others)
with no bridge, NAT or encapsulation.

A host cannot reach its own macvlan children through the parent (the parent's packets never enter its
macvlan ports). An item without netns is a shim: a macvlan device in the host's own namespace, whose /32 routes
to this host's containers make them reachable from the host.

The device belongs to the collection entirely, like a veth pair's peer: its addresses (but IPv6 link-local)
and its non-kernel routes are authoritative. It carries the mark 'cnet.linux:macvlan ctr=<container>
net=<network>' (a shim: no ctr). Its parent and mode are fixed at creation: a device on another parent or in
another mode is deleted and made again, as a visible step of the plan.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.cnet.linux.plugins.module_utils.core import inputs, marks
from ansible_collections.cnet.linux.plugins.module_utils.core.action import Action
from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError
from ansible_collections.cnet.linux.plugins.module_utils.netlink import namespaces, sockets
from ansible_collections.cnet.linux.plugins.module_utils.resources import endpoint
from ansible_collections.cnet.linux.plugins.module_utils.resources.base import Resource, View
from ansible_collections.cnet.linux.plugins.module_utils.resources.links import link_del, remove_link

MODES = tuple(sorted(inputs.MACVLAN_MODES))


def _normalize(raw, field, default_state, defaults):
    def get(key):
        value = raw.get(key)
        return defaults.get(key) if value is None else value

    netns = inputs.nsname(raw["netns"], field + ".netns") if raw.get("netns") else None
    name = inputs.ifname(raw.get("name") or ("eth0" if netns else ""), field + ".name")
    state = inputs.state(raw, field, default_state)
    item = {"key": "%s/%s" % (netns, name) if netns else name, "netns": netns, "peer": name, "state": state,
            "network": inputs.label(get("network")), "container": inputs.label(raw.get("container") or netns),
            "parent": inputs.ifname(get("parent"), field + ".parent") if get("parent") else None,
            "mode": get("mode") or "bridge",
            "mtu": inputs.mtu(get("mtu"), field + ".mtu") if get("mtu") is not None else None,
            "mac": inputs.mac(raw["mac"], field + ".mac") if raw.get("mac") else None,
            "addresses": inputs.addresses(raw.get("addresses"), field + ".addresses")}
    if item["mode"] not in MODES:
        raise InputError("%s.mode: '%s' is not one of %s" % (field, item["mode"], ", ".join(MODES)))
    if not item["network"]:
        raise InputError("%s.network: the network's name is required (it goes into the device's mark)" % field)
    if state == "present" and not item["parent"]:
        raise InputError("%s.parent: the host interface the macvlan device is made on is required (e.g. eth0)" % field)
    if not netns and raw.get("container"):
        raise InputError("%s.container: a shim (no netns) belongs to the host; give netns or drop container" % field)
    item["routes"], item["peer_ll6"] = endpoint.routes(raw, field, item["addresses"], raw.get("ipv6_link_local"))
    return item


class Macvlan(endpoint.Endpoints, Resource):
    KIND = "macvlan"
    ITEMS = "endpoints"
    FIELD = "endpoint"
    KEY = "key"
    UNIQUE = ((("key",), "endpoints: '%s' is listed twice (a device in a namespace, or a shim, by name)"),)
    LIST_DEFAULTS = ("network", "parent", "mode", "mtu")

    @classmethod
    def normalize(cls, raw, field, state, defaults=None):
        return _normalize(raw, field, state, defaults or {})

    @classmethod
    def options_of(cls, params):
        return {"purge_networks": [inputs.label(n) for n in params.get("purge_networks") or []]}

    def validate(self):
        for item in self.items:
            if item["state"] == "present" and item["parent"] == item["peer"] and not item["netns"]:
                raise InputError("endpoints: shim '%s' cannot be its own parent" % item["key"])

    def replay_options(self):
        return {"purge_networks": []}

    def _obj(self, item):
        """The object key of an item's actions and diff (('macvlan', [netns/]name))."""
        return (self.KIND, item[self.KEY])

    def _mark(self, item):
        if item["netns"]:
            return marks.make("macvlan", net=item["network"], ctr=item["container"])
        return marks.make("macvlan", net=item["network"])

    # observe: the host's namespace (the parents, the shims), each item's namespace; with purge_networks every
    # namespace the collection made (where devices of a network in scope may be left)

    def observe(self, ctx):
        nl = sockets.of(ctx)
        host = nl.view(None)
        peers, wanted = {None: host}, [item["netns"] for item in self.items if item["netns"]]
        if self.scope:
            wanted += sorted(ctx.records("netns"))
        for ns in wanted:
            if ns not in peers:
                peers[ns] = nl.view(ns) if namespaces.identity(namespaces.path(ns)) else None
        return View(ctx.check, host=host, peers=peers)

    def _device(self, view, item):
        ns_view = view.peers.get(item["netns"])
        return ns_view.link(item["peer"]) if ns_view else None

    def _wrong(self, view, item, link):
        """Why an existing device of ours must be made again (its parent or mode), or None."""
        parent = view.host.link(item["parent"])
        if parent is None or link["peer_index"] != parent["index"]:
            was = view.host.name_of(link["peer_index"]) if link["peer_index"] else None
            return "its parent is %s, not %s" % (was or "gone", item["parent"])
        if link.get("macvlan_mode") != item["mode"]:
            return "its mode is %s, not %s" % (link.get("macvlan_mode"), item["mode"])
        return None

    def _create(self, view, item):
        ns, name, obj = item["netns"], item["peer"], self._obj(item)
        if ns and view.peers.get(ns) is None and not view.check:
            raise InputError("endpoints: namespace '%s' for '%s' does not exist; create it first (cnet.linux.netns)"
                             % (ns, item["key"]))
        if view.host.link(item["parent"]) is None and not view.check:
            raise InputError("endpoints: parent '%s' of '%s' does not exist on this host; name a host interface (the "
                             "one on the outside network)" % (item["parent"], item["key"]))
        text = "ip link add link %s name %s%s%s%s type macvlan mode %s" % (
            item["parent"], name, " netns %s" % ns if ns else "", " mtu %d" % item["mtu"] if item["mtu"] else "",
            " address %s" % item["mac"] if item["mac"] else "", item["mode"])
        addrgen = "none" if endpoint.ipv6(view) and not item["peer_ll6"] else None
        return [Action(obj, "macvlan_add", text, key=item["key"], name=name, netns=ns, parent=item["parent"],
                       mode=item["mode"], mtu=item["mtu"], mac=item["mac"], addrgenmode=addrgen)
                .making(ns, name, self._mark(item))] \
            + endpoint.link(view, obj, item, None, self._mark(item), made_with_it=True) + endpoint.l3(view, obj, item, None)

    def present(self, view, item):
        link = self._device(view, item)
        if link is None:
            return self._create(view, item)
        where = "namespace '%s'" % item["netns"] if item["netns"] else "the host"
        if link["kind"] != "macvlan" or not marks.owned(link["alias"], "macvlan"):
            raise InputError("endpoints: '%s' already exists in %s and was not created by cnet.linux; pick another "
                             "name" % (item["peer"], where))
        why = self._wrong(view, item, link)
        if why:
            return [link_del(self._obj(item), item["netns"], item["peer"], why + ": made again")] + self._create(view, item)
        obj = self._obj(item)
        return endpoint.link(view, obj, item, link, self._mark(item), made_with_it=True) + endpoint.l3(view, obj, item, link)

    def absent(self, view, item):
        return remove_link(view, "macvlan", item["peer"], item["netns"], self._obj(item))

    def purged(self, view):
        out, scope = [], self.scope
        if not scope:
            return out
        for ns, ns_view in sorted(view.peers.items(), key=lambda kv: kv[0] or ""):
            for name, link in sorted((ns_view.links if ns_view else {}).items()):
                mark = marks.parse(link["alias"])
                key = "%s/%s" % (ns, name) if ns else name
                if link["kind"] == "macvlan" and mark and mark[0] == "macvlan" \
                        and mark[1].get("net") in scope and key not in self.by_key:
                    out.append(link_del((self.KIND, key), ns, name))
        return out

    # diff views

    def before(self, view, key):
        item = self.by_key.get(key[1])
        ns, name = (item["netns"], item["peer"]) if item else _split(key[1])
        ns_view = view.peers.get(ns)
        link = ns_view.link(name) if ns_view else None
        if link is None or link["kind"] != "macvlan":
            return None
        mark = marks.parse(link["alias"]) or ("", {})
        out = {"netns": ns, "name": name, "parent": view.host.name_of(link["peer_index"]) if link["peer_index"] else None,
               "mode": link.get("macvlan_mode"), "mtu": link["mtu"], "mac": link["mac"], "up": link["up"],
               "network": mark[1].get("net"), "container": mark[1].get("ctr"),
               "ipv6_link_local": endpoint.link_local(link), "addresses": sorted(ns_view.addrs.get(link["index"], set()))}
        if item:
            out["routes"] = endpoint.shown(view, item, link)["routes"]
        return out

    def after(self, view, key):
        return endpoint.after(self, view, key, lambda item: {
            "netns": item["netns"], "name": item["peer"], "parent": item["parent"], "mode": item["mode"], "up": True,
            "network": item["network"], "container": item["container"] if item["netns"] else None,
            "addresses": sorted(item["addresses"]), "routes": item["routes"]},
            "ipv6_link_local", (("mtu", "mtu"), ("mac", "mac")))


def _split(key):
    return tuple(key.split("/", 1)) if "/" in key else (None, key)
