"""WireGuard's generic netlink messages and keys, without a kernel: our WG_CMD_SET_DEVICE read back by pyroute2's
own message class (under PyPI's 0.9 here and Debian's 0.7 through /usr/bin/python3), a device as pyroute2 encodes
the kernel's answer read by ours, and X25519 against RFC 7748's test vectors."""

import base64
import binascii
import json
import os
import subprocess

import pytest

from ansible_collections.cnet.linux.plugins.module_utils.files import wg_keys
from ansible_collections.cnet.linux.plugins.module_utils.netlink import wireguard
from ansible_collections.cnet.linux.plugins.module_utils.netlink.const import HDR

PRIVATE = base64.b64encode(binascii.unhexlify("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")).decode()
PEER = base64.b64encode(binascii.unhexlify("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")).decode()
READER = r'''
import json, sys
from pyroute2.netlink.generic.wireguard import wgmsg
m = wgmsg(bytes.fromhex(sys.argv[1])); m.decode()
def peer(p):
    out = {}
    for name, value in p["attrs"]:
        if name == "WGPEER_A_ENDPOINT":
            value = [value["addr"], value["port"]]
        elif name == "WGPEER_A_ALLOWEDIPS":
            value = [ip["addr"] for ip in value]
        elif isinstance(value, bytes):
            value = value.decode()
        out[name] = value
    return out
print(json.dumps({"name": m.get_attr("WGDEVICE_A_IFNAME"), "port": m.get_attr("WGDEVICE_A_LISTEN_PORT"),
                  "flags": m.get_attr("WGDEVICE_A_FLAGS"), "private": m.get_attr("WGDEVICE_A_PRIVATE_KEY").decode(),
                  "cmd": m["cmd"], "peers": [peer(p) for p in m.get_attr("WGDEVICE_A_PEERS")]}))
'''
EXPECTED = {"name": "wg4096", "port": 51820, "flags": 1, "private": PRIVATE, "cmd": 1, "peers": [
    {"WGPEER_A_PUBLIC_KEY": PEER, "WGPEER_A_FLAGS": 2, "WGPEER_A_ENDPOINT": ["192.0.2.12", 51820],
     "WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL": 25, "WGPEER_A_ALLOWEDIPS": ["169.254.1.2/32", "fd00::/64"]},
    {"WGPEER_A_PUBLIC_KEY": PRIVATE, "WGPEER_A_FLAGS": 1}]}


def request():
    msg_type, _flags, body = wireguard.set_device(
        27, "wg4096", private_key=PRIVATE, listen_port=51820, replace_peers=True,
        peers=[{"public_key": PEER, "endpoint": "192.0.2.12", "port": 51820, "keepalive": 25,
                "allowed_ips": ["169.254.1.2/32", "fd00::/64"]}, {"public_key": PRIVATE, "remove": True}])
    return (HDR.pack(HDR.size + len(body), msg_type, 1, 1, 0) + body).hex()


@pytest.mark.parametrize("python", ["venv", "/usr/bin/python3"])
def test_set_device_reads_back_in_pyroute2(python):
    if python != "venv" and (not os.path.exists(python) or subprocess.run(
            [python, "-c", "import pyroute2"], capture_output=True, check=False).returncode):
        pytest.skip("no %s with python3-pyroute2 (scripts/setup installs it)" % python)
    venv = os.path.join(os.path.dirname(__file__), "..", "..", "..", ".venv", "bin", "python")
    argv = [python if python != "venv" else venv, "-c", READER, request()]
    assert json.loads(subprocess.run(argv, capture_output=True, text=True, check=True).stdout) == EXPECTED


def test_a_device_as_the_kernel_answers_is_read():
    from pyroute2.netlink.generic.wireguard import wgmsg
    msg = wgmsg()
    msg["cmd"], msg["version"] = 0, 1
    msg["attrs"] = [("WGDEVICE_A_IFINDEX", 7), ("WGDEVICE_A_IFNAME", "wg4096"),
                    ("WGDEVICE_A_PUBLIC_KEY", wg_keys.public_key(PRIVATE).encode()), ("WGDEVICE_A_LISTEN_PORT", 51820),
                    ("WGDEVICE_A_PEERS", [{"attrs": [
                        ("WGPEER_A_PUBLIC_KEY", PEER.encode()),
                        ("WGPEER_A_ENDPOINT", {"family": 2, "port": 51821, "addr": "192.0.2.12"}),
                        ("WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL", 0)]}])]
    msg.encode()
    data = bytes(msg.data)
    device = wireguard.merged([wireguard.parse_device(data, HDR.size, len(data))])
    assert device == {"index": 7, "name": "wg4096", "public_key": wg_keys.public_key(PRIVATE), "private_key_set": False,
                      "listen_port": 51820, "peers": [{"public_key": PEER, "endpoint": "192.0.2.12", "port": 51821,
                                                       "allowed_ips": [], "keepalive": 0}]}
    # allowed IPs (pyroute2 0.9 writes an address as its text, not its bytes, so it is no reference for them):
    # the kernel answers with the layout of the request, which pyroute2 reads back above
    data = bytes.fromhex(request())
    peers = wireguard.parse_device(data, HDR.size, len(data))["peers"]
    assert peers[0]["allowed_ips"] == ["169.254.1.2/32", "fd00::/64"] and peers[0]["keepalive"] == 25


def test_x25519_matches_rfc_7748():
    # RFC 7748 section 6.1: Alice's and Bob's key pairs, and their shared secret
    alice_pub = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"
    bob_pub = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"
    bob = binascii.unhexlify("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb")
    assert base64.b64decode(wg_keys.public_key(PRIVATE)).hex() == alice_pub
    assert base64.b64decode(wg_keys.public_key(base64.b64encode(bob).decode())).hex() == bob_pub
    shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"
    assert wg_keys.x25519(binascii.unhexlify("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"),
                          binascii.unhexlify(bob_pub)).hex() == shared
    # a generated key is clamped, and different each time
    one, two = base64.b64decode(wg_keys.generate()), base64.b64decode(wg_keys.generate())
    assert one != two and one[0] & 7 == 0 and one[31] & 128 == 0 and one[31] & 64


def test_a_key_file_is_private_and_written_whole(tmp_path):
    key = {"private_key": PRIVATE, "epoch": 2}
    wg_keys.write(str(tmp_path), "backend", key)
    assert wg_keys.read(str(tmp_path), "backend") == key and wg_keys.names(str(tmp_path)) == ["backend"]
    assert os.stat(wg_keys.path(str(tmp_path), "backend")).st_mode & 0o777 == 0o600
    assert os.stat(wg_keys.directory(str(tmp_path))).st_mode & 0o777 == 0o700
    wg_keys.remove(str(tmp_path), "backend")
    assert not os.path.exists(wg_keys.directory(str(tmp_path)))
