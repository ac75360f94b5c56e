# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The argument specs of the engine's modules, in one place: each module validates its own options with its
spec, and cnet.linux.converge validates each of its parts with the same spec, so one host's whole plan in one
call is checked exactly as the separate module calls are. Plain data: importing this imports core's input
grammar only.

SPECS[module] = (argument_spec, {mutually_exclusive, required_one_of, ...}); state_dir is added by the glue."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.cnet.linux.plugins.module_utils.core import inputs

_STATE = ["present", "absent"]
_BACKEND = dict(type="str", choices=["auto", "nft", "legacy"], default="auto")

# netns
HOSTS_ENTRY = dict(address=dict(type="str", required=True), names=dict(type="list", elements="str", required=True))
NETNS_ITEM = dict(
    name=dict(type="str", required=True),
    pid=dict(type="int"),
    container=dict(type="str"),
    host=dict(type="bool"),
    hosts=dict(type="list", elements="dict", options=HOSTS_ENTRY),
    hosts_include=dict(type="list", elements="str"),
    dns=dict(type="dict"),  # {servers, search, options}, checked by files.etc_netns (a dict with suboptions given
                            # a number crashes Ansible's own validator)
    state=dict(type="str", choices=_STATE),
)
NETNS = (dict(
    name=dict(type="str"),
    pid=dict(type="int"),
    container=dict(type="str"),
    host=dict(type="bool"),
    hosts=dict(type="list", elements="dict", options=HOSTS_ENTRY),
    dns=dict(type="dict"),  # {servers, search, options}, checked by files.etc_netns (a dict with suboptions given
                            # a number crashes Ansible's own validator)
    state=dict(type="str", choices=_STATE, default="present"),
    namespaces=dict(type="list", elements="dict", options=NETNS_ITEM, mutually_exclusive=[["pid", "container", "host"]]),
    hosts_tables=dict(type="dict"),
    purge=dict(type="bool", default=False),
), dict(mutually_exclusive=[["name", "namespaces"], ["pid", "container", "host"], ["hosts", "namespaces"],
                            ["dns", "namespaces"]],
        required_one_of=[["name", "namespaces"]], required_by={"hosts_tables": ["namespaces"]}))

# veth
ROUTE = dict(dest=dict(type="str", required=True), via=dict(type="str"))
PAIR = dict(
    name=dict(type="str"),
    netns=dict(type="str", required=True),
    peer=dict(type="str"),
    bridge=dict(type="str"),
    mtu=dict(type="int"),
    mac=dict(type="str"),
    addresses=dict(type="list", elements="str"),
    host_addresses=dict(type="list", elements="str"),
    ipv6_link_local=dict(type="bool"),
    hairpin=dict(type="bool"),
    gateway=dict(type="str"),
    gateway6=dict(type="str"),
    routes=dict(type="list", elements="dict", options=ROUTE),
    network=dict(type="str"),
    container=dict(type="str"),
    state=dict(type="str", choices=_STATE),
)
VETH = (dict(
    PAIR, netns=dict(type="str"), peer=dict(type="str", default="eth0"), hairpin=dict(type="bool", default=False),
    addresses=dict(type="list", elements="str", default=[]),
    host_addresses=dict(type="list", elements="str", default=[]),
    routes=dict(type="list", elements="dict", options=ROUTE, default=[]),
    state=dict(type="str", choices=_STATE, default="present"),
    pairs=dict(type="list", elements="dict", options=PAIR),
    purge=dict(type="bool", default=False),
    purge_networks=dict(type="list", elements="str"),
), dict(mutually_exclusive=[["netns", "pairs"], ["name", "pairs"], ["mac", "pairs"], ["purge", "purge_networks"]],
        required_one_of=[["netns", "pairs"]]))

# macvlan
_MACVLAN_MODES = sorted(inputs.MACVLAN_MODES)
MACVLAN_ENDPOINT = dict(
    netns=dict(type="str"),
    name=dict(type="str"),
    network=dict(type="str"),
    container=dict(type="str"),
    parent=dict(type="str"),
    mode=dict(type="str", choices=_MACVLAN_MODES),
    mtu=dict(type="int"),
    mac=dict(type="str"),
    addresses=dict(type="list", elements="str"),
    ipv6_link_local=dict(type="bool"),
    gateway=dict(type="str"),
    gateway6=dict(type="str"),
    routes=dict(type="list", elements="dict", options=ROUTE),
    state=dict(type="str", choices=_STATE),
)
MACVLAN = (dict(
    MACVLAN_ENDPOINT, mode=dict(type="str", choices=_MACVLAN_MODES),
    addresses=dict(type="list", elements="str", default=[]),
    routes=dict(type="list", elements="dict", options=ROUTE, default=[]),
    state=dict(type="str", choices=_STATE, default="present"),
    endpoints=dict(type="list", elements="dict", options=MACVLAN_ENDPOINT),
    purge_networks=dict(type="list", elements="str"),
), dict(mutually_exclusive=[["endpoints", key] for key in ("netns", "name", "container", "mac", "addresses",
                                                           "gateway", "gateway6", "routes", "ipv6_link_local")],
        required_one_of=[["network", "endpoints"]]))

# bridge
BRIDGE_ITEM = dict(
    name=dict(type="str", required=True),
    addresses=dict(type="list", elements="str"),
    mac=dict(type="str"),
    mtu=dict(type="int"),
    stp=dict(type="bool"),
    vlan_filtering=dict(type="bool"),
    netfilter=dict(type="bool"),
    network=dict(type="str"),
    state=dict(type="str", choices=_STATE),
)
BRIDGE = (dict(
    BRIDGE_ITEM, name=dict(type="str"), addresses=dict(type="list", elements="str", default=[]),
    state=dict(type="str", choices=_STATE, default="present"),
    bridges=dict(type="list", elements="dict", options=BRIDGE_ITEM),
), dict(mutually_exclusive=[["name", "bridges"]], required_one_of=[["name", "bridges"]]))

# iptables_nat
PUBLISH = dict(address=dict(type="str", required=True), address6=dict(type="str"),
               ports=dict(type="list", elements="str", required=True), allow=dict(type="list", elements="str"))
NAT_NETWORK = dict(
    bridge=dict(type="str", required=True),
    name=dict(type="str"),
    subnet=dict(type="str"),
    subnet6=dict(type="str"),
    masquerade=dict(type="bool"),
    masquerade6=dict(type="bool"),
    icc=dict(type="bool"),
    internal=dict(type="bool"),
    routed_subnets=dict(type="list", elements="str"),
    routed_in=dict(type="list", elements="str"),
    isolated_subnets=dict(type="list", elements="str"),
    publish=dict(type="list", elements="dict", options=PUBLISH),
    state=dict(type="str", choices=_STATE),
)
IPTABLES_NAT = (dict(
    NAT_NETWORK, bridge=dict(type="str"), icc=dict(type="bool", default=True),
    internal=dict(type="bool", default=False),
    routed_subnets=dict(type="list", elements="str", default=[]),
    routed_in=dict(type="list", elements="str", default=[]),
    isolated_subnets=dict(type="list", elements="str", default=[]),
    publish=dict(type="list", elements="dict", options=PUBLISH, default=[]),
    state=dict(type="str", choices=_STATE, default="present"),
    networks=dict(type="list", elements="dict", options=NAT_NETWORK),
    purge=dict(type="bool", default=False),
    forward_drop=dict(type="list", elements="int", choices=[4, 6]),
    accept_interfaces=dict(type="list", elements="str"),
    backend=_BACKEND,
    bridge_netfilter=dict(type="str", choices=["host", "bridge"], default="host"),
), dict(mutually_exclusive=[["bridge", "networks"]], required_one_of=[["bridge", "networks"]]))

# vxlan_overlay
ENDPOINT = dict(ip=dict(type="str", required=True), mac=dict(type="str", required=True))
PEER = dict(address=dict(type="str", required=True), lease=dict(type="str"),
            endpoints=dict(type="list", elements="dict", options=ENDPOINT))
OVERLAY = dict(name=dict(type="str"), device=dict(type="str"), vni=dict(type="int"),
               port=dict(type="int", default=4789), mode=dict(type="str", choices=["l3", "l2"], default="l3"),
               local=dict(type="str"), dev=dict(type="str"), mtu=dict(type="int"), lease=dict(type="str"),
               bridge=dict(type="str"), peers=dict(type="list", elements="dict", options=PEER, default=[]),
               firewall=dict(type="bool", default=True), encrypted=dict(type="bool", default=False),
               state=dict(type="str", choices=_STATE, default="present"))
VXLAN_OVERLAY = (dict(
    OVERLAY, overlays=dict(type="list", elements="dict", options=dict(OVERLAY, vni=dict(type="int", required=True))),
    backend=_BACKEND,
), dict(required_one_of=[["vni", "overlays"]], mutually_exclusive=[["overlays", key] for key in sorted(OVERLAY)]))

# host_gw
HOST_GW_PEER = dict(address=dict(type="str", required=True), lease=dict(type="str", required=True))
HOST_GW_OVERLAY = dict(name=dict(type="str", required=True), subnet=dict(type="str", required=True),
                       lease=dict(type="str"), peers=dict(type="list", elements="dict", options=HOST_GW_PEER, default=[]),
                       state=dict(type="str", choices=_STATE))
HOST_GW = (dict(
    HOST_GW_OVERLAY, name=dict(type="str"), subnet=dict(type="str"),
    peers=dict(type="list", elements="dict", options=HOST_GW_PEER),
    state=dict(type="str", choices=_STATE, default="present"),
    overlays=dict(type="list", elements="dict", options=HOST_GW_OVERLAY),
), dict(required_one_of=[["name", "overlays"]],
        mutually_exclusive=[["name", "overlays"], ["subnet", "overlays"], ["lease", "overlays"], ["peers", "overlays"]]))

# wireguard_key, wireguard
WIREGUARD_KEY_ITEM = dict(name=dict(type="str", required=True), epoch=dict(type="int", default=0),
                          state=dict(type="str", choices=_STATE))  # a network's name and epoch: no secret
WIREGUARD_KEY = (dict(
    WIREGUARD_KEY_ITEM, name=dict(type="str"), epoch=dict(type="int", default=0),
    state=dict(type="str", choices=_STATE, default="present"),
    keys=dict(type="list", elements="dict", options=WIREGUARD_KEY_ITEM, no_log=False),
    purge=dict(type="bool", default=False),
), dict(mutually_exclusive=[["name", "keys"]], required_one_of=[["name", "keys", "purge"]]))
WIREGUARD_PEER = dict(public_key=dict(type="str", required=True, no_log=False), endpoint=dict(type="str", required=True),
                      address=dict(type="str", required=True))
WIREGUARD_TUNNEL = dict(name=dict(type="str", required=True), network=dict(type="str", required=True),
                        port=dict(type="int"), address=dict(type="str"), mtu=dict(type="int"),
                        peers=dict(type="list", elements="dict", options=WIREGUARD_PEER, default=[]),
                        state=dict(type="str", choices=_STATE))
WIREGUARD = (dict(
    WIREGUARD_TUNNEL, name=dict(type="str"), network=dict(type="str"),
    peers=dict(type="list", elements="dict", options=WIREGUARD_PEER),
    state=dict(type="str", choices=_STATE, default="present"),
    tunnels=dict(type="list", elements="dict", options=WIREGUARD_TUNNEL),
    purge=dict(type="bool", default=False),
), dict(mutually_exclusive=[["tunnels", key] for key in ("name", "network", "port", "address", "mtu", "peers")],
        required_one_of=[["name", "tunnels"]]))

# host_settings
HOST_SETTINGS = (dict(
    sysctls=dict(type="dict", default={}),
    modules=dict(type="list", elements="str", default=[]),
    record=dict(type="bool", default=False),
    remember=dict(type="list", elements="str", default=[]),
    state=dict(type="str", choices=["present"], default="present"),
), {})

# by module name (a resource's KIND); cnet.linux.converge takes its parts' order from resources.registry
SPECS = dict(host_settings=HOST_SETTINGS, netns=NETNS, bridge=BRIDGE, veth=VETH, macvlan=MACVLAN,
             iptables_nat=IPTABLES_NAT, wireguard=WIREGUARD, vxlan_overlay=VXLAN_OVERLAY, host_gw=HOST_GW,
             wireguard_key=WIREGUARD_KEY)
