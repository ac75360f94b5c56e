# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a check-mode run of the roles found to change on one host, object by object."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: drift_report
short_description: Objects and actions a check-mode run of cnet.linux modules would change
version_added: 0.1.0
description:
  - Takes the registered results of the collection's module calls (single calls and loops) from a check and
    diff mode run and returns what drifted - each object the plans touch (for example C(veth ve-web-eth0),
    C(peer 192.0.2.12), C(iptables)) with the commands that would repair it.
author:
  - cnet.linux contributors (@cnet-linux)
options:
  _input:
    description: Registered results (a list; undefined or skipped entries are ignored).
    type: list
    elements: raw
    required: true
'''

EXAMPLES = r'''
- name: Summarize
  ansible.builtin.debug:
    msg: "{{ [bridge_veth_result, overlay_vxlan_result] | cnet.linux.drift_report }}"
'''

RETURN = r'''
_value:
  description: C(objects) (sorted names) and C(actions) (the plan's commands, in order).
  type: dict
'''


def _walk(result, found):
    """The changed module results in result (a loop's items too), appended to found."""
    if not isinstance(result, dict):
        return found
    for item in result.get("results") or []:
        _walk(item, found)
    if result.get("changed") and "actions" in result:
        found.append(result)
    return found


def drift_report(results):
    objects, actions = set(), []
    for result in results or []:
        for changed in _walk(result, []):
            diff = changed.get("diff") or {}
            objects.update(diff.get("before") or {})
            objects.update(diff.get("after") or {})
            actions += changed.get("actions") or []
    return {"objects": sorted(objects), "actions": actions}


class FilterModule(object):
    def filters(self):
        return {"drift_report": drift_report}
