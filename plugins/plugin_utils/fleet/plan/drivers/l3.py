# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An l3 overlay, Flannel's vxlan backend: each host a lease of the subnet on its own bridge (the lease's gateway),
the other leases routed through the VXLAN device, masquerade towards everything but the overlay."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.cnet.linux.plugins.plugin_utils.fleet.plan.drivers import vxlan


def network(alloc, net, me, parts):
    lease = alloc.lease(net, me)
    parts.bridges.append({"name": net["bridge"], "network": net["name"], "mtu": net["link_mtu"], "netfilter": True,
                          "addresses": ["%s/%d" % (alloc.gateway(net, me), net["host_prefix"])]})
    # the other hosts' containers come out of the VXLAN device only (not from the underlay)
    parts.nat.append({"name": net["name"], "bridge": net["bridge"], "subnet": lease, "routed_subnets": [net["subnet"]],
                      "routed_in": [net["device"]], "icc": True, "internal": False, "masquerade": True,
                      "publish": [], "isolated_subnets": [s for s in alloc.routed if s != net["subnet"]]})
    vxlan.device(alloc, net, me, parts, lambda at: {
        "lease": lease, "peers": [{"address": at[h], "lease": alloc.lease(net, h)} for h in alloc.fleet]})


def endpoint(alloc, net, me, container):
    return alloc.address(net, me, container), net["host_prefix"], alloc.gateway(net, me)


def interface(alloc, net, me, item):
    """Not the default route's network: the other leases are reached through this host."""
    if "gateway" not in item:
        item["routes"] = [{"dest": net["subnet"], "via": alloc.gateway(net, me)}]


def probes(alloc, net, me):
    """Each peer's lease gateway."""
    return [(h, alloc.gateway(net, h)) for h in alloc.peers(me)]
