# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Docker's bridge driver: a bridge holding the gateway (and the IPv6 gateway), masquerade, published ports, icc,
internal; the containers' veth pairs on it."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress


def network(alloc, net, me, parts):
    addresses = ["%s/%d" % (net["gateway"], ipaddress.ip_network(net["subnet"]).prefixlen)]
    if net["subnet6"]:
        addresses.append("%s/%d" % (net["gateway6"], ipaddress.ip_network(net["subnet6"]).prefixlen))
    # bridges with rules carry their own bridged frames to them (nf_call_iptables), whatever the host-wide sysctl
    parts.bridges.append({"name": net["bridge"], "network": net["name"], "addresses": addresses,
                          "mtu": net["link_mtu"], "netfilter": True})
    # the subnets the host routes for l3 overlays: no other network's containers reach them through the host
    item = {"name": net["name"], "bridge": net["bridge"], "subnet": net["subnet"], "icc": net["icc"],
            "internal": net["internal"], "masquerade": net["masquerade"], "publish": [],
            "isolated_subnets": alloc.routed}
    if net["subnet6"]:
        item.update(subnet6=net["subnet6"], masquerade6=net["masquerade6"])
    parts.nat.append(item)


def endpoint(alloc, net, me, container):
    """An address of the network's subnet, its prefix, the network's gateway (ptp's and macvlan's too)."""
    return (alloc.address(net, me, container), ipaddress.ip_network(net["subnet"]).prefixlen, net["gateway"])


def interface(alloc, net, me, item):
    """A pair's host end on the network's bridge: nothing of the driver's own."""
