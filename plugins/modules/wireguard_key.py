#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: wireguard_key
short_description: This host's WireGuard key pair of each encrypted overlay, made and kept here
version_added: 0.1.0
description:
  - Makes this host's key pair of an encrypted overlay network when it has none, and keeps the private key in
    C(<state_dir>/wireguard/<network>.json) (mode 0600, in a 0700 directory). The private key never leaves the
    host; the module returns the public keys (RV(public_keys)), which the fleet plan gives the other hosts.
  - Rotation - a new key pair when O(epoch) is raised above the epoch the key was made for. A key is never
    rotated back to a lower epoch (a warning says so).
  - The public key is derived on the host with X25519 (RFC 7748), so a check run reports the public keys of
    the keys that exist.
author:
  - cnet.linux contributors (@cnet-linux)
extends_documentation_fragment:
  - cnet.linux.engine
options:
  name:
    description: The overlay network's name. Use O(keys) for many.
    type: str
  epoch:
    description: The key's rotation counter; raise it to make a new key pair.
    type: int
    default: 0
  state:
    description: Whether the key should exist (absent removes the key file).
    type: str
    choices: [present, absent]
    default: present
  keys:
    description: Many networks' keys in one call; each item takes O(name), O(epoch), O(state).
    type: list
    elements: dict
    suboptions:
      name:
        description: The overlay network's name.
        type: str
        required: true
      epoch:
        description: The key's rotation counter.
        type: int
        default: 0
      state:
        description: Whether the key should exist.
        type: str
        choices: [present, absent]
  purge:
    description: Remove the key files of networks not listed.
    type: bool
    default: false
seealso:
  - module: cnet.linux.wireguard
'''

EXAMPLES = r'''
- name: This host's key of the encrypted overlay backend (a new pair after the epoch is raised)
  cnet.linux.wireguard_key:
    name: backend
    epoch: 1
  register: keys
'''

RETURN = r'''
public_keys:
  description: The public key of each listed network whose key exists (after the run; in check mode, before it).
  returned: always
  type: dict
  sample: {"backend": "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo="}
actions:
  description: The changes, as the equivalent commands (never a key).
  returned: always
  type: list
  elements: str
  sample: ["wg genkey > /var/lib/cnet/wireguard/backend.json  # new"]
'''

from ansible_collections.cnet.linux.plugins.module_utils.ansible_glue import run
from ansible_collections.cnet.linux.plugins.module_utils.resources.wireguard import WireguardKeys
from ansible_collections.cnet.linux.plugins.module_utils.specs import WIREGUARD_KEY


def main():
    run(WireguardKeys, WIREGUARD_KEY[0], **WIREGUARD_KEY[1])


if __name__ == "__main__":
    main()
