# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""rtnetlink messages read into plain dicts: links, addresses, routes, neighbour and FDB entries, and the
kernel's reason in an error (extended ack).

Observing is most of a no-op run's time, and a general-purpose message parser spends it decoding
attributes nobody reads. These parsers keep only the attributes the engine compares (names, kinds, MTU, MAC,
alias, master, peer, bridge options, addresses, main-table routes, the IPv6 address generation mode, a
bridge port's hairpin mode); they behave the same whatever pyroute2 version is installed.
Each takes (data, start, end): the message's body after its netlink header.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress

from ansible_collections.cnet.linux.plugins.module_utils.netlink.const import (
    AF_INET, AF_INET6, ATTR, BE16, HDR, I32, IFADDR, IFF_UP, IFINFO, NDMSG, RTMSG, U32, MAIN_TABLE,
    NLMSGERR_ATTR_MSG, NLM_F_CAPPED,
    IFLA_ADDRESS, IFLA_IFNAME, IFLA_MTU, IFLA_LINK, IFLA_MASTER, IFLA_LINKINFO, IFLA_IFALIAS, IFLA_AF_SPEC,
    IFLA_LINK_NETNSID, INFO_KIND, INFO_DATA, INFO_SLAVE_KIND, INFO_SLAVE_DATA, IFLA_INET6_ADDR_GEN_MODE,
    IFLA_BR_STP_STATE, IFLA_BR_VLAN_FILTERING, IFLA_BR_NF_CALL_IPTABLES, IFLA_BR_NF_CALL_IP6TABLES, IFLA_BRPORT_MODE,
    VXLAN_ID, VXLAN_LINK, VXLAN_LOCAL, VXLAN_LEARNING, VXLAN_PROXY, VXLAN_PORT, IFLA_MACVLAN_MODE, MACVLAN_MODES,
    IFA_ADDRESS, IFA_LOCAL, RTA_DST, RTA_OIF, RTA_GATEWAY, RTA_TABLE, NDA_DST, NDA_LLADDR)

_MACVLAN_NAMES = dict((value, name) for name, value in MACVLAN_MODES.items())


def attrs(data, start, end):
    """{type: bytes} of the attributes in data[start:end] (nested flags masked off)."""
    out = {}
    while start + 4 <= end:
        length, kind = ATTR.unpack_from(data, start)
        if length < 4:
            break
        out[kind & 0x3fff] = data[start + 4:start + length]
        start += (length + 3) & ~3
    return out


def _text(raw):
    return raw.split(b"\0", 1)[0].decode("utf-8", "replace") if raw is not None else None


def _u32(raw):
    return U32.unpack(raw[:4])[0] if raw is not None and len(raw) >= 4 else None


def _mac(raw):
    return ":".join("%02x" % b for b in bytearray(raw)) if raw else None


def _flag(raw):
    """A u8 attribute as a bool (absent: False)."""
    return bool(bytearray(raw)[0]) if raw else False


def _ip(family, raw):
    return str(ipaddress.ip_address(bytes(raw))) if raw else None


def _addrgenmode(af_spec):
    """IFLA_INET6_ADDR_GEN_MODE of a link (0 eui64, 1 none, 2 stable_secret, 3 random); None without IPv6."""
    if af_spec is None:
        return None
    inet6 = attrs(af_spec, 0, len(af_spec)).get(AF_INET6)
    if inet6 is None:
        return None
    mode = attrs(inet6, 0, len(inet6)).get(IFLA_INET6_ADDR_GEN_MODE)
    return bytearray(mode)[0] if mode else None


def parse_link(data, start, end):
    _family, _type, index, flags, _change = IFINFO.unpack_from(data, start)
    a = attrs(data, start + IFINFO.size, end)
    kind, info_data, hairpin = None, None, None
    if IFLA_LINKINFO in a:
        info = attrs(a[IFLA_LINKINFO], 0, len(a[IFLA_LINKINFO]))
        kind = _text(info.get(INFO_KIND))
        info_data = info.get(INFO_DATA)
        slave = info.get(INFO_SLAVE_DATA)
        if _text(info.get(INFO_SLAVE_KIND)) == "bridge" and slave is not None:
            mode = attrs(slave, 0, len(slave)).get(IFLA_BRPORT_MODE)  # the port's hairpin mode
            hairpin = _flag(mode)
    netnsid = a.get(IFLA_LINK_NETNSID)
    link = {"index": index, "name": _text(a.get(IFLA_IFNAME)), "kind": kind, "up": bool(flags & IFF_UP),
            "mtu": _u32(a.get(IFLA_MTU)), "mac": _mac(a.get(IFLA_ADDRESS)), "alias": _text(a.get(IFLA_IFALIAS)) or None,
            "master": _u32(a.get(IFLA_MASTER)), "peer_index": _u32(a.get(IFLA_LINK)),
            "peer_netnsid": I32.unpack(netnsid[:4])[0] if netnsid else None, "hairpin": hairpin}
    link["addrgenmode"] = _addrgenmode(a.get(IFLA_AF_SPEC))
    if kind == "vxlan" and info_data is not None:
        vx = attrs(info_data, 0, len(info_data))
        port = vx.get(VXLAN_PORT)  # network order
        link["vxlan"] = {"vni": _u32(vx.get(VXLAN_ID)), "dev": _u32(vx.get(VXLAN_LINK)),
                         "local": _ip(AF_INET, vx.get(VXLAN_LOCAL)), "port": BE16.unpack(port[:2])[0] if port else None,
                         "learning": _flag(vx.get(VXLAN_LEARNING)), "proxy": _flag(vx.get(VXLAN_PROXY))}
    if kind == "macvlan":  # its parent is peer_index (IFLA_LINK, an index in the namespace it was made from)
        mode = attrs(info_data, 0, len(info_data)).get(IFLA_MACVLAN_MODE) if info_data is not None else None
        link["macvlan_mode"] = _MACVLAN_NAMES.get(_u32(mode), _u32(mode)) if mode else None
    if kind == "bridge" and info_data is not None:
        br = attrs(info_data, 0, len(info_data))
        link["stp"] = bool(_u32(br.get(IFLA_BR_STP_STATE)))
        link["vlan_filtering"] = _flag(br.get(IFLA_BR_VLAN_FILTERING))
        # bridged frames pass iptables/ip6tables (br_netfilter) for this bridge even when the host-wide
        # bridge-nf-call sysctls are off; the collection sets both or neither
        link["netfilter"] = _flag(br.get(IFLA_BR_NF_CALL_IPTABLES)) and _flag(br.get(IFLA_BR_NF_CALL_IP6TABLES))
    return link


def parse_addr(data, start, end):
    family, prefixlen, _flags, _scope, index = IFADDR.unpack_from(data, start)
    a = attrs(data, start + IFADDR.size, end)
    raw = a.get(IFA_ADDRESS) if family == AF_INET6 else (a.get(IFA_LOCAL) or a.get(IFA_ADDRESS))
    if raw is None:
        return None
    iface = ipaddress.ip_interface("%s/%d" % (_ip(family, raw), prefixlen))
    if iface.version == 6 and iface.ip.is_link_local:
        return None  # the kernel's own link-local address: not managed
    return index, iface.with_prefixlen


def parse_route(data, start, end):
    family, dst_len, _src_len, _tos, table, proto, _scope, _rtype, _flags = RTMSG.unpack_from(data, start)
    a = attrs(data, start + RTMSG.size, end)
    table = _u32(a.get(RTA_TABLE)) or table
    if table != MAIN_TABLE or family not in (AF_INET, AF_INET6):
        return None
    zero = "0.0.0.0" if family == AF_INET else "::"
    return {"dst": "%s/%d" % (_ip(family, a.get(RTA_DST)) or zero, dst_len), "gateway": _ip(family, a.get(RTA_GATEWAY)),
            "oif": _u32(a.get(RTA_OIF)), "proto": proto, "family": family}


def parse_neigh(data, start, end):
    """A neighbour (family AF_INET) or forwarding-database (AF_BRIDGE) entry: ifindex, address, MAC, state, flags."""
    family, index, state, flags, _type = NDMSG.unpack_from(data, start)
    a = attrs(data, start + NDMSG.size, end)
    dst = a.get(NDA_DST)  # the IP (neighbour) or the remote VTEP (VXLAN FDB)
    return {"index": index, "family": family, "dst": str(ipaddress.ip_address(bytes(dst))) if dst else None,
            "mac": _mac(a.get(NDA_LLADDR)), "state": state, "flags": flags}


def extack(data, pos, length, flags):
    """The kernel's reason text (NLM_F_ACK_TLVS) after an error's copy of our request (only its header when
    NLM_F_CAPPED), or None."""
    copied = HDR.size if flags & NLM_F_CAPPED else (HDR.unpack_from(data, pos + HDR.size + I32.size)[0] + 3) & ~3
    return _text(attrs(data, pos + HDR.size + I32.size + copied, pos + length).get(NLMSGERR_ATTR_MSG)) or None
