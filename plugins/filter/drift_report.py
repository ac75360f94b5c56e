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
  - Takes the registered results of the collection's module calls (single calls, loops and the parts of a
    M(cnet.linux.converge) call) from a check and
    diff mode run and returns what drifted - each object the plans touch (for example C(veth ve-web-eth0),
    C(peer vx4096 192.0.2.12), C(iptables filter FORWARD), C(sysctl net/ipv4/ip_forward)) with the commands
    that would repair it.
  - A command an earlier call already planned, word for word, is listed once (calls that share a chain each
    plan its repair in a check run; the real run makes it once), unless O(once=false).
author:
  - cnet.linux contributors (@cnet-linux)
options:
  _input:
    description:
      - Registered results (a list; skipped entries count as no drift). An entry that is not a registered result
        (an undefined variable, a string) is an error, so a step cannot fall out of the report unnoticed.
    type: list
    elements: raw
    required: true
  once:
    description:
      - List a command an earlier call planned word for word once (a check run's report). V(false) lists every
        call's commands as they are (a real run's report).
    type: bool
    default: true
'''

EXAMPLES = r'''
- name: Summarize
  ansible.builtin.debug:
    msg: "{{ cnet_steps | cnet.linux.drift_report }}"
'''

RETURN = r'''
_value:
  description: C(objects) (sorted names) and C(actions) (the plan's commands, in order).
  type: dict
'''


from collections.abc import Mapping, Sequence

from ansible.errors import AnsibleFilterError


def _walk(result, found):
    """The changed module results in result (a loop's items too, and each part of a cnet.linux.converge call,
    whose own actions and diff are theirs together), appended to found."""
    if not isinstance(result, Mapping):
        return found
    for item in result.get("results") or []:
        _walk(item, found)
    if "steps" in result:
        for item in result.get("steps") or []:
            _walk(item, found)
    elif result.get("changed") and "actions" in result:
        found.append(result)
    return found


def drift_report(results, once=True):
    """Objects and actions of every changed call. Calls that share an object (separate vxlan_overlay calls
    each keep the VXLAN port's dispatch chain and its INPUT jump; the roles make one call for every overlay)
    each plan its repair in a check run, where none sees what an earlier one would do; the real run makes it
    once, in the first. So a step an earlier call already
    planned, word for word, is listed once: the report says what the real run does. once=False lists every
    call's actions as they are (the report of a real run: what each call did)."""
    objects, actions, earlier = set(), [], set()
    if not isinstance(results, Sequence) or isinstance(results, str):
        raise AnsibleFilterError("drift_report: a list of registered module results is expected, not %r" % (results,))
    for i, result in enumerate(results):
        if not isinstance(result, Mapping):
            raise AnsibleFilterError("drift_report: item %d is not a registered module result: %r" % (i, result))
        for changed in _walk(result, []):
            diff = changed.get("diff") or {}
            objects.update(diff.get("before") or {})
            objects.update(diff.get("after") or {})
            mine = changed.get("actions") or []
            actions += [action for action in mine if not once or action not in earlier]
            earlier.update(mine)
    return {"objects": sorted(objects), "actions": actions}


class FilterModule(object):
    def filters(self):
        return {"drift_report": drift_report}
