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
  - Reads the bridges, VXLAN devices, veth pairs and macvlan devices that carry the collection's mark, with their addresses,
    MTUs and MACs, from one netlink dump of the host's network namespace and one of each named namespace.
    Changes nothing.
  - With O(state_dir) it also returns the host role's records kept there (C(records)). The C(cnet.linux.host)
    role reads its records this way, and the interfaces only when the host's record is missing
    (O(interfaces=without_record)), so that the fleet plan keeps every running container's address and
    interface name instead of allocating new ones.
author:
  - cnet.linux contributors (@cnet-linux)
attributes:
  check_mode:
    description: Reads only; the same in check mode.
    support: full
  diff_mode:
    description: Reads only; no diff.
    support: none
options:
  state_dir:
    description:
      - The collection's state directory. When given, C(records) returns its C(fleet.json) and C(host.json).
      - A record that is not JSON fails the task, naming the file.
    type: path
  interfaces:
    description:
      - V(always) reads the interfaces; V(without_record) only when O(state_dir) holds no C(fleet.json) (the
        lists are then left out of the result).
    type: str
    choices: [always, without_record]
    default: always
  host_facts:
    description:
      - Also return C(host_facts) - the Python running the module, the host's IPv4 addresses and its default
        route's, and what O(packages) and O(files) ask - which the C(cnet.linux.host) role reads instead of
        gathering Ansible's facts (one module call where there were several).
    type: bool
    default: false
  packages:
    description: With O(host_facts), the Debian/Ubuntu packages to report as installed or not (C(dpkg-query)).
    type: list
    elements: str
    default: []
  wireguard:
    description:
      - With O(host_facts), also report whether the kernel has WireGuard (C(host_facts.wireguard)) - loaded,
        built in or installed as a module, read from C(/sys/module) and C(/lib/modules) (nothing is loaded).
    type: bool
    default: false
  files:
    description: With O(host_facts), absolute paths whose SHA-1 (or V(link) for a symbolic link) to report, where
      they exist.
    type: list
    elements: path
    default: []
'''

EXAMPLES = r'''
- name: Read the collection's interfaces
  cnet.linux.network_info:
  register: owned

- name: Read the host role's records, and the interfaces only when the host has no record
  cnet.linux.network_info:
    state_dir: /var/lib/cnet
    interfaces: without_record
  register: host_read

- name: And what the plan needs to know of the host, instead of gathering facts
  cnet.linux.network_info:
    state_dir: /var/lib/cnet
    interfaces: without_record
    host_facts: true
    packages: [iproute2, python3-pyroute2]
    files: [/usr/local/sbin/cnet-restore]
  register: host_read
'''

RETURN = r'''
records:
  description: The records in O(state_dir) - C(fleet) (fleet.json) and C(host) (host.json), null when missing.
  returned: when O(state_dir) is given
  type: dict
  sample: {"fleet": {"version": 1, "host": "h1"}, "host": null}
bridges:
  description: The collection's bridges.
  returned: unless O(interfaces=without_record) and the host has its record
  type: list
  elements: dict
  sample: [{"name": "cnet0", "network": "bridge", "addresses": ["172.17.0.1/16"], "mtu": 1500}]
vxlans:
  description: The collection's VXLAN devices.
  returned: unless O(interfaces=without_record) and the host has its record
  type: list
  elements: dict
  sample: [{"name": "vx4096", "network": "backend", "vni": 4096, "addresses": [], "mtu": 1450}]
host_facts:
  description:
    - "C(python) (the interpreter's path), C(default_ipv4) (C(address), C(device), C(mtu), C(gateway) of the
      default route's interface, null without one), C(ipv4) (every IPv4 address with C(prefix), C(device),
      C(mtu)), C(packages) (C({name: installed}), null where there is no dpkg), C(files) (C({path: sha1 or
      link}) of those that exist), C(state_dir) (C(mode) as octal text, C(uid), C(gid) of O(state_dir); null
      where it does not exist), and with O(wireguard) C(wireguard) (whether the kernel has it)."
  returned: when O(host_facts=true)
  type: dict
  sample: {"python": "/usr/bin/python3", "default_ipv4": {"address": "192.0.2.11", "device": "eth0", "mtu": 1500,
           "gateway": "192.0.2.1"}, "ipv4": [{"address": "192.0.2.11", "prefix": 24, "device": "eth0", "mtu": 1500}],
           "packages": {"iproute2": true}, "files": {}, "state_dir": {"mode": "0700", "uid": 0, "gid": 0}}
pairs:
  description: The container ends of the collection's veth pairs.
  returned: unless O(interfaces=without_record) and the host has its record
  type: list
  elements: dict
  sample: [{"network": "bridge", "container": "web", "netns": "web", "peer": "eth0", "host_end": "cvweb-eth0",
            "addresses": ["172.17.0.2/16"], "mac": "02:42:ac:11:00:02", "mtu": 1500}]
macvlans:
  description: The collection's macvlan devices - in the containers' namespaces, and the host's shims (C(netns) null).
  returned: unless O(interfaces=without_record) and the host has its record
  type: list
  elements: dict
  sample: [{"network": "lan", "container": "web", "netns": "web", "name": "eth0", "parent": "eth0", "mode": "bridge",
            "addresses": ["192.0.2.130/24"], "mac": "02:42:c0:00:02:82", "mtu": 1500}]
'''

from ansible_collections.cnet.linux.plugins.module_utils.ansible_glue import report
from ansible_collections.cnet.linux.plugins.module_utils.resources.owned import observe_host


def main():
    report(observe_host, dict(state_dir=dict(type="path"),
                              interfaces=dict(type="str", choices=["always", "without_record"], default="always"),
                              host_facts=dict(type="bool", default=False),
                              wireguard=dict(type="bool", default=False),
                              packages=dict(type="list", elements="str", default=[]),
                              files=dict(type="list", elements="path", default=[])))


if __name__ == "__main__":
    main()
