#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: network_info
short_description: What cnet.linux made on this host, as the kernel shows it
version_added: 0.1.0
description:
  - Reads the bridges, VXLAN devices and veth pairs that carry the collection's mark, with their addresses,
    MTUs and MACs, from one netlink dump of the host's network namespace and one of each named namespace.
    Changes nothing.
  - The C(cnet.linux.host) role runs it when the host's record is missing, so that the fleet plan keeps every
    running container's address and interface name instead of allocating new ones.
author:
  - cnet.linux contributors (@cnet-linux)
attributes:
  check_mode:
    description: Reads only; the same in check mode.
    support: full
  diff_mode:
    description: Reads only; no diff.
    support: none
options: {}
'''

EXAMPLES = r'''
- name: Read the collection's interfaces
  cnet.linux.network_info:
  register: owned
'''

RETURN = r'''
bridges:
  description: The collection's bridges.
  returned: always
  type: list
  elements: dict
  sample: [{"name": "cnet0", "network": "bridge", "addresses": ["172.17.0.1/16"], "mtu": 1500}]
vxlans:
  description: The collection's VXLAN devices.
  returned: always
  type: list
  elements: dict
  sample: [{"name": "vx4096", "network": "backend", "vni": 4096, "addresses": [], "mtu": 1450}]
pairs:
  description: The container ends of the collection's veth pairs.
  returned: always
  type: list
  elements: dict
  sample: [{"network": "bridge", "container": "web", "netns": "web", "peer": "eth0",
            "addresses": ["172.17.0.2/16"], "mac": "02:42:ac:11:00:02", "mtu": 1500}]
'''

from ansible_collections.cnet.linux.plugins.module_utils.ansible_glue import report
from ansible_collections.cnet.linux.plugins.module_utils.resources.owned import observe_host


def main():
    report(observe_host)


if __name__ == "__main__":
    main()
