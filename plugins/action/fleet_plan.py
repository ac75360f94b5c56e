# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs on the controller: the fleet's inventory variables -> this host's plan (plugin_utils.fleet.plan)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress

from ansible.plugins.action import ActionBase

from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError
from ansible_collections.cnet.linux.plugins.plugin_utils.fleet import plan as fleet_plan


def _plain(value):
    """Inventory values as plain JSON types (hostvars hand out lazy, tagged objects)."""
    if isinstance(value, dict):
        return dict((str(k), _plain(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, (int, float)):
        return value
    return str(value)


def _underlay(hostvars):
    if hostvars.get("cnet_underlay_address"):
        return hostvars["cnet_underlay_address"]
    facts = hostvars.get("ansible_facts") or {}
    default = facts.get("default_ipv4") or hostvars.get("ansible_default_ipv4") or {}
    if default.get("address"):
        return default["address"]
    try:
        return str(ipaddress.IPv4Address(str(hostvars.get("ansible_host"))))
    except ValueError:
        return None


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("fleet", "networks", "teardown"))

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        task_vars = task_vars or {}
        args = self._task.args
        fleet = args.get("fleet")
        if not isinstance(fleet, list) or not fleet:
            result.update(failed=True, msg="fleet: the list of the fleet's inventory hosts is required")
            return result
        me = task_vars["inventory_hostname"]
        if me not in fleet:
            fleet = list(fleet) + [me]
        hostvars = task_vars["hostvars"]
        hosts = {}
        for name in fleet:
            hv = hostvars[name]
            hosts[name] = _plain({"containers": hv.get("cnet_containers"), "leases": hv.get("cnet_overlay_leases"),
                                  "underlay": _underlay(hv), "recorded": hv.get("host_recorded")})
        try:
            plan = fleet_plan.build(_plain(args.get("networks")), hosts, me, teardown=bool(args.get("teardown")))
        except InputError as exc:
            result.update(failed=True, msg=str(exc))
            return result
        result.update(changed=False, ansible_facts={"cnet_plan": plan})
        return result
