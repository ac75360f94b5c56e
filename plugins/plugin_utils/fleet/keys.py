# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every key of the inventory's items, declared once: which items and drivers take it, the type of its value,
its range and default, what Docker and compose call it, and one line of documentation. schema.py's checks (the
allowed keys per driver, the types, the did-you-mean), inventory.py's defaults and ranges, Docker's driver_opts
and the key tables of docs/roles.md and docs/compose.md (tests/unit/plugins/test_keys.py) all come from here."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from collections import namedtuple

from ansible_collections.cnet.linux.plugins.module_utils.core import inputs

DRIVERS = ("bridge", "overlay", "macvlan", "ptp")
NETS = DRIVERS  # a network key every driver takes
V6 = ("bridge", "overlay", "macvlan")  # drivers with IPv6 (dual stack)
CONTAINER, ATTACHMENT, BOTH = ("container",), ("attachment",), ("container", "attachment")

# on: the drivers of the networks that take the key, or the items (container, an entry of 'networks') that do.
# types: the Python types of its value (None: a whole number, checked with its range); words: what is expected.
# synonyms: what a Docker or compose user writes for it; driver_opt: Docker's option name ({driver: name}).
# part: the overlay's part the key belongs to (vxlan: not host-gw's; encryption: an encrypted overlay's).
Key = namedtuple("Key", "name on types words default range synonyms driver_opt compose doc part")


def _key(name, on, types, words, doc, default=None, rng=None, synonyms=(), driver_opt=None, compose=None,
         part=None):
    return Key(name, on, types, words, default, rng, synonyms, driver_opt or {}, compose, doc, part)


_S, _B, _L = (str,), (bool,), (list,)
TABLE = (
    # networks (cnet_networks[])
    _key("name", NETS, _S, "a string", "the network's name; 'bridge' is Docker's default network"),
    _key("driver", NETS, _S, "a string", "bridge, overlay, macvlan or ptp", "bridge"),
    _key("subnet", NETS, _S, "a string like 10.0.0.0/24", "its IPv4 network", compose="ipam.config[0].subnet"),
    _key("gateway", NETS, _S, "an IPv4 address (a string)", "the gateway address", "the subnet's first address",
         compose="ipam.config[0].gateway"),
    _key("mtu", NETS, None, "a whole number", "the MTU of its devices and interfaces", "1500; an overlay's: the "
         "underlay's less the encapsulation", (68, 65535), ("com.docker.network.driver.mtu",),
         {"bridge": "com.docker.network.driver.mtu"}),
    _key("enable_ipv6", V6, _B, "true or false", "dual stack (needs subnet6)", False, compose="enable_ipv6"),
    _key("subnet6", V6, _S, "a string like fd00:17::/64", "its IPv6 network",
         compose="ipam.config[].subnet"),
    _key("gateway6", V6, _S, "an IPv6 address (a string)", "the IPv6 gateway", "the subnet6's first address "
         "(bridge networks)", compose="ipam.config[].gateway"),
    _key("mode", ("overlay",), _S, "l3 or l2", "l3 (Flannel's vxlan), l2 (Docker's overlay) or host-gw", "l3"),
    _key("vni", ("overlay",), None, "a whole number", "the VXLAN network identifier (required but for host-gw)",
         rng=(1, 16777215), synonyms=("vxlan_id",), part="vxlan"),
    _key("port", ("overlay",), None, "a whole number", "the VXLAN UDP port", "4789; encrypted: 4790", (1, 65535),
         ("dstport",), part="vxlan"),
    _key("host_prefix", ("overlay",), None, "a whole number", "the prefix length of each host's lease (l3, host-gw)",
         "24 (or one longer than the subnet's)"),
    _key("device", ("overlay",), _S, "an interface name (a string)", "the VXLAN device's name", "vx<vni>", part="vxlan"),
    _key("parent", ("macvlan",), _S, "a host interface name (a string)", "the host interface whose Ethernet the "
         "containers join (required)", driver_opt={"macvlan": "parent"}),
    _key("macvlan_mode", ("macvlan",), _S, ", ".join(inputs.MACVLAN_MODES[:-1]) + " or " + inputs.MACVLAN_MODES[-1],
         "the macvlan mode", "bridge", driver_opt={"macvlan": "macvlan_mode"}),
    _key("host_access", ("macvlan",), _B, "true or false", "a shim on each host so the host reaches its containers",
         False),
    _key("bridge", ("bridge", "overlay"), _S, "an interface name (a string)", "the bridge device's name",
         "cn-<name> (at most 15 characters)", driver_opt={"bridge": "com.docker.network.bridge.name"}),
    _key("icc", ("bridge",), _B, "true or false", "containers of the network reach each other", True,
         driver_opt={"bridge": "com.docker.network.bridge.enable_icc"}),
    _key("internal", ("bridge",), _B, "true or false", "no traffic in or out of the network", False,
         compose="internal"),
    _key("masquerade", ("bridge",), _B, "true or false", "masquerade traffic that leaves the host", "true unless "
         "internal", driver_opt={"bridge": "com.docker.network.bridge.enable_ip_masquerade"}),
    _key("masquerade6", ("bridge",), _B, "true or false", "masquerade IPv6 too (else IPv6 is routed)", False),
    _key("firewall", ("overlay",), _B, "true or false", "the VXLAN port filter (only the peers' packets in)", True, part="vxlan"),
    _key("ip_range", ("bridge", "overlay", "macvlan"), _S, "a network inside the subnet, like 172.18.5.0/24",
         "the pool of automatic addresses (bridge, l2, macvlan)", "the subnet", compose="ipam.config[0].ip_range"),
    _key("aux_addresses", ("bridge", "overlay", "macvlan"), (dict,), "a mapping of name to IPv4 address",
         "addresses never handed out", compose="ipam.config[0].aux_addresses"),
    _key("encrypted", ("overlay",), _B, "true or false", "WireGuard between the hosts (l3, l2)", False, part="encryption"),
    _key("key_epoch", ("overlay",), None, "a whole number", "raise it to rotate an encrypted overlay's keys", 0,
         (0, 2 ** 31 - 1), part="encryption"),
    _key("wireguard_port", ("overlay",), None, "a whole number", "an encrypted overlay's WireGuard port", 51820,
         (1, 65535), part="encryption"),
    _key("tunnel_subnet", ("overlay",), _S, "an IPv4 network like 169.254.16.0/24", "an encrypted overlay's tunnel "
         "addresses", "169.254.<1 + vni % 250>.0/24", part="encryption"),
    _key("host_binding_ipv4", ("bridge",), _S, "an IPv4 address of the host (a string)", "the host address of "
         "published ports that name none", "every address",
         driver_opt={"bridge": "com.docker.network.bridge.host_binding_ipv4"}),
    _key("driver_opts", ("bridge", "macvlan"), (dict,), "a mapping of Docker's com.docker.network.* options to "
         "strings", "Docker's options, read as the keys they name"),
    # containers (cnet_containers[]) and their attachments (entries of 'networks')
    _key("name", BOTH, _S, "a string", "the sandbox's name (a container); the network's (an attachment)"),
    _key("network", CONTAINER, _S, "a network name, none, host or container:<name>", "its one network, or a mode",
         synonyms=("net", "network_mode"), compose="network_mode"),
    _key("networks", CONTAINER, _L, "a list of network names or of {name, ipv4, interface}", "its networks, in "
         "interface order", compose="networks"),
    _key("ipv4", BOTH, _S, "an IPv4 address (a string)", "a pinned IPv4 address", "the next free one",
         synonyms=("ip", "ip_address", "address")),
    _key("ipv4_address", BOTH, _S, "an IPv4 address (a string)", "as ipv4 (compose's name)",
         compose="networks.<n>.ipv4_address"),
    _key("ipv6", BOTH, _S, "an IPv6 address (a string)", "a pinned IPv6 address", "the next free one"),
    _key("ipv6_address", BOTH, _S, "an IPv6 address (a string)", "as ipv6 (compose's name)",
         compose="networks.<n>.ipv6_address"),
    _key("mac_address", BOTH, _S, "a MAC address (a string)", "a pinned MAC", "02:42 and the IPv4 address",
         compose="networks.<n>.mac_address"),
    _key("interface", BOTH, _S, "an interface name (a string)", "its name inside the container", "as recorded, else "
         "the lowest free eth<N>", synonyms=("ifname",)),
    _key("aliases", BOTH, _L, "a list of host names", "more names it answers to on the network",
         compose="networks.<n>.aliases"),
    _key("gw_priority", ATTACHMENT, None, "a whole number", "the highest holds the default route", 0,
         compose="networks.<n>.gw_priority"),
    _key("publish", CONTAINER, _L, "a list like ['2333:22', '127.0.0.1:8053:53/udp']", "published ports "
         "(compose's syntax, and allow)", synonyms=("ports",), compose="ports"),
    _key("pid", CONTAINER, None, "a whole number", "adopt a running process's network namespace",
         rng=(1, 4194304)),
    _key("dns", CONTAINER, (list, str), "a list of resolver addresses", "the sandbox's resolvers", "the host's",
         compose="dns"),
    _key("dns_search", CONTAINER, (list, str), "a list of search domains", "its search domains", "the host's",
         compose="dns_search"),
    _key("dns_opt", CONTAINER, _L, "a list like ['ndots:2']", "its resolver options", "the host's",
         compose="dns_opt"),
    _key("extra_hosts", CONTAINER, (list, dict), "a list like ['printer:192.0.2.9'] or a mapping of name to "
         "address", "more lines of its hosts file", compose="extra_hosts"),
)
# a container's keys of its one network (beside 'network:'), or of each entry of 'networks:'
PER_ATTACHMENT = tuple(k.name for k in TABLE if k.on == BOTH and k.name != "name")
# Docker's and compose's keys that are not built: refused, named
NOT_YET = ("link_local_ips", "labels", "attachable", "hostname", "expose")


def part(name):
    """The overlay keys of one part (vxlan, encryption), in the table's order."""
    return tuple(k.name for k in TABLE if k.part == name)


def takes(k, item):
    """Whether key k belongs to items of that kind: 'network' (of any driver), 'container', 'attachment'."""
    return k.on[0] in DRIVERS if item == "network" else item in k.on


def of(item, driver=None):
    """The keys of an item ('network' of a driver, 'container', 'attachment'), in the table's order."""
    return tuple(k.name for k in TABLE if takes(k, item) and (driver is None or driver in k.on))


_NETWORK_KEYS = dict((k.name, k) for k in TABLE if takes(k, "network"))  # the ones with ranges and defaults
_CONTAINER_KEYS = dict((k.name, k) for k in TABLE if not takes(k, "network"))


def _first(name):
    return _NETWORK_KEYS.get(name) or _CONTAINER_KEYS[name]


def whole(raw, name, where, lo=None, hi=None, default=None):
    """raw[name] as a whole number in the key's range (lo, hi given where it depends on the item), else its
    default (or the one given)."""
    key = _first(name)
    rng = key.range or (lo, hi)
    fallback = default if default is not None else key.default if isinstance(key.default, int) else None
    return inputs.whole(raw, name, where, rng[0], rng[1], fallback)


def flag(raw, name, where, default=None):
    """raw[name] as a bool, else the key's default (or the one given where it depends on the item)."""
    default = _first(name).default if default is None else default
    if not isinstance(default, bool):
        raise ValueError("%s has no default of its own; give it" % name)  # a mistake of the caller, not the user
    return inputs.boolean(raw, name, where, default)


def types():
    """{key: (types, words)} of the keys whose value has a type of its own (whole numbers are checked with their
    range)."""
    return dict((k.name, (k.types, k.words)) for k in TABLE if k.types)


def synonyms():
    """{what Docker or compose writes: our key}."""
    return dict((s, k.name) for k in TABLE for s in k.synonyms)


def driver_opts():
    """{driver: {Docker's option: (our key, kind of value)}}."""
    out = {}
    for k in TABLE:
        for driver, opt in sorted(k.driver_opt.items()):
            kind = "bool" if k.types == _B else "int" if k.types is None else "str"
            out.setdefault(driver, {})[opt] = (k.name, kind)
    return out


def markdown():
    """The key tables of docs/roles.md ("Inventory keys"), one per item, from TABLE."""
    def cell(text):
        text = str(text).replace("|", "\\|")
        return "`%s`" % text if "<" in text else text  # not an HTML tag

    def default(k):
        if k.default is None:
            return "-"
        return "`%s`" % str(k.default).lower() if isinstance(k.default, (bool, int)) else cell(k.default)

    def docker(k):
        names = ["`%s`" % s for s in k.synonyms] + ["`%s`" % k.compose] * bool(k.compose)
        names += ["`driver_opts: %s` (%s)" % (opt, driver) for driver, opt in sorted(k.driver_opt.items())]
        return ", ".join(sorted(set(names))) or "-"

    def value(k):
        words = k.words if k.types else "a whole number %d..%d" % k.range if k.range else k.words
        return cell(words)

    out = []
    for title, item in (("`cnet_networks[]`", "network"), ("`cnet_containers[]`", "container"),
                        ("an entry of a container's `networks:`", "attachment")):
        out += ["", "%s:" % title, "", "| key | %s | value | default | Docker / compose | what |"
                % ("drivers" if item == "network" else "on"), "|---|---|---|---|---|---|"]
        for k in TABLE:
            if takes(k, item):
                where = "all" if item == "network" and set(k.on) == set(DRIVERS) else ", ".join(k.on)
                row = (k.name, where, value(k), default(k), docker(k), cell(k.doc))
                out.append("| `%s` | %s | %s | %s | %s | %s |" % row)
    return "\n".join(out[1:]) + "\n"
