# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""pyroute2 (0.7.x and 0.9.x), for the few requests the collection does not encode itself: neighbour and
FDB entries (the overlay's). It is imported when a run first needs it; its refusals become the same
NetlinkError the collection's own requests raise, so every caller catches one class."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.cnet.linux.plugins.module_utils.netlink import sockets
from ansible_collections.cnet.linux.plugins.module_utils.netlink.sock import NetlinkError


def of(ctx):
    """The run's pyroute2 sockets (a handle of the engine's context)."""
    return ctx.handle("pyroute2", lambda: Pyroute2(sockets.of(ctx)))


class Pyroute2:
    """pyroute2's IPRoute per namespace, opened on first use; its requests count as netlink writes."""

    def __init__(self, nl):
        self.nl = nl
        self._ipr = {}

    def close(self):
        for ipr in self._ipr.values():
            ipr.close()
        self._ipr = {}

    def request(self, ns, what, command, **kwargs):
        """One request: IPRoute.<what>(command, **kwargs) in namespace ns (None: ours)."""
        if ns not in self._ipr:
            from pyroute2 import IPRoute  # pylint: disable=import-outside-toplevel
            self._ipr[ns] = self.nl.within(ns, IPRoute)
        from pyroute2.netlink.exceptions import NetlinkError as Refused  # pylint: disable=import-outside-toplevel
        self.nl.wrote(ns)
        try:
            return getattr(self._ipr[ns], what)(command, **kwargs)
        except Refused as exc:  # the same errno, our class
            raise NetlinkError(exc.code)
