# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The netlink layer's operations: namespaces, links, addresses and routes. Each takes plain data,
makes one change (one netlink request where it can), and returns the Action that undoes a creation, or None."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import errno
import os

from ansible_collections.cnet.linux.plugins.module_utils.core import marks
from ansible_collections.cnet.linux.plugins.module_utils.core.action import Action
from ansible_collections.cnet.linux.plugins.module_utils.core.ops import registry
from ansible_collections.cnet.linux.plugins.module_utils.netlink import const, encode, namespaces, sockets
from ansible_collections.cnet.linux.plugins.module_utils.netlink.sock import NetlinkError

IPV6_MIN_MTU = 1280  # a device below it gets no IPv6 configuration from the kernel

OPS = {}  # op name -> function(ctx, **args) -> undo Action or None
op = registry(OPS)


def _link_set(nl, ns, name, **attrs):
    """By index when this run knows it, else by name (the kernel looks it up: no extra request)."""
    nl.send(ns, encode.link_set(index=nl.known_index(ns, name), name=name, **attrs))


# namespaces

@op("netns_add")
def netns_add(ctx, name):
    sockets.of(ctx).binder.create(name)
    ident = namespaces.identity(namespaces.path(name))
    ctx.records("netns")[name] = {"kind": "create", "ino": ident[1]}
    ctx.touch("netns")
    return Action(("netns", name), "netns_del", "ip netns delete %s" % name, name=name)


@op("netns_bind")
def netns_bind(ctx, name, kind, source):
    sockets.of(ctx).binder.bind(name, source)
    ident = namespaces.identity(namespaces.path(name))
    ctx.records("netns")[name] = {"kind": kind, "ino": ident[1]}
    ctx.touch("netns")
    return Action(("netns", name), "netns_del", "ip netns delete %s" % name, name=name)


@op("netns_del")
def netns_del(ctx, name):
    nl = sockets.of(ctx)
    nl.forget(name)
    nl.binder.remove(name)
    if ctx.records("netns").pop(name, None) is not None:
        ctx.touch("netns")


# links

@op("link_set")
def link_set(ctx, ns, name, **attrs):
    nl = sockets.of(ctx)
    if "master" in attrs and attrs["master"]:
        attrs["master"] = nl.index(None, attrs["master"])
    _link_set(nl, ns, name, **attrs)


@op("link_del")
def link_del(ctx, ns, name):
    nl = sockets.of(ctx)
    try:
        nl.send(ns, encode.link_del(nl.index(ns, name)))
    except NetlinkError as exc:
        if exc.code != errno.ENODEV:
            raise
    nl.drop(ns, name)


@op("veth_add")
def veth_add(ctx, name, netns, peer, mtu, mac, master):
    nl = sockets.of(ctx)
    nl.drop(None, name)
    nl.drop(netns, peer)
    master_index = nl.index(None, master) if master else None
    fd = os.open(namespaces.path(netns), os.O_RDONLY | os.O_CLOEXEC)
    try:  # down: the plan brings the peer up first, then this end (see resources.veth)
        nl.send(None, encode.veth_add(name, peer, fd, mtu=mtu, mac=mac, master=master_index))
    finally:
        os.close(fd)
    nl.changed(netns)  # the peer is made there
    return Action(("veth", name), "link_del", "ip link del %s" % name, ns=None, name=name)


@op("macvlan_add")
def macvlan_add(ctx, key, name, netns, parent, mode, mtu, mac, addrgenmode=None):
    """A macvlan device on the host's parent, made inside netns (None: the host's own namespace, a shim), down.
    addrgenmode 'none' is set while it is down: it has carrier (its parent's) from the start, so the request that
    brings it up would configure IPv6 before applying a mode given with it."""
    nl = sockets.of(ctx)
    nl.drop(netns, name)
    parent_index = nl.index(None, parent)
    fd = os.open(namespaces.path(netns), os.O_RDONLY | os.O_CLOEXEC) if netns else None
    try:
        nl.send(None, encode.macvlan_add(name, parent_index, mode, fd, mtu=mtu, mac=mac))
    finally:
        if fd is not None:
            os.close(fd)
    nl.changed(netns)
    undo = Action(("macvlan", key), "link_del", "ip %slink del %s" % ("-n %s " % netns if netns else "", name),
                  ns=netns, name=name)
    if addrgenmode:
        try:
            _link_set(nl, netns, name, addrgenmode=addrgenmode)
        except OSError:
            nl.send(netns, encode.link_del(nl.index(netns, name)))  # made, but not as planned: not left behind
            nl.drop(netns, name)
            raise
    return undo


@op("bridge_add")
def bridge_add(ctx, name, stp, mark, mac=None, netfilter=False):
    nl = sockets.of(ctx)
    nl.drop(None, name)
    nl.send(None, encode.bridge_add(name, stp, mac, netfilter))
    undo = Action(("bridge", name), "link_del", "ip link del %s" % name, ns=None, name=name)
    _link_set(nl, None, name, ifalias=mark)
    return undo


@op("bridge_set")
def bridge_set(ctx, name, **attrs):
    nl = sockets.of(ctx)
    try:
        _link_set(nl, None, name, kind="bridge", **attrs)
    except NetlinkError as exc:
        if exc.code == errno.EOPNOTSUPP and "br_vlan_filtering" in attrs:
            exc.hint = "this kernel has no bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING); set vlan_filtering: false"
        raise


@op("vxlan_add")
def vxlan_add(ctx, name, vni, port, local, dev, proxy, mtu, mac, mark):
    """The VXLAN device, learning off (every peer is programmed), down: the plan sets the rest and brings it up."""
    nl = sockets.of(ctx)
    nl.drop(None, name)
    nl.send(None, encode.vxlan_add(name, vni, port, local, nl.index(None, dev), learning=False, proxy=proxy,
                                   mtu=mtu, mac=mac))
    undo = Action(("vxlan", name), "link_del", "ip link del %s" % name, ns=None, name=name)
    try:
        # below IPv6's minimum MTU (1280) the kernel gives a device no IPv6 at all: nothing to turn off, and
        # asking would fail (EAFNOSUPPORT)
        _link_set(nl, None, name, ifalias=mark, addrgenmode="none" if mtu is None or mtu >= IPV6_MIN_MTU else None)
    except OSError:
        nl.send(None, encode.link_del(nl.index(None, name)))  # made, but not as planned: not left behind
        nl.drop(None, name)
        raise
    return undo


# addresses and routes

@op("addr_add")
def addr_add(ctx, ns, dev, address):
    nl = sockets.of(ctx)
    ip, plen = address.split("/")
    nl.send(ns, encode.addr("add", nl.index(ns, dev), ip, int(plen), const.IFA_F_NODAD if ":" in ip else 0))


@op("addr_del")
def addr_del(ctx, ns, dev, address):
    nl = sockets.of(ctx)
    ip, plen = address.split("/")
    nl.send(ns, encode.addr("del", nl.index(ns, dev), ip, int(plen)))


def _route(command, dev_index, dst, gateway, proto=marks.PROTO, onlink=False):
    net, plen = dst.split("/")
    return encode.route(command, net, int(plen), dev_index, proto, const.MAIN_TABLE, gateway,
                        const.RTNH_F_ONLINK if onlink else 0)


@op("route_add")
def route_add(ctx, ns, dev, dst, gateway, onlink=False):
    nl = sockets.of(ctx)
    nl.send(ns, _route("replace", nl.index(ns, dev), dst, gateway, onlink=onlink))


@op("route_del")
def route_del(ctx, ns, dev, dst, gateway, proto):
    nl = sockets.of(ctx)
    try:
        nl.send(ns, _route("del", nl.index(ns, dev), dst, gateway, proto))
    except NetlinkError as exc:
        if exc.code != errno.ESRCH:
            raise
