#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: macvlan
short_description: Docker's macvlan driver - containers on a host interface's own Ethernet
version_added: 0.1.0
description:
  - Makes a macvlan device on a host interface (the O(parent)) directly inside a container's namespace, under its
    final name, with its MTU, MAC, addresses and routes. The container is then on the parent's network itself and
    reaches its router and the other containers there, on this host and on others, with no bridge, NAT or
    encapsulation.
  - A host cannot reach its own macvlan containers through the parent, by the kernel's design. An endpoint
    without O(netns) is a shim - a macvlan device in the host's own namespace - whose routes to the
    containers' addresses make them reachable from the host.
  - The device's addresses (but IPv6 link-local) and non-kernel routes are authoritative. Its parent and mode
    are fixed when it is made - a device on another parent or in another mode is deleted and made again, as a
    step of the plan that says why.
  - Devices carry the mark C(cnet.linux:macvlan ctr=CONTAINER net=NETWORK) in their alias; only marked devices
    are changed or removed. O(purge_networks) removes the marked devices of those networks that are not listed,
    in every namespace the collection made and in the host's.
author:
  - cnet.linux contributors (@cnet-linux)
extends_documentation_fragment:
  - cnet.linux.engine
options:
  netns:
    description: The namespace the device is made in. Without it the device is a shim in the host's namespace.
    type: str
  name:
    description: The device's name in its namespace (C(eth0) by default inside a namespace; a shim needs one).
    type: str
  network:
    description: The network the device belongs to (its mark; O(purge_networks) selects by it).
    type: str
  container:
    description: The container the device belongs to (its mark); the namespace's name by default.
    type: str
  parent:
    description: The host interface the device is made on (the one on the outside network), e.g. C(eth0).
    type: str
  mode:
    description: The macvlan mode. C(bridge) lets the devices on one parent reach each other directly.
    type: str
    choices: [bridge, passthru, private, vepa]
  mtu:
    description: The device's MTU (at most the parent's); the parent's by default.
    type: int
  mac:
    description: The device's MAC address (the kernel picks one when not given).
    type: str
  addresses:
    description: The device's addresses with prefix length, IPv4 and IPv6 (authoritative).
    type: list
    elements: str
    default: []
  gateway:
    description: The IPv4 default route's gateway (the outside network's router).
    type: str
  gateway6:
    description: The IPv6 default route's gateway.
    type: str
  routes:
    description: More routes through the device (authoritative with the default routes).
    type: list
    elements: dict
    default: []
    suboptions:
      dest:
        description: The destination network, or C(default).
        type: str
        required: true
      via:
        description: The gateway; none for a route to a destination on the link.
        type: str
  ipv6_link_local:
    description: Whether the device keeps its IPv6 link-local address; by default only when it has IPv6 addresses or routes.
    type: bool
  state:
    description: Whether the device should exist.
    type: str
    choices: [present, absent]
    default: present
  endpoints:
    description:
      - Many devices in one call. Each item takes the options above but O(endpoints) and O(purge_networks);
        O(network), O(parent), O(mode) and O(mtu) given at the top level are its defaults.
    type: list
    elements: dict
    suboptions:
      netns:
        description: The namespace; none for a shim.
        type: str
      name:
        description: The device's name in its namespace.
        type: str
      network:
        description: The network.
        type: str
      container:
        description: The container.
        type: str
      parent:
        description: The host interface.
        type: str
      mode:
        description: The macvlan mode.
        type: str
        choices: [bridge, passthru, private, vepa]
      mtu:
        description: The MTU.
        type: int
      mac:
        description: The MAC address.
        type: str
      addresses:
        description: The addresses.
        type: list
        elements: str
      gateway:
        description: The IPv4 default route's gateway.
        type: str
      gateway6:
        description: The IPv6 default route's gateway.
        type: str
      routes:
        description: More routes.
        type: list
        elements: dict
        suboptions:
          dest:
            description: The destination network, or C(default).
            type: str
            required: true
          via:
            description: The gateway.
            type: str
      ipv6_link_local:
        description: Whether the device keeps its IPv6 link-local address.
        type: bool
      state:
        description: Whether the device should exist.
        type: str
        choices: [present, absent]
  purge_networks:
    description: The networks whose marked devices not listed in O(endpoints) are removed.
    type: list
    elements: str
notes:
  - The parent must pass frames for other MAC addresses. A virtual machine's NIC often drops them unless its
    hypervisor allows it (promiscuous mode, MAC spoofing); a Wi-Fi interface cannot carry them at all.
seealso:
  - module: cnet.linux.veth
  - module: cnet.linux.netns
'''

EXAMPLES = r'''
- name: Container web on the LAN at 192.0.2.130, with the LAN's router as its gateway
  cnet.linux.macvlan:
    netns: web
    network: lan
    parent: eth0
    mac: "02:42:c0:00:02:82"
    addresses: [192.0.2.130/24]
    gateway: 192.0.2.1

- name: The host reaches its own macvlan containers through a shim
  cnet.linux.macvlan:
    name: cm-lan
    network: lan
    parent: eth0
    addresses: [192.0.2.127/32]
    routes:
      - dest: 192.0.2.130/32
'''

RETURN = r'''
actions:
  description: The changes, as the equivalent commands.
  returned: always
  type: list
  elements: str
  sample: ["ip link add link eth0 name eth0 netns web address 02:42:c0:00:02:82 type macvlan mode bridge"]
diff:
  description: Each device the plan changes (C(macvlan NETNS/NAME), a shim C(macvlan NAME)), before and after.
  returned: in diff mode
  type: dict
'''

from ansible_collections.cnet.linux.plugins.module_utils.ansible_glue import run
from ansible_collections.cnet.linux.plugins.module_utils.resources.macvlan import Macvlan
from ansible_collections.cnet.linux.plugins.module_utils.specs import MACVLAN


def main():
    run(Macvlan, MACVLAN[0], **MACVLAN[1])


if __name__ == "__main__":
    main()
