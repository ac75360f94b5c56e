# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The hosts' underlay as the overlays need it: each host's own address, the MTU every overlay is sized from, and
host-gw's one L2 segment."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress

from ansible_collections.cnet.linux.plugins.module_utils.core import inputs, overhead
from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError
from ansible_collections.cnet.linux.plugins.plugin_utils.fleet import alloc

UNDERLAY_MTU = 1500  # assumed for a host whose underlay MTU is not known (no facts, no record)


def addresses(hosts, fleet):
    """{host: underlay address} of every fleet host, each its own (two hosts on one would swap traffic: each
    host's peers are programmed by underlay address)."""
    out, holders = {}, {}
    for h in fleet:
        addr = hosts[h].get("underlay")
        if not addr:
            raise InputError("%s: no underlay address; set cnet_underlay_address (or gather facts so the default "
                             "IPv4 address is known)" % h)
        out[h] = inputs.ip(addr, "%s: cnet_underlay_address" % h, 4)
    for h in out:
        if out[h] in holders:
            raise InputError("%s: cnet_underlay_address %s is also %s's; every host's underlay address is its own "
                             "(set cnet_underlay_address where facts picked the wrong one)"
                             % (h, out[h], holders[out[h]]))
        holders[out[h]] = h
    return out


def mtus(hosts, fleet, records):
    """{host: underlay MTU} where known: from the host's facts (or cnet_underlay_mtu), else as recorded (a host
    not in this run keeps its value in the others' view, like its lease)."""
    recorded = alloc.merged(records, "underlay_mtu", "underlay", fleet)
    out = {}
    for h in fleet:
        raw = hosts[h].get("underlay_mtu")
        raw = recorded.get(h) if raw is None else raw
        if raw is not None:
            out[h] = inputs.mtu(raw, "%s: cnet_underlay_mtu" % h)
            if out[h] - overhead.VXLAN < 576:
                raise InputError("%s: cnet_underlay_mtu: %d leaves an overlay %d bytes; an underlay needs at least %d"
                                 % (h, out[h], out[h] - overhead.VXLAN, 576 + overhead.VXLAN))
    return out


def size_links(nets, underlay_mtu):
    """Set each network's link_mtu (and an encrypted overlay's wg_mtu): its own mtu, else an overlay's from the
    smallest underlay MTU less VXLAN's 50 bytes (host-gw: no encapsulation, the whole MTU; encrypted: WireGuard's
    60 less too), a bridge network's 1500, a macvlan network's its parent's (None)."""
    overlay_mtu = min(list(underlay_mtu.values()) or [UNDERLAY_MTU]) - overhead.VXLAN
    for n in nets.values():
        full = overlay_mtu + overhead.VXLAN if n.get("mode") == "host-gw" else overlay_mtu
        if n.get("encrypted"):
            full, n["wg_mtu"] = overlay_mtu - overhead.WIREGUARD, overlay_mtu + overhead.VXLAN - overhead.WIREGUARD
        n["link_mtu"] = n["mtu"] or (full if n["driver"] == "overlay" else None if n["driver"] == "macvlan" else 1500)


def check_on_link(host_gw, hosts, underlay):
    """host-gw routes each lease via its host's underlay address: every host must be on-link from every other
    (checked where a host's underlay prefix is known; the module checks again on each host)."""
    if not host_gw:
        return
    subnets = {}
    for h, addr in sorted(underlay.items()):
        prefix = hosts[h].get("underlay_prefix")
        if prefix is not None:
            subnets.setdefault(str(ipaddress.ip_interface("%s/%s" % (addr, prefix)).network), h)
    for subnet, h in sorted(subnets.items()):
        for other, addr in sorted(underlay.items()):
            if ipaddress.ip_address(addr) not in ipaddress.ip_network(subnet):
                raise InputError("cnet_networks (%s): mode host-gw routes each lease via its host's underlay address, "
                                 "which needs one L2 underlay: %s (%s) is not on-link from %s (%s); use mode l3 "
                                 "(VXLAN) across routers" % (host_gw[0]["name"], other, addr, h, subnet))


def check_wireguard(hosts, fleet, encrypted):
    """Every host of a fleet with an encrypted overlay has WireGuard (a host whose kernel is known not to fails)."""
    for h in (fleet if encrypted else ()):
        if hosts[h].get("wireguard") is False:
            raise InputError("%s: the encrypted overlay %s needs WireGuard, which this host's kernel does not have "
                             "(Linux 5.6 or later, or the wireguard module); use an unencrypted overlay here or "
                             "another kernel" % (h, ", ".join(sorted(encrypted))))
