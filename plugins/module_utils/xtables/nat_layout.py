# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rules of bridge networks, in chains the collection owns (prefix CNET-), in iptables-save's form.

Layout (Docker 29's, without a userland proxy; one chain per network and table, keyed by the bridge):

  filter FORWARD     -j CNET-USER (the user's hook, never flushed), -j CNET-FORWARD; its policy DROP where the
                       host role turns forwarding on (forward_drop), set in the same transaction as these chains
  filter CNET-FORWARD  -o <br> -j CNET-F-<br> for every network, then -i <br> -j CNET-F-<br>; then -i/-o <if>
                       -j ACCEPT for the interfaces with no network chain (accept_interfaces)
  filter CNET-F-<br>   replies in; published ports (DNAT-ed only, from the sources of 'allow' when it is given);
                       routed subnets (through the interfaces of routed_in only, when it is given); nothing else in;
                       container to container (icc); not to other networks the host routes; out
  nat PREROUTING, OUTPUT  -m addrtype --dst-type LOCAL -j CNET-DNAT -> -j CNET-N-<br> -> DNAT per port
  nat POSTROUTING    -j CNET-POSTROUTING -> -j CNET-P-<br>: localhost and hairpin masquerade, egress masquerade
  raw PREROUTING     -j CNET-RAW -> -j CNET-R-<br>: packets for 127.0.0.0/8 from the bridge are dropped
                       (route_localnet is on for the bridge, so the host can reach ports published on 127.0.0.1)
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible_collections.cnet.linux.plugins.module_utils.xtables.scope import Scope

PREFIX = "CNET-"
USER = "CNET-USER"
TABLES = ("raw", "nat", "filter")
# builtin chain -> the jumps into our chains it starts with, in order
JUMPS = {
    ("filter", "FORWARD"): ["-j CNET-USER", "-j CNET-FORWARD"],
    ("nat", "PREROUTING"): ["-m addrtype --dst-type LOCAL -j CNET-DNAT"],
    ("nat", "OUTPUT"): ["-m addrtype --dst-type LOCAL -j CNET-DNAT"],
    ("nat", "POSTROUTING"): ["-j CNET-POSTROUTING"],
    ("raw", "PREROUTING"): ["-j CNET-RAW"],
}
# per-network chain kind -> (table, shared chain that dispatches to it)
KINDS = {"F": ("filter", "CNET-FORWARD"), "N": ("nat", "CNET-DNAT"), "P": ("nat", "CNET-POSTROUTING"),
         "R": ("raw", "CNET-RAW")}
SHARED_TABLE = dict((shared, table) for table, shared in KINDS.values())  # CNET-FORWARD -> filter, ...
# the chains bridge networks own: the shared ones and one per network and kind (not CNET-VXLAN, CNET-V-*)
SCOPE = Scope("nat", TABLES, [USER] + list(SHARED_TABLE), ["%s%s-" % (PREFIX, kind) for kind in KINDS],
              JUMPS, user=[USER])
# IPv6 (ip6tables): the same layout without the raw table - no route_localnet for ::1, nothing to guard
KINDS6 = ("F", "N", "P")
TABLES6 = ("nat", "filter")
JUMPS6 = dict((key, rules) for key, rules in JUMPS.items() if key[0] in TABLES6)
SCOPE6 = Scope("nat6", TABLES6, [USER] + [KINDS[kind][1] for kind in KINDS6],
               ["%s%s-" % (PREFIX, kind) for kind in KINDS6], JUMPS6, user=[USER], family=6)


def chain(kind, bridge):
    return "%s%s-%s" % (PREFIX, kind, bridge)


def of_chain(name):
    """(kind, bridge) of a per-network chain name, or None."""
    parts = name.split("-", 2)
    if len(parts) == 3 and parts[0] + "-" == PREFIX and parts[1] in KINDS:
        return parts[1], parts[2]
    return None


def family_view(net, family):
    """The network as one family's rules see it: IPv4 (the item itself) or IPv6 (subnet6, masquerade6, the
    IPv6 mappings; no routed or isolated subnets); None when the network has no such subnet."""
    if family == 4:
        return net
    if not net.get("subnet6"):
        return None
    return dict(net, subnet=net["subnet6"], masquerade=net.get("masquerade6", False), routed_subnets=[],
                isolated_subnets=[], mappings=net.get("mappings6") or [])


_DNAT = re.compile(r"^(?:-d (?P<host_ip>[0-9a-f.:]+)/(?:32|128) )?-p (?P<proto>\w+) -m \w+ --dport (?P<host_port>\d+) "
                   r"-j DNAT --to-destination \[?(?P<address>[0-9a-f.:]+?)\]?:(?P<port>\d+)$")
_ACCEPT = re.compile(r"^(?:-s \S+ )?-d (?P<address>[0-9a-f.:]+)/(?:32|128) -o \S+ -p (?P<proto>\w+) -m \w+ "
                     r"--dport (?P<port>\d+) -m conntrack --ctstate DNAT(?: --ctorigdstport (?P<host_port>\d+))? "
                     r"-j ACCEPT$")


def dnat_rule(m, family):
    """The nat rule of one published port's mapping {host_ip, proto, host_port, address, port}."""
    host, dest = ("/128", "[%s]:%d") if family == 6 else ("/32", "%s:%d")
    return "%s-p %s -m %s --dport %d -j DNAT --to-destination %s" % (
        "-d %s%s " % (m["host_ip"], host) if m["host_ip"] else "", m["proto"], m["proto"], m["host_port"],
        dest % (m["address"], m["port"]))


def accept_rule(m, br, family, source=None, orig=False):
    """The filter rule that lets one mapping's DNAT-ed packets in (from source only, when given; orig: only those
    sent to its host port)."""
    return "%s-d %s%s -o %s -p %s -m %s --dport %d -m conntrack --ctstate DNAT%s -j ACCEPT" % (
        "-s %s " % source if source else "", m["address"], "/128" if family == 6 else "/32", br, m["proto"],
        m["proto"], m["port"], " --ctorigdstport %d" % m["host_port"] if orig else "")


def _ints(found, keys):
    out = found.groupdict()
    for key in keys:
        out[key] = int(out[key]) if out[key] is not None else None
    return out


def dnat_mapping(rule):
    """The mapping a rule of dnat_rule's form publishes ({host_ip, proto, host_port, address, port}), or None: its
    inverse, so the flows of a port that goes are found from what the kernel has, whichever run made it."""
    found = _DNAT.match(rule)
    return _ints(found, ("host_port", "port")) if found else None


def accepted_mapping(rule):
    """The mapping a rule of accept_rule's form lets in ({address, proto, port, host_port (None: any)}), or None."""
    found = _ACCEPT.match(rule)
    return _ints(found, ("host_port", "port")) if found else None


def network_chains(net, family=4):
    """{kind: [rules]} for one network (a normalized item of resources.nat, as family_view gives it)."""
    br, subnet = net["bridge"], net["subnet"]
    out = {}
    fwd = []
    if net["internal"]:
        fwd += ["! -s %s -o %s -j DROP" % (subnet, br), "! -d %s -i %s -j DROP" % (subnet, br)]
    else:
        fwd.append("-o %s -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT" % br)
        seen = set()
        # a container port that some mapping limits to sources: its rules name the host port too (the original
        # destination), so another host port to it, open to everyone, does not open this one
        exact = set((m["address"], m["proto"], m["port"]) for m in net["mappings"] if "allow" in m)
        for m in net["mappings"]:
            orig = (m["address"], m["proto"], m["port"]) in exact
            for source in m.get("allow", [None]):  # allow: the sources it accepts; none listed: everyone
                rule = accept_rule(m, br, family, source, orig)
                if rule not in seen:
                    seen.add(rule)
                    fwd.append(rule)
        # from a routed subnet (an overlay's other hosts): only through the interfaces it arrives on, when named
        fwd += ["-s %s %s-o %s -j ACCEPT" % (routed, "-i %s " % dev if dev else "", br)
                for routed in net["routed_subnets"] for dev in net.get("routed_in") or [None]]
        fwd.append("! -i %s -o %s -j DROP" % (br, br))
    fwd.append("-i %s -o %s -j %s" % (br, br, "ACCEPT" if net["icc"] else "DROP"))
    if not net["internal"]:
        # other networks the host routes (an l3 overlay's subnet) are not this network's to reach
        fwd += ["-d %s -i %s -j DROP" % (other, br) for other in net.get("isolated_subnets") or []]
        fwd.append("-i %s ! -o %s -j ACCEPT" % (br, br))
    out["F"] = fwd
    if net["mappings"]:
        out["N"] = [dnat_rule(m, family) for m in net["mappings"]]
        if family == 4:
            out["R"] = ["-d 127.0.0.0/8 -i %s -j DROP" % br]
    post = []
    if net["mappings"]:
        post += ["-s 127.0.0.0/8 -o %s -j MASQUERADE" % br] if family == 4 else []
        post.append("-s %s -d %s -o %s -m conntrack --ctstate DNAT -j MASQUERADE" % (subnet, subnet, br))
    if net["masquerade"] and not net["internal"]:
        post += ["-s %s -d %s -j RETURN" % (subnet, routed) for routed in net["routed_subnets"]]
        post.append("-s %s ! -o %s -j MASQUERADE" % (subnet, br))
    if post:
        out["P"] = post
    return out


def accepted(forward):
    """The interfaces whose traffic CNET-FORWARD's rules (forward) accept in and out (shared_chains' accept)."""
    ins = [rule.split()[1] for rule in forward if len(rule.split()) == 4 and rule.startswith("-i ")
           and rule.endswith(" -j ACCEPT")]
    return sorted(name for name in ins if "-o %s -j ACCEPT" % name in forward)


def shared_chains(per_network, family=4, accept=()):
    """The dispatch chains for {bridge: {kind: rules}}: bridges in name order, -o before -i in CNET-FORWARD; then
    what is forwarded to and from the interfaces of accept (the collection's interfaces that have no network
    chain: an l2 overlay's bridge, a ptp pair's host end), which a FORWARD policy of DROP would stop otherwise."""
    bridges = sorted(per_network)
    out = {"CNET-FORWARD": ["-o %s -j %s" % (br, chain("F", br)) for br in bridges if "F" in per_network[br]]
           + ["-i %s -j %s" % (br, chain("F", br)) for br in bridges if "F" in per_network[br]]
           + ["%s %s -j ACCEPT" % (way, name) for name in accept for way in ("-i", "-o")]}
    for kind in ("N", "P", "R") if family == 4 else ("N", "P"):
        out[KINDS[kind][1]] = ["-j %s" % chain(kind, br) for br in bridges if kind in per_network[br]]
    return out
