# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The overlays' part of the VXLAN port filter (xtables.vxlan_filter has the rules): each overlay's peers
let in, the other overlays' chains on this host kept as they are, one iptables-restore for every overlay of
the call, planned first (a new peer is let in before its entries exist)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.cnet.linux.plugins.module_utils.xtables import scope, vxlan_filter
from ansible_collections.cnet.linux.plugins.module_utils.xtables.vxlan_filter import SCOPE


def filtering(item):
    """Whether this overlay wants a filter of its own."""
    return item["state"] == "present" and item["firewall"]


def desired(view, items):
    """(want, jumps) of the port filter after this run, for every overlay of the call (each one's chain as it
    wants it, the other overlays' on this host kept), or None when iptables was not observed (view.xt)."""
    if view.xt is None:
        return None

    def port_of(device):
        link = view.host.link(device)
        return (link.get("vxlan") or {}).get("port") if link else None
    table, want = view.xt, None
    for item in items:  # each overlay's chain on the table the previous ones leave
        peers, interface = None, None
        if filtering(item):
            local, dev = view.underlay[item["device"]][:2]
            peers = [p["address"] for p in item["peers"] if p["address"] != local]
            interface = dev if item.get("encrypted") else None  # a tunnel's peers come in through it only
        want = vxlan_filter.desired(table, item["device"], item["port"], peers, port_of, interface)
        table = want[0]["filter"]
    return want


def plan(view, backend, want):
    """The filter's restore (none when nothing changes or iptables was not observed)."""
    if want is None:
        return []
    restore = scope.restore_action(SCOPE, backend, {"filter": view.xt}, *want)
    return [restore] if restore else []


def before(view, key):
    """One chain's rules (key: ('iptables', 'filter', chain)) as observed."""
    return view.xt.get(key[2])


def after(view, want, key):
    """One chain's rules as the run leaves them (the table computed once per run: asked chain by chain)."""
    chains, jumps = want
    return view.memo("filter after", lambda: SCOPE.after_table("filter", view.xt, chains["filter"], jumps)).get(key[2])
