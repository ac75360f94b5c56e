# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Published ports as Docker writes them, '[host_ip:]host_port:container_port[/tcp|udp]', single ports or
equal-sized ranges ('8000-8009:80-89'), expanded into one mapping per port."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress
import re

from ansible_collections.cnet.linux.plugins.module_utils.core import inputs
from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError

_SPEC = re.compile(r"^(?:(?P<ip>[0-9.]+|\[[0-9A-Fa-f:.]+\]):)?(?P<host>\d+(?:-\d+)?):(?P<ctr>\d+(?:-\d+)?)"
                   r"(?:/(?P<proto>[a-z]+))?$")
MAX_RANGE = 4096


def _range(text, field, spec):
    first, _sep, last = text.partition("-")
    lo, hi = int(first), int(last or first)
    if not 1 <= lo <= hi <= 65535:
        raise InputError("%s: '%s' has port %s; ports are 1-65535 and a range goes low-high" % (field, spec, text))
    return lo, hi


def parse(spec, field):
    """[{host_ip, host_port, port, proto}] for one spec; host_ip None means every address of the host."""
    if not isinstance(spec, str):
        raise InputError("%s: '%s' is not a string like '8080:80', '127.0.0.1:8053:53/udp' or '8000-8009:80-89'"
                         % (field, spec))
    match = _SPEC.match(spec.strip())
    if not match:
        raise InputError("%s: '%s' is not [host_ip:]host_port:container_port[/tcp|udp] (e.g. '2333:22')" % (field, spec))
    proto = match.group("proto") or "tcp"
    if proto not in ("tcp", "udp"):
        raise InputError("%s: '%s' has protocol '%s'; use tcp or udp" % (field, spec, proto))
    host_ip, family = match.group("ip"), None  # family None: both, where the container has both
    if host_ip is not None:
        try:
            addr = ipaddress.ip_address(host_ip.strip("[]"))
        except ValueError:
            raise InputError("%s: '%s' has host address '%s', not an IP address" % (field, spec, host_ip))
        if (addr.version == 6) != host_ip.startswith("["):
            raise InputError("%s: '%s': write an IPv6 host address in brackets, an IPv4 one without ('[::1]:80:80', "
                             "'127.0.0.1:80:80')" % (field, spec))
        family = addr.version
        if addr.version == 6 and addr.is_loopback:
            raise InputError("%s: '%s': a port cannot be published on [::1] (the kernel has no route_localnet for "
                             "IPv6; Docker needs its userland proxy for it): publish on 127.0.0.1" % (field, spec))
        host_ip = None if addr.is_unspecified else str(addr)  # 0.0.0.0, [::]: every address of that family
    hlo, hhi = _range(match.group("host"), field, spec)
    clo, chi = _range(match.group("ctr"), field, spec)
    if hhi - hlo != chi - clo:
        raise InputError("%s: '%s' maps %d host ports to %d container ports; give ranges of the same size"
                         % (field, spec, hhi - hlo + 1, chi - clo + 1))
    if hhi - hlo >= MAX_RANGE:
        raise InputError("%s: '%s' publishes %d ports; at most %d per entry" % (field, spec, hhi - hlo + 1, MAX_RANGE))
    return [{"host_ip": host_ip, "family": family, "host_port": hlo + i, "port": clo + i, "proto": proto}
            for i in range(hhi - hlo + 1)]


LONG = ("target", "published", "host_ip", "protocol", "mode")  # compose's long syntax of 'ports'


def allow_list(value, field):
    """The sources a published port accepts: None (everyone, as Docker), or networks in canonical form (IPv4
    for its IPv4 mappings, IPv6 for its IPv6 ones; 0.0.0.0/0 or ::/0 is every source of that family)."""
    if value is None:
        return None
    if not isinstance(value, list):
        raise InputError("%s: a list of source networks like ['192.0.2.0/24', '10.0.0.0/8'] is expected" % field)
    out = []
    for i, cidr in enumerate(value):
        at = "%s[%d]" % (field, i)
        text = inputs.address_text(cidr, at, "the network")
        if "/" not in text:
            text += "/128" if ":" in text else "/32"
        try:
            net = ipaddress.ip_network(text)
        except ValueError:
            try:
                fixed = ipaddress.ip_network(text, strict=False)
            except ValueError:
                raise InputError("%s: '%s' is not a network like 192.0.2.0/24 or 2001:db8::/48" % (at, cidr))
            raise InputError("%s: '%s' has host bits set; did you mean %s?" % (at, cidr, fixed))
        if str(net) not in out:
            out.append(str(net))
    return out


def entry(raw, field):
    """One publish entry - a spec string, {port: spec, allow}, or compose's long syntax {target, published,
    host_ip, protocol, mode} with allow - as (spec, allow)."""
    if not isinstance(raw, dict):
        parse(raw, field)
        return raw, None
    unknown = sorted(str(k) for k in raw if k not in LONG + ("port", "allow"))
    if unknown:
        raise InputError("%s: unknown key '%s' (valid keys: port, allow; or compose's %s)" % (
            field, unknown[0], ", ".join(LONG)))
    if raw.get("port") is not None and any(raw.get(k) is not None for k in LONG):
        raise InputError("%s: give 'port' ('8080:80') or compose's target/published, not both" % field)
    if raw.get("port") is not None:
        spec = raw["port"]
    else:
        if raw.get("mode") not in (None, "host"):
            raise InputError("%s.mode: '%s' is swarm's routing mesh; cnet.linux publishes on the container's host "
                             "(mode: host)" % (field, raw["mode"]))
        if raw.get("target") is None or raw.get("published") is None:
            raise InputError("%s: needs 'target' (the container's port) and 'published' (the host's; cnet.linux does "
                             "not pick one)" % field)
        spec = "%s%s:%s%s" % ("%s:" % raw["host_ip"] if raw.get("host_ip") else "", raw["published"], raw["target"],
                              "/%s" % raw["protocol"] if raw.get("protocol") else "")
    parse(spec, field)
    return spec, allow_list(raw.get("allow"), field + ".allow")


def of_family(allow, family):
    """The part of an allow list for one family: None (everyone) when it is unset or names that family's /0."""
    if allow is None:
        return None
    mine = [cidr for cidr in allow if (":" in cidr) == (family == 6)]
    return None if ("::/0" if family == 6 else "0.0.0.0/0") in mine else mine


def check_unique(mappings, field):
    """A host port is published once per protocol: on one address, or on all (which covers every address)."""
    seen = {}
    for mapping in mappings:
        key = (mapping["proto"], mapping["host_port"])
        for other in seen.get(key, []):
            if other["host_ip"] is None or mapping["host_ip"] is None or other["host_ip"] == mapping["host_ip"]:
                raise InputError("%s: host port %s%d/%s is published twice (for %s and %s)" % (
                    field, (mapping["host_ip"] + ":") if mapping["host_ip"] else "", mapping["host_port"],
                    mapping["proto"], other["address"], mapping["address"]))
        seen.setdefault(key, []).append(mapping)
