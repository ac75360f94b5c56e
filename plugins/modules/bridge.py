#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: bridge
short_description: Linux bridges - the gateway side of a Docker-like bridge network
version_added: 0.1.0
description:
  - Creates and removes Linux bridges (like C(docker0) or C(cni0)), sets their addresses (the network's
    gateway), MTU, STP and VLAN filtering, and brings them up.
  - Addresses are authoritative (the kernel's IPv6 link-local address aside). MTU, STP and VLAN filtering
    are managed when given.
  - The bridge's MAC is set (O(mac)), so it stays when ports come and go. A Linux bridge whose MAC was never
    set takes the lowest MAC of its ports; a container leaving then changes the gateway MAC every other
    container has cached, and they lose their gateway until the entry expires (up to a minute).
  - A bridge without the collection's mark is never changed or removed.
author:
  - cnet.linux contributors (@cnet-linux)
extends_documentation_fragment:
  - cnet.linux.engine
options:
  name:
    description: Bridge device name (at most 15 characters). Use O(bridges) for many.
    type: str
  addresses:
    description: Addresses with prefix length, e.g. the gateway C(172.17.0.1/16) (authoritative).
    type: list
    elements: str
    default: []
  mac:
    description:
      - The bridge's MAC address (any case, C(:) or C(-) separated; unicast). A different MAC on an existing
        bridge is set in place (C(ip link set DEV address MAC)); the old one stays valid while the port it
        came from lives, so cached neighbour entries do not break.
      - Default C(02:42) followed by the four bytes of the first IPv4 address of O(addresses) (the gateway,
        which no container holds), as Docker derives a container's MAC. Without an IPv4 address and without
        O(mac) the MAC is the kernel's, which follows the lowest port.
    type: str
  mtu:
    description:
      - MTU of the bridge. Not managed when omitted.
      - Set on the live bridge (a step after its creation), so it stays when a port with another MTU joins; a
        bridge's MTU given only at creation follows the smallest of its ports'.
    type: int
  stp:
    description: Spanning tree on or off. Not managed when omitted (a new bridge has it off).
    type: bool
  vlan_filtering:
    description:
      - VLAN filtering on or off. Not managed when omitted. Fails clearly on a kernel built without it.
    type: bool
  netfilter:
    description:
      - Whether frames bridged between this bridge's ports pass iptables and ip6tables (the bridge's own
        C(nf_call_iptables) and C(nf_call_ip6tables), with br_netfilter loaded), even where the host-wide
        C(net.bridge.bridge-nf-call-iptables) is off. Docker's inter-container isolation (icc off) and a
        published port reached from the same bridge rely on it. Not managed when omitted.
      - The host role turns the host-wide sysctls off where it loaded br_netfilter itself, so the host's other
        bridges (libvirt's, a user's) keep bridging without a netfilter pass.
    type: bool
  network:
    description: The network label in the ownership mark (default the bridge name).
    type: str
  state:
    description: Whether the bridge should exist. O(state=absent) removes only bridges the collection made.
    type: str
    choices: [present, absent]
    default: present
  bridges:
    description: Many bridges in one call; each item takes the options of one bridge.
    type: list
    elements: dict
    suboptions:
      name:
        description: Bridge device name.
        type: str
        required: true
      addresses:
        description: Addresses with prefix length.
        type: list
        elements: str
      mac:
        description: The bridge's MAC address (default from the first IPv4 address, as O(mac)).
        type: str
      mtu:
        description: MTU.
        type: int
      stp:
        description: Spanning tree.
        type: bool
      vlan_filtering:
        description: VLAN filtering.
        type: bool
      netfilter:
        description: Bridged frames pass iptables and ip6tables (as O(netfilter)).
        type: bool
      network:
        description: Network label of the mark.
        type: str
      state:
        description: Whether the bridge should exist.
        type: str
        choices: [present, absent]
seealso:
  - module: cnet.linux.veth
'''

EXAMPLES = r'''
- name: A docker0-like bridge holding the gateway of 172.17.0.0/16
  cnet.linux.bridge:
    name: cnet0
    network: bridge
    addresses: [172.17.0.1/16]
    mtu: 1450
    stp: false
    netfilter: true

- name: Remove it
  cnet.linux.bridge:
    name: cnet0
    state: absent
'''

RETURN = r'''
changed:
  description: Whether anything was (or, in check mode, would be) changed.
  returned: always
  type: bool
actions:
  description: The plan, one change per line, as the equivalent command.
  returned: always
  type: list
  elements: str
  sample:
    - ip link add cnet0 address 02:42:ac:11:00:01 type bridge stp_state 0 nf_call_iptables 1 nf_call_ip6tables 1
    - ip link set cnet0 mtu 1450
    - ip addr add 172.17.0.1/16 dev cnet0
    - ip link set cnet0 up
diff:
  description: Each bridge the plan changes, before and after.
  returned: in diff mode (C(--diff))
  type: dict
timing:
  description: Seconds spent observing, planning and applying.
  returned: always
  type: dict
netlink_writes:
  description: Netlink requests that changed something (0 on a run with nothing to do).
  returned: always
  type: int
'''

from ansible_collections.cnet.linux.plugins.module_utils.ansible_glue import run
from ansible_collections.cnet.linux.plugins.module_utils.resources.bridge import Bridge
from ansible_collections.cnet.linux.plugins.module_utils.specs import BRIDGE


def main():
    run(Bridge, BRIDGE[0], **BRIDGE[1])


if __name__ == "__main__":
    main()
