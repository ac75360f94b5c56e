# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A plain rtnetlink socket (opened in whatever namespace the thread is in) that makes dumps and requests:
dumps parsed by decode, requests built by encode, each acknowledged by the kernel; a refusal raises
NetlinkError with the kernel's errno and, when it gave one, its reason."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import errno
import os
import socket
import time

from ansible_collections.cnet.linux.plugins.module_utils.netlink import decode
from ansible_collections.cnet.linux.plugins.module_utils.netlink.const import (
    HDR, I32, IFADDR, IFINFO, NDMSG, RTMSG, NETLINK_ROUTE, NETLINK_CAP_ACK, NETLINK_EXT_ACK, SOL_NETLINK,
    NLMSG_DONE, NLMSG_ERROR, NLM_F_ACK, NLM_F_ACK_TLVS, NLM_F_DUMP, NLM_F_DUMP_INTR, NLM_F_REQUEST,
    RTM_GETADDR, RTM_GETLINK, RTM_GETNEIGH, RTM_GETROUTE, RTM_NEWLINK)

RETRIES = 10
RETRY_PAUSE = 0.02  # seconds after the first interrupted dump, doubled each time (about 10 s in all)


class NetlinkError(OSError):
    """The kernel refused a request: errno (also as .code) and, when it said one, its own reason (extack)."""

    def __init__(self, code, detail=None):
        super(NetlinkError, self).__init__(code, os.strerror(code))
        self.code = code
        self.detail = detail


class DumpInterrupted(OSError):
    """The kernel changed the table while dumping it (NLM_F_DUMP_INTR) more often than we retried: an error the
    modules report (an OSError), not a traceback."""


class Socket:
    """A netlink socket (opened in whatever namespace the thread is in) that makes dumps and requests."""

    def __init__(self, protocol=NETLINK_ROUTE):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW | socket.SOCK_CLOEXEC, protocol)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        for option in (NETLINK_CAP_ACK, NETLINK_EXT_ACK):  # short acks, with the kernel's reason on an error
            try:
                self.sock.setsockopt(SOL_NETLINK, option, 1)
            except OSError:
                pass
        self.sock.bind((0, 0))
        self.seq = 0
        self.buf = bytearray(1 << 16)

    def close(self):
        self.sock.close()

    def _send(self, msg_type, flags, body):
        self.seq += 1
        self.sock.send(HDR.pack(HDR.size + len(body), msg_type, NLM_F_REQUEST | flags, self.seq, 0) + body)

    def _answers(self):
        """(type, flags, data, start, end) of each message answering the last request, as they arrive; an
        error (other than an acknowledgement) raises NetlinkError; a malformed message ends it with type None."""
        while True:
            size = self.sock.recv_into(self.buf)
            data = bytes(self.buf[:size])
            pos = 0
            while pos + HDR.size <= size:
                length, kind, flags, seq, _pid = HDR.unpack_from(data, pos)
                if length < HDR.size:
                    yield None, 0, data, pos, size
                    return
                if seq == self.seq:
                    if kind == NLMSG_ERROR:
                        code = -I32.unpack_from(data, pos + HDR.size)[0]
                        if code:
                            raise NetlinkError(code, decode.extack(data, pos, length, flags) if flags & NLM_F_ACK_TLVS else None)
                    yield kind, flags, data, pos + HDR.size, pos + length
                pos += (length + 3) & ~3

    def _dump_once(self, msg_type, body, parse):
        self._send(msg_type, NLM_F_DUMP, body)
        out, interrupted = [], False
        for kind, flags, data, start, end in self._answers():
            if kind is None:
                return out, True
            if kind == NLMSG_DONE:
                return out, interrupted or bool(flags & NLM_F_DUMP_INTR)
            if kind != NLMSG_ERROR:
                interrupted = interrupted or bool(flags & NLM_F_DUMP_INTR)
                item = parse(data, start, end)
                if item is not None:
                    out.append(item)
        return out, True

    def request(self, msg_type, flags, body):
        """Send one request and wait for its answer: None for an acknowledgement, the parsed link for
        RTM_GETLINK. A refusal raises NetlinkError."""
        self._send(msg_type, flags | (0 if msg_type == RTM_GETLINK else NLM_F_ACK), body)
        for kind, _flags, data, start, end in self._answers():
            if kind is None:
                break
            if kind == RTM_NEWLINK:
                return decode.parse_link(data, start, end)
            if kind == NLMSG_ERROR:
                return None
        raise NetlinkError(errno.EPROTO, "a malformed answer to a netlink request")

    def ask(self, msg_type, body, parse):
        """Send one request whose answer is a message (a generic netlink family's number): parse's result."""
        self._send(msg_type, 0, body)
        for kind, _flags, data, start, end in self._answers():
            if kind is None:
                break
            if kind != NLMSG_ERROR:
                return parse(data, start, end)
        raise NetlinkError(errno.EPROTO, "a malformed answer to a netlink request")

    def dump(self, msg_type, body, parse):
        pause = RETRY_PAUSE
        for attempt in range(RETRIES):
            out, interrupted = self._dump_once(msg_type, body, parse)
            if not interrupted:
                return out
            if attempt < RETRIES - 1:  # a burst of changes (IPv6 setting up a thousand new links) settles
                time.sleep(pause)
                pause *= 2
        raise DumpInterrupted(errno.EAGAIN, "the kernel kept changing the table while it was read (%d tries in %.0f s); "
                              "run again once it is quieter" % (RETRIES, RETRY_PAUSE * (2 ** (RETRIES - 1) - 1)))

    def links(self):
        return self.dump(RTM_GETLINK, IFINFO.pack(0, 0, 0, 0, 0), decode.parse_link)

    def addrs(self):
        return self.dump(RTM_GETADDR, IFADDR.pack(0, 0, 0, 0, 0), decode.parse_addr)

    def neighbours(self, family):
        """AF_INET: the ARP table; AF_BRIDGE: every forwarding database (bridges' and VXLAN devices')."""
        return self.dump(RTM_GETNEIGH, NDMSG.pack(family, 0, 0, 0, 0), decode.parse_neigh)

    def routes(self):
        return self.dump(RTM_GETROUTE, RTMSG.pack(0, 0, 0, 0, 0, 0, 0, 0, 0), decode.parse_route)
