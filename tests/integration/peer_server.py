"""A tiny server for packet tests: on each TCP connection or UDP datagram it answers with the peer's address,
so a test sees where a packet came from after NAT. Usage: peer_server.py tcp|udp PORT [BIND]
Without BIND it listens on both families (an IPv4 peer is answered as a.b.c.d, not ::ffff:a.b.c.d)."""

import socket
import sys


def who(peer):
    return peer[0][len("::ffff:"):] if peer[0].startswith("::ffff:") else peer[0]


def main():
    proto, port = sys.argv[1], int(sys.argv[2])
    bind = sys.argv[3] if len(sys.argv) > 3 else "::"
    kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    family = socket.AF_INET6 if ":" in bind else socket.AF_INET
    if family == socket.AF_INET6 and not socket.has_ipv6:
        family, bind = socket.AF_INET, "0.0.0.0"
    sock = socket.socket(family, kind)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    sock.bind((bind, port))
    if proto == "udp":
        while True:
            _data, peer = sock.recvfrom(2048)
            sock.sendto((who(peer) + "\n").encode(), peer)
    sock.listen(64)
    while True:
        conn, peer = sock.accept()
        try:
            conn.sendall((who(peer) + "\n").encode())
        finally:
            conn.close()


if __name__ == "__main__":
    main()
