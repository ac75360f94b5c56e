# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A VXLAN overlay on one host: the device (device.py) and, per remote peer, its forwarding (FDB),
neighbour and route entries (entries.py) - everything programmed, nothing learned, so no first pass and no
miss handler is needed - and the VXLAN port filter (firewall.py), in one plan.

Each host's VTEP MAC is derived from its underlay address, so every host computes every peer's MAC. The
device is ours (mark in its alias), so every permanent entry on it is ours: the peer set is authoritative.
By default only the listed peers may send to the VXLAN port.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

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
    KEY = "device"
    OPS = merged(netlink_ops.OPS, entry_ops.OPS, xtables_ops.OPS)  # the device; its entries; the port filter
    PYROUTE2 = True  # the neighbour and FDB entries
    GROUP = False  # one overlay per call

    @classmethod
    def single(cls, params, state):
        return [inputs.normalize(params)]

    def validate(self):
        inputs.check(self.item)

    @property
    def item(self):
        return self.items[0]

    # observe: the host's links/addresses/routes, its ARP table and forwarding databases (one dump each), read
    # while iptables-save reads the filter table (the VXLAN port filter's)

    def observe(self, ctx):
        nl = sockets.of(ctx)
        read = {}

        def links():
            read.update(self._links(nl))
        try:
            saved = saverestore.save(self.item["backend"], meanwhile=links, table="filter")
        except saverestore.XtablesError:
            if firewall.filtering(self.item):
                raise
            saved = None  # no iptables here and no filter wanted: nothing to do about one
        if not read:
            links()
        return self.make_view(xt=saved.get("filter", {}) if saved is not None else None, check=ctx.check, **read)

    def _links(self, nl):
        host = nl.view(None)
        link = host.link(self.item["device"])
        fdb, neigh = set(), {}
        if link is not None and self.item["state"] == "present":
            for entry in nl.neighbours(None, const.AF_BRIDGE):
                if entry["index"] == link["index"] and entry["flags"] & const.NTF_SELF and entry["dst"]:
                    fdb.add((entry["mac"], entry["dst"]))
            for entry in nl.neighbours(None, const.AF_INET):
                if entry["index"] == link["index"] and entry["dst"]:
                    neigh[entry["dst"]] = (entry["mac"], entry["state"])
        return {"host": host, "fdb": fdb, "neigh": neigh}

    def make_view(self, host, fdb, neigh, xt, check=False):
        """The view of what observe read (tests give it by hand): host's NsView, the device's FDB entries
        {(mac, dst)} and neighbours {ip: (mac, state)}, the filter table (None: not read); the underlay is
        found from host."""
        return View(check, host=host, fdb=set(fdb), neigh=dict(neigh), xt=xt, underlay=device.underlay(self.item, host))

    # desired, once per run (plan and diff views share it)

    def _firewall(self, view):
        return view.memo("firewall", lambda: firewall.desired(view, self.item))

    def _device(self, view):
        return view.memo("device", lambda: device.desired(self.item, view.underlay))

    def _entries(self, view):
        return view.memo("entries", lambda: entries.desired(self.item, view.underlay[0]))

    # plan

    def plan(self, view):
        item = self.item
        out = firewall.plan(view, item, self._firewall(view))  # first: a new peer is let in before its entries exist
        if item["state"] == "absent":
            return out + remove_link(view, "vxlan", item["device"])
        want = self._entries(view)
        actions, link = device.plan(view, item, self._device(view))
        # a new (or recreated) device starts with no entries, whatever the old one had
        have_fdb, have_neigh = (view.fdb, view.neigh) if link is not None else (set(), {})
        return out + actions + entries.plan(item, want, entries.routes_of(view.host, link), have_fdb, have_neigh)

    # diff views

    def before(self, view, key):
        if key[0] == "iptables":
            return firewall.before(view, key)
        if key[0] == "vxlan":
            return device.before(view, self.item)
        return view.memo("peers_before", lambda: entries.views(
            self.item, view.fdb, entries.permanent(view.neigh),
            entries.routes_of(view.host, view.host.link(self.item["device"])))).get(key)

    def after(self, view, key):
        if key[0] == "iptables":
            return firewall.after(view, self._firewall(view), key)
        if self.item["state"] == "absent":
            return None
        if key[0] == "vxlan":
            return device.after(self.item, self._device(view))
        return view.memo("peers_after", lambda: entries.views(self.item, *self._entries(view))).get(key)
