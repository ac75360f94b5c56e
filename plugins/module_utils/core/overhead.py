# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The bytes each encapsulation adds to a packet, which the engine (a device's default MTU) and the fleet plan (an
overlay's MTU across the fleet) both subtract from the MTU beneath."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

VXLAN = 50  # VXLAN over IPv4: outer IPv4 20 + UDP 8 + VXLAN 8 + the inner Ethernet header 14
WIREGUARD = 60  # WireGuard over IPv4: outer IPv4 20 + UDP 8 + WireGuard's header 16 + its tag 16
