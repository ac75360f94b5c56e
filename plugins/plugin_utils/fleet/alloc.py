# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stable leases and addresses. What a host recorded after its last run is kept while it is still valid; what
is pinned in the inventory is honoured; what is new gets a free slot (a lease starts at a hash of the host
and network name, an address at the lowest free one). So adding, removing or repairing one host or container
never renumbers another. Every host records the fleet's lease and l2 tables, so a host that is not in this
run (--limit, unreachable) keeps its lease in the others' view.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import ipaddress

from ansible_collections.cnet.linux.plugins.module_utils.core import inputs
from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError


def merged(records, table, net, fleet):
    """{key: value} of one network from the hosts' records ({host: records.Record or None}); key is a host (leases)
    or 'host/container' (l2 addresses). A host's own record speaks for its keys; for a host whose record is
    missing (not read, or lost; or rebuilt from the kernel, which knows only what exists there), the first other
    record in host order that has the key."""
    out = {}
    for reader in sorted(records):
        for key, value in (records[reader].table(table, net) if records[reader] else {}).items():
            owner = key.split("/", 1)[0]
            if owner not in fleet:
                continue
            if owner == reader:
                out[key] = value
            elif key not in out and (not records.get(owner) or records[owner].observed):
                out[key] = value
    return out


def leases(net, fleet, pins, records):
    """{host: lease} of an l3 overlay for every host of the fleet."""
    subnet = ipaddress.ip_network(net["subnet"])
    count = 2 ** (net["host_prefix"] - subnet.prefixlen)
    out, taken = {}, {}
    for host in fleet:
        pin = (pins.get(host) or {}).get(net["name"])
        if pin is None:
            continue
        where = "%s: cnet_overlay_leases.%s" % (host, net["name"])
        lease = ipaddress.ip_network(inputs.network(pin, where))
        if not lease.subnet_of(subnet) or lease.prefixlen != net["host_prefix"]:
            raise InputError("%s: %s is not a /%d of %s" % (where, lease, net["host_prefix"], subnet))
        if lease in taken:
            raise InputError("%s: %s is pinned for %s too" % (where, lease, taken[lease]))
        out[host], taken[lease] = lease, host
    recorded = merged(records, "leases", net["name"], fleet)
    pinned = set(out)
    for host in fleet:
        old = recorded.get(host)
        if host in out or not old:
            continue
        lease = ipaddress.ip_network(old)
        if taken.get(lease) in pinned and taken[lease] != host:
            raise InputError("%s: cnet_overlay_leases.%s: %s is the lease %s holds now; its containers would be "
                             "renumbered: pin another lease" % (taken[lease], net["name"], lease, host))
        if taken.get(lease) not in (None, host):
            raise InputError("%s: the records give the lease %s of %s to both %s and %s; one host's record claims "
                             "the other's and nobody is renumbered: correct the record that is wrong (or pin each "
                             "host's lease in cnet_overlay_leases)" % (host, lease, net["name"], taken[lease], host))
        if lease.subnet_of(subnet) and lease.prefixlen == net["host_prefix"] and lease not in taken:
            out[host], taken[lease] = lease, host
    for host in fleet:
        if host in out:
            continue
        if len(taken) >= count:
            raise InputError("cnet_networks (%s): %s has room for %d leases of /%d; there are more hosts" % (
                net["name"], subnet, count, net["host_prefix"]))
        start = int(hashlib.sha256(("%s/%s" % (net["name"], host)).encode()).hexdigest(), 16) % count
        for step in range(count):
            lease = _block(subnet, net["host_prefix"], (start + step) % count)
            if lease not in taken:
                out[host], taken[lease] = lease, host
                break
    return dict((host, str(lease)) for host, lease in out.items())


def _block(subnet, prefix, index):
    size = 2 ** (32 - prefix)
    return ipaddress.ip_network("%s/%d" % (subnet.network_address + index * size, prefix))


class Pool:
    """Addresses of one subnet (or lease) for one scope: the gateway, the edges and the aux addresses are never
    handed out; automatic addresses come from ip_range when it is set (pins may be anywhere in the subnet)."""

    def __init__(self, subnet, gateway, what, ip_range=None, aux=None):
        self.net = ipaddress.ip_network(subnet)
        self.range = ipaddress.ip_network(ip_range) if ip_range else self.net
        self.taken = {}
        self.pinned = set()
        self.kept = set()  # keys holding a recorded address
        self.what = what
        if gateway:
            self.taken[ipaddress.ip_address(gateway)] = "the gateway"
        for name, addr in sorted((aux or {}).items()):
            key = "aux address '%s'" % name
            self.taken[ipaddress.ip_address(addr)] = key
            self.pinned.add(key)
        self.next = max(self.range.network_address, self.net.network_address + 1)

    def usable(self, addr):
        return self.net.network_address < addr < self.net.broadcast_address

    def pin(self, key, ip, where):
        addr = ipaddress.ip_address(ip)
        if not self.usable(addr):
            raise InputError("%s: %s is not a usable address of %s (%s)" % (where, ip, self.net, self.what))
        if addr in self.taken:
            raise InputError("%s: %s is already %s on %s" % (where, ip, self.taken[addr], self.what))
        self.taken[addr] = key
        self.pinned.add(key)

    def keep(self, key, ip, scope):
        """A recorded address, if it is still free and usable. One pinned for another now is refused: that
        would renumber key, a running container, as a side effect."""
        addr = ipaddress.ip_address(ip)
        holder = self.taken.get(addr)
        if holder is not None and holder != key and holder in self.pinned and holder.startswith("aux address"):
            raise InputError("%s: %s is %s now, but '%s' holds it as its automatic address; a running container is "
                             "never renumbered as a side effect: pin '%s' another address first, or drop the aux address"
                             % (scope, ip, holder, key, key))
        if holder is not None and holder != key and holder in self.pinned:
            raise InputError("%s: %s is pinned for '%s' but is the automatic address of '%s', which holds it now; a "
                             "running container is never renumbered as a side effect: pin another address for '%s', "
                             "or move '%s' first with a pin of its own" % (scope, ip, holder, key, holder, key))
        if holder is not None and holder != key and holder in self.kept:
            raise InputError("%s: %s is recorded for both '%s' and '%s' (%s); a record claims what another holds and "
                             "nobody is renumbered: correct the record that is wrong" % (scope, ip, holder, key, self.what))
        if self.usable(addr) and addr not in self.taken:
            self.taken[addr] = key
            self.kept.add(key)
            return True
        return False

    def take(self, key, where):
        while self.next in self.taken:
            self.next += 1
        if not self.usable(self.next) or self.next not in self.range:
            raise InputError("%s: %s has no free address left (%s)" % (
                where, self.range if self.range != self.net else self.net, self.what))
        self.taken[self.next] = key
        return str(self.next)
