# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""WireGuard's generic netlink family (linux/wireguard.h), the requests the collection sends and the device
it reads: the family's number (asked of the kernel's controller once per run), a device's keys, port and peers
(WG_CMD_GET_DEVICE), and one WG_CMD_SET_DEVICE request that sets them. Keys travel as 32 raw bytes here and
as base64 everywhere else (as wg(8) shows them)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import socket
import struct

from ansible_collections.cnet.linux.plugins.module_utils.core import inputs
from ansible_collections.cnet.linux.plugins.module_utils.netlink.const import (
    AF_INET, AF_INET6, BE16, GENL, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME,
    NLA_F_NESTED, NLM_F_ACK, NLM_F_DUMP, U32, WG_CMD_GET_DEVICE, WG_CMD_SET_DEVICE, WGDEVICE_A_IFINDEX,
    WGDEVICE_A_IFNAME, WGDEVICE_A_PRIVATE_KEY, WGDEVICE_A_PUBLIC_KEY, WGDEVICE_A_FLAGS, WGDEVICE_A_LISTEN_PORT,
    WGDEVICE_A_PEERS, WGDEVICE_F_REPLACE_PEERS, WGPEER_A_PUBLIC_KEY, WGPEER_A_FLAGS, WGPEER_A_ENDPOINT,
    WGPEER_A_KEEPALIVE, WGPEER_A_ALLOWEDIPS, WGPEER_F_REMOVE_ME, WGPEER_F_REPLACE_ALLOWEDIPS, WGALLOWEDIP_A_FAMILY,
    WGALLOWEDIP_A_IPADDR, WGALLOWEDIP_A_CIDR_MASK)
from ansible_collections.cnet.linux.plugins.module_utils.netlink.decode import attrs
from ansible_collections.cnet.linux.plugins.module_utils.netlink.encode import attr

VERSION = 1
U16 = struct.Struct("=H")
SOCKADDR_IN = struct.Struct("=H2s4s8x")  # family (host order), port (network order), address, padding


def family_request():
    """CTRL_CMD_GETFAMILY 'wireguard': (type, flags, body); the answer carries the family's number."""
    return GENL_ID_CTRL, 0, GENL.pack(CTRL_CMD_GETFAMILY, 1, 0) + attr(CTRL_ATTR_FAMILY_NAME, b"wireguard\0")


def parse_family(data, start, end):
    raw = attrs(data, start + GENL.size, end).get(CTRL_ATTR_FAMILY_ID)
    return U16.unpack(raw[:2])[0] if raw else None


def get_device(family, name):
    """WG_CMD_GET_DEVICE of one device (a dump: a device with many peers comes in several messages)."""
    return family, NLM_F_DUMP, GENL.pack(WG_CMD_GET_DEVICE, VERSION, 0) + attr(WGDEVICE_A_IFNAME, name.encode() + b"\0")


def _peer(peer):
    """One peer: {public_key, endpoint (ip) and port, allowed_ips [cidr], keepalive, remove}."""
    body = attr(WGPEER_A_PUBLIC_KEY, inputs.wireguard_key(peer["public_key"]))
    if peer.get("remove"):
        return attr(0 | NLA_F_NESTED, body + attr(WGPEER_A_FLAGS, U32.pack(WGPEER_F_REMOVE_ME)))
    body += attr(WGPEER_A_FLAGS, U32.pack(WGPEER_F_REPLACE_ALLOWEDIPS))
    if peer.get("endpoint"):
        body += attr(WGPEER_A_ENDPOINT, SOCKADDR_IN.pack(AF_INET, BE16.pack(peer["port"]),
                                                         socket.inet_pton(socket.AF_INET, peer["endpoint"])))
    if peer.get("keepalive") is not None:
        body += attr(WGPEER_A_KEEPALIVE, U16.pack(peer["keepalive"]))
    ips = b""
    for cidr in peer.get("allowed_ips") or ():
        ip, plen = cidr.split("/")
        family = AF_INET6 if ":" in ip else AF_INET
        ips += attr(0 | NLA_F_NESTED, attr(WGALLOWEDIP_A_FAMILY, U16.pack(family)) + attr(
            WGALLOWEDIP_A_IPADDR, socket.inet_pton(socket.AF_INET6 if family == AF_INET6 else socket.AF_INET, ip))
            + attr(WGALLOWEDIP_A_CIDR_MASK, struct.pack("=B", int(plen))))
    body += attr(WGPEER_A_ALLOWEDIPS | NLA_F_NESTED, ips)
    return attr(0 | NLA_F_NESTED, body)


def set_device(family, name, private_key=None, listen_port=None, peers=None, replace_peers=False):
    """WG_CMD_SET_DEVICE: the keys base64; peers [{public_key, endpoint, port, allowed_ips, keepalive, remove}];
    replace_peers: the device's peers become exactly these."""
    body = GENL.pack(WG_CMD_SET_DEVICE, VERSION, 0) + attr(WGDEVICE_A_IFNAME, name.encode() + b"\0")
    if private_key is not None:
        body += attr(WGDEVICE_A_PRIVATE_KEY, inputs.wireguard_key(private_key))
    if listen_port is not None:
        body += attr(WGDEVICE_A_LISTEN_PORT, U16.pack(listen_port))
    if replace_peers:
        body += attr(WGDEVICE_A_FLAGS, U32.pack(WGDEVICE_F_REPLACE_PEERS))
    if peers is not None:
        body += attr(WGDEVICE_A_PEERS | NLA_F_NESTED, b"".join(_peer(peer) for peer in peers))
    return family, NLM_F_ACK, body


def _nested(raw):
    """The nested attributes of an array attribute (peers, allowed IPs), in order."""
    out, pos = [], 0
    while pos + 4 <= len(raw):
        length = U16.unpack_from(raw, pos)[0]
        if length < 4:
            break
        out.append(attrs(raw, pos + 4, pos + length))
        pos += (length + 3) & ~3
    return out


def _endpoint(raw):
    if not raw or len(raw) < 8:
        return None, None
    family = U16.unpack_from(raw, 0)[0]
    port = BE16.unpack(raw[2:4])[0]
    if family == AF_INET:
        return socket.inet_ntop(socket.AF_INET, raw[4:8]), port
    if family == AF_INET6 and len(raw) >= 24:
        return socket.inet_ntop(socket.AF_INET6, raw[8:24]), port
    return None, None


def _b64(raw):
    return base64.b64encode(raw[:32]).decode() if raw and any(bytearray(raw[:32])) else None


def parse_device(data, start, end):
    """{index, name, public_key, private_key_set, listen_port, peers: [{public_key, endpoint, port, allowed_ips,
    keepalive}]} of one WG_CMD_GET_DEVICE message (the private key itself is never kept)."""
    a = attrs(data, start + GENL.size, end)
    name = a.get(WGDEVICE_A_IFNAME)
    port = a.get(WGDEVICE_A_LISTEN_PORT)
    peers = []
    for p in _nested(a.get(WGDEVICE_A_PEERS) or b""):
        endpoint, peer_port = _endpoint(p.get(WGPEER_A_ENDPOINT))
        ips = []
        for ip in _nested(p.get(WGPEER_A_ALLOWEDIPS) or b""):
            family = U16.unpack(ip[WGALLOWEDIP_A_FAMILY][:2])[0]
            text = socket.inet_ntop(socket.AF_INET6 if family == AF_INET6 else socket.AF_INET, ip[WGALLOWEDIP_A_IPADDR])
            ips.append("%s/%d" % (text, bytearray(ip[WGALLOWEDIP_A_CIDR_MASK])[0]))
        keepalive = p.get(WGPEER_A_KEEPALIVE)
        peers.append({"public_key": _b64(p.get(WGPEER_A_PUBLIC_KEY)), "endpoint": endpoint, "port": peer_port,
                      "allowed_ips": sorted(ips), "keepalive": U16.unpack(keepalive[:2])[0] if keepalive else 0})
    return {"index": U32.unpack(a[WGDEVICE_A_IFINDEX][:4])[0] if WGDEVICE_A_IFINDEX in a else None,
            "name": name.rstrip(b"\0").decode() if name else None, "public_key": _b64(a.get(WGDEVICE_A_PUBLIC_KEY)),
            "private_key_set": bool(_b64(a.get(WGDEVICE_A_PRIVATE_KEY))),
            "listen_port": U16.unpack(port[:2])[0] if port else None, "peers": peers}


def merged(messages):
    """One device from the messages of its dump (the kernel splits a long peer list; a peer's allowed IPs may
    continue in the next message under the same key)."""
    if not messages:
        return None
    out = dict(messages[0], peers=[])
    by_key = {}
    for message in messages:
        for peer in message["peers"]:
            if peer["public_key"] in by_key:
                by_key[peer["public_key"]]["allowed_ips"] = sorted(by_key[peer["public_key"]]["allowed_ips"] +
                                                                   peer["allowed_ips"])
            else:
                by_key[peer["public_key"]] = dict(peer)
                out["peers"].append(by_key[peer["public_key"]])
    return out
