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
  - "Writes each namespace's name files, C(/etc/netns/NAME/hosts) (O(hosts), O(namespaces[].hosts_include)) and
    C(/etc/netns/NAME/resolv.conf) (O(dns)): C(ip netns exec) shows them to the sandbox's processes as its
    C(/etc/hosts) and C(/etc/resolv.conf), and a runtime can bind-mount them into a container. A file is
    rewritten in place, so processes already running in the sandbox see the change. The first line carries
    the ownership mark; a file without it is left alone, with a warning. A namespace the module removes takes
    its files with it; a namespace with neither O(hosts) nor O(dns) has no files of the collection."
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
    description:
      - Bind O(name) to the network namespace of this running process instead of creating one.
      - A process that runs in the host's own namespace is refused before anything changes; use O(host) for
        that (Docker's C(--network host)).
    type: int
  container:
    description: Bind O(name) to the namespace of this other named namespace (they become the same one).
    type: str
  host:
    description:
      - Bind O(name) to the namespace the module runs in (the host's), not to PID 1's.
    type: bool
  hosts:
    description:
      - The entries of O(name)'s hosts file, after C(localhost). An empty list writes C(localhost) only.
    type: list
    elements: dict
    suboptions:
      address:
        description: An IPv4 or IPv6 address.
        type: str
        required: true
      names:
        description: Its names, the first one canonical (letters, digits, C(.), C(-), C(_)).
        type: list
        elements: str
        required: true
  dns:
    description:
      - "O(name)'s resolv.conf, C({servers, search, options}): C(servers) resolver addresses (at most 3, what glibc
        reads), C(search) search domains, C(options) resolver options such as C(ndots:2), C(timeout:1), C(rotate)."
      - Each list left out or empty is the host's own (C(/etc/resolv.conf) without loopback servers, which a
        sandbox cannot reach; then systemd-resolved's upstream servers; then, with a warning, Docker's fallback
        C(8.8.8.8) and C(8.8.4.4)).
    type: dict
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
      hosts:
        description: This namespace's own hosts entries, as O(hosts).
        type: list
        elements: dict
        suboptions:
          address:
            description: An IPv4 or IPv6 address.
            type: str
            required: true
          names:
            description: Its names.
            type: list
            elements: str
            required: true
      hosts_include:
        description:
          - Names of O(hosts_tables) whose entries follow this namespace's own in its hosts file (a network's
            containers, given once for all of them). A line already written is not repeated.
        type: list
        elements: str
      dns:
        description: This namespace's resolv.conf, C({servers, search, options}), as O(dns).
        type: dict
      state:
        description: Whether the name should exist.
        type: str
        choices: [present, absent]
  hosts_tables:
    description:
      - "Shared hosts entries by table name, C({name: [{address, names}]}), that items include with
        O(namespaces[].hosts_include): a network of many containers is sent once, not once per container."
    type: dict
  purge:
    description:
      - With O(namespaces), remove the namespaces the collection bound that the list does not name
        (the list is authoritative), with their name files, and the collection's name files in
        C(/etc/netns) of names that are neither listed nor bound. Names the collection did not bind are never
        removed.
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

- name: Two sandboxes that resolve each other's names, one with its own resolvers
  cnet.linux.netns:
    namespaces:
      - name: web
        hosts_include: [front]
        dns: {}                   # the host's resolvers and search domains
      - name: db
        hosts_include: [front]
        dns:
          servers: [192.0.2.53]
          search: [example.internal]
    hosts_tables:
      front:
        - {address: 10.1.0.2, names: [web]}
        - {address: 10.1.0.3, names: [db, postgres]}

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
  sample: ["ip netns add test01", "ip -n test01 link set lo up alias 'cnet.linux:netns name=test01'",
           "write /etc/netns/test01/hosts: +10.1.0.2 web, +10.1.0.3 db postgres"]
diff:
  description: Each namespace and name file the plan changes, before and after (a file as its text).
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
