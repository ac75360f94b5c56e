# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A run's netlink sockets, one per namespace it touches, opened on first use: one dump of each namespace
(its view, kept for the run), ifindex look-ups, and the requests encode builds, counted as writes.

A socket is opened inside a namespace by switching this thread into it (setns), opening, and switching
back: the socket stays bound to that namespace. No helper processes, no per-object lookups.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import errno
import os

from ansible_collections.cnet.linux.plugins.module_utils.core import marks
from ansible_collections.cnet.linux.plugins.module_utils.core.errors import ToolError
from ansible_collections.cnet.linux.plugins.module_utils.netlink import encode, namespaces, wireguard
from ansible_collections.cnet.linux.plugins.module_utils.netlink.const import NETLINK_GENERIC
from ansible_collections.cnet.linux.plugins.module_utils.netlink.sock import NetlinkError, Socket
from ansible_collections.cnet.linux.plugins.module_utils.netlink.view import NsView

__all__ = ["NetlinkError", "Sockets", "of"]


def of(ctx):
    """The run's sockets (a handle of the engine's context)."""
    return ctx.handle("netlink", lambda: Sockets(ctx))


# the kind of link each mark's run made (a namespace's mark is its loopback's, which has no kind)
MARKED_KINDS = {"veth": "veth", "bridge": "bridge", "vxlan": "vxlan", "macvlan": "macvlan", "wireguard": "wireguard",
                "netns": None}


def _made_as(link, mark):
    """Whether link is of the kind the journaled mark's run made (a foreign link that took the name after a crash
    is never adopted)."""
    parsed = marks.parse(mark)
    return parsed is not None and parsed[0] in MARKED_KINDS and link.get("kind") == MARKED_KINDS[parsed[0]]


class Sockets:
    """Sockets into namespaces, opened once each and cached for the run. ns=None is our own namespace."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.home = os.open(namespaces.SELF, os.O_RDONLY | os.O_CLOEXEC)
        self.binder = namespaces.Binder(self.home)
        self._socks = {}
        self._genl = {}  # ns -> (generic netlink socket, WireGuard's family number)
        self._views = {}
        self._found = {}
        self._written = set()
        self._interrupted = None  # {(ns, link): mark} an interrupted run made and did not mark yet

    def _marks_left(self):
        """What a killed run made and had not marked (Context.journal): a real run marks it now, before its
        first dump, so every resource sees its own links; a check run shows them marked in its views."""
        if self._interrupted is None:
            self._interrupted = {}
            for ns, name, mark in self.ctx.interrupted():
                try:
                    link = self.sock(ns).request(*encode.link_get(name))
                except OSError:
                    continue  # the namespace or the link is gone: nothing to mark
                if link.get("alias") or not _made_as(link, mark):
                    continue  # marked already, or not what the run made (someone made another link of that name)
                if self.ctx.check:
                    self._interrupted[(ns, name)] = mark
                else:
                    self.send(ns, encode.link_set(index=None, name=name, ifalias=mark))
                    self.ctx.warnings.append("marked %s%s, which an interrupted run had made" % (
                        name, " in %s" % ns if ns else ""))
            if not self.ctx.check:
                self.ctx.journal(None)
        return self._interrupted

    def close(self):
        for sock in list(self._socks.values()) + [pair[0] for pair in self._genl.values()]:
            sock.close()
        self._socks, self._genl = {}, {}
        if self.home is not None:
            os.close(self.home)
            self.home = None

    def within(self, ns, factory):
        """factory() called inside namespace ns (None: ours): what it opens stays bound to that namespace."""
        return namespaces.within(ns, factory, self.home)

    def sock(self, ns=None):
        """The namespace's netlink socket (dumps and requests); opened on first use."""
        if ns not in self._socks:
            self._socks[ns] = self.within(ns, Socket)
        return self._socks[ns]

    def wireguard(self, ns=None):
        """(socket, family number) of WireGuard's generic netlink family in namespace ns, opened once; a kernel
        without WireGuard raises ToolError saying so (a missing part of the host, as a missing iptables is)."""
        if ns not in self._genl:
            sock = self.within(ns, lambda: Socket(NETLINK_GENERIC))
            msg_type, _flags, body = wireguard.family_request()
            try:
                family = sock.ask(msg_type, body, wireguard.parse_family)
            except NetlinkError as exc:
                sock.close()
                if exc.code == errno.ENOENT:
                    raise ToolError("this kernel has no WireGuard (CONFIG_WIREGUARD, module wireguard: Linux 5.6 or "
                                    "later); an encrypted overlay needs it")
                raise
            self._genl[ns] = (sock, family)
        return self._genl[ns]

    def forget(self, ns):
        """After a namespace is removed or rebound: drop its socket and view."""
        sock = self._socks.pop(ns, None)
        if sock is not None:
            sock.close()
        self._views.pop(ns, None)
        for key in [key for key in self._found if key[0] == ns]:
            del self._found[key]

    def drop(self, ns, name):
        """A link was removed or made anew: its index in this run's view is no longer right."""
        view = self._views.get(ns)
        if view is not None:
            view.drop(name)
        self._found.pop((ns, name), None)

    def applied(self):
        """A plan was applied: the namespaces it wrote to are read again by the next resource of the run."""
        for ns in self._written:
            self._views.pop(ns, None)
        self._written = set()

    def view(self, ns=None):
        """One dump each of links, addresses and routes of a namespace, cached for the run."""
        if ns not in self._views:
            left = self._marks_left()
            sock = self.sock(ns)
            links = dict((link["name"], link) for link in sock.links())
            for (where, name), mark in left.items():
                if where == ns and name in links and not links[name]["alias"]:
                    links[name]["alias"] = mark
            addrs = {}
            for index, addr in sock.addrs():
                addrs.setdefault(index, set()).add(addr)
            self._views[ns] = NsView(links, addrs, sock.routes())
        return self._views[ns]

    def neighbours(self, ns, family):
        """One dump of the neighbour (const.AF_INET) or forwarding (const.AF_BRIDGE) table; for the resources
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
            index = self._found[(ns, name)] = self.sock(ns).request(*encode.link_get(name))["index"]
        return index

    def changed(self, ns):
        """Namespace ns was changed by this run (its view is read again after the plan)."""
        self._written.add(ns)

    def wrote(self, ns):
        """One request that changes namespace ns: counted as a netlink write."""
        self.ctx.count("netlink_writes")
        self.changed(ns)

    def send(self, ns, message):
        """One request encode built: (type, flags, body)."""
        self.wrote(ns)
        return self.sock(ns).request(*message)
