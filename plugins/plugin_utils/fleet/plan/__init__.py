# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""From the inventory to each host's cnet.linux.converge arguments. build_all(networks, hosts, planned) checks
the whole fleet's variables (inventory.py, records.py), allocates once for the whole run (allocation.py), then for
each planned host lets each network's driver (drivers/) write its part, the containers' interfaces after them
(containers.py). A host's plan is a plain, serializable dict:

- converge: {kind: options} - the converge call's parts, keyed by the engine's resource KIND (parts.py);
- health: the overlays' probes; summary: what inspect.yml shows; ipv6: whether the host forwards IPv6;
- record: what the host keeps for the next run, with record_pending/record_write (record.py); gone: the networks
  removed.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.cnet.linux.plugins.module_utils.core import inputs
from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError
from ansible_collections.cnet.linux.plugins.plugin_utils.fleet import inventory, observed, records
from ansible_collections.cnet.linux.plugins.plugin_utils.fleet.plan import containers, drivers, record, summary
from ansible_collections.cnet.linux.plugins.plugin_utils.fleet.plan.addresses import lease_gateway, endpoint_mac
from ansible_collections.cnet.linux.plugins.plugin_utils.fleet.plan.allocation import Allocation, DEFAULT_NETWORK
from ansible_collections.cnet.linux.plugins.plugin_utils.fleet.plan.parts import Parts

__all__ = ("build", "build_all", "lease_gateway", "endpoint_mac", "DEFAULT_NETWORK", "VERSION")
VERSION = record.VERSION
# hosts[h]'s keys, as the messages name them ('recorded', the host's fleet.json, is checked by records.check)
HOST_INPUTS = (("containers", "cnet_containers"), ("leases", "cnet_overlay_leases"),
               ("underlay", "cnet_underlay_address"), ("underlay_mtu", "cnet_underlay_mtu"),
               ("underlay_device", "network_info's underlay interface"),
               ("observed", "network_info's devices"),
               ("wireguard_keys", "wireguard_key's public_keys"), ("wireguard", "network_info's wireguard"))


def build(raw_networks, hosts, me, teardown=False):
    """hosts: {name: {containers, leases (pins), underlay, recorded}} for the whole fleet; me: this host.
    teardown: every network of the inventory and of the host's record goes, every container with it."""
    return build_all(raw_networks, hosts, [me], teardown)[me]


def build_all(raw_networks, hosts, planned, teardown=False):
    """{host: plan} for every host in `planned`, from one view of the fleet: its variables are checked and its
    leases and addresses allocated once, not once per host (a run plans n hosts in O(n) allocations)."""
    fleet = sorted(hosts)
    for me in planned:
        if me not in hosts:
            raise InputError("%s is not in the fleet (%s)" % (me, ", ".join(fleet)))
    inputs.plain(raw_networks, "%scnet_networks" % (planned[0] + ": " if len(planned) == 1 else ""))
    for h in fleet:  # one line of printable text per value, whatever the variable or the host's report
        for key, name in HOST_INPUTS:
            inputs.plain(hosts[h].get(key), "%s: %s" % (h, name))
    nets = inventory.networks(raw_networks, planned[0] if len(planned) == 1 else None)
    recorded = dict((h, records.check(hosts[h].get("recorded"), h) or observed.record(hosts[h].get("observed"), h, nets))
                    for h in fleet)
    if teardown:
        return dict((me, _teardown(nets, recorded[me])) for me in planned)
    alloc = Allocation(nets, hosts, recorded, planned)
    return dict((me, _host(alloc, me)) for me in planned)


def _host(alloc, me):
    """One host's plan: each network's host side by its driver, then the containers' namespaces and interfaces."""
    parts = Parts(alloc.nets)
    for net in alloc.nets.values():
        drivers.of(net).network(alloc, net, me, parts)
    shown = {"networks": summary.networks(alloc, me), "containers": {}, "underlay": alloc.underlay.get(me)}
    health = containers.build(alloc, me, parts, shown["containers"])
    parts.hosts_tables = summary.hosts_tables(alloc, me, parts.namespaces)
    for net in alloc.nets.values():  # what a driver adds once the containers are attached
        getattr(drivers.of(net), "finish", lambda *args: None)(alloc, net, me, parts)
    old = alloc.records[me]  # what the host recorded at its last run (None: nothing)
    parts.had_tunnels = any(n.get("wg_device") for n in (old.networks if old else {}).values())
    plan = {"health": health, "record": record.of(alloc, me, parts.tunnels), "summary": shown,
            "ipv6": any(n.get("subnet6") for n in alloc.nets.values())}  # the host forwards IPv6
    return record.with_removals(plan, parts, alloc.nets, old.networks if old else {}, old.as_dict() if old else None)


def _teardown(nets, recorded):
    """Every network of the inventory and of the host's record goes; nothing is recorded."""
    old = dict(recorded.networks if recorded else {})
    old.update(record.networks(nets.values()))
    parts = Parts(())
    parts.had_tunnels = True
    return record.with_removals({"health": [], "record": None}, parts, {}, old, None)
