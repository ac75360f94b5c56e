# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inventory's networks and containers (../docs/roles.md), normalized and checked before anything is
changed on any host: every message names the variable, the item and the fix.

Drivers: bridge (Docker's bridge network), overlay (mode l3, flannel-like leases; or l2, one subnet), macvlan
(containers on a host interface's Ethernet, one subnet across the fleet), ptp (a container's own veth pair to
the host, as seed 001 builds it: the host end holds the gateway). Container
modes: none, host, container:<name>, or one or more networks; pid adopts a running process's namespace.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress

from ansible_collections.cnet.linux.plugins.module_utils.core import inputs
from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError
from ansible_collections.cnet.linux.plugins.module_utils.files import etc_netns
from ansible_collections.cnet.linux.plugins.module_utils.xtables import ports
from ansible_collections.cnet.linux.plugins.plugin_utils.fleet import keys, schema

DRIVERS = keys.DRIVERS
MODES = ("l3", "l2", "host-gw")
VXLAN_KEYS = keys.part("vxlan")
ENCRYPTION_KEYS = keys.part("encryption")
PER_ATTACHMENT = keys.PER_ATTACHMENT


def leased(net):
    """Whether a network is an overlay of per-host leases: l3 (VXLAN, flannel's vxlan) or host-gw (routes)."""
    return net["driver"] == "overlay" and net["mode"] in ("l3", "host-gw")


def spanning(net):
    """Whether a network is one subnet across the fleet (an l2 overlay, a macvlan network's Ethernet): its
    addresses are unique fleet-wide."""
    return net["driver"] == "macvlan" or net["driver"] == "overlay" and net["mode"] == "l2"


def multi_host(net):
    """Whether a network's containers on different hosts reach each other (their names resolve fleet-wide)."""
    return net["driver"] in ("overlay", "macvlan")


SPECIAL = ("none", "host")


def _subnet(raw, where):
    if not raw.get("subnet"):
        raise InputError("%s.subnet is required (an IPv4 network like 172.17.0.0/16)" % where)
    subnet = inputs.network(raw["subnet"], where + ".subnet")
    if inputs.version_of(subnet) != 4 or ipaddress.ip_network(subnet).prefixlen > 30:
        raise InputError("%s.subnet: '%s' is not an IPv4 network of at least 4 addresses" % (where, subnet))
    return subnet


def _usable(subnet):
    net = ipaddress.ip_network(subnet)
    return net.network_address + 1, net.broadcast_address - 1


def _name(raw, where, what):
    if not isinstance(raw, dict):
        raise InputError("%s: a mapping is expected, not %r" % (where, raw))
    if not raw.get("name"):
        raise InputError("%s: needs 'name' (%s)" % (where, what))
    if not isinstance(raw["name"], str):
        raise InputError("%s.name: %r is not a string; quote it" % (where, raw["name"]))
    return raw["name"]


def _elsewhere(driver, mode):
    """{key: why not here} for the keys of the other drivers (and modes) that this network does not take."""
    out = {}
    for other, keys in schema.NETWORK.items():
        for key in keys:
            if key not in schema.NETWORK[driver]:
                out.setdefault(key, "'%s' applies to %s networks, not to this %s network" % (key, other, driver))
    if mode == "l2":
        out["host_prefix"] = "'host_prefix' sizes the leases of an l3 overlay; an l2 overlay has one subnet"
    if mode in ("l3", "host-gw"):
        for key in ("ip_range", "aux_addresses"):
            out[key] = ("'%s' applies to bridge networks and l2 overlays; each host of an %s overlay allocates from "
                        "its own lease" % (key, mode))
    if mode == "host-gw":
        for key in VXLAN_KEYS + ENCRYPTION_KEYS:
            out[key] = "'%s' is VXLAN's; a host-gw overlay routes the leases with no encapsulation" % key
    return out


def _driver_opts(raw, where):
    """raw with a bridge network's driver_opts (Docker's option names, string values) as our keys; an option we
    do not read, or one that disagrees with our own key, is refused."""
    opts = raw.get("driver_opts")
    if not opts:
        return raw
    out, known = dict(raw), schema.DRIVER_OPTS[raw.get("driver") or "bridge"]
    for key in sorted(opts):
        at = "%s.driver_opts['%s']" % (where, key)
        if key not in known:
            raise InputError("%s: not an option cnet.linux reads (it reads %s)" % (at, ", ".join(sorted(known))))
        ours, kind = known[key]
        value = opts[key]
        if kind == "bool":
            text = str(value).lower() if isinstance(value, (bool, str)) else None
            if text not in ("true", "false"):
                raise InputError("%s: %r is not true or false" % (at, value))
            value = text == "true"
        elif kind == "int":
            if isinstance(value, bool) or not str(value).isdigit():
                raise InputError("%s: %r is not a whole number" % (at, value))
            value = int(value)
        elif not isinstance(value, str):
            raise InputError("%s: %r is not a string" % (at, value))
        if raw.get(ours) is not None and raw[ours] != value:
            raise InputError("%s: %r disagrees with '%s: %s'; give one of them" % (at, opts[key], ours, raw[ours]))
        out[ours] = value
    return out


def _ip_range(raw, net, where):
    """The pool of automatic addresses: a network inside the subnet (Docker's ip_range); None: the subnet."""
    if not raw.get("ip_range"):
        return None
    value = inputs.network(raw["ip_range"], where + ".ip_range")
    if inputs.version_of(value) != 4 or not ipaddress.ip_network(value).subnet_of(ipaddress.ip_network(net["subnet"])):
        raise InputError("%s.ip_range: %s is not an IPv4 network inside the subnet %s" % (where, value, net["subnet"]))
    return value


def _ipv6(raw, net, where):
    """(subnet6, gateway6) of a network with enable_ipv6 (Docker's dual stack), else (None, None)."""
    enabled = keys.flag(raw, "enable_ipv6", where)
    for key in ("subnet6", "gateway6", "masquerade6"):
        if raw.get(key) is not None and not enabled:
            raise InputError("%s.%s: the network's IPv6 needs enable_ipv6: true as well (as Docker's)" % (where, key))
    if not enabled:
        return None, None
    if leased(net):
        raise InputError("%s.enable_ipv6: an %s overlay carries IPv4 only (its leases and routes are IPv4); an l2 "
                         "overlay carries IPv6 inside (its underlay stays IPv4)" % (where, net["mode"]))
    if not raw.get("subnet6"):
        raise InputError("%s.enable_ipv6: needs subnet6 (an IPv6 network like fd00:17::/64; cnet.linux does not pick "
                         "one)" % where)
    subnet6 = inputs.network(raw["subnet6"], where + ".subnet6")
    if inputs.version_of(subnet6) != 6 or ipaddress.ip_network(subnet6).prefixlen > 124:
        raise InputError("%s.subnet6: '%s' is not an IPv6 network of at least 16 addresses (like fd00:17::/64)"
                         % (where, subnet6))
    first = ipaddress.ip_network(subnet6).network_address + 1
    if not raw.get("gateway6") and net["driver"] == "overlay":
        return subnet6, None  # an l2 overlay has no gateway unless one is given, as for IPv4
    gateway6 = inputs.ip(raw.get("gateway6") or str(first), where + ".gateway6", 6)
    if not inputs.contains(subnet6, gateway6) or ipaddress.ip_address(gateway6) == first - 1:
        raise InputError("%s.gateway6: %s is not a usable address of %s" % (where, gateway6, subnet6))
    return subnet6, gateway6


def _aux(raw, net, where):
    """{name: address} of addresses that are never handed out (Docker's aux_addresses: a router, a printer)."""
    out, seen = {}, {}
    for name, value in sorted((raw.get("aux_addresses") or {}).items()):
        at = "%s.aux_addresses.%s" % (where, name)
        addr = inputs.ip(value, at, 4)
        if not inputs.contains(net["subnet"], addr):
            raise InputError("%s: %s is not in the subnet %s" % (at, addr, net["subnet"]))
        if addr == net.get("gateway"):
            raise InputError("%s: %s is the gateway; it is never handed out anyway" % (at, addr))
        if addr in seen:
            raise InputError("%s: %s is also aux address '%s'" % (at, addr, seen[addr]))
        out[str(name)], seen[addr] = addr, name
    return out


def _encryption(raw, net, where):
    """An encrypted overlay (Docker's --opt encrypted): WireGuard between its hosts, each with an address of
    tunnel_subnet (default 169.254.<n>.0/24 from the VNI), listening on wireguard_port; key_epoch rotates the
    keys. The VXLAN traffic goes between the tunnel addresses."""
    net["encrypted"] = keys.flag(raw, "encrypted", where)
    if not net["encrypted"]:
        for key in ENCRYPTION_KEYS[1:]:
            if raw.get(key) is not None:
                raise InputError("%s.%s: applies to an encrypted overlay; add encrypted: true or remove it" % (where, key))
        return
    net["key_epoch"] = keys.whole(raw, "key_epoch", where)
    net["wireguard_port"] = keys.whole(raw, "wireguard_port", where)
    tunnel = raw.get("tunnel_subnet") or "169.254.%d.0/24" % (1 + net["vni"] % 250)
    net["tunnel_subnet"] = inputs.network(tunnel, where + ".tunnel_subnet")
    if inputs.version_of(net["tunnel_subnet"]) != 4 or ipaddress.ip_network(net["tunnel_subnet"]).prefixlen > 29:
        raise InputError("%s.tunnel_subnet: '%s' is not an IPv4 network of at least 8 addresses (one per host)"
                         % (where, net["tunnel_subnet"]))
    net["wg_device"] = inputs.derived("wg", str(net["vni"]))


def _macvlan(raw, net, where):
    """A macvlan network's parent (a host interface), mode, and host_access: a shim device on each host, so the
    host reaches its own containers (its parent's packets never reach them)."""
    if not raw.get("parent"):
        raise InputError("%s.parent is required: the host interface on the network the containers join (e.g. eth0; "
                         "the same name on every host)" % where)
    net["parent"] = inputs.ifname(raw["parent"], where + ".parent")
    net["macvlan_mode"] = raw.get("macvlan_mode") or "bridge"
    if net["macvlan_mode"] not in inputs.MACVLAN_MODES:
        raise InputError("%s.macvlan_mode: '%s' is not one of %s" % (where, net["macvlan_mode"],
                                                                     ", ".join(inputs.MACVLAN_MODES)))
    net["host_access"] = keys.flag(raw, "host_access", where)
    if net["host_access"] and net["macvlan_mode"] != "bridge":
        raise InputError("%s.host_access: the host's shim reaches the containers as their sibling on the parent, which "
                         "only macvlan_mode bridge allows; use bridge or drop host_access" % where)
    net["shim"] = inputs.derived("cm-", net["name"]) if net["host_access"] else None


def network(raw, i, host=None):
    """One item of cnet_networks, normalized."""
    where = "%scnet_networks[%d]" % (host + ": " if host else "", i)
    name = _name(raw, where, "and 'driver': bridge, overlay, macvlan or ptp")
    if name in SPECIAL or name.startswith(("container:", "service:")) or not inputs.label(name) == name:
        raise InputError("%s.name: '%s' is reserved or has whitespace; pick another network name" % (where, name))
    where = "%s (%s)" % (where, name)
    driver = raw.get("driver") or "bridge"
    if driver not in DRIVERS:
        raise InputError("%s.driver: '%s' is not one of %s" % (where, driver, ", ".join(DRIVERS)))
    mode = raw.get("mode") or "l3" if driver == "overlay" else None
    elsewhere = _elsewhere(driver, mode)
    allowed = tuple(k for k in schema.NETWORK[driver] if k not in elsewhere)
    schema.check_keys(raw, allowed, where, elsewhere)
    raw = _driver_opts(raw, where)
    schema.check_keys(raw, allowed, where, elsewhere)  # the values driver_opts gave, typed like our keys
    net = {"name": name, "driver": driver, "subnet": _subnet(raw, where), "mtu": keys.whole(raw, "mtu", where)}
    first, last = _usable(net["subnet"])
    if driver == "overlay":
        net["mode"] = mode
        if net["mode"] not in MODES:
            raise InputError("%s.mode: '%s' is not one of l3 (flannel's vxlan), l2 (Docker-like), host-gw (flannel's "
                             "host-gw: one L2 underlay, no encapsulation)" % (where, net["mode"]))
        vxlan = net["mode"] != "host-gw"
        net["vni"] = keys.whole(raw, "vni", where)
        if net["vni"] is None and vxlan:
            raise InputError("%s.vni is required (1..16777215)" % where)
        # an encrypted overlay's VXLAN has a port of its own (4790): the kernel hands a VXLAN packet to the device
        # of its VNI on the port it came to, whichever overlay's filter let it in
        encrypted = vxlan and raw.get("encrypted") is True
        net["port"] = keys.whole(raw, "port", where, default=4790 if encrypted else 4789) if vxlan else None
        net["firewall"] = keys.flag(raw, "firewall", where) if vxlan else False
        if encrypted and not net["firewall"]:
            raise InputError("%s.firewall: false would let plain VXLAN from the underlay into an encrypted overlay (its "
                             "port filter admits the peers from inside the tunnel only); remove firewall: false"
                             % where)
        prefix = ipaddress.ip_network(net["subnet"]).prefixlen
        net["host_prefix"] = keys.whole(raw, "host_prefix", where, prefix + 1, 30, max(24, prefix + 1))
        net["device"] = inputs.ifname(raw.get("device") or "vx%d" % net["vni"], where + ".device") if vxlan else None
        net["bridge"] = inputs.ifname(raw.get("bridge") or inputs.derived("cn-", name), where + ".bridge")
        if raw.get("gateway") and leased(net):
            raise InputError("%s.gateway: an %s overlay's gateway is each host's lease's first address"
                             % (where, net["mode"]))
        net["gateway"] = inputs.ip(raw["gateway"], where + ".gateway", 4) if raw.get("gateway") else None
        if vxlan:
            _encryption(raw, net, where)
    else:
        net["bridge"] = inputs.ifname(raw.get("bridge") or inputs.derived("cn-", name), where + ".bridge") \
            if driver == "bridge" else None
        net["gateway"] = inputs.ip(raw.get("gateway") or str(first), where + ".gateway", 4)
    if driver == "macvlan":
        _macvlan(raw, net, where)
    if net["gateway"] and not first <= ipaddress.ip_address(net["gateway"]) <= last:
        raise InputError("%s.gateway: %s is not a usable address of %s" % (where, net["gateway"], net["subnet"]))
    net["ip_range"], net["aux_addresses"] = _ip_range(raw, net, where), _aux(raw, net, where)
    net["subnet6"], net["gateway6"] = _ipv6(raw, net, where)
    if driver == "bridge":
        net["internal"] = keys.flag(raw, "internal", where)
        net["icc"] = keys.flag(raw, "icc", where)
        net["masquerade"] = keys.flag(raw, "masquerade", where, not net["internal"])
        net["masquerade6"] = keys.flag(raw, "masquerade6", where)
        binding = raw.get("host_binding_ipv4")
        net["host_binding_ipv4"] = inputs.ip(binding, where + ".host_binding_ipv4", 4) if binding else None
        if net["host_binding_ipv4"] == "0.0.0.0":
            net["host_binding_ipv4"] = None
    return net


def networks(raw_list, host=None):
    """{name: network} in inventory order; overlapping subnets and clashing device names are refused."""
    if raw_list is None:
        raw_list = []
    if not isinstance(raw_list, list):
        raise InputError("%scnet_networks: a list of networks is expected" % (host + ": " if host else ""))
    out, devices, vnis, top = {}, {}, {}, "%scnet_networks" % (host + ": " if host else "")
    for i, raw in enumerate(raw_list):
        net = network(raw, i, host)
        if net["name"] in out:
            raise InputError("%s[%d]: network '%s' is defined twice" % (top, i, net["name"]))
        for other in out.values():
            for key in ("subnet", "subnet6"):
                if net.get(key) and other.get(key) and \
                        ipaddress.ip_network(net[key]).overlaps(ipaddress.ip_network(other[key])):
                    raise InputError("%s: the %ss of '%s' (%s) and '%s' (%s) overlap; give each network its own"
                                     % (top, key, other["name"], other[key], net["name"], net[key]))
        for dev in (net.get("bridge"), net.get("device"), net.get("shim"), net.get("wg_device")):
            if dev and dev in devices:
                raise InputError("%s: networks '%s' and '%s' both use the device name '%s'; set "
                                 "'bridge' (or 'device') on one of them" % (top, devices[dev], net["name"], dev))
            if dev:
                devices[dev] = net["name"]
        for other in out.values():
            if net.get("port") and net["port"] == other.get("port") and bool(net.get("encrypted")) != \
                    bool(other.get("encrypted")):
                secret, plain = (net, other) if net.get("encrypted") else (other, net)
                raise InputError("%s: encrypted overlay '%s' and unencrypted '%s' both use VXLAN port %d: a plain VXLAN "
                                 "packet that '%s' lets in would reach '%s' by its VNI; give '%s' another port"
                                 % (top, secret["name"], plain["name"], net["port"], plain["name"], secret["name"],
                                    secret["name"]))
            if net.get("encrypted") and other.get("encrypted"):
                if net["wireguard_port"] == other["wireguard_port"]:
                    raise InputError("%s: encrypted overlays '%s' and '%s' both listen on WireGuard port %d; set "
                                     "wireguard_port on one" % (top, other["name"], net["name"], net["wireguard_port"]))
                if ipaddress.ip_network(net["tunnel_subnet"]).overlaps(ipaddress.ip_network(other["tunnel_subnet"])):
                    raise InputError("%s: the tunnel_subnets of encrypted overlays '%s' and '%s' overlap; set "
                                     "tunnel_subnet on one" % (top, other["name"], net["name"]))
        if net.get("vni") is not None:
            if net["vni"] in vnis:
                raise InputError("%s: overlays '%s' and '%s' both use VNI %d"
                                 % (top, vnis[net["vni"]], net["name"], net["vni"]))
            vnis[net["vni"]] = net["name"]
        out[net["name"]] = net
    return out


def _aliases(raw, at):
    """A network attachment's aliases: more names the container answers to on that network."""
    value = raw.get("aliases") or []
    return [etc_netns.host_name(name, "%s.aliases[%d]" % (at, k)) for k, name in enumerate(value)]


def _dns(raw, where):
    """The container's resolver settings (compose's dns, dns_search, dns_opt); empty lists: the host's."""
    out, names = {}, {}
    for key, part in (("dns", "servers"), ("dns_search", "search"), ("dns_opt", "options")):
        value = raw.get(key) or []
        out[part], names[part] = [value] if isinstance(value, str) else value, "%s.%s" % (where, key)
    return etc_netns.dns(out, where, names)


def _extra_hosts(raw, where):
    """Compose's extra_hosts: ['name:address', 'name=address'] or {name: address}; the address may be
    'host-gateway' (the gateway of the network holding the default route). [{address, names}] in order."""
    value = raw.get("extra_hosts") or []
    pairs = sorted(value.items()) if isinstance(value, dict) else []
    for k, entry in enumerate(value if isinstance(value, list) else []):
        sep = "=" if isinstance(entry, str) and "=" in entry else ":"
        if not isinstance(entry, str) or sep not in entry:
            raise InputError("%s.extra_hosts[%d]: %r is not 'name:address' (or 'name=address')" % (where, k, entry))
        pairs.append(tuple(entry.split(sep, 1)))
    out = []
    for k, (name, addr) in enumerate(pairs):
        at = "%s.extra_hosts[%d]" % (where, k) if isinstance(value, list) else "%s.extra_hosts.%s" % (where, name)
        addr = str(addr).strip().strip("[]")
        out.append({"address": addr if addr == "host-gateway" else inputs.ip(addr, at),
                    "names": [etc_netns.host_name(str(name).strip(), at)]})
    return out


def _pin(raw, at, version, net):
    """ipv4 / ipv6, or compose's ipv4_address / ipv6_address (the same pin; both given must agree); an IPv6 pin
    needs a network with IPv6."""
    key = "ipv%d" % version
    given, synonym = raw.get(key), raw.get(key + "_address")
    value = given or synonym
    if not value:
        return None
    field = at + (".%s" % key if given else ".%s_address" % key)
    if given and synonym and inputs.ip(given, "%s.%s" % (at, key), version) != \
            inputs.ip(synonym, "%s.%s_address" % (at, key), version):
        raise InputError("%s: %s %s and %s_address %s disagree; give one of them" % (at, key, given, key, synonym))
    if version == 6 and not net.get("subnet6"):
        raise InputError("%s: network '%s' has no IPv6 (enable_ipv6, subnet6); remove the pin or give the network "
                         "IPv6" % (field, net["name"]))
    return inputs.ip(value, field, version)


def _gw_priority(raw, at):
    value = raw.get("gw_priority")
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) and not str(value).lstrip("-").isdigit():
        raise InputError("%s.gw_priority: %r is not a whole number (the network with the highest holds the default "
                         "route)" % (at, value))
    return int(value)


def _attachments(raw, single, nets, where):
    """[{network, ipv4, mac, interface, aliases, gw_priority}] of a container on networks: 'network' (one) or
    'networks' (several)."""
    if single is None:
        for key in PER_ATTACHMENT:
            if raw.get(key):
                raise InputError("%s.%s: with 'networks' give each network its own %s" % (where, key, key))
    attach = [dict([(key, raw.get(key)) for key in PER_ATTACHMENT], name=single)] if single is not None \
        else raw.get("networks") or []
    if not attach:
        raise InputError("%s: needs 'network' (a network name, none, host or container:<name>) or 'networks'" % where)
    out, names = [], {}
    for j, entry in enumerate(attach):
        at = "%s.networks[%d]" % (where, j) if single is None else where + ".network"
        if isinstance(entry, str):
            entry = {"name": entry}
        if not isinstance(entry, dict):
            raise InputError("%s: %r is neither a network name nor a mapping {name, ipv4, interface}" % (at, entry))
        if single is None:
            schema.check_keys(entry, schema.ATTACHMENT, at)
        if entry.get("name") not in nets:
            raise InputError("%s: unknown network '%s'; cnet_networks has %s" % (
                at, entry.get("name"), ", ".join(sorted(nets)) or "none"))
        if any(a["network"] == entry["name"] for a in out):
            raise InputError("%s: network '%s' is listed twice" % (at, entry["name"]))
        ipv4 = _pin(entry, at if single is None else where, 4, nets[entry["name"]])
        mac = inputs.mac(entry["mac_address"], (at if single is None else where) + ".mac_address") \
            if entry.get("mac_address") else None
        ifname = inputs.ifname(entry["interface"], at + ".interface") if entry.get("interface") else None
        if ifname == "lo":
            raise InputError("%s.interface: 'lo' is the sandbox's loopback; pick another name" % at)
        if ifname in names:
            raise InputError("%s.interface: '%s' is also the interface of network '%s'" % (at, ifname, names[ifname]))
        if ifname:
            names[ifname] = entry["name"]
        out.append({"network": entry["name"], "ipv4": ipv4, "mac": mac, "interface": ifname,
                    "ipv6": _pin(entry, at if single is None else where, 6, nets[entry["name"]]),
                    "aliases": _aliases(entry, at if single is None else where), "gw_priority": _gw_priority(entry, at)})
    return out


def _publish(raw, where):
    """The container's publish entries as [{spec, allow}], each checked here (the iptables_nat module expands
    them on the host); allow None: every source."""
    out = []
    for k, raw_entry in enumerate(raw.get("publish") or []):
        spec, allow = ports.entry(raw_entry, "%s.publish[%d]" % (where, k))
        out.append({"spec": spec, "allow": allow})
    return out


def containers(raw_list, nets, host):
    """[container] of one host: {name, mode (none|host|container|networks), target, pid, attach: [{network,
    ipv4, interface, aliases}], publish, dns}. Unknown networks, duplicate names and missing container: targets
    are refused."""
    if raw_list is None:
        raw_list = []
    if not isinstance(raw_list, list):
        raise InputError("%s: cnet_containers: a list of containers is expected" % host)
    out, seen = [], set()
    for i, raw in enumerate(raw_list):
        where = "%s: cnet_containers[%d]" % (host, i)
        name = inputs.nsname(_name(raw, where, "the sandbox's name"), where + ".name")
        where = "%s: cnet_containers[%d] (%s)" % (host, i, name)
        if raw.get("gw_priority") is not None:
            raise InputError("%s.gw_priority: it chooses which of several networks holds the default route: put it on "
                             "an entry of 'networks'" % where)
        schema.check_keys(raw, schema.CONTAINER, where)
        if name in seen:
            raise InputError("%s: a container named '%s' is listed twice on %s" % (where, name, host))
        seen.add(name)
        if raw.get("network") is not None and raw.get("networks") is not None:
            raise InputError("%s: give 'network' or 'networks', not both" % where)
        item = {"name": name, "mode": "networks", "target": None, "attach": [], "publish": [],
                "pid": keys.whole(raw, "pid", where), "dns": _dns(raw, where),
                "extra_hosts": _extra_hosts(raw, where)}
        single = raw.get("network")
        if isinstance(single, str) and single.startswith("service:"):
            single = "container:" + single.split(":", 1)[1]  # compose's network_mode: service:NAME
        if isinstance(single, str) and (single in SPECIAL or single.startswith("container:")):
            item["mode"] = "container" if single.startswith("container:") else single
            item["target"] = single.split(":", 1)[1] if item["mode"] == "container" else None
            shares = "a container in '%s' mode has the %s resolver settings" % (
                single, "host's" if single == "host" else "target's")
            for key in ("dns", "dns_search", "dns_opt", "extra_hosts"):
                if raw.get(key) and single != "none":
                    raise InputError("%s.%s: %s; remove '%s'" % (where, key, shares, key))
            for key in PER_ATTACHMENT + ("publish",):
                if raw.get(key):
                    raise InputError("%s.%s: a container in '%s' mode has no interface of its own; remove '%s'"
                                     % (where, key, single, key))
            if item["pid"] and item["mode"] != "none":
                raise InputError("%s.pid: adopting a process's namespace goes with a network or none, not '%s'"
                                 % (where, single))
        else:
            etc_netns.host_name(name, where + ".name (its name in the hosts files of its networks; rename it)")
            item["attach"] = _attachments(raw, single, nets, where)
            item["publish"] = _publish(raw, where)
            if item["publish"] and nets[item["attach"][0]["network"]]["driver"] != "bridge":
                raise InputError("%s.publish: ports are published on the container's first network, which must be a "
                                 "bridge network ('%s' is not)" % (where, item["attach"][0]["network"]))
        out.append(item)
    by_name = dict((c["name"], c) for c in out)
    for item in out:
        if item["mode"] == "container":
            target = by_name.get(item["target"])
            if target is None:
                raise InputError("%s: cnet_containers (%s): network container:%s names no container on this host"
                                 % (host, item["name"], item["target"]))
            if target["mode"] == "container" or target is item:
                raise InputError("%s: cnet_containers (%s): container:%s must name a container with a namespace of "
                                 "its own (not one in container mode)" % (host, item["name"], item["target"]))
    return out


def lease_pins(raw, nets, host):
    """{network: lease} of cnet_overlay_leases: the keys are l3 overlays (the leases are checked in alloc.py)."""
    where = "%s: cnet_overlay_leases" % host
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise InputError("%s: a mapping of l3 overlay network name to lease (like backend: 10.244.3.0/24) is "
                         "expected, not %r" % (where, raw))
    l3 = [n for n, net in nets.items() if leased(net)]
    for key in sorted(raw):
        if key not in l3:
            what = ("'%s' is a %s network; only l3 and host-gw overlays have leases"
                    % (key, nets[key].get("mode") or nets[key]["driver"])
                    if key in nets else "unknown network '%s'%s" % (key, schema.nearest(key, l3)))
            raise InputError("%s.%s: %s (overlays with leases: %s)" % (where, key, what, ", ".join(l3) or "none"))
        if not isinstance(raw[key], str):
            raise InputError("%s.%s: %r is not a lease like 10.244.3.0/24" % (where, key, raw[key]))
    return raw
