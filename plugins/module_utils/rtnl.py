# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Netlink through pyroute2 (0.7.x and 0.9.x): one socket per namespace per run, one dump per namespace,
parsed into plain dicts; and the few writes the engine's actions need.

A socket is opened inside a namespace by switching this thread into it (setns), opening, and switching
back: the socket stays bound to that namespace. No helper processes, no per-object lookups.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress
import os

from ansible_collections.cnet.linux.plugins.module_utils import nsfs

try:
    from pyroute2 import IPRoute
    from pyroute2.netlink.exceptions import NetlinkError
    HAS_PYROUTE2 = True
    IMPORT_ERROR = None
except ImportError as exc:  # reported by the caller with the fix
    IPRoute = None
    NetlinkError = OSError
    HAS_PYROUTE2 = False
    IMPORT_ERROR = str(exc)

IFF_UP = 1
MAIN_TABLE = 254
RTPROT_KERNEL = 2
AF_INET = 2
AF_INET6 = 10
IFA_F_NODAD = 0x02
LINK_LOCAL6 = ipaddress.ip_network("fe80::/10")
ERRORS = (OSError, NetlinkError)  # what a netlink or namespace operation raises


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


def _info(msg):
    linkinfo = msg.get_attr("IFLA_LINKINFO")
    if not linkinfo:
        return None, None
    return linkinfo.get_attr("IFLA_INFO_KIND"), linkinfo.get_attr("IFLA_INFO_DATA")


def parse_link(msg):
    kind, data = _info(msg)
    link = {
        "index": msg["index"],
        "name": msg.get_attr("IFLA_IFNAME"),
        "kind": kind,
        "up": bool(msg["flags"] & IFF_UP),
        "mtu": msg.get_attr("IFLA_MTU"),
        "mac": (msg.get_attr("IFLA_ADDRESS") or "").lower() or None,
        "alias": msg.get_attr("IFLA_IFALIAS"),
        "master": msg.get_attr("IFLA_MASTER"),
        "peer_index": msg.get_attr("IFLA_LINK"),
        "peer_netnsid": msg.get_attr("IFLA_LINK_NETNSID"),
    }
    if kind == "bridge" and data is not None:
        link["stp"] = bool(data.get_attr("IFLA_BR_STP_STATE"))
        link["vlan_filtering"] = bool(data.get_attr("IFLA_BR_VLAN_FILTERING"))
    return link


def parse_addr(msg):
    text = msg.get_attr("IFA_ADDRESS") if msg["family"] == AF_INET6 else (
        msg.get_attr("IFA_LOCAL") or msg.get_attr("IFA_ADDRESS"))
    iface = ipaddress.ip_interface("%s/%d" % (text, msg["prefixlen"]))
    if iface.version == 6 and iface.ip in LINK_LOCAL6:
        return None  # the kernel's own link-local address: not managed
    return msg["index"], iface.with_prefixlen


def parse_route(msg):
    if msg.get_attr("RTA_TABLE") not in (None, MAIN_TABLE) or msg["family"] not in (AF_INET, AF_INET6):
        return None
    dst = msg.get_attr("RTA_DST")
    zero = "0.0.0.0" if msg["family"] == AF_INET else "::"
    gateway = msg.get_attr("RTA_GATEWAY")
    return {
        "dst": ipaddress.ip_network("%s/%d" % (dst or zero, msg["dst_len"])).with_prefixlen,
        "gateway": str(ipaddress.ip_address(gateway)) if gateway else None,
        "oif": msg.get_attr("RTA_OIF"),
        "proto": msg["proto"],
        "family": msg["family"],
    }


class Netlink:
    """Sockets into namespaces, opened once each and cached for the run. ns=None is our own namespace."""

    def __init__(self):
        if not HAS_PYROUTE2:
            raise RuntimeError("pyroute2 is not installed for this Python (%s); install python3-pyroute2 "
                               "(Debian/Ubuntu) or 'pip install pyroute2'" % IMPORT_ERROR)
        self.home = os.open(nsfs.SELF, os.O_RDONLY | os.O_CLOEXEC)
        self._socks = {}
        self._views = {}
        self._found = {}
        self.writes = 0

    def close(self):
        for sock in self._socks.values():
            sock.close()
        self._socks = {}
        if self.home is not None:
            os.close(self.home)
            self.home = None

    def sock(self, ns=None):
        if ns not in self._socks:
            if ns is None:
                self._socks[ns] = IPRoute()
            else:
                fd = os.open(nsfs.path(ns), os.O_RDONLY | os.O_CLOEXEC)
                try:
                    nsfs.setns(fd)
                    try:
                        self._socks[ns] = IPRoute()
                    finally:
                        nsfs.setns(self.home)
                finally:
                    os.close(fd)
        return self._socks[ns]

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
        if view is not None and name in view.links:
            view.by_index.pop(view.links.pop(name)["index"], None)
        self._found.pop((ns, name), None)

    def view(self, ns=None):
        """One dump of links, addresses and routes of a namespace, cached for the run."""
        if ns not in self._views:
            sock = self.sock(ns)
            links = {}
            for msg in sock.get_links():
                link = parse_link(msg)
                links[link["name"]] = link
            addrs = {}
            for msg in sock.get_addr():
                parsed = parse_addr(msg)
                if parsed:
                    addrs.setdefault(parsed[0], set()).add(parsed[1])
            routes = [r for r in (parse_route(msg) for msg in sock.get_routes()) if r]
            self._views[ns] = NsView(links, addrs, routes)
        return self._views[ns]

    def index(self, ns, name):
        """ifindex of a link by name: from this run's view, or one RTM_GETLINK by name (no dump)."""
        view = self._views.get(ns)
        link = view.link(name) if view else None
        if link:
            return link["index"]
        if (ns, name) not in self._found:
            msgs = list(self.sock(ns).link("get", ifname=name))
            self._found[(ns, name)] = msgs[0]["index"]
        return self._found[(ns, name)]

    # writes: each counts one netlink request
    def request(self, ns, what, command, **kwargs):
        self.writes += 1
        return getattr(self.sock(ns), what)(command, **kwargs)
