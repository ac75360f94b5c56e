# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs on the controller: the fleet's inventory variables -> this host's plan, or with `hosts` (run_once) the
plans of every host of the run from one view of the fleet (plugin_utils.fleet.plan)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress
import json

from ansible.plugins.action import ActionBase

from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError
from ansible_collections.cnet.linux.plugins.plugin_utils.fleet import plan as fleet_plan
from ansible_collections.cnet.linux.plugins.plugin_utils.fleet import schema


def _plain(value):
    """Inventory values as plain JSON types (hostvars hand out lazy, tagged objects)."""
    if isinstance(value, dict):
        return dict((str(k), _plain(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, (int, float)):
        return value
    return str(value)


def _host_facts(hostvars):
    """What cnet.linux.network_info read of the host (host_facts; read.yml), or {}."""
    read = hostvars.get("host_network_info")
    return (read.get("host_facts") or {}) if isinstance(read, dict) else {}


def _underlay(hostvars):
    if hostvars.get("cnet_underlay_address"):
        return hostvars["cnet_underlay_address"]
    facts = hostvars.get("ansible_facts") or {}
    default = _host_facts(hostvars).get("default_ipv4") or facts.get("default_ipv4") or hostvars.get("ansible_default_ipv4") or {}
    if default.get("address"):
        return default["address"]
    try:
        return str(ipaddress.IPv4Address(str(hostvars.get("ansible_host"))))
    except ValueError:
        return None


def _recorded(hostvars):
    """The host's fleet.json as network_info read it (read.yml; {} when it has none), or None when not read."""
    read = hostvars.get("host_network_info")
    records = read.get("records") if isinstance(read, dict) else None
    return (records.get("fleet") or {}) if isinstance(records, dict) else None


def _observed(result):
    """cnet.linux.network_info's result (read.yml runs it when the host has no record), or None."""
    if not isinstance(result, dict) or result.get("skipped") or result.get("failed") or "pairs" not in result:
        return None
    return dict((key, result.get(key)) for key in ("bridges", "vxlans", "pairs", "macvlans"))


def _underlay_entry(hostvars, address):
    """{device, mtu, prefix} of the interface holding the underlay address: network_info's host_facts, else gathered
    facts (no prefix there), else {}."""
    for entry in _host_facts(hostvars).get("ipv4") or ():
        if address and isinstance(entry, dict) and entry.get("address") == address:
            return entry
    facts = hostvars.get("ansible_facts") or {}
    for name in facts.get("interfaces") or ():
        iface = facts.get(str(name).replace("-", "_").replace(".", "_")) or {}
        ipv4 = [iface.get("ipv4") or {}] + list(iface.get("ipv4_secondaries") or [])
        if address and any(a.get("address") == address for a in ipv4 if isinstance(a, dict)):
            return {"device": iface.get("device", name), "mtu": iface.get("mtu")}
    default = facts.get("default_ipv4") or {}
    return {"device": default.get("interface"), "mtu": default.get("mtu")} \
        if address and default.get("address") == address else {}


def _underlay_mtu(hostvars, entry):
    """cnet_underlay_mtu, else the MTU of the interface holding the underlay address (its _underlay_entry), else
    None."""
    if hostvars.get("cnet_underlay_mtu") is not None:
        return hostvars["cnet_underlay_mtu"]
    return entry.get("mtu")


def _public_keys(result):
    """{network: public key} of the host's WireGuard keys (cnet.linux.wireguard_key in read.yml), or {}."""
    keys = result.get("public_keys") if isinstance(result, dict) else None
    return dict(keys) if isinstance(keys, dict) else {}


def _fleet_vars(hostvars, fleet):
    """{host: the variables its plan reads} for every fleet host, each host's checked for unknown keys once."""
    hosts = {}
    for name in fleet:
        hv = hostvars[name]
        schema.check_variables([str(key) for key in hv], name)
        underlay = _underlay(hv)
        entry = _underlay_entry(hv, underlay)  # read once: its MTU, prefix and device
        hosts[name] = _plain({"containers": hv.get("cnet_containers"), "leases": hv.get("cnet_overlay_leases"),
                              "underlay": underlay, "underlay_mtu": _underlay_mtu(hv, entry),
                              "underlay_prefix": entry.get("prefix"), "underlay_device": entry.get("device"),
                              "recorded": _recorded(hv),
                              "observed": _observed(hv.get("host_network_info")),
                              "wireguard_keys": _public_keys(hv.get("host_wireguard_keys")),
                              "wireguard": _host_facts(hv).get("wireguard")})
    return hosts


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("fleet", "networks", "teardown", "hosts"))

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        task_vars = task_vars or {}
        args = self._task.args
        fleet = args.get("fleet")
        planned = args.get("hosts")
        if not isinstance(fleet, list) or not fleet:
            result.update(failed=True, msg="fleet: the list of the fleet's inventory hosts is required")
            return result
        if planned is not None and "networks" in args:
            result.update(failed=True, msg="networks and hosts are mutually exclusive: with hosts, every planned "
                                           "host's own cnet_networks is read")
            return result
        if planned is not None and (not isinstance(planned, list) or not planned):
            result.update(failed=True, msg="hosts: a list of the inventory hosts to plan is expected "
                                           "(ansible_play_batch, with run_once)")
            return result
        hostvars = task_vars["hostvars"]
        me = task_vars["inventory_hostname"]
        fleet = list(fleet) + [h for h in (planned or [me]) if h not in fleet]
        teardown = bool(args.get("teardown"))
        try:
            hosts = _fleet_vars(hostvars, fleet)
            if planned is None:
                plan = fleet_plan.build(_plain(args.get("networks")), hosts, me, teardown=teardown)
                result.update(changed=False, ansible_facts={"cnet_plan": plan})
                return result
            # one view of the fleet per distinct cnet_networks (normally one for the whole run)
            groups = {}
            for name in planned:
                networks = _plain(hostvars[name].get("cnet_networks") or [])
                groups.setdefault(json.dumps(networks, sort_keys=True), (networks, []))[1].append(name)
            plans = {}
            for networks, members in groups.values():
                plans.update(fleet_plan.build_all(networks, hosts, members, teardown=teardown))
        except InputError as exc:
            result.update(failed=True, msg=str(exc))
            return result
        result.update(changed=False, plans=plans)
        return result
