#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: host_gw
short_description: Flannel's host-gw backend - each peer's lease routed via its underlay address
version_added: 0.1.0
description:
  - For an overlay whose hosts share one L2 underlay, routes each remote host's lease via that host's underlay
    address (C(ip route replace LEASE via PEER dev DEV proto 147)), with no encapsulation, so containers keep
    the underlay's full MTU. The local lease sits on the overlay's bridge (M(cnet.linux.bridge)).
  - A peer that is not on-link (no address of this host shares its subnet) fails the call, naming it. Across
    routers use a VXLAN overlay (M(cnet.linux.vxlan_overlay) with O(cnet.linux.vxlan_overlay#module:mode=l3)).
  - The peer set is authoritative. Routes of peers no longer listed, or pointing elsewhere, are removed first;
    our routes are known by their protocol (147), inside the overlay's O(subnet), via an address outside it.
  - The list form O(overlays) converges many overlays in one call.
author:
  - cnet.linux contributors (@cnet-linux)
extends_documentation_fragment:
  - cnet.linux.engine
options:
  name:
    description: The overlay's name. Use O(overlays) for many.
    type: str
  subnet:
    description: The overlay's IPv4 subnet (every lease is inside it), e.g. C(10.244.0.0/16).
    type: str
  lease:
    description: This host's lease (the peer with this lease is this host and gets no route).
    type: str
  peers:
    description: Every host of the overlay, this one included or not (none given - no peers - removes every route).
    type: list
    elements: dict
    suboptions:
      address:
        description: The host's underlay IPv4 address, on-link from this host.
        type: str
        required: true
      lease:
        description: The host's lease.
        type: str
        required: true
  state:
    description: Whether the overlay's routes should exist (absent removes every route of ours in O(subnet)).
    type: str
    choices: [present, absent]
    default: present
  overlays:
    description: Many overlays in one call; each item takes O(name), O(subnet), O(lease), O(peers), O(state).
    type: list
    elements: dict
    suboptions:
      name:
        description: The overlay's name.
        type: str
        required: true
      subnet:
        description: The overlay's subnet.
        type: str
        required: true
      lease:
        description: This host's lease.
        type: str
      peers:
        description: Every host of the overlay.
        type: list
        elements: dict
        default: []
        suboptions:
          address:
            description: The host's underlay IPv4 address.
            type: str
            required: true
          lease:
            description: The host's lease.
            type: str
            required: true
      state:
        description: Whether the overlay's routes should exist.
        type: str
        choices: [present, absent]
seealso:
  - module: cnet.linux.vxlan_overlay
  - module: cnet.linux.bridge
'''

EXAMPLES = r'''
- name: Flannel's host-gw on h1 (192.0.2.11, lease 10.244.1.0/24)
  cnet.linux.host_gw:
    name: backend
    subnet: 10.244.0.0/16
    lease: 10.244.1.0/24
    peers:
      - {address: 192.0.2.11, lease: 10.244.1.0/24}
      - {address: 192.0.2.12, lease: 10.244.2.0/24}
      - {address: 192.0.2.13, lease: 10.244.3.0/24}
'''

RETURN = r'''
actions:
  description: The changes, as the equivalent commands.
  returned: always
  type: list
  elements: str
  sample: ["ip route replace 10.244.2.0/24 via 192.0.2.12 dev eth0 proto 147"]
diff:
  description: Each route the plan changes (C(route OVERLAY LEASE)), before and after.
  returned: in diff mode
  type: dict
  sample: {"before": {}, "after": {"route backend 10.244.2.0/24": {"via": "192.0.2.12", "dev": "eth0"}}}
'''

from ansible_collections.cnet.linux.plugins.module_utils.ansible_glue import run
from ansible_collections.cnet.linux.plugins.module_utils.resources.host_gw import HostGw
from ansible_collections.cnet.linux.plugins.module_utils.specs import HOST_GW


def main():
    run(HostGw, HOST_GW[0], **HOST_GW[1])


if __name__ == "__main__":
    main()
