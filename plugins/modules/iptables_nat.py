#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: iptables_nat
short_description: NAT, published ports and isolation of bridge networks, in chains the collection owns
version_added: 0.1.0
description:
  - The iptables rules of Docker-like bridge networks on one host - egress masquerade, published ports
    (reachable from outside, from the host itself and from containers through the host's address),
    inter-container communication on or off, internal networks, isolation between networks - in chains
    named C(CNET-*), with Docker 29's layout and without a userland proxy.
  - "The jumps into them are the first rules of C(FORWARD), nat C(PREROUTING), C(OUTPUT), C(POSTROUTING) and raw
    C(PREROUTING). C(FORWARD) jumps first to C(CNET-USER): put your own rules there (like C(DOCKER-USER));
    the collection creates it empty and never changes it."
  - The whole content of every owned chain is compared with C(iptables-save); what differs is applied by one
    C(iptables-restore --noflush) call, one transaction per changed table, with the fewest rule deletions and
    insertions. A run with nothing to change makes no C(iptables-restore) call. Rules and chains that are not the collection's
    are never changed.
  - Conntrack entries of published ports that are removed or changed are deleted, so old flows end.
  - Publishing on C(127.0.0.1) sets C(route_localnet) on the network's bridge (the host reaches the port through
    its loopback) and drops packets for 127.0.0.0/8 that arrive from the bridge. C(icc=false) needs bridged
    traffic to pass the rules; with O(bridge_netfilter=host) it sets C(net.bridge.bridge-nf-call-iptables=1).
author:
  - cnet.linux contributors (@cnet-linux)
requirements:
  - iptables-save and iptables-restore (nft or legacy; Debian/Ubuntu package C(iptables)).
  - pyroute2 0.7 or later for the managed host's Python (Debian/Ubuntu package C(python3-pyroute2)), to flush the
    conntrack entries of published ports that go away.
extends_documentation_fragment:
  - cnet.linux.engine
options:
  bridge:
    description: The network's bridge device; its rules are keyed by it. Use O(networks) for many networks.
    type: str
  name:
    description: The network's name, for messages. Default O(bridge).
    type: str
  subnet:
    description: The network's IPv4 subnet, e.g. C(172.17.0.0/16).
    type: str
  subnet6:
    description:
      - The network's IPv6 subnet, e.g. C(fd00:17::/64), for a dual-stack network. Its rules are the same layout
        in C(ip6tables) (the same chain names; no raw table), written by C(ip6tables-restore).
      - Without it the network's IPv6 chains are removed.
    type: str
  masquerade:
    description: Masquerade traffic from the subnet that leaves by any interface but the bridge. Default true unless O(internal).
    type: bool
  masquerade6:
    description:
      - Masquerade IPv6 traffic from O(subnet6) that leaves by any interface but the bridge. Default false (IPv6
        is routed), as Docker without C(ip6tables) NAT; published IPv6 ports are DNAT-ed either way.
    type: bool
  icc:
    description: Let containers of the network reach each other.
    type: bool
    default: true
  internal:
    description: No traffic into or out of the subnet is forwarded (the host still reaches its containers).
    type: bool
    default: false
  routed_subnets:
    description:
      - Networks reached by routing instead of NAT, for overlays (the whole overlay subnet); traffic between
        them and this network is neither masqueraded nor dropped.
    type: list
    elements: str
    default: []
  routed_in:
    description:
      - The interfaces traffic from O(routed_subnets) may arrive on (an l3 overlay's VXLAN device, a host-gw
        overlay's underlay interface). Given, a packet from a routed subnet is let in only from them, so a machine
        on the underlay cannot reach the containers by sending from an address of the overlay; empty (the
        default), from any interface.
    type: list
    elements: str
    default: []
  isolated_subnets:
    description:
      - Destinations this network's containers may not reach through the host - other networks' subnets that
        the host routes, such as an l3 overlay's (Docker keeps networks apart; an overlay is a network too).
        Their published ports stay reachable through the host's addresses.
    type: list
    elements: str
    default: []
  publish:
    description: Published ports of the network's containers.
    type: list
    elements: dict
    default: []
    suboptions:
      address:
        description: The container's IPv4 address (in O(subnet)).
        type: str
        required: true
      address6:
        description:
          - The container's IPv6 address (in O(subnet6)). With it, a port that names no host address is published
            on IPv6 too (on the host's IPv6 addresses, to this address).
        type: str
      ports:
        description:
          - Docker's form C([host_ip:]host_port:container_port[/tcp|udp]); equal-sized ranges like C(8000-8009:80-89).
            An IPv6 host address is written in brackets (C([2001:db8::1]:8080:80)); C(0.0.0.0) is every IPv4
            address, C([::]) every IPv6 one; no host address is both families.
          - A port published on C(127.0.0.1) is reachable from the host only. C([::1]) cannot be published (the
            kernel has no C(route_localnet) for IPv6; Docker needs its userland proxy for it).
        type: list
        elements: str
        required: true
      allow:
        description:
          - The source networks these ports accept forwarded connections from (like C(192.0.2.0/24) or
            C(2001:db8::/48); an address alone is one host). Unset, everyone, as Docker; an empty list, no one from
            outside. Each family's mappings take that family's networks (a list of IPv4 networks only lets no
            one in over IPv6); C(0.0.0.0/0) or C(::/0) is every source of its family.
          - Enforced in the network's own chain before the DNAT-ed traffic is accepted; the host itself and the
            network's own containers (hairpin, with O(icc)) are not forwarded from outside and are not filtered.
          - Narrowing the list ends the tracked connections of sources no longer allowed.
        type: list
        elements: str
  state:
    description: Whether the network's rules should exist. In O(networks), the default for items.
    type: str
    choices: [present, absent]
    default: present
  networks:
    description: Many networks in one call; each item takes the options of one network.
    type: list
    elements: dict
    suboptions:
      bridge:
        description: The network's bridge device.
        type: str
        required: true
      name:
        description: The network's name.
        type: str
      subnet:
        description: The network's IPv4 subnet.
        type: str
      subnet6:
        description: The network's IPv6 subnet (dual stack).
        type: str
      masquerade6:
        description: Masquerade IPv6 egress.
        type: bool
      masquerade:
        description: Egress masquerade.
        type: bool
      icc:
        description: Inter-container communication.
        type: bool
      internal:
        description: Internal network.
        type: bool
      routed_subnets:
        description: Networks reached by routing instead of NAT.
        type: list
        elements: str
      routed_in:
        description: The interfaces traffic from O(networks[].routed_subnets) may arrive on (empty, any).
        type: list
        elements: str
      isolated_subnets:
        description: Destinations this network's containers may not reach through the host.
        type: list
        elements: str
      publish:
        description: Published ports.
        type: list
        elements: dict
        suboptions:
          address:
            description: The container's IPv4 address.
            type: str
            required: true
          address6:
            description: The container's IPv6 address.
            type: str
          ports:
            description: The container's published ports.
            type: list
            elements: str
            required: true
          allow:
            description: The source networks these ports accept (unset, everyone).
            type: list
            elements: str
      state:
        description: Whether the network's rules should exist.
        type: str
        choices: [present, absent]
  purge:
    description:
      - Remove the rules of networks that this call does not name, so the call is authoritative for the host.
        With an empty O(networks) list it removes everything the module made (teardown).
    type: bool
    default: false
  forward_drop:
    description:
      - The address families (V(4) for iptables, V(6) for ip6tables) whose C(FORWARD) policy is C(DROP), as Docker
        sets it where it turns forwarding on, so a host with two other interfaces forwards nothing between them.
        The policy is set in the same C(iptables-restore) transaction as the chains that accept what the
        networks need, so no packet of theirs meets the new policy before them.
      - The policy a family had before is kept in C(<state_dir>/forward.json); a family no longer listed gets it
        back (an empty list at teardown puts both back). Not given (the default), the policies and the record are
        left as they are.
    type: list
    elements: int
    choices: [4, 6]
  accept_interfaces:
    description:
      - Interfaces of the collection's with no network chain of their own (an l2 overlay's bridge, a ptp pair's
        host end). What is forwarded to and from them is accepted in C(CNET-FORWARD), so O(forward_drop) does not
        stop it. Given, the list is authoritative; not given, the interfaces accepted now stay.
    type: list
    elements: str
  backend:
    description:
      - Which iptables to use. V(auto) is whatever C(iptables-restore) is on the host (Debian and Ubuntu
        default to nft).
    type: str
    choices: [auto, nft, legacy]
    default: auto
  bridge_netfilter:
    description:
      - How frames bridged between a network's containers reach its rules (for O(icc=false)).
      - V(host) sets the host-wide C(net.bridge.bridge-nf-call-iptables=1), as Docker does; every bridge of
        the host, foreign ones too, then takes a netfilter pass.
      - V(bridge) leaves the host-wide sysctl alone; each network's bridge carries its own frames to the rules
        (M(cnet.linux.bridge) with O(cnet.linux.bridge#module:netfilter=true)).
    type: str
    choices: [host, bridge]
    default: host
seealso:
  - module: cnet.linux.bridge
  - module: cnet.linux.veth
'''

EXAMPLES = r'''
- name: Docker's default bridge network, a container publishing 2333 -> 22 and DNS on localhost only
  cnet.linux.iptables_nat:
    bridge: cnet0
    subnet: 172.17.0.0/16
    publish:
      - address: 172.17.0.10
        ports: ["2333:22", "127.0.0.1:8053:53/udp"]

- name: Every bridge network of the host in one call; rules of networks no longer listed are removed
  cnet.linux.iptables_nat:
    purge: true
    networks:
      - bridge: cnet0
        subnet: 172.17.0.0/16
      - bridge: cnet-db
        subnet: 172.18.0.0/16
        icc: false
      - bridge: cnet-int
        subnet: 172.19.0.0/16
        internal: true

- name: Teardown - every chain and jump the module made
  cnet.linux.iptables_nat:
    networks: []
    purge: true
'''

RETURN = r'''
changed:
  description: Whether anything was (or, in check mode, would be) changed.
  returned: always
  type: bool
actions:
  description: The plan, one rule change per line, as the equivalent iptables (or sysctl, conntrack) command.
  returned: always
  type: list
  elements: str
  sample: ["iptables -t nat -N CNET-N-cnet0", "iptables -t nat -A CNET-N-cnet0 -p tcp -m tcp --dport 2333 -j DNAT --to-destination 172.17.0.10:22"]
diff:
  description: Each table the plan changes - the owned chains and the jumps into them - before and after.
  returned: in diff mode (C(--diff))
  type: dict
timing:
  description: Seconds spent observing, planning and applying.
  returned: always
  type: dict
restore_calls:
  description: C(iptables-restore) processes run (1 when anything changed, 0 on a run with nothing to do).
  returned: always
  type: int
netlink_writes:
  description: Netlink requests that changed something (always 0 here).
  returned: always
  type: int
'''

from ansible_collections.cnet.linux.plugins.module_utils.ansible_glue import run
from ansible_collections.cnet.linux.plugins.module_utils.resources.nat import NatNetworks
from ansible_collections.cnet.linux.plugins.module_utils.specs import IPTABLES_NAT


def main():
    run(NatNetworks, IPTABLES_NAT[0], **IPTABLES_NAT[1])


if __name__ == "__main__":
    main()
