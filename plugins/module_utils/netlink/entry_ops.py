# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The netlink layer's operations on neighbour and forwarding-database entries (the overlay's), written
through pyroute2. Permanent entries; VXLAN entries are the device's own (NTF_SELF)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import errno

from ansible_collections.cnet.linux.plugins.module_utils.core.ops import registry
from ansible_collections.cnet.linux.plugins.module_utils.netlink import const, pyroute2_adapter, sockets
from ansible_collections.cnet.linux.plugins.module_utils.netlink.sock import NetlinkError

OPS = {}  # op name -> function(ctx, **args) -> None
op = registry(OPS)


def _request(ctx, what, command, dev, **kwargs):
    """One pyroute2 request on device dev of our namespace."""
    return pyroute2_adapter.of(ctx).request(None, what, command, ifindex=sockets.of(ctx).index(None, dev), **kwargs)


def _absent_ok(fn, *args, **kwargs):
    """A deletion of an entry that is gone already is done."""
    try:
        fn(*args, **kwargs)
    except NetlinkError as exc:
        if exc.code != errno.ENOENT:
            raise


@op("neigh_set")
def neigh_set(ctx, dev, address, mac):
    _request(ctx, "neigh", "replace", dev, dst=address, lladdr=mac, state=const.NUD_PERMANENT)


@op("neigh_del")
def neigh_del(ctx, dev, address, mac):
    _absent_ok(_request, ctx, "neigh", "del", dev, dst=address, lladdr=mac)


@op("fdb_set")
def fdb_set(ctx, dev, mac, dst, append):
    """'bridge fdb replace|append MAC dev DEV dst DST self permanent' (append: the all-zero flood entries, one per peer)."""
    _request(ctx, "fdb", "append" if append else "replace", dev, lladdr=mac, dst=dst, flags=const.NTF_SELF,
             state=const.NUD_PERMANENT)


@op("fdb_del")
def fdb_del(ctx, dev, mac, dst):
    _absent_ok(_request, ctx, "fdb", "del", dev, lladdr=mac, dst=dst, flags=const.NTF_SELF, state=const.NUD_PERMANENT)
