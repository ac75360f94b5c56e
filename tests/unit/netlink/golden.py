"""Golden bytes: every request the collection encodes (netlink.encode) against the same message built by
pyroute2's own message classes, and every dump message it parses (netlink.decode) built by pyroute2 as the
kernel sends it. Runs under any Python with pyroute2 and the collection on its path, needing no root:

  python tests/unit/netlink/golden.py      prints {"cases": N, "mismatches": [...]} as JSON

cases() is what tests/unit/netlink/test_golden.py checks in-process (the venv's pyroute2 0.9) and, through
this script, under /usr/bin/python3 (Debian's python3-pyroute2 0.7).
"""

import json
import os
import socket
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
COLLECTIONS = os.path.join(ROOT, ".collections")
if COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)

from pyroute2.netlink import nlmsgerr  # noqa: E402  pylint: disable=wrong-import-position
from pyroute2.netlink.rtnl.ifaddrmsg import ifaddrmsg  # noqa: E402  pylint: disable=wrong-import-position
from pyroute2.netlink.rtnl.ifinfmsg import ifinfmsg  # noqa: E402  pylint: disable=wrong-import-position
from pyroute2.netlink.rtnl.ndmsg import ndmsg  # noqa: E402  pylint: disable=wrong-import-position
from pyroute2.netlink.rtnl.rtmsg import rtmsg  # noqa: E402  pylint: disable=wrong-import-position

from ansible_collections.cnet.linux.plugins.module_utils.netlink import const, decode, encode  # noqa: E402

HDR = 16  # struct nlmsghdr, which pyroute2 puts before every message's body


def body(msg_class, fields=None, attrs=()):
    """The body (after nlmsghdr) of a message pyroute2 encodes."""
    msg = msg_class()
    for key, value in (fields or {}).items():
        msg[key] = value
    msg["attrs"] = list(attrs)
    msg.encode()
    return bytes(msg.data)[HDR:]


def message(msg_class, msg_type, fields=None, attrs=()):
    """A whole message as the kernel sends it in a dump (header included)."""
    data = bytearray(HDR) + body(msg_class, fields, attrs)
    struct.pack_into("=IHHII", data, 0, len(data), msg_type, 0, 1, 0)
    return bytes(data)


def without_nul(data, start, kind):
    """pyroute2 writes IFLA_IFALIAS NUL-terminated; iproute2 and the collection do not (the kernel stores the
    same alias either way): the reference's alias attribute, from start, without its NUL."""
    out, pos = bytearray(data[:start]), start
    while pos + 4 <= len(data):
        length, atype = struct.unpack_from("=HH", data, pos)
        payload = data[pos + 4:pos + length]
        if atype == kind and payload.endswith(b"\0"):
            payload = payload[:-1]
        size = 4 + len(payload)
        out += struct.pack("=HH", size, atype) + payload + b"\0" * (-size % 4)
        pos += (length + 3) & ~3
    return bytes(out)


def linkinfo(kind, data=None):
    return ("IFLA_LINKINFO", {"attrs": [("IFLA_INFO_KIND", kind)] + ([("IFLA_INFO_DATA", {"attrs": data})] if data else [])})


def requests():
    """(name, our body, pyroute2's body) of every request shape the collection sends."""
    ifi = ifinfmsg
    up = {"flags": const.IFF_UP, "change": const.IFF_UP}
    alias = 16  # where the attributes of an ifinfmsg body start (after struct ifinfomsg)
    out = [
        ("veth_add", encode.veth_add("ve-web", "eth0", 7)[2],
         body(ifi, {}, [("IFLA_IFNAME", "ve-web"), linkinfo("veth", [
             ("VETH_INFO_PEER", {"attrs": [("IFLA_IFNAME", "eth0"), ("IFLA_NET_NS_FD", 7)]})])])),
        ("veth_add mtu mac master", encode.veth_add("ve-web", "eth1", 7, mtu=1450, mac="02:42:ac:11:00:02", master=5)[2],
         body(ifi, {}, [("IFLA_IFNAME", "ve-web"), ("IFLA_MTU", 1450), ("IFLA_MASTER", 5), linkinfo("veth", [
             ("VETH_INFO_PEER", {"attrs": [("IFLA_IFNAME", "eth1"), ("IFLA_NET_NS_FD", 7), ("IFLA_MTU", 1450),
                                           ("IFLA_ADDRESS", "02:42:ac:11:00:02")]})])])),
        ("bridge_add", encode.bridge_add("cnet0", False)[2],
         body(ifi, {}, [("IFLA_IFNAME", "cnet0"), linkinfo("bridge", [("IFLA_BR_STP_STATE", 0)])])),
        ("bridge_add stp mac", encode.bridge_add("cnet0", True, "02:42:ac:11:00:01")[2],
         body(ifi, {}, [("IFLA_IFNAME", "cnet0"), ("IFLA_ADDRESS", "02:42:ac:11:00:01"),
                        linkinfo("bridge", [("IFLA_BR_STP_STATE", 1)])])),
        ("bridge_add netfilter", encode.bridge_add("cnet0", False, netfilter=True)[2],
         body(ifi, {}, [("IFLA_IFNAME", "cnet0"), linkinfo("bridge", [
             ("IFLA_BR_STP_STATE", 0), ("IFLA_BR_NF_CALL_IPTABLES", 1), ("IFLA_BR_NF_CALL_IP6TABLES", 1)])])),
        ("vxlan_add", encode.vxlan_add("vx4096", 4096, 4789, "192.0.2.11", 2, False, True, 1450, "02:cc:c0:00:02:0b")[2],
         body(ifi, {}, [("IFLA_IFNAME", "vx4096"), ("IFLA_MTU", 1450), ("IFLA_ADDRESS", "02:cc:c0:00:02:0b"),
                        linkinfo("vxlan", [("IFLA_VXLAN_ID", 4096), ("IFLA_VXLAN_LINK", 2),
                                           ("IFLA_VXLAN_LOCAL", "192.0.2.11"), ("IFLA_VXLAN_LEARNING", 0),
                                           ("IFLA_VXLAN_PROXY", 1), ("IFLA_VXLAN_PORT", 4789)])])),
        ("macvlan_add", encode.macvlan_add("eth1", 2, "bridge", 7)[2],
         body(ifi, {}, [("IFLA_IFNAME", "eth1"), ("IFLA_LINK", 2), ("IFLA_NET_NS_FD", 7),
                        linkinfo("macvlan", [("IFLA_MACVLAN_MODE", 4)])])),
        ("macvlan_add shim mtu mac private",
         encode.macvlan_add("cm-lan", 2, "private", mtu=1400, mac="02:42:c0:00:02:7f")[2],
         body(ifi, {}, [("IFLA_IFNAME", "cm-lan"), ("IFLA_LINK", 2), ("IFLA_MTU", 1400),
                        ("IFLA_ADDRESS", "02:42:c0:00:02:7f"), linkinfo("macvlan", [("IFLA_MACVLAN_MODE", 1)])])),
        ("wireguard_add", encode.wireguard_add("wg4096", 1440)[2],
         body(ifi, {}, [("IFLA_IFNAME", "wg4096"), ("IFLA_MTU", 1440), linkinfo("wireguard")])),
        ("link_set up by index", encode.link_set(index=9, state="up")[2], body(ifi, dict(up, index=9))),
        ("link_set down by name", encode.link_set(name="lo", state="down")[2],
         body(ifi, {"change": const.IFF_UP}, [("IFLA_IFNAME", "lo")])),
        ("link_set mtu address master", encode.link_set(index=9, mtu=1450, address="02:42:0a:f4:01:02", master=5)[2],
         body(ifi, {"index": 9}, [("IFLA_MTU", 1450), ("IFLA_ADDRESS", "02:42:0a:f4:01:02"), ("IFLA_MASTER", 5)])),
        ("link_set nomaster", encode.link_set(index=9, master=0)[2], body(ifi, {"index": 9}, [("IFLA_MASTER", 0)])),
        ("link_set alias up", encode.link_set(index=9, state="up", ifalias="cnet.linux:veth net=b ctr=web")[2],
         without_nul(body(ifi, dict(up, index=9), [("IFLA_IFALIAS", "cnet.linux:veth net=b ctr=web")]), alias,
                     const.IFLA_IFALIAS)),
        ("link_set addrgenmode none", encode.link_set(index=9, addrgenmode="none", state="up")[2],
         body(ifi, dict(up, index=9), [("IFLA_AF_SPEC", {"attrs": [("AF_INET6", {"attrs": [
             ("IFLA_INET6_ADDR_GEN_MODE", const.ADDRGEN_NONE)]})]})])),
        ("link_set hairpin", encode.link_set(index=9, hairpin=True)[2],
         body(ifi, {"index": 9}, [("IFLA_LINKINFO", {"attrs": [("IFLA_INFO_SLAVE_KIND", "bridge"), (
             "IFLA_INFO_SLAVE_DATA", {"attrs": [("IFLA_BRPORT_MODE", 1)]})]})])),
        ("link_set bridge stp", encode.link_set(name="cnet0", kind="bridge", br_stp_state=1)[2],
         body(ifi, {}, [("IFLA_IFNAME", "cnet0"), linkinfo("bridge", [("IFLA_BR_STP_STATE", 1)])])),
        ("link_set bridge vlan_filtering", encode.link_set(index=5, kind="bridge", br_vlan_filtering=1)[2],
         body(ifi, {"index": 5}, [linkinfo("bridge", [("IFLA_BR_VLAN_FILTERING", 1)])])),
        ("link_set bridge netfilter", encode.link_set(index=5, kind="bridge", br_netfilter=1)[2],
         body(ifi, {"index": 5}, [linkinfo("bridge", [("IFLA_BR_NF_CALL_IPTABLES", 1), ("IFLA_BR_NF_CALL_IP6TABLES", 1)])])),
        ("link_del", encode.link_del(9)[2], body(ifi, {"index": 9})),
        ("link_get", encode.link_get("eth0")[2], body(ifi, {}, [("IFLA_IFNAME", "eth0")])),
        ("addr add v4", encode.addr("add", 3, "172.17.0.2", 16)[2],
         body(ifaddrmsg, {"family": socket.AF_INET, "prefixlen": 16, "index": 3},
              [("IFA_LOCAL", "172.17.0.2"), ("IFA_ADDRESS", "172.17.0.2")])),
        ("addr del v4", encode.addr("del", 3, "172.17.0.2", 16)[2],
         body(ifaddrmsg, {"family": socket.AF_INET, "prefixlen": 16, "index": 3},
              [("IFA_LOCAL", "172.17.0.2"), ("IFA_ADDRESS", "172.17.0.2")])),
        ("addr add v6 nodad", encode.addr("add", 3, "fd00::2", 64, const.IFA_F_NODAD)[2],
         body(ifaddrmsg, {"family": socket.AF_INET6, "prefixlen": 64, "flags": const.IFA_F_NODAD, "index": 3},
              [("IFA_ADDRESS", "fd00::2")])),
        ("route replace default via", encode.route("replace", "0.0.0.0", 0, 2, 147, 254, "172.17.0.1")[2],
         body(rtmsg, {"family": socket.AF_INET, "table": 254, "proto": 147, "type": const.RTN_UNICAST},
              [("RTA_OIF", 2), ("RTA_GATEWAY", "172.17.0.1"), ("RTA_TABLE", 254)])),
        ("route replace onlink", encode.route("replace", "10.244.2.0", 24, 9, 147, 254, "10.244.2.0", const.RTNH_F_ONLINK)[2],
         body(rtmsg, {"family": socket.AF_INET, "dst_len": 24, "table": 254, "proto": 147, "type": const.RTN_UNICAST,
                      "flags": const.RTNH_F_ONLINK},
              [("RTA_DST", "10.244.2.0"), ("RTA_OIF", 9), ("RTA_GATEWAY", "10.244.2.0"), ("RTA_TABLE", 254)])),
        ("route replace v6 table 1000", encode.route("replace", "fd00:1::", 64, 2, 147, 1000)[2],
         body(rtmsg, {"family": socket.AF_INET6, "dst_len": 64, "table": 252, "proto": 147, "type": const.RTN_UNICAST},
              [("RTA_DST", "fd00:1::"), ("RTA_OIF", 2), ("RTA_TABLE", 1000)])),
        ("route del", encode.route("del", "10.244.9.0", 24, 9, 147, 254, "10.244.9.0")[2],
         body(rtmsg, {"family": socket.AF_INET, "dst_len": 24, "table": 254, "proto": 147},
              [("RTA_DST", "10.244.9.0"), ("RTA_OIF", 9), ("RTA_GATEWAY", "10.244.9.0"), ("RTA_TABLE", 254)])),
    ]
    return out


def parsed(parse, data):
    return parse(data, HDR, len(data))


def dumps():
    """(name, what the collection parses, what it must parse) of each dump message shape it reads."""
    link = {"index": 9, "name": None, "kind": None, "up": False, "mtu": None, "mac": None, "alias": None, "master": None,
            "peer_index": None, "peer_netnsid": None, "hairpin": None, "addrgenmode": None}
    af_spec = ("IFLA_AF_SPEC", {"attrs": [("AF_INET6", {"attrs": [("IFLA_INET6_ADDR_GEN_MODE", const.ADDRGEN_NONE)]})]})
    veth = message(ifinfmsg, const.RTM_NEWLINK, {"index": 12, "flags": const.IFF_UP | 0x1000, "ifi_type": 1}, [
        ("IFLA_IFNAME", "eth0"), ("IFLA_MTU", 1450), ("IFLA_ADDRESS", "02:42:0a:f4:01:02"),
        ("IFLA_IFALIAS", "cnet.linux:veth net=backend ctr=c1"), ("IFLA_LINK", 40), ("IFLA_LINK_NETNSID", 0),
        linkinfo("veth"), af_spec])
    port = message(ifinfmsg, const.RTM_NEWLINK, {"index": 40}, [
        ("IFLA_IFNAME", "ve-c1-eth0"), ("IFLA_MASTER", 5), ("IFLA_LINKINFO", {"attrs": [
            ("IFLA_INFO_KIND", "veth"), ("IFLA_INFO_SLAVE_KIND", "bridge"),
            ("IFLA_INFO_SLAVE_DATA", {"attrs": [("IFLA_BRPORT_MODE", 1)]})]})])
    bridge = message(ifinfmsg, const.RTM_NEWLINK, {"index": 5, "flags": const.IFF_UP}, [
        ("IFLA_IFNAME", "cnet0"), ("IFLA_MTU", 1500),
        linkinfo("bridge", [("IFLA_BR_STP_STATE", 1), ("IFLA_BR_VLAN_FILTERING", 0), ("IFLA_BR_NF_CALL_IPTABLES", 1),
                            ("IFLA_BR_NF_CALL_IP6TABLES", 1)])])
    vxlan = message(ifinfmsg, const.RTM_NEWLINK, {"index": 9}, [
        ("IFLA_IFNAME", "vx4096"), linkinfo("vxlan", [
            ("IFLA_VXLAN_ID", 4096), ("IFLA_VXLAN_LINK", 2), ("IFLA_VXLAN_LOCAL", "192.0.2.11"),
            ("IFLA_VXLAN_LEARNING", 0), ("IFLA_VXLAN_PROXY", 1), ("IFLA_VXLAN_PORT", 4789)])])
    macvlan = message(ifinfmsg, const.RTM_NEWLINK, {"index": 3}, [
        ("IFLA_IFNAME", "eth1"), ("IFLA_LINK", 2), ("IFLA_LINK_NETNSID", 0),
        linkinfo("macvlan", [("IFLA_MACVLAN_MODE", 4)])])
    refused, flags = error_reply(101, "Nexthop has invalid gateway")
    return [
        ("error reason (extack)", decode.extack(refused, 0, len(refused), flags), "Nexthop has invalid gateway"),
        ("link veth peer", parsed(decode.parse_link, veth), dict(
            link, index=12, name="eth0", kind="veth", up=True, mtu=1450, mac="02:42:0a:f4:01:02",
            alias="cnet.linux:veth net=backend ctr=c1", peer_index=40, peer_netnsid=0, addrgenmode=const.ADDRGEN_NONE)),
        ("link bridge port", parsed(decode.parse_link, port), dict(
            link, index=40, name="ve-c1-eth0", kind="veth", master=5, hairpin=True)),
        ("link bridge", parsed(decode.parse_link, bridge), dict(
            link, index=5, name="cnet0", kind="bridge", up=True, mtu=1500, stp=True, vlan_filtering=False, netfilter=True)),
        ("link vxlan", parsed(decode.parse_link, vxlan), dict(
            link, name="vx4096", kind="vxlan",
            vxlan={"vni": 4096, "dev": 2, "local": "192.0.2.11", "port": 4789, "learning": False, "proxy": True})),
        ("link macvlan", parsed(decode.parse_link, macvlan), dict(
            link, index=3, name="eth1", kind="macvlan", peer_index=2, peer_netnsid=0, macvlan_mode="bridge")),
        ("addr v4", parsed(decode.parse_addr, message(ifaddrmsg, const.RTM_NEWADDR, {
            "family": socket.AF_INET, "prefixlen": 24, "index": 3},
            [("IFA_ADDRESS", "192.0.2.255"), ("IFA_LOCAL", "192.0.2.11")])), (3, "192.0.2.11/24")),
        ("addr v6", parsed(decode.parse_addr, message(ifaddrmsg, const.RTM_NEWADDR, {
            "family": socket.AF_INET6, "prefixlen": 64, "index": 3}, [("IFA_ADDRESS", "FD00::0B")])), (3, "fd00::b/64")),
        ("addr v6 link-local (not managed)", parsed(decode.parse_addr, message(ifaddrmsg, const.RTM_NEWADDR, {
            "family": socket.AF_INET6, "prefixlen": 64, "index": 3}, [("IFA_ADDRESS", "fe80::1")])), None),
        ("route main", parsed(decode.parse_route, message(rtmsg, const.RTM_NEWROUTE, {
            "family": socket.AF_INET, "dst_len": 24, "table": 254, "proto": 147, "type": 1},
            [("RTA_TABLE", 254), ("RTA_DST", "10.244.2.0"), ("RTA_GATEWAY", "10.244.2.0"), ("RTA_OIF", 9)])),
         {"dst": "10.244.2.0/24", "gateway": "10.244.2.0", "oif": 9, "proto": 147, "family": socket.AF_INET}),
        ("route default v6", parsed(decode.parse_route, message(rtmsg, const.RTM_NEWROUTE, {
            "family": socket.AF_INET6, "table": 254, "proto": 3, "type": 1},
            [("RTA_TABLE", 254), ("RTA_GATEWAY", "fd00::1"), ("RTA_OIF", 2)])),
         {"dst": "::/0", "gateway": "fd00::1", "oif": 2, "proto": 3, "family": socket.AF_INET6}),
        ("route other table (not read)", parsed(decode.parse_route, message(rtmsg, const.RTM_NEWROUTE, {
            "family": socket.AF_INET, "table": 252, "proto": 2}, [("RTA_TABLE", 1000), ("RTA_OIF", 2)])), None),
        ("neigh fdb", parsed(decode.parse_neigh, message(ndmsg, const.RTM_GETNEIGH + 0, {
            "family": const.AF_BRIDGE, "ifindex": 9, "state": const.NUD_PERMANENT, "flags": const.NTF_SELF},
            [("NDA_LLADDR", "00:00:00:00:00:00"), ("NDA_DST", "192.0.2.12")])),
         {"index": 9, "family": const.AF_BRIDGE, "dst": "192.0.2.12", "mac": "00:00:00:00:00:00",
          "state": const.NUD_PERMANENT, "flags": const.NTF_SELF}),
        ("neigh arp", parsed(decode.parse_neigh, message(ndmsg, const.RTM_GETNEIGH, {
            "family": const.AF_INET, "ifindex": 9, "state": 0x02},
            [("NDA_DST", "10.244.2.0"), ("NDA_LLADDR", "02:cc:c0:00:02:0c")])),
         {"index": 9, "family": const.AF_INET, "dst": "10.244.2.0", "mac": "02:cc:c0:00:02:0c", "state": 0x02,
          "flags": 0}),
    ]


def error_reply(code, text):
    """The kernel's refusal with its reason (extended ack): nlmsgerr's error code, the copy of our request's
    header (capped: the header only), then pyroute2's encoding of the NLMSGERR_ATTR_MSG attribute."""
    raw = body(nlmsgerr, {"error": -code}, [("NLMSGERR_ATTR_MSG", text)])
    flags = const.NLM_F_CAPPED | const.NLM_F_ACK_TLVS
    copied = struct.pack("=IHHII", 64, const.RTM_NEWROUTE, const.NLM_F_REQUEST | const.NLM_F_ACK, 7, 0)
    data = raw[:4] + copied + raw[4:]
    return struct.pack("=IHHII", HDR + len(data), const.NLMSG_ERROR, flags, 7, 0) + data, flags


def cases():
    return [("request " + name, ours.hex(), ref.hex()) for name, ours, ref in requests()] + \
        [("dump " + name, ours, want) for name, ours, want in dumps()]


if __name__ == "__main__":
    found = cases()
    print(json.dumps({"cases": len(found), "mismatches": [c for c in found if c[1] != c[2]]}, default=list))
