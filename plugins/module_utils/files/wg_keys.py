# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An encrypted overlay's WireGuard key pair on this host: the private key is made here and kept here, in
<state_dir>/wireguard/<network>.json (mode 0600, in a 0700 directory: {private_key, epoch}); only the public
key leaves the host, derived here with X25519 (RFC 7748, the curve WireGuard uses) so that a check run and a
read-only module can report it without the kernel. epoch is the rotation counter the inventory raises."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import json
import os

from ansible_collections.cnet.linux.plugins.module_utils.core import inputs
from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError

P = 2 ** 255 - 19
A24 = 121665
BASE = 9


def _scalar(raw):
    k = bytearray(raw)
    k[0] &= 248
    k[31] &= 127
    k[31] |= 64
    return int.from_bytes(bytes(k), "little")


def x25519(scalar, u):
    """RFC 7748's X25519 function: the Montgomery ladder over curve25519 (bytes in, bytes out, little-endian)."""
    k = _scalar(scalar)
    x1 = int.from_bytes(bytes(bytearray(u)[:31]) + bytes([bytearray(u)[31] & 127]), "little") % P
    x2, z2, x3, z3, swap = 1, 0, x1, 1, 0
    for t in range(254, -1, -1):
        bit = (k >> t) & 1
        swap ^= bit
        if swap:
            x2, x3, z2, z3 = x3, x2, z3, z2
        swap = bit
        a, b, c, d = (x2 + z2) % P, (x2 - z2) % P, (x3 + z3) % P, (x3 - z3) % P
        aa, bb = a * a % P, b * b % P
        e = (aa - bb) % P
        da, cb = d * a % P, c * b % P
        x3, z3 = (da + cb) ** 2 % P, x1 * (da - cb) ** 2 % P
        x2, z2 = aa * bb % P, e * (aa + A24 * e) % P
    if swap:
        x2, z2 = x3, z3
    return (x2 * pow(z2, P - 2, P) % P).to_bytes(32, "little")


def public_key(private_b64):
    """The base64 public key of a base64 private key (what `wg pubkey` prints)."""
    return base64.b64encode(x25519(base64.b64decode(private_b64), BASE.to_bytes(32, "little"))).decode()


def generate():
    """A new base64 private key (what `wg genkey` prints: 32 random bytes, clamped)."""
    raw = bytearray(os.urandom(32))
    raw[0] &= 248
    raw[31] = (raw[31] & 127) | 64
    return base64.b64encode(bytes(raw)).decode()


def network_name(value, field):
    """An overlay network's name as its key file is named: one path component (no '/', not '.' or '..'), printable,
    the same after inputs.label (no whitespace)."""
    name = inputs.label(value)
    if not name or name != value or "/" in name or name in (".", "..") or len(name.encode("utf-8")) > 200:
        raise InputError("%s: %r is not an overlay network's name (one word of at most 200 bytes, no '/'; its key file "
                         "is named for it)" % (field, value))
    return name


def directory(state_dir):
    return os.path.join(state_dir, "wireguard")


def path(state_dir, network):
    network_name(network, "network")
    return os.path.join(directory(state_dir), "%s.json" % network)


def read(state_dir, network):
    """{private_key, epoch} kept for a network, or None (missing, or not a key file of ours)."""
    try:
        with open(path(state_dir, network)) as handle:
            data = json.load(handle)
        public_key(data["private_key"])  # a valid key
        return {"private_key": data["private_key"], "epoch": int(data.get("epoch") or 0)}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def names(state_dir):
    """The networks this host keeps a key for."""
    try:
        return sorted(name[:-5] for name in os.listdir(directory(state_dir)) if name.endswith(".json"))
    except OSError:
        return []


def write(state_dir, network, key):
    """Keep key ({private_key, epoch}) for network: 0600, written whole (a new file, then renamed)."""
    folder = directory(state_dir)
    if not os.path.isdir(folder):
        os.makedirs(folder, 0o700)
    os.chmod(folder, 0o700)
    final = path(state_dir, network)
    temp = final + ".new"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, json.dumps(key, sort_keys=True).encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    os.rename(temp, final)


def remove(state_dir, network):
    try:
        os.unlink(path(state_dir, network))
    except OSError:
        pass
    try:
        os.rmdir(directory(state_dir))  # only when it is empty
    except OSError:
        pass
