#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: converge
short_description: A host's settings, namespaces, bridges, veth pairs, NAT rules and overlays in one call
version_added: 0.1.0
description:
  - Converges the parts given, each holding the options of the module it is named for, in the order a host is
    built - O(host_settings), O(netns), O(bridge), O(veth), O(macvlan), O(iptables_nat), O(wireguard),
    O(vxlan_overlay), O(host_gw) - in one process,
    under one lock, with each namespace's netlink sockets opened once and read once unless an earlier part
    changed it. What each part does is exactly what its module does with the same options; this module
    saves the round trips, Python start-ups and lock waits of separate calls (the roles make one call per
    host instead of six).
  - Every part is checked against its module's own argument spec and made into its plan's input before
    anything changes; a mistake fails the call naming the part and the field, with nothing changed.
  - A failure in a part stops the call there and leaves the host as it was before the call - that part's own
    changes undone as its module does, then the parts before it undone too (newest first), and the records the
    call wrote put back; the parts before it are returned in RV(steps), each with C(undone=true), and the
    message lists what was undone. A namespace or pair a part removed cannot be made again with its processes;
    what has no inverse stays as the failed call left it.
  - In check mode each part plans what its module would; diff mode gives every part's objects in one diff.
  - O(records_before) and O(records_after) are JSON documents the caller keeps in the state directory (the
    host role's C(fleet.json)), written under the same lock before the first part and after the last part
    converged, only where they differ from the file.
author:
  - cnet.linux contributors (@cnet-linux)
extends_documentation_fragment:
  - cnet.linux.engine
options:
  host_settings:
    description: The options of M(cnet.linux.host_settings) (kernel modules, C(net.*) sysctls, records).
    type: dict
  netns:
    description: The options of M(cnet.linux.netns) (the containers' namespaces).
    type: dict
  bridge:
    description: The options of M(cnet.linux.bridge).
    type: dict
  veth:
    description: The options of M(cnet.linux.veth) (the containers' pairs).
    type: dict
  macvlan:
    description: The options of M(cnet.linux.macvlan) (the containers' macvlan devices, the host's shims).
    type: dict
  iptables_nat:
    description: The options of M(cnet.linux.iptables_nat) (masquerade, published ports, isolation).
    type: dict
  wireguard:
    description: The options of M(cnet.linux.wireguard) (the encrypted overlays' WireGuard devices and peers).
    type: dict
  vxlan_overlay:
    description: The options of M(cnet.linux.vxlan_overlay) (VXLAN devices, peers, the port filter).
    type: dict
  host_gw:
    description: The options of M(cnet.linux.host_gw) (host-gw overlays' routes).
    type: dict
  records_before:
    description:
      - "Records to write before the first part: C({name: document}) becomes C(<state_dir>/<name>.json). The host
        role writes what the fleet plan allocated here, so that a run failing midway keeps it."
      - A name may hold letters, digits, C(_) and C(-) only; the engine's own records (C(desired), C(netns),
        C(host)) cannot be given.
    type: dict
  records_after:
    description: Records to write once every part converged (not after a failure), as O(records_before).
    type: dict
notes:
  - Requires pyroute2 on the managed host when a part's module does (O(iptables_nat), O(vxlan_overlay)).
seealso:
  - module: cnet.linux.netns
  - module: cnet.linux.veth
  - module: cnet.linux.bridge
  - module: cnet.linux.iptables_nat
  - module: cnet.linux.vxlan_overlay
  - module: cnet.linux.host_settings
'''

EXAMPLES = r'''
- name: Seed 003 on one host in one call - docker0-like bridge, a container, masquerade and DNAT 2333->22
  cnet.linux.converge:
    host_settings:
      sysctls: {net.ipv4.ip_forward: 1}
    netns:
      namespaces: [{name: web}]
    bridge:
      bridges: [{name: cnet0, addresses: [172.17.0.1/16]}]
    veth:
      pairs:
        - {netns: web, bridge: cnet0, addresses: [172.17.0.2/16], gateway: 172.17.0.1, hairpin: true}
    iptables_nat:
      networks:
        - bridge: cnet0
          subnet: 172.17.0.0/16
          publish: [{address: 172.17.0.2, ports: ["2333:22"]}]
  register: host_network
'''

RETURN = r'''
changed:
  description: Whether any part changed (or, in check mode, would change) something, or a record was written.
  returned: always
  type: bool
steps:
  description: One result per part given, in the order run, each as its module returns it, with C(part) (the
    module's name). On a failure, the parts that ran before it, each with C(undone=true) (what they did was undone).
  returned: always
  type: list
  elements: dict
  sample: [{"part": "bridge", "changed": false, "actions": [], "netlink_writes": 0}]
actions:
  description: Every part's actions, in order, as the equivalent commands.
  returned: always
  type: list
  elements: str
  sample: ["ip link add cnet0 address 02:42:ac:11:00:01 type bridge stp_state 0", "ip link set cnet0 up"]
diff:
  description: Each object the parts change, before and after, named as the drift report names them.
  returned: in diff mode (C(--diff))
  type: dict
records:
  description: The names of the records written.
  returned: success
  type: list
  elements: str
  sample: [fleet]
timing:
  description: Seconds per part (observing, planning and applying it), and C(total).
  returned: success
  type: dict
netlink_writes:
  description: Netlink requests that changed something, all parts together.
  returned: success
  type: int
'''

from ansible_collections.cnet.linux.plugins.module_utils.ansible_glue import run_parts
from ansible_collections.cnet.linux.plugins.module_utils.resources.host import HostSettings
from ansible_collections.cnet.linux.plugins.module_utils.resources.registry import ORDER
from ansible_collections.cnet.linux.plugins.module_utils.specs import SPECS

# the parts in the order a host is built: its settings first (br_netfilter makes the net.bridge sysctls), then
# the registry's kinds; a resource's KIND is its module's name
CLASSES = (HostSettings,) + ORDER


def main():
    parts = [cls.KIND for cls in CLASSES]
    spec = dict((part, dict(type="dict")) for part in parts)
    spec.update(records_before=dict(type="dict"), records_after=dict(type="dict"))
    run_parts(spec, SPECS, dict((cls.KIND, cls) for cls in CLASSES), parts)


if __name__ == "__main__":
    main()
