# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The kernel's rtnetlink numbers and header layouts (linux/netlink.h, rtnetlink.h, if_link.h, if_addr.h,
neighbour.h, veth.h) that decode reads and encode writes: one place for both."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import struct

NETLINK_ROUTE, NETLINK_GENERIC = 0, 16
SOL_NETLINK, NETLINK_CAP_ACK, NETLINK_EXT_ACK = 270, 10, 11

# messages and their flags
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP, NLM_F_DUMP_INTR = 0x1, 0x4, 0x300, 0x10
NLM_F_REPLACE, NLM_F_EXCL, NLM_F_CREATE = 0x100, 0x200, 0x400  # in a request
NLM_F_CAPPED, NLM_F_ACK_TLVS = 0x100, 0x200  # in an error message
NLMSGERR_ATTR_MSG = 1
RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK = 16, 17, 18
RTM_NEWADDR, RTM_DELADDR, RTM_GETADDR = 20, 21, 22
RTM_NEWROUTE, RTM_DELROUTE, RTM_GETROUTE = 24, 25, 26
RTM_GETNEIGH = 30

# values
AF_INET, AF_BRIDGE, AF_INET6 = 2, 7, 10
IFF_UP = 1
NUD_PERMANENT, NTF_SELF = 0x80, 0x02
MAIN_TABLE = 254
RTPROT_KERNEL = 2
RTN_UNICAST = 1
RTNH_F_ONLINK = 4
IFA_F_NODAD = 0x02
ADDRGEN_EUI64, ADDRGEN_NONE = 0, 1  # IFLA_INET6_ADDR_GEN_MODE

# attributes
IFLA_ADDRESS, IFLA_IFNAME, IFLA_MTU, IFLA_LINK, IFLA_MASTER = 1, 3, 4, 5, 10
IFLA_LINKINFO, IFLA_IFALIAS, IFLA_AF_SPEC, IFLA_NET_NS_FD, IFLA_LINK_NETNSID = 18, 20, 26, 28, 37
INFO_KIND, INFO_DATA, INFO_SLAVE_KIND, INFO_SLAVE_DATA = 1, 2, 4, 5  # in IFLA_LINKINFO
VETH_INFO_PEER = 1
IFLA_INET6_ADDR_GEN_MODE = 8  # in IFLA_AF_SPEC / AF_INET6
IFLA_BR_STP_STATE, IFLA_BR_VLAN_FILTERING = 5, 7
IFLA_BR_NF_CALL_IPTABLES, IFLA_BR_NF_CALL_IP6TABLES = 36, 37
IFLA_BRPORT_MODE = 4  # a bridge port's hairpin mode
VXLAN_ID, VXLAN_LINK, VXLAN_LOCAL, VXLAN_LEARNING, VXLAN_PROXY, VXLAN_PORT = 1, 3, 4, 7, 11, 15
IFLA_MACVLAN_MODE = 1  # in a macvlan link's INFO_DATA
MACVLAN_MODES = {"private": 1, "vepa": 2, "bridge": 4, "passthru": 8}  # its values (linux/if_link.h)
IFA_ADDRESS, IFA_LOCAL = 1, 2
RTA_DST, RTA_OIF, RTA_GATEWAY, RTA_TABLE = 1, 4, 5, 15
NDA_DST, NDA_LLADDR = 1, 2

# layouts
HDR = struct.Struct("=IHHII")  # nlmsghdr
ATTR = struct.Struct("=HH")  # rtattr
IFINFO = struct.Struct("=BxHiII")  # ifinfomsg
IFADDR = struct.Struct("=BBBBI")  # ifaddrmsg
RTMSG = struct.Struct("=BBBBBBBBI")  # rtmsg
NDMSG = struct.Struct("=BxxxiHBB")  # ndmsg
U32 = struct.Struct("=I")
I32 = struct.Struct("=i")
BE16 = struct.Struct("!H")

# generic netlink (linux/genetlink.h) and WireGuard's family (linux/wireguard.h)
GENL = struct.Struct("=BBH")  # cmd, version, reserved
GENL_ID_CTRL, CTRL_CMD_GETFAMILY, CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 16, 3, 1, 2
NLA_F_NESTED = 0x8000
WG_CMD_GET_DEVICE, WG_CMD_SET_DEVICE = 0, 1
WGDEVICE_A_IFINDEX, WGDEVICE_A_IFNAME, WGDEVICE_A_PRIVATE_KEY, WGDEVICE_A_PUBLIC_KEY = 1, 2, 3, 4
WGDEVICE_A_FLAGS, WGDEVICE_A_LISTEN_PORT, WGDEVICE_A_PEERS = 5, 6, 8
WGDEVICE_F_REPLACE_PEERS = 1
WGPEER_A_PUBLIC_KEY, WGPEER_A_FLAGS, WGPEER_A_ENDPOINT, WGPEER_A_KEEPALIVE, WGPEER_A_ALLOWEDIPS = 1, 3, 4, 5, 9
WGPEER_F_REMOVE_ME, WGPEER_F_REPLACE_ALLOWEDIPS = 1, 2
WGALLOWEDIP_A_FAMILY, WGALLOWEDIP_A_IPADDR, WGALLOWEDIP_A_CIDR_MASK = 1, 2, 3
