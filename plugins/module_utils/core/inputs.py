# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Validation and normalization of input values - interface and namespace names, addresses, networks, MACs,
MTUs, booleans, the present/absent state - so that equal things compare equal.

Every function raises InputError naming the field and the fix; nothing here touches the kernel.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import hashlib
import ipaddress
import re

from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError

IFNAMSIZ = 15  # usable bytes of a Linux interface name
MACVLAN_MODES = ("bridge", "private", "vepa", "passthru")  # a macvlan device's modes (the kernel's values: netlink.const)
_MAC = re.compile(r"^[0-9a-f]{2}([:-]?)[0-9a-f]{2}(\1[0-9a-f]{2}){4}$")


def printable(value, field):
    """value when it is a string with no control or line-separator character (newline, carriage return,
    NEL U+0085, U+2028, U+2029, tab, NUL ...: whatever str.isprintable() refuses). A value rendered into a file,
    a rule or a unit is then exactly one line, whatever the writer does with it."""
    if isinstance(value, str) and not value.isprintable():
        bad = next(ch for ch in value if not ch.isprintable())
        raise InputError("%s: %r holds the control character %r; a value is one line of printable text (remove "
                         "it)" % (field, value[:80], bad))
    return value


def one_line_each(lines, what):
    """lines when each is exactly one line: printable text and tabs, nothing that a reader takes for a line break
    or that a terminal obeys. The writers of files, restore payloads and units call it on what they render, so a
    value that got past the input checks still cannot add a line; InputError names what and the line."""
    for line in lines:
        if not line.replace("\t", " ").isprintable():
            raise InputError("%s: refusing to write %r: a rendered line holds a control or line-separator character"
                             % (what, line[:120]))
    return lines


def plain(value, field):
    """value (JSON-like: dicts, lists, scalars) when no string in it, key or value, holds a control or
    line-separator character; the error names the first one's place (field.key[2])."""
    if isinstance(value, dict):
        for key, inner in value.items():
            printable(key, "%s key" % field)
            plain(inner, "%s.%s" % (field, key))
    elif isinstance(value, (list, tuple)):
        for i, inner in enumerate(value):
            plain(inner, "%s[%d]" % (field, i))
    else:
        printable(value, field)
    return value


def address_text(value, field, what):
    """The text of an address or network: printable, and without an IPv6 scope id ('fe80::1%eth0'), which
    Python's ipaddress accepts with any text after the '%' but which has no place in a rule, a route or a
    file the collection writes."""
    text = printable(str(value), field).strip()  # a trailing newline too is refused, not trimmed away
    if "%" in text:
        raise InputError("%s: '%s' has a scope id (the part from '%%'); cnet.linux writes addresses into rules, "
                         "routes and files, where it has no place: give %s without it" % (field, text, what))
    return text


def ifname(value, field):
    """A legal Linux interface name: 1-15 bytes, not '.' or '..', no '/', ':', whitespace or other unprintable
    character (the kernel takes control characters, but then 'ip -j link' prints JSON nobody can read)."""
    if not isinstance(value, str) or not value:
        raise InputError("%s: an interface name is required" % field)
    size = len(value.encode("utf-8"))
    if size > IFNAMSIZ:
        raise InputError("%s: '%s' is %d bytes; Linux interface names have at most %d (pick a shorter name)"
                         % (field, value, size, IFNAMSIZ))
    if value in (".", "..") or re.search(r"[/:%\s\x00]", value) or not value.isprintable():
        raise InputError("%s: %r is not a legal interface name (no '/', ':', '%%' (the kernel's name pattern), "
                         "whitespace or control characters; not '.' or '..')" % (field, value))
    return value


def nsname(value, field):
    """A name under /run/netns: a single path component, at most 255 bytes."""
    if not isinstance(value, str) or not value:
        raise InputError("%s: a namespace name is required" % field)
    if value in (".", "..") or "/" in value or not value.isprintable() or len(value.encode("utf-8")) > 255:
        raise InputError("%s: %r is not a legal namespace name (one path component, no '/' or control "
                         "characters)" % (field, value))
    return value


def derived(prefix, key):
    """A stable interface name for key that fits IFNAMSIZ: prefix + key when that fits, else prefix +
    the start of key + a hash of all of key, so two long keys never collide by truncation."""
    if len(prefix.encode("utf-8")) + len(key.encode("utf-8")) <= IFNAMSIZ and re.match(r"^[\w.-]+$", key):
        return prefix + key
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    head = re.sub(r"[^\w.-]", "", key)[:max(0, IFNAMSIZ - len(prefix) - 7)]
    return prefix + head + digest[:IFNAMSIZ - len(prefix) - len(head)]


def host_end(netns, peer):
    """The host end's name of a veth pair not given one: derived from the namespace and the peer's name (the
    controller names it too, for the chains that accept a ptp pair's traffic and for inspect.yml)."""
    return derived("cv", "%s/%s" % (netns, peer))


def wireguard_key(b64):
    """The 32 bytes of a base64 WireGuard key: exactly 44 characters of the base64 alphabet (b64decode alone
    skips characters outside it, a newline included). ValueError otherwise."""
    if not isinstance(b64, str) or len(b64) != 44:
        raise ValueError("a WireGuard key is 44 characters of base64")
    raw = base64.b64decode(b64, validate=True)
    if len(raw) != 32:
        raise ValueError("a WireGuard key is 32 bytes")
    return raw


def address(value, field):
    """An address with prefix length, e.g. 172.16.0.111/20 or fd00::11/64, in canonical form.
    The host part is kept (it is an interface address, not a network)."""
    text = address_text(value, field, "the address")  # outside the try: InputError is a ValueError
    try:
        iface = ipaddress.ip_interface(text)
    except ValueError:
        raise InputError("%s: '%s' is not an address with a prefix length (like 172.17.0.2/16 or fd00::2/64)"
                         % (field, value))
    if "/" not in str(value):
        raise InputError("%s: '%s' needs a prefix length (like %s/24)" % (field, value, value))
    return iface.with_prefixlen


def ip(value, field, version=None):
    """A bare IP address in canonical form (IPv6 compressed, lower case)."""
    text = address_text(value, field, "the address")
    try:
        addr = ipaddress.ip_address(text)
    except ValueError:
        raise InputError("%s: '%s' is not an IP address" % (field, value))
    if version and addr.version != version:
        raise InputError("%s: '%s' is not an IPv%d address" % (field, value, version))
    return str(addr)


def network(value, field):
    """A route destination: 'default' (IPv4), 'default6', or a network like 10.9.0.0/16, canonical."""
    text = address_text(value, field, "the network")
    if text in ("default", "0.0.0.0/0"):
        return "0.0.0.0/0"
    if text in ("default6", "::/0"):
        return "::/0"
    try:
        return ipaddress.ip_network(text).with_prefixlen
    except ValueError:
        try:
            fixed = ipaddress.ip_network(text, strict=False).with_prefixlen
        except ValueError:
            raise InputError("%s: '%s' is not a network (like 10.9.0.0/16 or default)" % (field, value))
        raise InputError("%s: '%s' has host bits set; did you mean %s?" % (field, value, fixed))


def mac(value, field):
    """A unicast MAC address as six lower-case hex pairs joined by ':'."""
    text = str(value).strip().lower()
    if not _MAC.match(text):
        raise InputError("%s: '%s' is not a MAC address (like 02:42:ac:11:00:02)" % (field, value))
    hexes = re.sub(r"[:-]", "", text)
    norm = ":".join(hexes[i:i + 2] for i in range(0, 12, 2))
    if int(hexes[0:2], 16) & 1:
        raise InputError("%s: '%s' is a multicast MAC; use a unicast one (first byte even, e.g. 02:...)"
                         % (field, value))
    if norm == "00:00:00:00:00:00":
        raise InputError("%s: the all-zero MAC cannot be assigned" % field)
    return norm


def ipv4_mac(ip_text):
    """02:42 + the IPv4 address's four bytes, as Docker derives a container's MAC (locally administered, unicast)."""
    return "02:42:" + ":".join("%02x" % b for b in ipaddress.IPv4Address(ip_text).packed)


def whole(raw, key, field, lo, hi, default=None, required=False):
    """raw[key] as a whole number in lo..hi (a string of digits too: templating gives strings); default when
    unset, or an error when required."""
    value = raw.get(key)
    if value is None:
        if required:
            raise InputError("%s.%s is required" % (field, key))
        return default
    if isinstance(value, bool) or not isinstance(value, int) and not str(value).isdigit():
        raise InputError("%s.%s: '%s' is not a whole number" % (field, key, value))
    if not lo <= int(value) <= hi:
        raise InputError("%s.%s: %s is out of range %d..%d" % (field, key, value, lo, hi))
    return int(value)


def mtu(value, field):
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InputError("%s: '%s' is not a number" % (field, value))
    if not 68 <= number <= 65535:
        raise InputError("%s: %d is out of range; an MTU is 68..65535" % (field, number))
    return number


def contains(network_text, ip_text):
    """Whether address ip_text lies in network_text (both already normalized)."""
    return ipaddress.ip_address(ip_text) in ipaddress.ip_network(network_text)


def version_of(addr):
    """4 or 6 for an address, with or without a prefix length."""
    return ipaddress.ip_interface(addr).version


def label(value):
    """A mark label: whitespace and other unprintable characters become '_' (an alias with a control character
    breaks 'ip -j link' for everyone); empty is None."""
    return "".join("_" if ch.isspace() or not ch.isprintable() else ch for ch in str(value)) \
        if value not in (None, "") else None


def addresses(values, field):
    """A list of addresses, normalized, duplicates dropped, order kept (the first is the primary)."""
    out = []
    for i, addr in enumerate(values or []):
        norm = address(addr, "%s[%d]" % (field, i))
        if norm not in out:
            out.append(norm)
    return out


def boolean(raw, key, field, default):
    """raw[key] as a bool (default when unset); anything but true/false is refused."""
    value = raw.get(key)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise InputError("%s.%s: '%s' is not true or false" % (field, key, value))
    return value


def state(raw, field, default, choices=("present", "absent")):
    """raw's state (default when unset), one of choices; field None: a top-level option."""
    value = raw.get("state") or default
    if value not in choices:
        raise InputError("%sstate: '%s' is not one of %s" % (field + "." if field else "", value, ", ".join(choices)))
    return value
