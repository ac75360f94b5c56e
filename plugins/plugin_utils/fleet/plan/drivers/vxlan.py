# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What an l3 and an l2 overlay share: the VXLAN device's arguments, at the underlay's or (encrypted) the tunnel's
addresses."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.cnet.linux.plugins.plugin_utils.fleet.plan.drivers import encrypted


def device(alloc, net, me, parts, peers):
    """Append the overlay's VXLAN device with its peers (peers(at): at is {host: VXLAN address}) to parts, and
    an encrypted one's WireGuard device."""
    at = encrypted.endpoints(alloc, net)
    args = {"name": net["name"], "vni": net["vni"], "port": net["port"], "mode": net["mode"], "device": net["device"],
            "local": at[me], "mtu": net["link_mtu"], "firewall": net["firewall"]}
    args.update(peers(at))
    if net.get("encrypted"):
        parts.tunnels.append(encrypted.tunnel(alloc, net, me, args))
    parts.vxlan.append(args)
