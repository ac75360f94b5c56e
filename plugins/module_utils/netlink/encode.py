# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rtnetlink requests a container endpoint is made of - links, addresses, routes - built by hand.

Each function returns (message type, flags, body) for sock.Socket.request, in the kernel's layouts
(const), with exactly the attributes the engine sets and reads back in its dumps. A request costs a
struct.pack or two here against ~0.15 ms (0.7.x) / ~0.35 ms (0.9.x) of Python in pyroute2's general-purpose
machinery, as much as the kernel's own work (docs/engine.md).
Neighbour, FDB and conntrack entries, few per host, stay with pyroute2.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import socket
import struct

from ansible_collections.cnet.linux.plugins.module_utils.netlink.const import (
    ADDRGEN_NONE, ATTR, IFADDR, IFF_UP, IFINFO, RTMSG, U32, RTN_UNICAST, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE,
    RTM_DELADDR, RTM_DELLINK, RTM_DELROUTE, RTM_GETLINK, RTM_NEWADDR, RTM_NEWLINK, RTM_NEWROUTE,
    IFLA_ADDRESS, IFLA_IFNAME, IFLA_MTU, IFLA_MASTER, IFLA_LINKINFO, IFLA_IFALIAS, IFLA_AF_SPEC, IFLA_NET_NS_FD,
    INFO_KIND, INFO_DATA, INFO_SLAVE_KIND, INFO_SLAVE_DATA, VETH_INFO_PEER, IFLA_INET6_ADDR_GEN_MODE,
    IFLA_BR_STP_STATE, IFLA_BR_VLAN_FILTERING, IFLA_BR_NF_CALL_IPTABLES, IFLA_BR_NF_CALL_IP6TABLES, IFLA_BRPORT_MODE,
    VXLAN_ID, VXLAN_LINK, VXLAN_LOCAL, VXLAN_LEARNING, VXLAN_PROXY, VXLAN_PORT, IFLA_LINK, IFLA_MACVLAN_MODE,
    MACVLAN_MODES, IFA_ADDRESS, IFA_LOCAL, RTA_DST, RTA_OIF, RTA_GATEWAY, RTA_TABLE)


def attr(kind, payload):
    size = ATTR.size + len(payload)
    return ATTR.pack(size, kind) + payload + b"\0" * (-size % 4)


def _u8(value):
    return struct.pack("=B", value)


def _u32(value):
    return U32.pack(value)


def _name(text):
    return text.encode() + b"\0"


def _mac(text):
    return bytes(bytearray(int(part, 16) for part in text.split(":")))


def _family(text):
    return socket.AF_INET6 if ":" in text else socket.AF_INET


def _ip(text):
    return socket.inet_pton(_family(text), text)


def _ifinfo(index=0, up=None):
    """The header of a link message; up=True/False changes IFF_UP, None leaves it."""
    return IFINFO.pack(0, 0, index, IFF_UP if up else 0, IFF_UP if up is not None else 0)


def _common(mtu=None, address=None, master=None):
    out = b""
    if mtu:
        out += attr(IFLA_MTU, _u32(mtu))
    if address:
        out += attr(IFLA_ADDRESS, _mac(address))
    if master is not None:
        out += attr(IFLA_MASTER, _u32(master))
    return out


def _linkinfo(kind, data):
    return attr(IFLA_LINKINFO, attr(INFO_KIND, _name(kind)) + (attr(INFO_DATA, data) if data else b""))


def veth_add(name, peer, netns_fd, mtu=None, mac=None, master=None):
    """ip link add NAME [mtu M] [master B] type veth peer name PEER netns NS [mtu M] [address MAC]: the peer is
    created inside the namespace. Both ends stay down."""
    peer_msg = _ifinfo() + attr(IFLA_IFNAME, _name(peer)) + attr(IFLA_NET_NS_FD, _u32(netns_fd)) + _common(mtu, mac)
    body = _ifinfo() + attr(IFLA_IFNAME, _name(name)) + _common(mtu, None, master) + \
        _linkinfo("veth", attr(VETH_INFO_PEER, peer_msg))
    return RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, body


def macvlan_add(name, link, mode, netns_fd=None, mtu=None, mac=None):
    """ip link add link PARENT name NAME [netns NS] [mtu M] [address MAC] type macvlan mode MODE: made directly in
    the namespace (its name is checked there); the parent index is the sending socket's namespace's. Down."""
    body = _ifinfo() + attr(IFLA_IFNAME, _name(name)) + attr(IFLA_LINK, _u32(link)) + _common(mtu, mac)
    if netns_fd is not None:
        body += attr(IFLA_NET_NS_FD, _u32(netns_fd))
    body += _linkinfo("macvlan", attr(IFLA_MACVLAN_MODE, _u32(MACVLAN_MODES[mode])))
    return RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, body


def wireguard_add(name, mtu=None):
    """ip link add NAME [mtu M] type wireguard: down, with no key, port or peers (genl WG_CMD_SET_DEVICE sets them)."""
    body = _ifinfo() + attr(IFLA_IFNAME, _name(name)) + _common(mtu) + _linkinfo("wireguard", None)
    return RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, body


def bridge_add(name, stp, mac=None, netfilter=False):
    """A bridge given its MAC keeps it (the kernel's NET_ADDR_SET); without one it takes its lowest port's. No MTU
    here: only an MTU set on the live bridge (ip link set) is kept when ports join with another."""
    data = attr(IFLA_BR_STP_STATE, _u32(1 if stp else 0))
    if netfilter:
        data += attr(IFLA_BR_NF_CALL_IPTABLES, _u8(1)) + attr(IFLA_BR_NF_CALL_IP6TABLES, _u8(1))
    body = _ifinfo() + attr(IFLA_IFNAME, _name(name)) + _common(None, mac) + _linkinfo("bridge", data)
    return RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, body


def vxlan_add(name, vni, port, local, link, learning, proxy, mtu, mac):
    data = attr(VXLAN_ID, _u32(vni)) + attr(VXLAN_LINK, _u32(link)) + attr(VXLAN_LOCAL, _ip(local)) + \
        attr(VXLAN_LEARNING, _u8(1 if learning else 0)) + attr(VXLAN_PROXY, _u8(1 if proxy else 0)) + \
        attr(VXLAN_PORT, struct.pack("!H", port))
    body = _ifinfo() + attr(IFLA_IFNAME, _name(name)) + _common(mtu, mac) + _linkinfo("vxlan", data)
    return RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, body


def link_set(index=None, name=None, state=None, ifalias=None, mtu=None, address=None, master=None,
             addrgenmode=None, hairpin=None, kind=None, br_stp_state=None, br_vlan_filtering=None, br_netfilter=None):
    """ip link set DEV ...: by index, or by name (the kernel looks it up) when index is None. master=0 is
    nomaster; hairpin is the bridge port's mode (applied by the link's current bridge); kind with br_* are the
    bridge's own options."""
    body = _ifinfo(index or 0, up=(state == "up") if state else None)
    if index is None:
        body += attr(IFLA_IFNAME, _name(name))
    body += _common(mtu, address, master)
    if ifalias is not None:
        body += attr(IFLA_IFALIAS, ifalias.encode())
    if addrgenmode is not None:
        mode = ADDRGEN_NONE if addrgenmode == "none" else 0
        body += attr(IFLA_AF_SPEC, attr(socket.AF_INET6, attr(IFLA_INET6_ADDR_GEN_MODE, _u8(mode))))
    if kind:
        data = b""
        if br_stp_state is not None:
            data += attr(IFLA_BR_STP_STATE, _u32(br_stp_state))
        if br_vlan_filtering is not None:
            data += attr(IFLA_BR_VLAN_FILTERING, _u8(br_vlan_filtering))
        if br_netfilter is not None:
            data += attr(IFLA_BR_NF_CALL_IPTABLES, _u8(br_netfilter)) + attr(IFLA_BR_NF_CALL_IP6TABLES, _u8(br_netfilter))
        body += _linkinfo(kind, data)
    elif hairpin is not None:
        body += attr(IFLA_LINKINFO, attr(INFO_SLAVE_KIND, _name("bridge")) +
                     attr(INFO_SLAVE_DATA, attr(IFLA_BRPORT_MODE, _u8(1 if hairpin else 0))))
    return RTM_NEWLINK, 0, body


def link_del(index):
    return RTM_DELLINK, 0, _ifinfo(index)


def link_get(name):
    """RTM_GETLINK by name (no dump): the reply is the link's message."""
    return RTM_GETLINK, 0, _ifinfo() + attr(IFLA_IFNAME, _name(name))


def addr(command, index, address, prefixlen, flags=0):
    """ip addr add|del ADDRESS/PREFIXLEN dev INDEX; an IPv4 address is also its own local address."""
    ip = _ip(address)
    family = _family(address)
    body = IFADDR.pack(family, prefixlen, flags, 0, index)
    if family == socket.AF_INET:
        body += attr(IFA_LOCAL, ip)
    body += attr(IFA_ADDRESS, ip)
    if command == "add":
        return RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, body
    return RTM_DELADDR, 0, body


def route(command, dst, dst_len, oif, proto, table, gateway=None, flags=0):
    """ip route replace|del DST via GATEWAY dev OIF proto P table T [onlink] (RTNH_F_ONLINK in flags)."""
    family = _family(dst)
    replace = command == "replace"
    body = RTMSG.pack(family, dst_len, 0, 0, table if table < 256 else 252, proto, 0,
                      RTN_UNICAST if replace else 0, flags)
    if dst_len:
        body += attr(RTA_DST, _ip(dst))
    body += attr(RTA_OIF, _u32(oif))
    if gateway:
        body += attr(RTA_GATEWAY, _ip(gateway))
    body += attr(RTA_TABLE, _u32(table))
    if replace:
        return RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, body
    return RTM_DELROUTE, 0, body
