# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Flannel's host-gw: each host a lease on its own bridge, the other leases routed via their hosts' underlay
addresses (one L2 underlay), no encapsulation, the underlay's whole MTU."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError
from ansible_collections.cnet.linux.plugins.plugin_utils.fleet.plan.drivers import l3


def network(alloc, net, me, parts):
    lease = alloc.lease(net, me)
    parts.bridges.append({"name": net["bridge"], "network": net["name"], "mtu": net["link_mtu"], "netfilter": True,
                          "addresses": ["%s/%d" % (alloc.gateway(net, me), net["host_prefix"])]})
    if not alloc.devices.get(me):
        raise InputError("%s: the underlay interface (the one holding %s) is not known, and a host-gw overlay "
                         "admits its peers' leases from it only; run cnet.linux.network_info with host_facts "
                         "(the host role's read step does)" % (me, alloc.underlay.get(me)))
    # from the underlay interface, and from the other hosts' leases only: a machine on the underlay that
    # sends from elsewhere in the overlay's subnet is dropped (one inside a peer's lease is not: host-gw
    # trusts its L2 segment, as Flannel's; docs/security.md)
    parts.nat.append({"name": net["name"], "bridge": net["bridge"], "subnet": lease, "routed_in": [alloc.devices[me]],
                      "routed_subnets": [alloc.lease(net, h) for h in alloc.peers(me)], "icc": True,
                      "internal": False, "masquerade": True, "publish": [],
                      "isolated_subnets": [s for s in alloc.routed if s != net["subnet"]]})
    parts.host_gw.append({"name": net["name"], "subnet": net["subnet"], "lease": lease,
                          "peers": [{"address": alloc.underlay[h], "lease": alloc.lease(net, h)} for h in alloc.fleet]})


endpoint, interface, probes = l3.endpoint, l3.interface, l3.probes  # a lease, as on an l3 overlay
