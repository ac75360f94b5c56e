# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An encrypted overlay (l3 or l2 with encrypted: true): its VXLAN runs between the hosts' tunnel addresses inside
a WireGuard device, and its peers' VXLAN is accepted from inside the tunnel only."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress


def endpoints(alloc, net):
    """{host: the address its VXLAN is reached at}: the tunnel addresses, or the underlay's when not encrypted."""
    return alloc.tunnels[net["name"]] if net.get("encrypted") else alloc.underlay


def tunnel(alloc, net, me, device):
    """Add this host's WireGuard device (its tunnel address, and each other host whose public key is known as a
    peer: a host that never ran has none yet, its peers meet it after its first run) to parts, and accept the
    VXLAN device's traffic from it only."""
    tunnels = alloc.tunnels[net["name"]]
    prefix = ipaddress.ip_network(net["tunnel_subnet"]).prefixlen
    device.update(dev=net["wg_device"], encrypted=True)
    return {"name": net["wg_device"], "network": net["name"], "port": net["wireguard_port"], "mtu": net["wg_mtu"],
            "address": "%s/%d" % (tunnels[me], prefix),
            "peers": [{"public_key": alloc.keys[h][net["name"]], "endpoint": alloc.underlay[h], "address": tunnels[h]}
                      for h in alloc.fleet if h != me and (alloc.keys.get(h) or {}).get(net["name"])]}
