# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The keys and value types the inventory's items may have (../docs/roles.md). A key the collection does not
know is an error naming it, with the nearest valid key, never ignored: a typo ('gatway') would otherwise
leave the user believing a setting is in force that is not.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import difflib

from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError

_COMMON = ("name", "driver", "subnet", "gateway", "mtu")
_IPV6 = ("enable_ipv6", "subnet6", "gateway6")
NETWORK = {
    "bridge": _COMMON + _IPV6 + ("bridge", "icc", "internal", "masquerade", "masquerade6", "ip_range", "aux_addresses",
                                 "host_binding_ipv4", "driver_opts"),
    "overlay": _COMMON + _IPV6 + ("mode", "vni", "port", "host_prefix", "device", "bridge", "firewall", "ip_range",
                                  "aux_addresses", "encrypted", "key_epoch", "wireguard_port", "tunnel_subnet"),
    "macvlan": _COMMON + _IPV6 + ("parent", "macvlan_mode", "host_access", "ip_range", "aux_addresses", "driver_opts"),
    "ptp": _COMMON,
}
CONTAINER = ("name", "network", "networks", "ipv4", "ipv4_address", "ipv6", "ipv6_address", "mac_address", "interface",
             "aliases", "publish", "pid", "dns", "dns_search", "dns_opt", "extra_hosts")
ATTACHMENT = ("name", "ipv4", "ipv4_address", "ipv6", "ipv6_address", "mac_address", "interface", "aliases",
              "gw_priority")
# a network's driver_opts (Docker's names), by driver -> (our key, kind of value)
DRIVER_OPTS = {
    "bridge": {
        "com.docker.network.bridge.name": ("bridge", "name"),
        "com.docker.network.bridge.enable_icc": ("icc", "bool"),
        "com.docker.network.bridge.enable_ip_masquerade": ("masquerade", "bool"),
        "com.docker.network.bridge.host_binding_ipv4": ("host_binding_ipv4", "str"),
        "com.docker.network.driver.mtu": ("mtu", "int"),
    },
    "macvlan": {"parent": ("parent", "name"), "macvlan_mode": ("macvlan_mode", "str")},
}
MACVLAN_MODES = ("bridge", "private", "vepa", "passthru")
# The inventory's own variables (a near miss such as 'cnet_container' is an error, other cnet_* names are not)
VARIABLES = ("cnet_networks", "cnet_containers", "cnet_overlay_leases", "cnet_underlay_address", "cnet_underlay_mtu",
             "cnet_forward_policy")

# Keys a Docker or compose user writes that mean something else here, or are not built yet
SYNONYMS = {"ip": "ipv4", "ip_address": "ipv4", "address": "ipv4", "ports": "publish",
            "net": "network", "network_mode": "network", "com.docker.network.driver.mtu": "mtu", "vxlan_id": "vni",
            "dstport": "port", "ifname": "interface"}
NOT_YET = ("link_local_ips", "labels",
           "attachable", "hostname", "expose")

# Expected types: (python types, words); a whole number may also come as a string of digits (templating)
TYPES = {
    "name": ((str,), "a string"), "driver": ((str,), "a string"), "subnet": ((str,), "a string like 10.0.0.0/24"),
    "gateway": ((str,), "an IPv4 address (a string)"), "bridge": ((str,), "an interface name (a string)"),
    "device": ((str,), "an interface name (a string)"), "mode": ((str,), "l3 or l2"),
    "interface": ((str,), "an interface name (a string)"), "ipv4": ((str,), "an IPv4 address (a string)"),
    "ipv4_address": ((str,), "an IPv4 address (a string)"), "mac_address": ((str,), "a MAC address (a string)"),
    "ipv6": ((str,), "an IPv6 address (a string)"), "ipv6_address": ((str,), "an IPv6 address (a string)"),
    "subnet6": ((str,), "a string like fd00:17::/64"), "gateway6": ((str,), "an IPv6 address (a string)"),
    "enable_ipv6": ((bool,), "true or false"), "masquerade6": ((bool,), "true or false"),
    "ip_range": ((str,), "a network inside the subnet, like 172.18.5.0/24"),
    "aux_addresses": ((dict,), "a mapping of name to IPv4 address"),
    "host_binding_ipv4": ((str,), "an IPv4 address of the host (a string)"),
    "driver_opts": ((dict,), "a mapping of Docker's com.docker.network.* options to strings"),
    "network": ((str,), "a network name, none, host or container:<name>"),
    "networks": ((list,), "a list of network names or of {name, ipv4, interface}"),
    "publish": ((list,), "a list like ['2333:22', '127.0.0.1:8053:53/udp']"),
    "aliases": ((list,), "a list of host names"), "dns": ((list, str), "a list of resolver addresses"),
    "dns_search": ((list, str), "a list of search domains"), "dns_opt": ((list,), "a list like ['ndots:2']"),
    "extra_hosts": ((list, dict), "a list like ['printer:192.0.2.9'] or a mapping of name to address"),
    "icc": ((bool,), "true or false"), "internal": ((bool,), "true or false"),
    "parent": ((str,), "a host interface name (a string)"), "macvlan_mode": ((str,), "bridge, private, vepa or passthru"),
    "host_access": ((bool,), "true or false"), "encrypted": ((bool,), "true or false"),
    "tunnel_subnet": ((str,), "an IPv4 network like 169.254.16.0/24"),
    "masquerade": ((bool,), "true or false"), "firewall": ((bool,), "true or false"),
}


def nearest(key, allowed):
    """'; did you mean 'x'?' for a near miss (or a known synonym), else ''."""
    if SYNONYMS.get(key) in allowed:
        return "; did you mean '%s'?" % SYNONYMS[key]
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    return "; did you mean '%s'?" % close[0] if close else ""


def check_keys(raw, allowed, where, elsewhere=None):
    """Refuse the first unknown key of raw (sorted), naming it and the fix. elsewhere: {key: why it does not
    apply here} for keys valid on another kind of item."""
    for key in sorted(str(k) for k in raw if k not in allowed):
        if elsewhere and key in elsewhere:
            raise InputError("%s.%s: %s; remove it" % (where, key, elsewhere[key]))
        if key in NOT_YET and key not in SYNONYMS:
            raise InputError("%s.%s: Docker's '%s' is not supported by cnet.linux yet; remove it (valid keys: %s)"
                             % (where, key, key, ", ".join(allowed)))
        raise InputError("%s: unknown key '%s'%s (valid keys: %s)" % (where, key, nearest(key, allowed),
                                                                      ", ".join(allowed)))
    for key, value in raw.items():
        if value is None or key not in TYPES:
            continue
        types, words = TYPES[key]
        if not isinstance(value, types) or isinstance(value, bool) and bool not in types:
            raise InputError("%s.%s: %r is %s; %s is expected" % (where, key, value, _kind(value), words))


def check_variables(names, host):
    """Refuse an inventory variable that is a near miss of one of ours ('cnet_container')."""
    for name in sorted(names):
        if name.startswith("cnet_") and name not in VARIABLES:
            close = difflib.get_close_matches(name, VARIABLES, n=1, cutoff=0.9)
            if close:
                raise InputError("%s: inventory variable '%s' is not one cnet.linux reads; did you mean '%s'?"
                                 % (host, name, close[0]))


def _kind(value):
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "a string" if isinstance(value, str) else type(value).__name__
