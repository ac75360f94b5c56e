#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: netns
short_description: Named network namespaces - the sandboxes of Docker's container network modes
version_added: 0.1.0
description:
  - Creates and removes named network namespaces under C(/run/netns), as C(ip netns add) does, with the
    loopback interface up.
  - "Adopts a running process's namespace under a name (O(pid), what C(ip netns attach) does), binds a name
    to another sandbox's namespace so both are the same inode (O(container), Docker's C(--network container:NAME)),
    or binds a name to the namespace the module runs in (O(host), Docker's C(--network host))."
  - The list form O(namespaces) converges many namespaces in one call.
  - A name the collection did not bind is never removed or changed; asking for it fails with a clear message.
author:
  - cnet.linux contributors (@cnet-linux)
extends_documentation_fragment:
  - cnet.linux.engine
options:
  name:
    description: Name of one namespace (a file under C(/run/netns)). Use O(namespaces) for many.
    type: str
  pid:
    description: Bind O(name) to the network namespace of this running process instead of creating one.
    type: int
  container:
    description: Bind O(name) to the namespace of this other named namespace (they become the same one).
    type: str
  host:
    description:
      - Bind O(name) to the namespace the module runs in (the host's), not to PID 1's.
    type: bool
  state:
    description: Whether the name should exist. O(state=absent) removes only names the collection bound.
    type: str
    choices: [present, absent]
    default: present
  namespaces:
    description:
      - Many namespaces in one call. Each item takes the options O(name), O(pid), O(container), O(host)
        and O(state) (default the top-level O(state)).
      - Items sharing another item's namespace (O(namespaces[].container)) are handled after it.
    type: list
    elements: dict
    suboptions:
      name:
        description: Name of the namespace.
        type: str
        required: true
      pid:
        description: Adopt this process's namespace.
        type: int
      container:
        description: Share this other namespace.
        type: str
      host:
        description: Bind the module's own namespace.
        type: bool
      state:
        description: Whether the name should exist.
        type: str
        choices: [present, absent]
  purge:
    description:
      - With O(namespaces), remove the namespaces the collection bound that the list does not name
        (the list is authoritative). Names the collection did not bind are never removed.
    type: bool
    default: false
seealso:
  - module: cnet.linux.veth
  - module: cnet.linux.bridge
'''

EXAMPLES = r'''
- name: A namespace, as 'ip netns add test01'
  cnet.linux.netns:
    name: test01

- name: Containers in every mode, in one call
  cnet.linux.netns:
    namespaces:
      - name: web                 # its own namespace
      - name: sidecar             # Docker's --network container:web
        container: web
      - name: monitor             # Docker's --network host
        host: true
      - name: job                 # a running process's namespace
        pid: 4242
    purge: true                   # remove the ones this collection made that are not listed

- name: Remove a namespace
  cnet.linux.netns:
    name: test01
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
  sample: ["ip netns add test01", "ip -n test01 link set lo up alias 'cnet.linux:netns name=test01'"]
diff:
  description: Each namespace the plan changes, before and after.
  returned: in diff mode (C(--diff))
  type: dict
  sample: {"before": {}, "after": {"netns test01": {"kind": "create", "loopback": "up"}}}
timing:
  description: Seconds spent observing, planning and applying.
  returned: always
  type: dict
  sample: {"observe": 0.001, "plan": 0.0, "apply": 0.002, "total": 0.003}
netlink_writes:
  description: Netlink requests that changed something (0 on a run with nothing to do).
  returned: always
  type: int
  sample: 2
'''

from ansible_collections.cnet.linux.plugins.module_utils.ansible_glue import run
from ansible_collections.cnet.linux.plugins.module_utils.resources.netns import Netns
from ansible_collections.cnet.linux.plugins.module_utils.specs import NETNS


def main():
    run(Netns, NETNS[0], **NETNS[1])


if __name__ == "__main__":
    main()
