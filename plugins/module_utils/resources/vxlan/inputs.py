# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vxlan_overlay module's parameters, normalized and checked: the overlay, this host's lease or bridge,
and every peer (underlay address, lease or endpoints). Nothing here reads the host."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress

from ansible_collections.cnet.linux.plugins.module_utils.core import inputs
from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError


def normalize(params):
    field = "vxlan"
    mode = params.get("mode") or "l3"
    if mode not in ("l3", "l2"):
        raise InputError("mode: '%s' is not one of l3 (routed, flannel-like), l2 (one subnet, Docker-like)" % mode)
    vni = inputs.whole(params, "vni", field, 1, 16777215, required=True)
    item = {"mode": mode, "vni": vni, "port": inputs.whole(params, "port", field, 1, 65535, 4789),
            "device": inputs.ifname(params.get("device") or "vx%d" % vni, "device"),
            "state": inputs.state(params, None, "present"), "network": inputs.label(params.get("name") or "vx%d" % vni),
            "local": inputs.ip(params["local"], "local", 4) if params.get("local") else None,
            "dev": inputs.ifname(params["dev"], "dev") if params.get("dev") else None,
            "mtu": inputs.mtu(params["mtu"], "mtu") if params.get("mtu") is not None else None}
    item["firewall"] = params.get("firewall") is not False
    item["encrypted"] = bool(params.get("encrypted"))  # over a WireGuard device: VXLAN from it only
    if item["encrypted"] and not item["firewall"]:
        raise InputError("firewall: false with encrypted: true would admit plain VXLAN from the underlay into an "
                         "encrypted overlay (the port filter admits peers from inside the tunnel only); remove one")
    if item["encrypted"] and not (params.get("dev") and params.get("local")):
        raise InputError("encrypted: the overlay runs over a WireGuard device; give 'dev' (it) and 'local' (its tunnel "
                         "address)")
    item["backend"] = params.get("backend") or "auto"
    if item["backend"] not in ("auto", "nft", "legacy"):
        raise InputError("backend: '%s' is not one of auto, nft, legacy" % item["backend"])
    item["lease"] = inputs.network(params["lease"], "lease") if params.get("lease") else None
    item["bridge"] = inputs.ifname(params["bridge"], "bridge") if params.get("bridge") else None
    if item["state"] == "present":
        if mode == "l3" and not item["lease"]:
            raise InputError("lease: mode l3 needs this host's lease (its part of the overlay subnet, e.g. 10.244.3.0/24)")
        if mode == "l2" and not item["bridge"]:
            raise InputError("bridge: mode l2 needs the network's bridge (the VXLAN device becomes its port)")
    peers = []
    for i, raw in enumerate(params.get("peers") or []):
        where = "peers[%d]" % i
        if not isinstance(raw, dict) or not raw.get("address"):
            raise InputError("%s: needs 'address' (the peer's underlay IPv4 address)" % where)
        peer = {"address": inputs.ip(raw["address"], where + ".address", 4)}
        if mode == "l3":
            if not raw.get("lease"):
                raise InputError("%s.lease: mode l3 needs each peer's lease (e.g. 10.244.2.0/24)" % where)
            peer["lease"] = inputs.network(raw["lease"], where + ".lease")
        endpoints = {}
        for j, ep in enumerate(raw.get("endpoints") or []):
            at = "%s.endpoints[%d]" % (where, j)
            if mode != "l2":
                raise InputError("%s: endpoints are for mode l2 (in l3 the peer's lease is routed)" % at)
            if not isinstance(ep, dict) or not ep.get("ip") or not ep.get("mac"):
                raise InputError("%s: needs 'ip' and 'mac' of the remote container" % at)
            endpoints[inputs.ip(ep["ip"], at + ".ip")] = inputs.mac(ep["mac"], at + ".mac")  # IPv4 or IPv6
        peer["endpoints"] = endpoints
        peers.append(peer)
    item["peers"] = peers
    return item


def check(item):
    """Across the peers: each listed once, each endpoint on one peer, no two leases overlapping."""
    seen, leases, ips = set(), [], {}
    for peer in item["peers"]:
        if peer["address"] in seen:
            raise InputError("peers: %s is listed twice" % peer["address"])
        seen.add(peer["address"])
        if "lease" in peer:
            leases.append((peer["lease"], peer["address"]))
        for ip in peer["endpoints"]:
            if ip in ips:
                raise InputError("peers: endpoint %s is on both %s and %s" % (ip, ips[ip], peer["address"]))
            ips[ip] = peer["address"]
    if item["lease"]:
        leases.append((item["lease"], "this host"))
    nets = [(ipaddress.ip_network(lease), who) for lease, who in leases]
    for i, (net, who) in enumerate(nets):
        for other, whom in nets[i + 1:]:
            if net.overlaps(other) and not (net == other and "this host" in (who, whom)):  # itself, listed
                raise InputError("peers: the leases of %s (%s) and %s (%s) overlap" % (who, net, whom, other))
