# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An l2 overlay, Docker's overlay driver: one subnet across the fleet on a bridge with the VXLAN device in it, each
remote endpoint's MAC and address programmed (FDB and neighbour entries), no gateway."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress

from ansible_collections.cnet.linux.plugins.plugin_utils.fleet.plan.drivers import vxlan


def network(alloc, net, me, parts):
    parts.bridges.append({"name": net["bridge"], "network": net["name"], "mtu": net["link_mtu"], "addresses": []})
    parts.accept.append(net["bridge"])  # its containers' frames are bridged through netfilter, with no chain
    by_host = alloc.endpoints[net["name"]]
    vxlan.device(alloc, net, me, parts, lambda at: {
        "bridge": net["bridge"], "peers": [{"address": at[h], "endpoints": by_host.get(h, [])} for h in alloc.peers(me)]})


def endpoint(alloc, net, me, container):
    return alloc.address(net, me, container), ipaddress.ip_network(net["subnet"]).prefixlen, None


def interface(alloc, net, me, item):
    """On the overlay's bridge, with no gateway of its own."""


def probes(alloc, net, me):
    """Each peer host's first endpoint."""
    return [(h, endpoints[0]["ip"]) for h, endpoints in sorted(alloc.endpoints[net["name"]].items()) if h != me]
