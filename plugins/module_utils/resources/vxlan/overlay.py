# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""VXLAN overlays on one host (one, or a list: one observation and one plan for all): each one's device
(device.py) and, per remote peer, its forwarding (FDB), neighbour and route entries (entries.py) -
everything programmed, nothing learned, so no first pass and no miss handler is needed - and the VXLAN port
filter of them all (firewall.py), one restore planned first.

Each host's VTEP MAC is derived from its underlay address, so every host computes every peer's MAC. The
device is ours (mark in its alias), so every permanent entry on it is ours: the peer set is authoritative.
By default only the listed peers may send to the VXLAN port.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError
from ansible_collections.cnet.linux.plugins.module_utils.core.ops import merged
from ansible_collections.cnet.linux.plugins.module_utils.netlink import const, entry_ops, sockets
from ansible_collections.cnet.linux.plugins.module_utils.netlink import ops as netlink_ops
from ansible_collections.cnet.linux.plugins.module_utils.resources.base import Resource, View
from ansible_collections.cnet.linux.plugins.module_utils.resources.links import remove_link
from ansible_collections.cnet.linux.plugins.module_utils.resources.vxlan import device, entries, firewall, inputs
from ansible_collections.cnet.linux.plugins.module_utils.xtables import saverestore
from ansible_collections.cnet.linux.plugins.module_utils.xtables import ops as xtables_ops


class VxlanOverlay(Resource):
    KIND = "vxlan_overlay"
    ITEMS = "overlays"
    KEY = "device"
    UNIQUE = ((("device",), "overlays: device %s is listed twice"),
              (("vni", "port"), "overlays: VNI %s on port %s is listed twice"))
    OPS = merged(netlink_ops.OPS, entry_ops.OPS, xtables_ops.OPS)  # the device; its entries; the port filter
    PYROUTE2 = True  # the neighbour and FDB entries
    GROUP = False  # a restore converges one recorded overlay per call

    @classmethod
    def single(cls, params, state):
        return [inputs.normalize(params)]

    @classmethod
    def list_defaults(cls, params):
        return {"backend": params.get("backend")}

    @classmethod
    def normalize(cls, raw, field, state, defaults=None):
        """One overlay of the list form (field: 'overlays[i]'), the module's top-level backend with it."""
        try:
            return inputs.normalize(dict(raw, backend=(defaults or {}).get("backend")))
        except InputError as exc:
            raise InputError("%s (%s): %s" % (field, raw.get("name") or raw.get("device") or "vni %s" % raw.get("vni"),
                                              exc))

    def validate(self):
        backends = set(item["backend"] for item in self.items)
        if len(backends) > 1:
            raise InputError("overlays: one call has one iptables backend, not %s" % ", ".join(sorted(backends)))
        for item in self.items:
            inputs.check(item)

    @property
    def item(self):
        """The single form's overlay."""
        return self.items[0]

    # observe: the host's links/addresses/routes, its ARP table and forwarding databases (one dump each, for
    # every overlay of the call), read while iptables-save reads the filter table (the VXLAN port filter's)

    def observe(self, ctx):
        nl = sockets.of(ctx)
        read = {}

        def links():
            read.update(self._links(nl))
        try:
            saved = saverestore.save(self.items[0]["backend"], meanwhile=links, table="filter")
        except saverestore.XtablesError:
            if any(firewall.filtering(item) for item in self.items):
                raise
            saved = None  # no iptables here and no filter wanted: nothing to do about one
        if not read:
            links()
        return self.make_view(xt=saved.get("filter", {}) if saved is not None else None, check=ctx.check, **read)

    def _links(self, nl):
        host = nl.view(None)
        index = {}  # device index -> device, of the present overlays' devices that exist
        for item in self.items:
            link = host.link(item["device"])
            if link is not None and item["state"] == "present":
                index[link["index"]] = item["device"]
        fdb, neigh = dict((d, set()) for d in index.values()), dict((d, {}) for d in index.values())
        if index:
            for entry in nl.neighbours(None, const.AF_BRIDGE):
                if entry["index"] in index and entry["flags"] & const.NTF_SELF and entry["dst"]:
                    fdb[index[entry["index"]]].add((entry["mac"], entry["dst"]))
            # IPv6 neighbours only where an l2 overlay may carry IPv6 (its endpoints' NDP answers)
            l2 = any(item["mode"] == "l2" for item in self.items if item["device"] in index.values())
            for family in (const.AF_INET, const.AF_INET6) if l2 else (const.AF_INET,):
                for entry in nl.neighbours(None, family):
                    if entry["index"] in index and entry["dst"]:
                        neigh[index[entry["index"]]][entry["dst"]] = (entry["mac"], entry["state"])
        return {"host": host, "fdb": fdb, "neigh": neigh}

    def make_view(self, host, fdb, neigh, xt, check=False):
        """The view of what observe read (tests give it by hand): host's NsView, the devices' FDB entries
        {device: {(mac, dst)}} and neighbours {device: {ip: (mac, state)}} (for the single form also just the
        set and the dict), the filter table (None: not read); each overlay's underlay is found from host."""
        if not isinstance(fdb, dict):  # the single form's entries
            fdb, neigh = {self.item["device"]: fdb}, {self.item["device"]: neigh}
        return View(check, host=host, fdb=dict((d, set(e)) for d, e in fdb.items()),
                    neigh=dict((d, dict(e)) for d, e in neigh.items()), xt=xt,
                    underlay=dict((item["device"], device.underlay(item, host, check)) for item in self.items))

    # desired, once per run (plan and diff views share it)

    def _firewall(self, view):
        return view.memo("firewall", lambda: firewall.desired(view, self.items))

    def _device(self, view, item):
        return view.memo("device " + item["device"], lambda: device.desired(item, view.underlay[item["device"]]))

    def _entries(self, view, item):
        return view.memo("entries " + item["device"], lambda: entries.desired(item, view.underlay[item["device"]][0]))

    # plan

    def plan(self, view):
        # the port filter first, in one restore for every overlay of the call: a new peer is let in before
        # its entries exist
        out = firewall.plan(view, self.items[0]["backend"], self._firewall(view))
        for item in self.items:
            if item["state"] == "absent":
                out += remove_link(view, "vxlan", item["device"])
                continue
            want = self._entries(view, item)
            actions, link = device.plan(view, item, self._device(view, item))
            # a new (or recreated) device starts with no entries, whatever the old one had
            dev = item["device"]
            have_fdb, have_neigh = (view.fdb.get(dev, set()), view.neigh.get(dev, {})) if link is not None \
                else (set(), {})
            out += actions + entries.plan(item, want, entries.routes_of(view.host, link), have_fdb, have_neigh)
        return out

    # diff views: ('vxlan', device), ('peer', device, address), ('iptables', 'filter', chain)

    def before(self, view, key):
        if key[0] == "iptables":
            return firewall.before(view, key)
        item = self.by_key[key[1]]
        if key[0] == "vxlan":
            return device.before(view, item)
        dev = item["device"]
        return view.memo("peers_before " + dev, lambda: entries.views(
            item, view.fdb.get(dev, set()), entries.permanent(view.neigh.get(dev, {})),
            entries.routes_of(view.host, view.host.link(dev)))).get(key)

    def after(self, view, key):
        if key[0] == "iptables":
            return firewall.after(view, self._firewall(view), key)
        item = self.by_key[key[1]]
        if item["state"] == "absent":
            return None
        if key[0] == "vxlan":
            return device.after(item, self._device(view, item))
        return view.memo("peers_after " + item["device"], lambda: entries.views(item, *self._entries(view, item))).get(key)
