# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Deleting conntrack entries of published ports (ctnetlink through pyroute2, in the module's namespace):
an entry for a flow that was DNAT-ed to a container keeps its translation after the rule is gone, so old
flows (UDP above all) would go on reaching the old container."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import socket

from ansible_collections.cnet.linux.plugins.module_utils.core.ops import registry

OPS = {}  # op name -> function(ctx, **args) -> None
op = registry(OPS)
PROTOS = {"tcp": socket.IPPROTO_TCP, "udp": socket.IPPROTO_UDP}


def flush(flows):
    """Delete entries whose original destination port is a flow's host port and whose reply comes from the
    flow's container address. Returns how many were deleted."""
    if not flows:
        return 0
    from pyroute2 import conntrack  # pylint: disable=import-outside-toplevel  # only when a run needs it
    wanted = set((PROTOS[f["proto"]], int(f["host_port"]), f["address"]) for f in flows)
    deleted = 0
    ct = conntrack.Conntrack()
    try:
        for entry in list(ct.dump_entries()):
            orig, reply = entry.tuple_orig, entry.tuple_reply
            if (orig.proto, orig.dport, reply.saddr) in wanted:
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
