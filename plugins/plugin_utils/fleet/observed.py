# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A host's record rebuilt from what its kernel shows (cnet.linux.network_info) when the record file is lost:
the addresses (IPv4 and IPv6) and interface names of the collection's own pairs and macvlan devices, the l3 leases on its overlay bridges, the
networks its marked devices belong to. The allocator keeps them as it keeps recorded ones, so a lost file
renumbers nothing. The record is marked 'observed': for what the kernel does not show (a lease of an overlay
this host has no bridge for yet) the other hosts' copies still count (alloc.merged)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress

from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError
from ansible_collections.cnet.linux.plugins.plugin_utils.fleet import records as fleet_records


def _ipv4(addresses, version=4):
    """The first address of that version (IPv6: not link-local) of a list of address/prefix strings."""
    for addr in addresses or ():
        iface = ipaddress.ip_interface(addr)
        if iface.version == version and not iface.ip.is_link_local:
            return iface
    return None


def record(owned, host, nets):
    """The record of host from owned (network_info's result), or None when there is none."""
    if not isinstance(owned, dict):
        return None
    try:
        out = _read(owned, host, nets)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:  # a report of another shape than network_info's
        raise InputError("%s: network_info's devices: %s %s is not what network_info reports; run it again, or "
                         "restore the host's record" % (host, type(exc).__name__, exc))
    return fleet_records.rebuilt(out, host)


def _read(owned, host, nets):
    out = {"observed": True, "host": host, "networks": {}, "addresses": {}, "l2": {}, "leases": {}, "interfaces": {},
           "addresses6": {}, "l26": {}}
    for bridge in owned.get("bridges") or ():
        name, net = bridge.get("network"), nets.get(bridge.get("network")) or {}
        out["networks"][name] = {"driver": net.get("driver") or "bridge", "bridge": bridge["name"], "device": None,
                                 "vni": None}
        gateway = _ipv4(bridge.get("addresses"))
        if gateway and net.get("mode") in ("l3", "host-gw") and gateway.network.prefixlen == net["host_prefix"]:
            out["leases"].setdefault(name, {})[host] = str(gateway.network)
    for vxlan in owned.get("vxlans") or ():
        entry = out["networks"].setdefault(vxlan.get("network"), {"bridge": None})
        entry.update(driver="overlay", device=vxlan["name"], vni=vxlan.get("vni"))
    for pair in owned.get("pairs") or ():
        name, ctr, net = pair.get("network"), pair.get("container"), nets.get(pair.get("network")) or {}
        out["networks"].setdefault(name, {"driver": net.get("driver") or "ptp", "bridge": None, "device": None,
                                          "vni": None})
        out["interfaces"].setdefault(ctr, {})[name] = pair["peer"]
        for version in (4, 6):
            local, l2 = fleet_records.LOCAL[version], fleet_records.SPANNING[version]
            ip = _ipv4(pair.get("addresses"), version)
            if ip is None:
                continue
            if net.get("mode") == "l2":
                out[l2].setdefault(name, {})["%s/%s" % (host, ctr)] = str(ip.ip)
            else:
                out[local].setdefault(name, {})[ctr] = str(ip.ip)
    for device in owned.get("macvlans") or ():  # one Ethernet across the fleet: its addresses are l2's
        name, ctr = device.get("network"), device.get("container")
        out["networks"].setdefault(name, {"driver": "macvlan", "bridge": None, "device": None, "vni": None})
        if ctr:
            out["interfaces"].setdefault(ctr, {})[name] = device["name"]
        for version, table in fleet_records.SPANNING.items():
            ip = _ipv4(device.get("addresses"), version)
            if ip is not None and (ctr or version == 4):
                out[table].setdefault(name, {})["%s/%s" % (host, ctr or "")] = str(ip.ip)
    return out
