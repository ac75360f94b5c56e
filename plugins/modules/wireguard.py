#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: wireguard
short_description: An encrypted overlay's WireGuard device on this host - its key, tunnel address and peers
version_added: 0.1.0
description:
  - Converges a WireGuard device for an encrypted overlay (Docker's C(--opt encrypted)). The overlay's VXLAN
    device (M(cnet.linux.vxlan_overlay)) then runs between the tunnel addresses, over this device, so its
    traffic between hosts is encrypted.
  - The private key is set from this host's key file of the network (M(cnet.linux.wireguard_key)); it is never
    a module argument or in a plan step.
  - The peers are authoritative - each other host's public key, underlay endpoint and tunnel address (its only
    allowed IP). A peer not listed is removed, a changed one updated; one request each.
  - The device carries the mark C(cnet.linux:wireguard net=NETWORK). Absent removes the device and the key file.
author:
  - cnet.linux contributors (@cnet-linux)
extends_documentation_fragment:
  - cnet.linux.engine
options:
  name:
    description: The WireGuard device's name, e.g. C(wg4096). Use O(tunnels) for many.
    type: str
  network:
    description: The overlay network (its key file is named for it).
    type: str
  port:
    description: The UDP port the device listens on, and the peers' (the same on every host). 51820 by default.
    type: int
  address:
    description: This host's tunnel address with the tunnel's prefix, e.g. C(169.254.16.1/24).
    type: str
  mtu:
    description: The device's MTU - the underlay's less 60 (WireGuard over IPv4).
    type: int
  peers:
    description: Every other host of the overlay.
    type: list
    elements: dict
    suboptions:
      public_key:
        description: The peer's public key (base64).
        type: str
        required: true
      endpoint:
        description: The peer's underlay IPv4 address.
        type: str
        required: true
      address:
        description: The peer's tunnel address (its only allowed IP).
        type: str
        required: true
  state:
    description: Whether the device should exist.
    type: str
    choices: [present, absent]
    default: present
  tunnels:
    description: Many devices in one call; each item takes the options above.
    type: list
    elements: dict
    suboptions:
      name:
        description: The device's name.
        type: str
        required: true
      network:
        description: The overlay network.
        type: str
        required: true
      port:
        description: The UDP port.
        type: int
      address:
        description: This host's tunnel address with prefix.
        type: str
      mtu:
        description: The device's MTU.
        type: int
      peers:
        description: Every other host of the overlay.
        type: list
        elements: dict
        default: []
        suboptions:
          public_key:
            description: The peer's public key.
            type: str
            required: true
          endpoint:
            description: The peer's underlay IPv4 address.
            type: str
            required: true
          address:
            description: The peer's tunnel address.
            type: str
            required: true
      state:
        description: Whether the device should exist.
        type: str
        choices: [present, absent]
  purge:
    description: Remove the marked WireGuard devices, and the key files, of networks not listed.
    type: bool
    default: false
notes:
  - Needs a kernel with WireGuard (Linux 5.6 or later, or the wireguard module); without it the call fails saying
    so, with nothing made.
seealso:
  - module: cnet.linux.wireguard_key
  - module: cnet.linux.vxlan_overlay
'''

EXAMPLES = r'''
- name: The encrypted overlay backend's tunnel on h1
  cnet.linux.wireguard:
    name: wg4096
    network: backend
    address: 169.254.16.1/24
    mtu: 1440
    peers:
      - {public_key: "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=", endpoint: 192.0.2.12, address: 169.254.16.2}
'''

RETURN = r'''
actions:
  description: The changes, as the equivalent commands (never a private key).
  returned: always
  type: list
  elements: str
  sample: ["ip link add wg4096 mtu 1440 type wireguard", "wg set wg4096 listen-port 51820 private-key /var/lib/cnet/wireguard/backend.json"]
'''

from ansible_collections.cnet.linux.plugins.module_utils.ansible_glue import run
from ansible_collections.cnet.linux.plugins.module_utils.resources.wireguard import Wireguard
from ansible_collections.cnet.linux.plugins.module_utils.specs import WIREGUARD


def main():
    run(Wireguard, WIREGUARD[0], **WIREGUARD[1])


if __name__ == "__main__":
    main()
