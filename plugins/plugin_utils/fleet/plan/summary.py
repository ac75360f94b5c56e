# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What inspect.yml shows of a host's plan, and the hosts files' tables of the networks a host's containers are on."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.cnet.linux.plugins.plugin_utils.fleet import inventory

SHOWN = ("driver", "mode", "subnet", "gateway", "subnet6", "gateway6", "bridge", "device", "vni", "parent",
         "macvlan_mode", "shim", "wg_device", "wireguard_port")


def networks(alloc, me):
    """{network: what inspect.yml shows of it on this host}: the driver's settings, this host's lease, the peer
    hosts (an overlay's underlay addresses with their leases or endpoints)."""
    out = {}
    for net in alloc.nets.values():
        shown = dict((key, net.get(key)) for key in SHOWN if net.get(key) is not None)
        if inventory.leased(net):
            shown["lease"] = alloc.lease(net, me)
            shown["gateway"] = alloc.gateway(net, me)
        if net["driver"] == "overlay":
            shown["peers"] = [dict({"host": h, "address": alloc.underlay[h]},
                                   **({"lease": alloc.lease(net, h)} if inventory.leased(net) else
                                      {"endpoints": alloc.endpoints[net["name"]].get(h, [])}))
                              for h in alloc.peers(me)]
        out[net["name"]] = shown
    return out


def hosts_tables(alloc, me, namespaces):
    """{network: entries} for the networks this host's hosts files include: its own containers first, then,
    on an overlay, the other hosts' in host order (a name on two hosts resolves to the nearer one)."""
    out = {}
    for item in namespaces:
        for name in item.get("hosts_include") or []:
            if name not in out:
                by_host = alloc.names.get(name) or {}
                hosts = [me] + alloc.peers(me) if inventory.multi_host(alloc.nets[name]) else [me]
                out[name] = [entry for h in hosts for entry in by_host.get(h, [])]
    return out
