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
  mtu:
    description: MTU of the bridge. Not managed when omitted.
    type: int
  stp:
    description: Spanning tree on or off. Not managed when omitted (a new bridge has it off).
    type: bool
  vlan_filtering:
    description:
      - VLAN filtering on or off. Not managed when omitted. Fails clearly on a kernel built without it.
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
      mtu:
        description: MTU.
        type: int
      stp:
        description: Spanning tree.
        type: bool
      vlan_filtering:
        description: VLAN filtering.
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
    mtu: 1500
    stp: false

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
  sample: ["ip link add cnet0 mtu 1500 type bridge stp_state 0", "ip addr add 172.17.0.1/16 dev cnet0", "ip link set cnet0 up"]
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

ITEM = dict(
    name=dict(type="str", required=True),
    addresses=dict(type="list", elements="str"),
    mtu=dict(type="int"),
    stp=dict(type="bool"),
    vlan_filtering=dict(type="bool"),
    network=dict(type="str"),
    state=dict(type="str", choices=["present", "absent"]),
)


def main():
    spec = dict(ITEM, name=dict(type="str"), addresses=dict(type="list", elements="str", default=[]),
                state=dict(type="str", choices=["present", "absent"], default="present"),
                bridges=dict(type="list", elements="dict", options=ITEM))
    run(Bridge, spec, mutually_exclusive=[["name", "bridges"]], required_one_of=[["name", "bridges"]])


if __name__ == "__main__":
    main()
