#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: fleet_plan
short_description: One host's networks and containers, computed from the whole fleet's inventory
version_added: 0.1.0
description:
  - An action that runs on the controller. It checks the fleet's C(cnet_networks) and every host's
    C(cnet_containers), C(cnet_overlay_leases) and underlay address, allocates overlay leases and container
    addresses that stay stable (what each host recorded after its last run is kept, pins are honoured, new
    ones get free slots), and sets the fact C(cnet_plan) - under C(converge) the arguments of this host's
    M(cnet.linux.converge) call, keyed by the engine's kinds (C(netns), C(bridge), C(veth), C(macvlan),
    C(iptables_nat), C(wireguard), C(vxlan_overlay), C(host_gw)), each exactly the options of the module of that
    name, removals included; the overlay health probes (C(health)); what C(inspect.yml) shows (C(summary)); and
    the record to keep (C(record)). The roles of this collection pass the parts through as they are.
  - With O(hosts) and C(run_once), it plans every listed host from one view of the fleet and returns
    C(plans); the fleet is checked and allocated once per run instead of once per host (which costs
    C(hosts^2) on the controller). Each planned host's own C(cnet_networks) is read; hosts that share the
    same networks share one view.
  - Bad input fails with the variable, the host and the item named, before any host is changed. Every key is
    checked (an unknown one is named with the nearest valid key), and so are the values' types and ranges.
  - Nothing running is renumbered or renamed as a side effect - a pin on the address an automatic container
    holds fails, naming both; a host whose record is lost keeps what its kernel shows (C(cnet.linux.network_info));
    interface names are recorded. An overlay's MTU is the fleet's smallest underlay MTU less 50 unless set.
author:
  - cnet.linux contributors (@cnet-linux)
attributes:
  check_mode:
    description: Computes the same plan in check mode (it changes nothing itself).
    support: full
  diff_mode:
    description: Returns no diff (the module calls it plans for do).
    support: none
options:
  fleet:
    description: The inventory hosts of the fleet (every host's lease and endpoints are known to every other).
    type: list
    elements: str
    required: true
  networks:
    description:
      - The networks (C(cnet_networks)) of the one host planned when O(hosts) is not given.
      - Mutually exclusive with O(hosts).
    type: list
    elements: dict
    default: []
  hosts:
    description:
      - The hosts to plan, normally C(ansible_play_batch) with C(run_once), so one task plans the run.
      - Mutually exclusive with O(networks).
    type: list
    elements: str
  teardown:
    description: Plan the removal of everything (networks in the inventory and in the host's record).
    type: bool
    default: false
'''

EXAMPLES = r'''
- name: Compute the plans of this run's hosts once, then take each host's
  cnet.linux.fleet_plan:
    fleet: "{{ groups['all'] }}"
    hosts: "{{ ansible_play_batch }}"
  run_once: true
  register: fleet_plans

- name: This host's part
  ansible.builtin.set_fact:
    cnet_plan: "{{ fleet_plans.plans[inventory_hostname] }}"

- name: Compute this host's plan alone
  cnet.linux.fleet_plan:
    fleet: "{{ groups['all'] }}"
    networks: "{{ cnet_networks }}"
'''

RETURN = r'''
ansible_facts:
  description: C(cnet_plan) - C(converge) (this host's converge arguments by kind), C(health), C(summary), C(record),
    C(record_pending), C(record_write), C(ipv6) and C(gone) (the networks removed).
  returned: success, without O(hosts)
  type: dict
plans:
  description: "C({host: plan}) for every host in O(hosts), each what C(cnet_plan) holds."
  returned: success, with O(hosts)
  type: dict
'''

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(fleet=dict(type="list", elements="str", required=True),
                                              networks=dict(type="list", elements="dict", default=[]),
                                              hosts=dict(type="list", elements="str"),
                                              teardown=dict(type="bool", default=False)),
                           mutually_exclusive=[("networks", "hosts")], supports_check_mode=True)
    module.fail_json(msg="cnet.linux.fleet_plan is an action: it runs on the controller inside a play")


if __name__ == "__main__":
    main()
