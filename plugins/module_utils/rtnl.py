# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Netlink per namespace: one dump of each namespace a run touches and the engine's writes (nldump's socket,
nlmsg's requests), on sockets opened on first use; neighbour and FDB entries through pyroute2 (0.7.x and
0.9.x), imported when a run first needs it.

A socket is opened inside a namespace by switching this thread into it (setns), opening, and switching
back: the socket stays bound to that namespace. No helper processes, no per-object lookups.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import importlib.util
import os

from ansible_collections.cnet.linux.plugins.module_utils import nldump, nlmsg, nsfs

HAS_PYROUTE2 = importlib.util.find_spec("pyroute2") is not None  # without importing it (~0.1 s)
IMPORT_ERROR = None if HAS_PYROUTE2 else "No module named 'pyroute2'"
NetlinkError = nldump.NetlinkError  # what a refused netlink request raises (pyroute2's are turned into it)


class NsView:
    """What one namespace holds: links by name, addresses by ifindex, main-table routes."""

    def __init__(self, links, addrs, routes):
        self.links = links
        self.by_index = dict((link["index"], link) for link in links.values())
        self.addrs = addrs
        self.routes = routes

    def link(self, name):
        return self.links.get(name)

    def name_of(self, index):
        link = self.by_index.get(index)
        return link["name"] if link else None


class Netlink:
    """Sockets into namespaces, opened once each and cached for the run. ns=None is our own namespace."""

    def __init__(self):
        self.home = os.open(nsfs.SELF, os.O_RDONLY | os.O_CLOEXEC)
        self._pyroute2 = {}
        self._socks = {}
        self._views = {}
        self._found = {}
        self.writes = 0

    def close(self):
        for sock in list(self._socks.values()) + list(self._pyroute2.values()):
            sock.close()
        self._socks, self._pyroute2 = {}, {}
        if self.home is not None:
            os.close(self.home)
            self.home = None

    def within(self, ns, factory):
        """factory() called inside namespace ns (None: ours); a socket or /proc/sys file it opens stays bound
        to that namespace after the thread switches back."""
        if ns is None:
            return factory()
        fd = os.open(nsfs.path(ns), os.O_RDONLY | os.O_CLOEXEC)
        try:
            nsfs.setns(fd)
            try:
                return factory()
            finally:
                nsfs.setns(self.home)
        finally:
            os.close(fd)

    def sock(self, ns=None):
        """The namespace's netlink socket (nldump.Socket: dumps and requests); opened on first use."""
        if ns not in self._socks:
            self._socks[ns] = self.within(ns, nldump.Socket)
        return self._socks[ns]

    def pyroute2(self, ns=None):
        """pyroute2's IPRoute in namespace ns; opened on first use."""
        if ns not in self._pyroute2:
            from pyroute2 import IPRoute  # pylint: disable=import-outside-toplevel
            self._pyroute2[ns] = self.within(ns, IPRoute)
        return self._pyroute2[ns]

    def forget(self, ns):
        """After a namespace is removed or rebound: drop its socket and view."""
        for cache in (self._socks, self._pyroute2):
            sock = cache.pop(ns, None)
            if sock is not None:
                sock.close()
        self._views.pop(ns, None)
        for key in [key for key in self._found if key[0] == ns]:
            del self._found[key]

    def drop(self, ns, name):
        """A link was removed or made anew: its index in this run's view is no longer right."""
        view = self._views.get(ns)
        if view is not None and name in view.links:
            view.by_index.pop(view.links.pop(name)["index"], None)
        self._found.pop((ns, name), None)

    def view(self, ns=None):
        """One dump each of links, addresses and routes of a namespace, cached for the run."""
        if ns not in self._views:
            sock = self.sock(ns)
            links = dict((link["name"], link) for link in sock.links())
            addrs = {}
            for index, addr in sock.addrs():
                addrs.setdefault(index, set()).add(addr)
            self._views[ns] = NsView(links, addrs, sock.routes())
        return self._views[ns]

    def neighbours(self, ns, family):
        """One dump of the neighbour (nlconst.AF_INET) or forwarding (nlconst.AF_BRIDGE) table; for the resources
        that manage entries (not part of every view)."""
        return self.sock(ns).neighbours(family)

    def known_index(self, ns, name):
        view = self._views.get(ns)
        link = view.link(name) if view else None
        return link["index"] if link else self._found.get((ns, name))

    def index(self, ns, name):
        """ifindex of a link by name: from this run's view, or one RTM_GETLINK by name (no dump)."""
        index = self.known_index(ns, name)
        if index is None:
            index = self._found[(ns, name)] = self.sock(ns).request(*nlmsg.link_get(name))["index"]
        return index

    # writes: each counts one netlink request
    def send(self, ns, message):
        """One request nlmsg built: (type, flags, body)."""
        self.writes += 1
        return self.sock(ns).request(*message)

    def request(self, ns, what, command, **kwargs):
        """One request through pyroute2: IPRoute.<what>(command, **kwargs)."""
        sock = self.pyroute2(ns)
        from pyroute2.netlink.exceptions import NetlinkError as Refused  # pylint: disable=import-outside-toplevel
        self.writes += 1
        try:
            return getattr(sock, what)(command, **kwargs)
        except Refused as exc:  # the same errno, our class
            raise NetlinkError(exc.code)
