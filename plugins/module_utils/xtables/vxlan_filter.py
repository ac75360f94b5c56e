# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The VXLAN port filter: only an overlay's listed peers may send to its UDP port (a VXLAN packet is accepted
for its VNI whatever its source, so without this anyone who can reach the port can inject frames).

  filter INPUT       -p udp -j CNET-VXLAN (first)
  filter CNET-VXLAN  -p udp -m udp --dport <port> -j CNET-V-<device>   per overlay on this host, device order
                     -p udp -m udp --dport <port> -j DROP               per port in use, after every dispatch
  filter CNET-V-<device>  -s <peer>/32 -j ACCEPT                        per peer, address order
                          -s <peer>/32 -i <tunnel> -j ACCEPT            an encrypted overlay's: from inside the
                                                                        WireGuard device only

Overlays sharing a port accept each other's peers (the kernel tells them apart by VNI). Chains of overlays
that other runs manage are kept; their port is read from their device (or the dispatch rule, if the
device is gone). Separate from the bridge networks' chains (nat_layout.SCOPE): neither removes the other's.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress
import re

from ansible_collections.cnet.linux.plugins.module_utils.xtables.scope import Scope

VXLAN = "CNET-VXLAN"
PREFIX = "CNET-V-"
JUMPS = {("filter", "INPUT"): ["-p udp -j %s" % VXLAN]}
SCOPE = Scope("vxlan", ("filter",), [VXLAN], [PREFIX], JUMPS)
_DISPATCH = re.compile(r"^-p udp -m udp --dport (\d+) -j %s(\S+)$" % PREFIX)


def chain(device):
    return PREFIX + device


def peer_rules(addresses, interface=None):
    where = " -i %s" % interface if interface else ""
    return ["-s %s/32%s -j ACCEPT" % (a, where) for a in sorted(set(addresses), key=ipaddress.IPv4Address)]


def dispatched(rules):
    """{device: port} of the dispatch rules in CNET-VXLAN."""
    return dict((m.group(2), int(m.group(1))) for m in (_DISPATCH.match(r) for r in rules) if m)


def desired(current, device, port, peers, port_of, interface=None):
    """({'filter': {chain: rules}}, jumps) after a run for one overlay. current: the observed filter table;
    device/port/peers: this overlay (peers None: no filter of its own); port_of(device): the UDP port of
    another overlay's device, or None; interface: the peers' packets must come in on it (a tunnel)."""
    old = dispatched(current.get(VXLAN, []))
    chains, ports = {}, {}
    for name, rules in current.items():
        other = name[len(PREFIX):]
        if name.startswith(PREFIX) and other != device:
            chains[name] = rules  # another run's overlay: kept as it is
            known = port_of(other) or old.get(other)
            if known:
                ports[other] = known
    if peers is not None:
        chains[chain(device)] = peer_rules(peers, interface)
        ports[device] = port
    if not chains:
        return {"filter": {}}, dict((key, []) for key in JUMPS)
    want = {VXLAN: ["-p udp -m udp --dport %d -j %s" % (ports[d], chain(d)) for d in sorted(ports)]
            + ["-p udp -m udp --dport %d -j DROP" % p for p in sorted(set(ports.values()))]}
    want.update(sorted(chains.items()))
    return {"filter": want}, dict(JUMPS)
