#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: host_settings
short_description: The host's own settings the collection's networks rely on - sysctls and kernel modules
version_added: 0.1.0
description:
  - Loads kernel modules (first) and sets sysctls of the network namespace the module runs in, such as
    C(net.ipv4.ip_forward). Each setting is an object of the plan, so check mode and C(drift.yml) name a
    flipped sysctl (C(sysctl net/ipv4/ip_forward)) or a module that is not loaded (C(module br_netfilter)).
  - The C(cnet.linux.host) role calls it with O(record=true); C(cnet-restore) converges the same settings at
    boot from that record (C(host.json)). It never sets a setting back (the role's teardown does, to the values
    the record keeps from before the first converge).
author:
  - cnet.linux contributors (@cnet-linux)
extends_documentation_fragment:
  - cnet.linux.engine
options:
  sysctls:
    description:
      - Sysctls of this namespace and their values. A name is written with dots (C(net.ipv4.ip_forward)), or
        with C(/) between its parts when a part holds a dot (C(net/ipv4/conf/eth0.10/forwarding)).
      - Additive - sysctls not listed are left as they are.
    type: dict
    default: {}
  modules:
    description: Kernel modules to load (C(modprobe)) when they are not loaded; loaded before the sysctls are set.
    type: list
    elements: str
    default: []
  record:
    description:
      - After a real run, keep C(<state_dir>/host.json) - these settings, what C(cnet-restore) sets at boot - and,
        from the first run that records it, how the host was before - the O(remember) sysctls' values and the
        O(modules) that were not loaded - what the role's teardown sets back. Written only when it would change;
        never in check mode.
    type: bool
    default: false
  remember:
    description:
      - Sysctls (C(net.*), named as in O(sysctls)) whose values before the first recorded run O(record) keeps.
        One that does not exist then (C(net.bridge.*) before br_netfilter is loaded) is left out.
    type: list
    elements: str
    default: []
  state:
    description: Only V(present).
    type: str
    choices: [present]
    default: present
'''

EXAMPLES = r'''
- name: Forwarding on, bridge netfilter loaded
  cnet.linux.host_settings:
    modules: [br_netfilter]
    sysctls:
      net.ipv4.ip_forward: 1
'''

RETURN = r'''
actions:
  description: The changes, as the equivalent commands.
  returned: always
  type: list
  elements: str
  sample: ["modprobe br_netfilter", "sysctl -w net.ipv4.ip_forward=1"]
diff:
  description: Each changed setting before and after (a module - loaded or not).
  returned: in diff mode
  type: dict
  sample: {"before": {"sysctl net/ipv4/ip_forward": "0"}, "after": {"sysctl net/ipv4/ip_forward": "1"}}
'''

from ansible_collections.cnet.linux.plugins.module_utils.ansible_glue import run
from ansible_collections.cnet.linux.plugins.module_utils.resources.host import HostSettings
from ansible_collections.cnet.linux.plugins.module_utils.specs import HOST_SETTINGS


def main():
    run(HostSettings, HOST_SETTINGS[0], **HOST_SETTINGS[1])


if __name__ == "__main__":
    main()
