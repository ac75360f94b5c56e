# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One host's cnet.linux.converge parts as the drivers write them, and the arguments they become: keyed by the
engine's resource KIND (resources.registry), each exactly the options of the module of that name, so the role
passes them through. What only the host's role knows (its iptables backend, how bridged frames reach the rules,
the FORWARD policy, the host's settings, the records, the state directory) the role adds."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class Parts:
    """The lists the drivers append to, in the order a host is built."""

    def __init__(self, network_names):
        self.namespaces = []
        self.hosts_tables = {}
        self.bridges = []
        self.pairs = dict((name, []) for name in network_names)  # each network's pairs, in the inventory's order
        self.macvlan = []
        self.macvlan_networks = []
        self.nat = []
        self.accept = []  # the collection's interfaces with no chain of their own, whose traffic the chains accept
        self.tunnels = []
        self.had_tunnels = False  # the host's record has an encrypted overlay: its WireGuard devices are purged
        self.vxlan = []
        self.host_gw = []

    def converge(self):
        """{kind: options}: a part with nothing to do is left out (a module given an empty list would converge
        nothing but still lock and read the host); the NAT part is always in, with the FORWARD policy."""
        out = {"netns": {"namespaces": self.namespaces, "hosts_tables": self.hosts_tables, "purge": True},
               "iptables_nat": {"networks": self.nat, "accept_interfaces": sorted(set(self.accept))}}
        if self.bridges:
            out["bridge"] = {"bridges": self.bridges}
        if self.pairs:
            out["veth"] = {"pairs": [p for pairs in self.pairs.values() for p in pairs],
                           "purge_networks": list(self.pairs)}
        if self.macvlan_networks:
            out["macvlan"] = {"endpoints": self.macvlan, "purge_networks": self.macvlan_networks}
        if self.tunnels or self.had_tunnels:
            out["wireguard"] = {"tunnels": self.tunnels, "purge": True}
        if self.vxlan:
            out["vxlan_overlay"] = {"overlays": self.vxlan}
        if self.host_gw:
            out["host_gw"] = {"overlays": self.host_gw}
        return out
