# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the hosts report back, checked on the controller before any plan uses it: each host's record
(/var/lib/cnet/fleet.json, or the one rebuilt from its kernel by network_info), its WireGuard public keys.

A host's record feeds every host's plan (the fleet's lease and address tables are kept in each), so a record
changed by hand, damaged, or written by a host's root to steer others is parsed here into the types the
inventory has, with the inventory's own checks (core.inputs): one that fails names the host, the file and the
key, and the plan stops with that message - never a traceback, never a value rendered as it came.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.cnet.linux.plugins.module_utils.core import inputs
from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError
from ansible_collections.cnet.linux.plugins.plugin_utils.fleet import keys as fleet_keys

VERSION = 1
RECORD = "/var/lib/cnet/fleet.json"
DRIVERS = fleet_keys.DRIVERS


def _network4(value, at):
    net = inputs.network(value, at)
    if inputs.version_of(net) != 4:
        raise InputError("%s: '%s' is not an IPv4 network" % (at, net))
    return net


# table -> (what its keys are, the check of its values): each is {network: {key: value}}
TABLES = {
    "addresses": ("container", lambda v, at: inputs.ip(v, at, 4)),
    "addresses6": ("container", lambda v, at: inputs.ip(v, at, 6)),
    "l2": ("host/container", lambda v, at: inputs.ip(v, at, 4)),
    "l26": ("host/container", lambda v, at: inputs.ip(v, at, 6)),
    "leases": ("host", _network4),
    "tunnels": ("host", lambda v, at: inputs.ip(v, at, 4)),
}
LOCAL = {4: "addresses", 6: "addresses6"}  # a host's own addresses per family: {network: {container: ip}}
SPANNING = {4: "l2", 6: "l26"}  # fleet-wide ones (l2 overlays, macvlan): {network: {'host/container': ip}}
KEYS = ("version", "host", "underlay", "networks", "interfaces", "underlay_mtu", "observed") + tuple(TABLES)


class Record:
    """A host's fleet.json, parsed (addresses and networks in canonical form): what the plan reads of it by name,
    and as_dict(), the document it came from (what the host's file holds, to compare a new record with)."""

    def __init__(self, fields):
        self._fields = fields

    @property
    def networks(self):
        """{network: {driver, bridge, device, vni, wg_device, mode, subnet}}: what removing it needs."""
        return self._fields.get("networks") or {}

    @property
    def interfaces(self):
        """{container: {network: interface name}}."""
        return self._fields.get("interfaces") or {}

    @property
    def observed(self):
        """Whether it was rebuilt from the kernel (which knows only what exists there), not read from the file."""
        return bool(self._fields.get("observed"))

    def table(self, name, network):
        """{key: value} of one network in one of TABLES (addresses: {container: ip}, l2: {'host/container': ip},
        leases and tunnels: {host: value}, ...); the underlay MTUs are the table underlay_mtu, network 'underlay'."""
        if name not in TABLES and name != "underlay_mtu":
            raise KeyError(name)
        return (self._fields.get(name) or {}).get(network) or {}

    def as_dict(self):
        return self._fields


def _mapping(value, at):
    if not isinstance(value, dict):
        raise InputError("%s: a mapping is expected, not %r" % (at, value))
    return value


def _word(value, at):
    """A name (network, container, host) as the record keys it: a non-empty printable string."""
    if not isinstance(value, str) or not value:
        raise InputError("%s: %r is not a name" % (at, value))
    return inputs.printable(value, at)


def _network(raw, at):
    """One entry of the record's networks: the devices a network's removal deletes."""
    _mapping(raw, at)
    unknown = sorted(str(k) for k in raw if k not in ("driver", "bridge", "device", "vni", "wg_device", "mode",
                                                      "subnet"))
    if unknown:
        raise InputError("%s: unknown key '%s'" % (at, unknown[0]))
    out = dict(raw)
    if raw.get("driver") not in DRIVERS:
        raise InputError("%s.driver: %r is not one of %s" % (at, raw.get("driver"), ", ".join(DRIVERS)))
    for key in ("bridge", "device", "wg_device"):
        if raw.get(key) is not None:
            out[key] = inputs.ifname(raw[key], "%s.%s" % (at, key))
    vni = raw.get("vni")
    if vni is not None and (isinstance(vni, bool) or not isinstance(vni, int) or not 0 <= vni < 2 ** 24):
        raise InputError("%s.vni: %r is not a VNI (0..16777215)" % (at, vni))
    if raw.get("mode") is not None and raw["mode"] != "host-gw":
        raise InputError("%s.mode: %r is not host-gw (the only mode a record keeps)" % (at, raw["mode"]))
    if raw.get("subnet") is not None:
        out["subnet"] = _network4(raw["subnet"], at + ".subnet")
    return out


def _table(raw, at, keys, check):
    out = {}
    for net, entries in _mapping(raw, at).items():
        where = "%s.%s" % (at, _word(net, at + " key"))
        out[net] = {}
        for key, value in _mapping(entries, where).items():
            _word(key, where + " key")
            if keys == "host/container" and "/" not in key:
                raise InputError("%s: key %r is not host/container" % (where, key))
            out[net][key] = check(value, "%s.%s" % (where, key))
    return out


def check(raw, host):
    """The record of host, parsed (addresses and networks in canonical form), or None when there is none or it
    is of another format version (then it is rebuilt, as a lost one is). InputError: 'host: fleet.json: key:
    what is wrong', and how to get a good record back."""
    if not isinstance(raw, dict) or raw.get("version") != VERSION:
        return None
    try:
        return Record(_parsed(raw, "%s: %s" % (host, RECORD)))
    except InputError as exc:
        raise InputError("%s; the record was changed by hand or is damaged: correct it, or remove it on %s and the next "
                         "run rebuilds it from that host's kernel" % (exc, host))


def rebuilt(raw, host):
    """A record rebuilt from what network_info read of a host's kernel (fleet.observed), checked as a record."""
    return Record(_parsed(raw, "%s: the record rebuilt from its devices (network_info)" % host))


def _parsed(raw, at):
    inputs.plain(raw, at)
    unknown = sorted(str(k) for k in raw if k not in KEYS)
    if unknown:
        raise InputError("%s: unknown key '%s'" % (at, unknown[0]))
    out = dict(raw)
    if raw.get("host") is not None:
        _word(raw["host"], at + ".host")
    if raw.get("underlay") is not None:
        out["underlay"] = inputs.ip(raw["underlay"], at + ".underlay", 4)
    out["networks"] = dict((_word(name, at + ".networks key"), _network(net, "%s.networks.%s" % (at, name)))
                           for name, net in _mapping(raw.get("networks") or {}, at + ".networks").items())
    for table, (keys, value_check) in TABLES.items():
        if raw.get(table) is not None:
            out[table] = _table(raw[table], "%s.%s" % (at, table), keys, value_check)
    interfaces = {}
    for ctr, nets in _mapping(raw.get("interfaces") or {}, at + ".interfaces").items():
        where = "%s.interfaces.%s" % (at, _word(ctr, at + ".interfaces key"))
        interfaces[ctr] = dict((_word(net, where + " key"), inputs.ifname(name, "%s.%s" % (where, net)))
                               for net, name in _mapping(nets, where).items())
    out["interfaces"] = interfaces
    if raw.get("underlay_mtu") is not None:
        mtus = _mapping(_mapping(raw["underlay_mtu"], at + ".underlay_mtu").get("underlay") or {},
                        at + ".underlay_mtu.underlay")
        out["underlay_mtu"] = {"underlay": dict((_word(h, at + ".underlay_mtu key"),
                                                 inputs.mtu(v, "%s.underlay_mtu.underlay.%s" % (at, h)))
                                                for h, v in mtus.items())}
    if raw.get("observed") not in (None, True, False):
        raise InputError("%s.observed: %r is not true or false" % (at, raw["observed"]))
    return out


def public_key(value, at):
    """A WireGuard public key as a host reported it: 44 characters of base64 that decode to 32 bytes."""
    try:
        inputs.wireguard_key(value)  # the engine's own check (resources.wireguard's)
        return value
    except (TypeError, ValueError):  # binascii.Error is a ValueError
        pass
    raise InputError("%s: %r is not a WireGuard public key (44 characters of base64, 32 bytes); the host's key file "
                     "was changed by hand or is damaged: remove it on that host and raise key_epoch" % (at, value))


def public_keys(raw, host):
    """{network: public key} a host reported (cnet.linux.wireguard_key in read.yml), checked."""
    at = "%s: wireguard_key's public_keys" % host
    return dict((_word(net, at + " key"), public_key(key, "%s.%s" % (at, net)))
                for net, key in _mapping(raw or {}, at).items())
