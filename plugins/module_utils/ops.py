# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The operations plans are made of. Each takes plain data, makes one change (one netlink request where it
can), and returns the Action that undoes a creation, or None."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import errno
import os

from ansible_collections.cnet.linux.plugins.module_utils import conntrack, marks, nlconst, nlmsg, nsfs, rtnl, xtables
from ansible_collections.cnet.linux.plugins.module_utils.actions import Action


OPS = {}  # op name -> function(ctx, **args) -> undo Action or None


def op(name):
    def register(fn):
        OPS[name] = fn
        return fn
    return register


def _link_set(ctx, ns, name, **attrs):
    """By index when this run knows it, else by name (the kernel looks it up: no extra request)."""
    ctx.nl.send(ns, nlmsg.link_set(index=ctx.nl.known_index(ns, name), name=name, **attrs))


# namespaces

@op("netns_add")
def netns_add(ctx, name):
    ctx.binder.create(name)
    ident = nsfs.identity(nsfs.path(name))
    ctx.records("netns")[name] = {"kind": "create", "ino": ident[1]}
    ctx.touch("netns")
    return Action("netns " + name, "netns_del", "ip netns delete %s" % name, name=name)


@op("netns_bind")
def netns_bind(ctx, name, kind, source):
    ctx.binder.bind(name, source)
    ident = nsfs.identity(nsfs.path(name))
    ctx.records("netns")[name] = {"kind": kind, "ino": ident[1]}
    ctx.touch("netns")
    return Action("netns " + name, "netns_del", "ip netns delete %s" % name, name=name)


@op("netns_del")
def netns_del(ctx, name):
    ctx.nl.forget(name)
    ctx.binder.remove(name)
    if ctx.records("netns").pop(name, None) is not None:
        ctx.touch("netns")


# links

@op("link_set")
def link_set(ctx, ns, name, **attrs):
    if "master" in attrs and attrs["master"]:
        attrs["master"] = ctx.nl.index(None, attrs["master"])
    _link_set(ctx, ns, name, **attrs)


@op("link_del")
def link_del(ctx, ns, name):
    try:
        ctx.nl.send(ns, nlmsg.link_del(ctx.nl.index(ns, name)))
    except rtnl.NetlinkError as exc:
        if exc.code != errno.ENODEV:
            raise
    ctx.nl.drop(ns, name)


@op("veth_add")
def veth_add(ctx, name, netns, peer, mtu, mac, master):
    ctx.nl.drop(None, name)
    ctx.nl.drop(netns, peer)
    master_index = ctx.nl.index(None, master) if master else None
    fd = os.open(nsfs.path(netns), os.O_RDONLY | os.O_CLOEXEC)
    try:  # down: the plan brings the peer up first, then this end (see veth_res)
        ctx.nl.send(None, nlmsg.veth_add(name, peer, fd, mtu=mtu, mac=mac, master=master_index))
    finally:
        os.close(fd)
    return Action("veth " + name, "link_del", "ip link del %s" % name, ns=None, name=name)


@op("bridge_add")
def bridge_add(ctx, name, mtu, stp, mark):
    ctx.nl.drop(None, name)
    ctx.nl.send(None, nlmsg.bridge_add(name, stp, mtu))
    undo = Action("bridge " + name, "link_del", "ip link del %s" % name, ns=None, name=name)
    _link_set(ctx, None, name, ifalias=mark)
    return undo


@op("bridge_set")
def bridge_set(ctx, name, **attrs):
    try:
        _link_set(ctx, None, name, kind="bridge", **attrs)
    except rtnl.NetlinkError as exc:
        if exc.code == errno.EOPNOTSUPP and "br_vlan_filtering" in attrs:
            exc.hint = "this kernel has no bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING); set vlan_filtering: false"
        raise


@op("vxlan_add")
def vxlan_add(ctx, name, vni, port, local, dev, proxy, mtu, mac, mark):
    """The VXLAN device, learning off (every peer is programmed), down: the plan sets the rest and brings it up."""
    ctx.nl.drop(None, name)
    ctx.nl.send(None, nlmsg.vxlan_add(name, vni, port, local, ctx.nl.index(None, dev), learning=False, proxy=proxy,
                                      mtu=mtu, mac=mac))
    undo = Action("vxlan " + name, "link_del", "ip link del %s" % name, ns=None, name=name)
    _link_set(ctx, None, name, ifalias=mark, addrgenmode="none")
    return undo


@op("sysctl_set")
def sysctl_set(ctx, ns, key, value):
    """Write /proc/sys/<key> as seen from namespace ns (opened there, so it is that namespace's setting)."""
    path = "/proc/sys/" + "/".join(key)
    fd = ctx.nl.within(ns, lambda: os.open(path, os.O_WRONLY | os.O_CLOEXEC))
    try:
        os.write(fd, str(value).encode())
    finally:
        os.close(fd)


# addresses and routes

@op("addr_add")
def addr_add(ctx, ns, dev, address):
    ip, plen = address.split("/")
    ctx.nl.send(ns, nlmsg.addr("add", ctx.nl.index(ns, dev), ip, int(plen), nlconst.IFA_F_NODAD if ":" in ip else 0))


@op("addr_del")
def addr_del(ctx, ns, dev, address):
    ip, plen = address.split("/")
    ctx.nl.send(ns, nlmsg.addr("del", ctx.nl.index(ns, dev), ip, int(plen)))


def _route(command, dev_index, dst, gateway, proto=marks.PROTO, onlink=False):
    net, plen = dst.split("/")
    return nlmsg.route(command, net, int(plen), dev_index, proto, nlconst.MAIN_TABLE, gateway,
                       nlconst.RTNH_F_ONLINK if onlink else 0)


@op("route_add")
def route_add(ctx, ns, dev, dst, gateway, onlink=False):
    ctx.nl.send(ns, _route("replace", ctx.nl.index(ns, dev), dst, gateway, onlink=onlink))


# neighbour and forwarding-database entries (permanent; VXLAN entries are the device's own: NTF_SELF)

@op("neigh_set")
def neigh_set(ctx, dev, address, mac):
    ctx.nl.request(None, "neigh", "replace", ifindex=ctx.nl.index(None, dev), dst=address, lladdr=mac,
                   state=nlconst.NUD_PERMANENT)


@op("neigh_del")
def neigh_del(ctx, dev, address, mac):
    try:
        ctx.nl.request(None, "neigh", "del", ifindex=ctx.nl.index(None, dev), dst=address, lladdr=mac)
    except rtnl.NetlinkError as exc:
        if exc.code != errno.ENOENT:
            raise


@op("fdb_set")
def fdb_set(ctx, dev, mac, dst, append):
    """'bridge fdb replace|append MAC dev DEV dst DST self permanent' (append: the all-zero flood entries, one per peer)."""
    ctx.nl.request(None, "fdb", "append" if append else "replace", ifindex=ctx.nl.index(None, dev), lladdr=mac,
                   dst=dst, flags=nlconst.NTF_SELF, state=nlconst.NUD_PERMANENT)


@op("fdb_del")
def fdb_del(ctx, dev, mac, dst):
    try:
        ctx.nl.request(None, "fdb", "del", ifindex=ctx.nl.index(None, dev), lladdr=mac, dst=dst,
                       flags=nlconst.NTF_SELF, state=nlconst.NUD_PERMANENT)
    except rtnl.NetlinkError as exc:
        if exc.code != errno.ENOENT:
            raise


@op("route_del")
def route_del(ctx, ns, dev, dst, gateway, proto):
    try:
        ctx.nl.send(ns, _route("del", ctx.nl.index(ns, dev), dst, gateway, proto))
    except rtnl.NetlinkError as exc:
        if exc.code != errno.ESRCH:
            raise


# iptables

@op("xt_restore")
def xt_restore(ctx, backend, tables, undo, expect, scope):
    """One iptables-restore --noflush for the changed tables (a transaction each). If it fails, the tables it
    had committed (their owned part is what the plan expected) are put back before the error is reported.
    The undo is the reverse transaction of every table."""
    ctx.extra["restore_calls"] = ctx.extra.get("restore_calls", 0) + 1
    try:
        xtables.restore(backend, tables)
    except xtables.XtablesError as exc:
        saved = xtables.save(backend)
        done = dict((table, undo[table]) for table in tables
                    if table in expect and scope.owned(table, saved.get(table, {})) == expect[table])
        if done:
            xtables.restore(backend, done)
            raise xtables.XtablesError("%s; table %s, committed before it, put back as it was" % (exc, ", ".join(done)))
        raise
    if not undo:
        return None
    return Action("iptables", "xt_restore", "iptables-restore --noflush (tables %s, the rules before)" % ", ".join(undo),
                  backend=backend, tables=undo, undo={}, expect={}, scope=scope)


@op("conntrack_flush")
def conntrack_flush(ctx, flows):
    """Forget the tracked connections of published ports that went away or changed, so old flows end."""
    conntrack.flush(flows)
