# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One run's allocations, computed once for the whole fleet (every host's, not only the planned ones': a mistake
anywhere fails every plan): the hosts' underlay, the overlays' MTUs, leases and tunnel addresses, every
container's addresses (IPv4 and IPv6, per host and fleet-wide), the pinned MACs, the l2 overlays' endpoints, the
names each network resolves and the planned hosts' interface names. The drivers read it; nothing writes it."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.cnet.linux.plugins.module_utils.core import inputs
from ansible_collections.cnet.linux.plugins.plugin_utils.fleet import alloc, interfaces, inventory
from ansible_collections.cnet.linux.plugins.plugin_utils.fleet import records as fleet_records
from ansible_collections.cnet.linux.plugins.plugin_utils.fleet.plan import addresses, underlay

DEFAULT_NETWORK = "bridge"  # as in Docker, the one network whose containers do not resolve each other's names


class Allocation:
    """nets: {name: network} (inventory.networks); hosts: the fleet's variables; records: {host: its record}."""

    def __init__(self, nets, hosts, records, planned):
        fleet = sorted(hosts)
        self.nets, self.fleet, self.records = nets, fleet, records
        self.conts = dict((h, inventory.containers(hosts[h].get("containers"), nets, h)) for h in fleet)
        pins = dict((h, inventory.lease_pins(hosts[h].get("leases"), nets, h)) for h in fleet)
        overlays = [n for n in nets.values() if n["driver"] == "overlay"]
        # the subnets the host routes for l3 and host-gw overlays: no other network's containers reach them
        self.routed = [n["subnet"] for n in nets.values() if inventory.leased(n)]
        self.underlay = underlay.addresses(hosts, fleet) if overlays else {}
        self.underlay_mtu = underlay.mtus(hosts, fleet, records) if overlays else {}
        underlay.size_links(nets, self.underlay_mtu)
        self.leases = dict((n["name"], alloc.leases(n, fleet, pins, records)) for n in overlays if inventory.leased(n))
        # each lease's gateway, parsed once (every host's plan names every peer's: O(hosts) each)
        self._gateways = dict((name, dict((h, addresses.lease_gateway(lease)) for h, lease in table.items()))
                              for name, table in self.leases.items())
        underlay.check_on_link([n for n in overlays if n["mode"] == "host-gw"], hosts, self.underlay)
        self.tunnels = dict((n["name"], addresses.tunnels(n, fleet, records)) for n in overlays if n.get("encrypted"))
        underlay.check_wireguard(hosts, fleet, self.tunnels)
        self.keys = dict((h, fleet_records.public_keys(hosts[h].get("wireguard_keys"), h)) for h in fleet)
        spans = [n for n in nets.values() if inventory.spanning(n)]
        # the hosts' own addresses on a macvlan network's Ethernet are never handed out
        hosts_at = dict((hosts[h]["underlay"], h) for h in fleet if hosts[h].get("underlay"))
        # per family: {network: {'host/container': ip}} fleet-wide, {host: {network: {container: ip}}} per host
        self.spanning, self.local = {}, {}
        self.spanning[4] = dict((n["name"], addresses.spanning(n, fleet, self.conts, records, hosts_at=hosts_at))
                                for n in spans)
        self.local[4] = dict((h, addresses.local(nets, self.conts[h], h, self.leases, records[h])) for h in fleet)
        self.spanning[6] = dict((n["name"], addresses.spanning(n, fleet, self.conts, records, 6))
                                for n in spans if n.get("subnet6"))
        self.local[6] = dict((h, addresses.local(nets, self.conts[h], h, self.leases, records[h], 6)) for h in fleet)
        self.macs = addresses.macs(nets, fleet, self.conts, self.address)
        self.endpoints = dict((name, addresses.endpoints_by_host(table, self.macs, name, self.spanning[6].get(name)))
                              for name, table in self.spanning[4].items() if nets[name]["driver"] == "overlay")
        self.names = self._name_entries()
        self.devices = dict((h, inputs.ifname(hosts[h]["underlay_device"], "%s: network_info's underlay interface" % h))
                            for h in planned if hosts[h].get("underlay_device"))
        self.interfaces = dict((h, interfaces.names(self.conts[h], records[h], h)) for h in planned)

    def address(self, net, h, cname, family=4):
        """A container's address on a network, of one family; None when it has none of that family."""
        if inventory.spanning(net):
            return (self.spanning[family].get(net["name"]) or {}).get("%s/%s" % (h, cname))
        return ((self.local[family].get(h) or {}).get(net["name"]) or {}).get(cname)

    def addresses_of(self, net, h, cname):
        """[IPv4 address, IPv6 address if the network has IPv6] of a container on a network."""
        return [ip for ip in (self.address(net, h, cname), self.address(net, h, cname, 6)) if ip]

    def lease(self, net, h):
        return self.leases[net["name"]][h]

    def gateway(self, net, h):
        """The gateway of a host's lease of a leased overlay (on that host's overlay bridge)."""
        return self._gateways[net["name"]][h]

    def peers(self, me):
        """The other hosts of the fleet, in host order."""
        return [h for h in self.fleet if h != me]

    def _name_entries(self):
        """{network: {host: [{address, names}]}} of every user-defined network: each container's addresses there
        with its name and that attachment's aliases, what the hosts files of the network's containers list."""
        out = {}
        for h in self.fleet:
            for c in self.conts[h]:
                for a in c["attach"]:
                    net = self.nets[a["network"]]
                    if net["name"] == DEFAULT_NETWORK:
                        continue
                    for ip in self.addresses_of(net, h, c["name"]):
                        out.setdefault(net["name"], {}).setdefault(h, []).append(
                            {"address": ip, "names": [c["name"]] + a["aliases"]})
        return out
