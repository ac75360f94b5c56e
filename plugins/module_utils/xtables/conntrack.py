# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Deleting conntrack entries of published ports (ctnetlink through pyroute2, in the module's namespace):
an entry for a flow that was DNAT-ed to a container keeps its translation after the rule is gone, so old
flows (UDP above all) would go on reaching the old container."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress
import socket

from ansible_collections.cnet.linux.plugins.module_utils.core.ops import registry

OPS = {}  # op name -> function(ctx, **args) -> None
op = registry(OPS)
PROTOS = {"tcp": socket.IPPROTO_TCP, "udp": socket.IPPROTO_UDP}


def _kept(keep, source):
    """Whether a flow from source stays: its published port still allows it (keep: the networks it allows)."""
    if keep is None or not source:
        return False
    addr = ipaddress.ip_address(source)
    return any(addr in ipaddress.ip_network(cidr) for cidr in keep)


def flush(flows):
    """Delete entries whose original destination port is a flow's host port and whose reply comes from the
    flow's container address - with 'keep' (a narrowed allow list) only those from sources it no longer
    allows. Returns how many were deleted."""
    if not flows:
        return 0
    from pyroute2 import conntrack  # pylint: disable=import-outside-toplevel  # only when a run needs it
    wanted = dict(((PROTOS[f["proto"]], int(f["host_port"]), f["address"]), f.get("keep")) for f in flows)
    deleted = 0
    ct = conntrack.Conntrack()
    try:
        for entry in list(ct.dump_entries()):
            orig, reply = entry.tuple_orig, entry.tuple_reply
            key = (orig.proto, orig.dport, reply.saddr)
            if key in wanted and not _kept(wanted[key], orig.saddr):
                try:
                    ct.entry("del", tuple_orig=orig)
                    deleted += 1
                except Exception:  # pylint: disable=broad-except  # gone already (it timed out meanwhile)
                    pass
    finally:
        ct.close()
    return deleted


@op("conntrack_flush")
def conntrack_flush(ctx, flows):
    """Forget the tracked connections of published ports that went away or changed, so old flows end."""
    flush(flows)
