"""A tiny server for packet tests: on each TCP connection or UDP datagram it answers with the peer's address,
so a test sees where a packet came from after NAT. Usage: peer_server.py tcp|udp PORT [BIND]"""

import socket
import sys


def main():
    proto, port = sys.argv[1], int(sys.argv[2])
    bind = sys.argv[3] if len(sys.argv) > 3 else "0.0.0.0"
    kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    sock = socket.socket(socket.AF_INET, kind)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((bind, port))
    if proto == "udp":
        while True:
            _data, peer = sock.recvfrom(2048)
            sock.sendto((peer[0] + "\n").encode(), peer)
    sock.listen(64)
    while True:
        conn, peer = sock.accept()
        try:
            conn.sendall((peer[0] + "\n").encode())
        finally:
            conn.close()


if __name__ == "__main__":
    main()
