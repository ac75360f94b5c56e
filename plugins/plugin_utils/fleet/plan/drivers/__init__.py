# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One builder per driver, like netavark's drivers or the CNI plugins: each reads the run's Allocation and writes
one network's part of a host's converge arguments (Parts). Every driver module has

- network(alloc, net, me, parts): the host's side of the network (its bridge, NAT and filter item, VXLAN device,
  routes, WireGuard device);
- endpoint(alloc, net, me, container): (address, prefix length, gateway) of a container's interface there;
- interface(alloc, net, me, item): the driver's own fields of that interface (a macvlan device's parent, a ptp
  pair's host end);

an overlay's also probes(alloc, net, me): [(peer host, address)] the health gate pings; and a driver that adds
something once the containers are attached (ptp's accepted host ends, macvlan's shim) finish(alloc, net, me,
parts).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.cnet.linux.plugins.plugin_utils.fleet.plan.drivers import bridge, host_gw, l2, l3, macvlan, ptp

BY_KEY = {"bridge": bridge, "ptp": ptp, "macvlan": macvlan, "l3": l3, "l2": l2, "host-gw": host_gw}


def of(net):
    """The builder of a network: its driver's, an overlay's by its mode (encryption is l3's or l2's option)."""
    return BY_KEY[net["mode"] if net["driver"] == "overlay" else net["driver"]]
