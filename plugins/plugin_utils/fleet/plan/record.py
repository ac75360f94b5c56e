# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The record a host keeps of a run (fleet.json, read back by records.check at the next run), and what goes: the
networks its record has and the inventory no longer does, every device of theirs, removed by their driver's part."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

from ansible_collections.cnet.linux.plugins.plugin_utils.fleet import records

VERSION = records.VERSION


def of(alloc, me, tunnels):
    """This host's record: its view of the fleet's allocations (leases, l2 tables, tunnels: a host that is not
    in the next run keeps its own in the others' view) and its own addresses and interface names."""
    record = {"version": VERSION, "host": me, "underlay": alloc.underlay.get(me), "networks": networks(alloc.nets.values()),
              records.LOCAL[4]: alloc.local[4][me], "leases": alloc.leases, records.SPANNING[4]: alloc.spanning[4],
              "interfaces": alloc.interfaces[me]}
    if alloc.underlay_mtu:
        record["underlay_mtu"] = {"underlay": alloc.underlay_mtu}
    if any(alloc.local[6][me].values()) or alloc.spanning[6]:  # only then: a record of an IPv4-only fleet is as before
        record.update({records.LOCAL[6]: alloc.local[6][me], records.SPANNING[6]: alloc.spanning[6]})
    if tunnels:
        record["tunnels"] = alloc.tunnels
    return record


def networks(nets):
    """{network: what removing it needs}: its driver and devices, an encrypted overlay's WireGuard device (the
    wireguard part purges it when it goes), a host-gw overlay's subnet (its routes are found by it)."""
    nets = list(nets)
    out = dict((n["name"], dict((k, n.get(k)) for k in ("driver", "bridge", "device", "vni"))) for n in nets)
    for n in nets:
        if n.get("wg_device"):
            out[n["name"]]["wg_device"] = n["wg_device"]
    for n in nets:
        if n.get("mode") == "host-gw":
            out[n["name"]].update(mode="host-gw", subnet=n["subnet"])
    return out


def with_removals(plan, parts, nets, old, on_disk):
    """Add what goes to parts: networks the host's record has (old: {network: what removing it needs}) and the
    inventory no longer does (every device of theirs, in the part of their driver). Until a run records its end,
    they stay in the pending record; on_disk: the record the host's file holds (None: none)."""
    current = set()
    for n in nets.values():
        current.update(d for d in (n.get("bridge"), n.get("device")) if d)
    gone = dict((name, net) for name, net in sorted(old.items()) if name not in nets)
    for name, net in gone.items():
        if net.get("driver") == "macvlan":  # its devices, and the host's shim
            parts.macvlan_networks.append(name)
        parts.pairs[name] = []
        bridge = net.get("bridge")
        if bridge and bridge not in current:
            parts.bridges.append({"name": bridge, "state": "absent"})
            parts.nat.append({"bridge": bridge, "state": "absent"})
        if net.get("device") and net["device"] not in current:
            parts.vxlan.append({"device": net["device"], "vni": net["vni"], "state": "absent"})
        if net.get("mode") == "host-gw":
            parts.host_gw.append({"name": name, "subnet": net["subnet"], "state": "absent"})
    plan["converge"] = parts.converge()
    plan["gone"] = sorted(gone)
    if plan["record"] is not None:
        # What the host's file holds after each write; a write that would not change it is not planned.
        on_disk = _as_json(on_disk)
        pending = _as_json(dict(plan["record"], networks=dict(plan["record"]["networks"], **gone)))
        if pending != on_disk:
            plan["record_pending"] = on_disk = pending
        plan["record_write"] = _as_json(plan["record"]) != on_disk
    return plan


def _as_json(value):
    """The value as read back from the record file (tuples become lists, keys strings)."""
    return json.loads(json.dumps(value)) if value is not None else None
