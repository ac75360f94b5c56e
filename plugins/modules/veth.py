#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: veth
short_description: veth pairs that connect containers (network namespaces) to the host or a bridge
version_added: 0.1.0
description:
  - Creates a veth pair whose peer is made directly inside the container's namespace under its final name
    (C(eth0), C(eth1), ...), never moved there afterwards; sets MTU and the peer's MAC; makes the host end a
    port of a bridge when asked; brings both ends up; gives the peer its IPv4 and IPv6 addresses and routes
    (the default route via the gateway).
  - The peer end belongs to the collection entirely. Its addresses (except the kernel's IPv6 link-local
    address) and its routes (except the kernel's connected routes) are authoritative; routes the module adds
    carry route protocol 147.
  - The list form O(pairs) converges many pairs in one call, with one netlink dump of the host and one of
    each namespace. With O(purge=true), pairs of the same O(network) the list does not name are removed.
  - An interface without the collection's mark is never changed or removed.
author:
  - cnet.linux contributors (@cnet-linux)
extends_documentation_fragment:
  - cnet.linux.engine
options:
  name:
    description:
      - Name of the host end. Default a stable name derived from O(netns) and O(peer), at most 15 characters.
    type: str
  netns:
    description: The namespace (under C(/run/netns)) the peer end lives in. Required for one pair.
    type: str
  peer:
    description: Name of the peer end inside O(netns). In O(pairs), the default for items.
    type: str
    default: eth0
  bridge:
    description:
      - Make the host end a port of this bridge (it must exist). Without it the host end is not a bridge port.
      - In O(pairs), the default for items.
    type: str
  mtu:
    description: MTU of both ends. Not managed when omitted. In O(pairs), the default for items.
    type: int
  mac:
    description: MAC address of the peer end. Not managed when omitted.
    type: str
  addresses:
    description: Addresses of the peer end with prefix length, IPv4 and IPv6 (authoritative). The first is the primary.
    type: list
    elements: str
    default: []
  host_addresses:
    description: Addresses of the host end with prefix length (authoritative), for a pair without a bridge.
    type: list
    elements: str
    default: []
  ipv6_link_local:
    description:
      - Whether the peer end gets an IPv6 link-local address (C(ip link set eth0 addrgenmode none) when not).
      - By default it gets one only when it has IPv6 O(addresses), an O(gateway6) or IPv6 O(routes), so an
        IPv4-only container has none, as in Docker. Otherwise each new container's DAD, MLD and router
        solicitations are flooded to every port of the bridge.
      - An existing link-local address stays until the link goes down; turning it back on is a C(sysctl) write
        in the peer's namespace, which makes the address at once. The host end is left as the kernel makes it.
      - In O(pairs), the default for items.
    type: bool
  hairpin:
    description:
      - Hairpin mode of the host end as a bridge port (C(ip link set DEV type bridge_slave hairpin on)), so the
        bridge may send a frame back out of the port it came from.
      - A container that reaches its own published port through the host's address needs it, since the
        DNAT-ed packet goes back to where it came from (Docker turns it on when it runs without its userland proxy).
      - Needs O(bridge). It is managed, so V(false) turns it off. In O(pairs), the default for items.
    type: bool
    default: false
  gateway:
    description: IPv4 default route of the peer end, via this address.
    type: str
  gateway6:
    description: IPv6 default route of the peer end, via this address.
    type: str
  routes:
    description: More routes of the peer end (authoritative together with O(gateway) and O(gateway6)).
    type: list
    elements: dict
    default: []
    suboptions:
      dest:
        description: Destination network, or C(default) / C(default6).
        type: str
        required: true
      via:
        description: Next hop; without it the route is on-link.
        type: str
  network:
    description:
      - The network label in the ownership mark (default the bridge name). O(purge) acts on pairs with this label.
    type: str
  container:
    description: The container label in the ownership mark (default the namespace name).
    type: str
  state:
    description: Whether the pair should exist. O(state=absent) removes only pairs the collection made.
    type: str
    choices: [present, absent]
    default: present
  pairs:
    description:
      - Many pairs in one call; each item takes the options of one pair. The top-level O(bridge), O(mtu),
        O(network), O(peer), O(ipv6_link_local) and O(hairpin) are defaults for the items.
    type: list
    elements: dict
    suboptions:
      name:
        description: Host end name (default derived from netns and peer).
        type: str
      netns:
        description: Namespace of the peer end.
        type: str
        required: true
      peer:
        description: Peer end name.
        type: str
      bridge:
        description: Bridge of the host end.
        type: str
      mtu:
        description: MTU of both ends.
        type: int
      mac:
        description: MAC of the peer end.
        type: str
      addresses:
        description: Addresses of the peer end.
        type: list
        elements: str
      host_addresses:
        description: Addresses of the host end.
        type: list
        elements: str
      ipv6_link_local:
        description: Whether the peer end gets an IPv6 link-local address.
        type: bool
      hairpin:
        description: Hairpin mode of the host end as a bridge port.
        type: bool
      gateway:
        description: IPv4 default gateway of the peer end.
        type: str
      gateway6:
        description: IPv6 default gateway of the peer end.
        type: str
      routes:
        description: More routes of the peer end.
        type: list
        elements: dict
        suboptions:
          dest:
            description: Destination network, or C(default) / C(default6).
            type: str
            required: true
          via:
            description: Next hop; without it the route is on-link.
            type: str
      network:
        description: Network label of the mark.
        type: str
      container:
        description: Container label of the mark.
        type: str
      state:
        description: Whether the pair should exist.
        type: str
        choices: [present, absent]
  purge:
    description:
      - Remove the pairs the collection made for O(network) (or O(bridge)) that O(pairs) does not name.
    type: bool
    default: false
  purge_networks:
    description:
      - The network labels this call is authoritative for - every pair the collection made for one of them that
        O(pairs) does not name is removed. Lets one call converge several networks (each pair names its own
        O(pairs[].network) and O(pairs[].bridge)), a network with no pair left included.
      - Mutually exclusive with O(purge).
    type: list
    elements: str
seealso:
  - module: cnet.linux.netns
  - module: cnet.linux.bridge
'''

EXAMPLES = r'''
- name: Seed 001 - a namespace joined to the host by a veth pair
  cnet.linux.veth:
    name: veth0
    netns: test01
    addresses: [172.16.0.111/20]
    host_addresses: [172.16.0.112/20]

- name: Docker-like bridge network - every container of the host in one call
  cnet.linux.veth:
    bridge: cnet0
    mtu: 1500
    purge: true              # remove cnet0's pairs that are no longer listed
    pairs:
      - netns: web
        addresses: [172.17.0.10/16]
        gateway: 172.17.0.1
      - netns: api
        addresses: [172.17.0.11/16, "fd00:17::11/64"]
        gateway: 172.17.0.1
        gateway6: "fd00:17::1"

- name: Every network of a host in one call (each authoritative for its pairs)
  cnet.linux.veth:
    purge_networks: [bridge, backend]
    pairs:
      - {netns: web, network: bridge, bridge: cnet0, addresses: [172.17.0.10/16], gateway: 172.17.0.1}
      - {netns: api, network: backend, bridge: cnet1, addresses: [10.244.1.2/24], gateway: 10.244.1.1}
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
  sample: ["ip link add veth0 up type veth peer name eth0 netns test01", "ip -n test01 addr add 172.16.0.111/20 dev eth0"]
diff:
  description: Each pair the plan changes, before and after.
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
from ansible_collections.cnet.linux.plugins.module_utils.resources.veth import Veth
from ansible_collections.cnet.linux.plugins.module_utils.specs import VETH


def main():
    run(Veth, VETH[0], **VETH[1])


if __name__ == "__main__":
    main()
