#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: vxlan_overlay
short_description: VXLAN overlays on one host - the devices and every remote peer's entries
version_added: 0.1.0
description:
  - Creates the VXLAN device (VNI, UDP port, local underlay address and device, MAC learning off, MTU the
    underlay's minus 50 unless set, IPv6 off) and programs every remote peer, so nothing is learned and no first
    pass is needed. Each host's VTEP MAC is derived from its underlay address (C(02:cc:) and the four bytes of
    the address), so every host computes every peer's MAC.
  - "O(mode=l3) (flannel-like): this host's O(lease) is routed; per peer a route to its lease via the lease's
    network address C(onlink), a permanent neighbour entry for that address with the peer's VTEP MAC, and an
    FDB entry sending that MAC to the peer's underlay address. The device holds the lease's network address
    as a /32. Local containers sit on a bridge that holds the lease's gateway (module M(cnet.linux.bridge))."
  - "O(mode=l2) (Docker-overlay-like): one subnet across all hosts; the device is a port of O(bridge); per
    peer an all-zero FDB (flood) entry; per known remote endpoint an FDB entry and a permanent neighbour entry
    the device answers ARP requests (IPv4) and neighbour solicitations (IPv6) from (C(proxy)), so known
    endpoints are reached without flooding. A dual-stack container is two endpoints with one MAC. The underlay
    is IPv4."
  - Only the listed peers may send to the VXLAN port unless O(firewall=false).
  - The peer set is authoritative. Entries of peers no longer listed are removed; a peer whose underlay
    address changed is updated in place. A change of VNI, port, local address, underlay device or mode
    recreates the device, and the plan says so.
  - A peer whose address is this host's own O(local) is skipped, so the whole fleet can be passed as O(peers).
  - A device without the collection's mark is never changed or removed.
author:
  - cnet.linux contributors (@cnet-linux)
requirements:
  - pyroute2 0.7 or later for the managed host's Python (Debian/Ubuntu package C(python3-pyroute2)), which writes
    the neighbour and forwarding-database entries of the peers.
  - iptables-save and iptables-restore for the VXLAN port filter (unless O(firewall=false)).
extends_documentation_fragment:
  - cnet.linux.engine
options:
  name:
    description: The network label in the ownership mark (default C(vx<vni>)).
    type: str
  device:
    description: The VXLAN device name (default C(vx<vni>)).
    type: str
  vni:
    description: VXLAN network identifier, 1 to 16777215. Required unless O(overlays) is given.
    type: int
  port:
    description: Destination UDP port.
    type: int
    default: 4789
  mode:
    description: V(l3) routes a lease per host (flannel-like); V(l2) bridges one subnet across hosts (Docker-like).
    type: str
    choices: [l3, l2]
    default: l3
  local:
    description:
      - This host's underlay IPv4 address, the source of its VXLAN packets. Default the first IPv4 address of
        O(dev), or of the device of the IPv4 default route.
    type: str
  dev:
    description: The underlay device. Default the device holding O(local), or the device of the default route.
    type: str
  mtu:
    description: MTU of the device. Default the underlay device's MTU minus 50 (the VXLAN encapsulation).
    type: int
  lease:
    description: This host's lease, its part of the overlay subnet, e.g. C(10.244.3.0/24). Required with O(mode=l3).
    type: str
  bridge:
    description: The network's bridge, of which the device becomes a port. Required with O(mode=l2).
    type: str
  peers:
    description: The remote hosts of the overlay (authoritative).
    type: list
    elements: dict
    default: []
    suboptions:
      address:
        description: The peer's underlay IPv4 address.
        type: str
        required: true
      lease:
        description: The peer's lease (O(mode=l3)).
        type: str
      endpoints:
        description: Containers known on that peer (O(mode=l2)), reached without flooding.
        type: list
        elements: dict
        suboptions:
          ip:
            description: The container's overlay IPv4 or IPv6 address (a dual-stack container is listed twice).
            type: str
            required: true
          mac:
            description: The container's MAC address.
            type: str
            required: true
  firewall:
    description:
      - Only the listed peers may send to the VXLAN UDP port; every other source is dropped. The rules are in
        filter chains the collection owns (C(-p udp -j CNET-VXLAN) first in C(INPUT); C(CNET-VXLAN) sends each
        port to a chain per overlay, C(CNET-V-<device>), that accepts its peers, and drops the rest of the port).
      - Without this, anyone who reaches the port can inject frames into the overlay (VXLAN has no
        authentication). V(false) removes this overlay's chain (and the shared ones once no overlay has one),
        e.g. when a host firewall of your own already filters the port.
      - Overlays sharing a port accept each other's peers (the kernel tells them apart by VNI).
    type: bool
    default: true
  encrypted:
    description:
      - The overlay runs over an encrypted overlay's WireGuard device (M(cnet.linux.wireguard)) - O(dev) is that
        device and O(local) its tunnel address, and the peers are the other hosts' tunnel addresses. With
        O(firewall) the peers' VXLAN packets are accepted only when they come in through O(dev), so a plain
        VXLAN packet from a peer's underlay address is dropped.
    type: bool
    default: false
  overlays:
    description:
      - Several overlays of this host in one call, each with the options of the single form (O(name), O(device),
        O(vni), O(port), O(mode), O(local), O(dev), O(mtu), O(lease), O(bridge), O(peers), O(firewall),
        O(state)); O(backend) is the call's. One observation and one plan for them all; the port filter of
        every overlay listed is one C(iptables-restore), so a shared chain or jump is planned once.
      - Mutually exclusive with the single form's options.
    type: list
    elements: dict
    suboptions:
      name:
        description: As O(name).
        type: str
      device:
        description: As O(device).
        type: str
      vni:
        description: As O(vni).
        type: int
        required: true
      port:
        description: As O(port).
        type: int
        default: 4789
      mode:
        description: As O(mode).
        type: str
        choices: [l3, l2]
        default: l3
      local:
        description: As O(local).
        type: str
      dev:
        description: As O(dev).
        type: str
      mtu:
        description: As O(mtu).
        type: int
      lease:
        description: As O(lease).
        type: str
      bridge:
        description: As O(bridge).
        type: str
      peers:
        description: As O(peers).
        type: list
        elements: dict
        default: []
        suboptions:
          address:
            description: As O(peers[].address).
            type: str
            required: true
          lease:
            description: As O(peers[].lease).
            type: str
          endpoints:
            description: As O(peers[].endpoints).
            type: list
            elements: dict
            suboptions:
              ip:
                description: As O(peers[].endpoints[].ip).
                type: str
                required: true
              mac:
                description: As O(peers[].endpoints[].mac).
                type: str
                required: true
      firewall:
        description: As O(firewall).
        type: bool
        default: true
      encrypted:
        description: As O(encrypted).
        type: bool
        default: false
      state:
        description: As O(state).
        type: str
        choices: [present, absent]
        default: present
  backend:
    description:
      - Which iptables holds the port filter. V(auto) is whatever C(iptables-restore) is on the host (Debian and
        Ubuntu default to nft).
    type: str
    choices: [auto, nft, legacy]
    default: auto
  state:
    description:
      - O(state=absent) removes the device and with it every entry (only a device the collection made), and its
        port filter chain.
    type: str
    choices: [present, absent]
    default: present
seealso:
  - module: cnet.linux.bridge
  - module: cnet.linux.veth
'''

EXAMPLES = r'''
- name: Every overlay of this host in one call (one plan, one restore of the port filter)
  cnet.linux.vxlan_overlay:
    overlays:
      - name: backend
        vni: 4096
        lease: 10.244.1.0/24
        peers: [{address: 192.0.2.12, lease: 10.244.2.0/24}]
      - name: swarm
        vni: 4097
        mode: l2
        bridge: br-swarm
        peers: [{address: 192.0.2.12, endpoints: [{ip: 10.245.0.12, mac: "02:42:0a:f5:00:0c"}]}]

- name: Flannel-like overlay, this host leasing 10.244.1.0/24
  cnet.linux.vxlan_overlay:
    name: backend
    vni: 4096
    lease: 10.244.1.0/24
    peers:
      - address: 192.0.2.12
        lease: 10.244.2.0/24
      - address: 192.0.2.13
        lease: 10.244.3.0/24

- name: Docker-like overlay, one subnet on bridge br-backend
  cnet.linux.vxlan_overlay:
    name: backend
    vni: 4097
    mode: l2
    bridge: br-backend
    peers:
      - address: 192.0.2.12
        endpoints:
          - ip: 10.245.0.12
            mac: "02:42:0a:f5:00:0c"
'''

RETURN = r'''
changed:
  description: Whether anything was (or, in check mode, would be) changed.
  returned: always
  type: bool
actions:
  description: The plan, one change per line, as the equivalent command.
  returned: always
  type: list
  elements: str
  sample: ["ip neigh replace 10.244.2.0 lladdr 02:cc:c0:00:02:0c dev vx4096 nud permanent"]
diff:
  description: The device, each peer and the port filter (C(iptables)) the plan changes, before and after.
  returned: in diff mode (C(--diff))
  type: dict
timing:
  description: Seconds spent observing, planning and applying.
  returned: always
  type: dict
netlink_writes:
  description: Netlink requests that changed something (0 on a run with nothing to do).
  returned: always
  type: int
'''

from ansible_collections.cnet.linux.plugins.module_utils.ansible_glue import run
from ansible_collections.cnet.linux.plugins.module_utils.resources.vxlan.overlay import VxlanOverlay
from ansible_collections.cnet.linux.plugins.module_utils.specs import VXLAN_OVERLAY


def main():
    run(VxlanOverlay, VXLAN_OVERLAY[0], **VXLAN_OVERLAY[1])


if __name__ == "__main__":
    main()
