# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""NAT and filter rules of bridge networks (nat_rules has the layout), reconciled like everything else:
observe (one iptables-save), desired (every owned chain's full content), plan (per table the fewest -D/-I
lines, one iptables-restore --noflush transaction), apply. Chains and rules that are not ours - a host
firewall, Docker's chains, the user's rules in CNET-USER - are never changed.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible_collections.cnet.linux.plugins.module_utils import names, nat_rules, ports, xt_plan, xtables
from ansible_collections.cnet.linux.plugins.module_utils.actions import Action
from ansible_collections.cnet.linux.plugins.module_utils.names import InputError
from ansible_collections.cnet.linux.plugins.module_utils.nat_rules import JUMPS, SCOPE, SHARED_TABLE, TABLES, USER
from ansible_collections.cnet.linux.plugins.module_utils.plans import sysctl_action

_DNAT = re.compile(r"^(?:-d (?P<hip>[0-9.]+)/32 )?-p (?P<proto>\w+) -m \w+ --dport (?P<hport>\d+) "
                   r"-j DNAT --to-destination (?P<ip>[0-9.]+):(?P<port>\d+)$")
BRIDGE_NF = ("net", "bridge", "bridge-nf-call-iptables")


def normalize(raw, field, default_state):
    bridge = names.ifname(raw.get("bridge"), field + ".bridge")
    state = raw.get("state") or default_state
    if state not in ("present", "absent"):
        raise InputError("%s.state: '%s' is not one of present, absent" % (field, state))
    item = {"bridge": bridge, "state": state, "name": names.label(raw.get("name") or bridge)}
    if state == "absent":
        return item
    if not raw.get("subnet"):
        raise InputError("%s.subnet: the network's IPv4 subnet is required (e.g. 172.17.0.0/16)" % field)
    subnet = names.network(raw["subnet"], field + ".subnet")
    if names.version_of(subnet) != 4:
        raise InputError("%s.subnet: '%s' is not IPv4; this module manages IPv4 (iptables) rules" % (field, subnet))
    internal = names.boolean(raw, "internal", field, False)
    item.update(subnet=subnet, internal=internal, icc=names.boolean(raw, "icc", field, True),
                masquerade=names.boolean(raw, "masquerade", field, not internal),
                routed_subnets=[names.network(r, "%s.routed_subnets[%d]" % (field, i))
                                for i, r in enumerate(raw.get("routed_subnets") or [])])
    mappings = []
    for i, entry in enumerate(raw.get("publish") or []):
        where = "%s.publish[%d]" % (field, i)
        if not isinstance(entry, dict) or not entry.get("address"):
            raise InputError("%s: needs 'address' (the container's IPv4 address) and 'ports' (e.g. ['2333:22'])"
                             % where)
        address = names.ip(entry["address"], where + ".address", 4)
        if not names.contains(subnet, address):
            raise InputError("%s.address: %s is not in the network's subnet %s" % (where, address, subnet))
        for j, spec in enumerate(entry.get("ports") or []):
            for mapping in ports.parse(spec, "%s.ports[%d]" % (where, j)):
                mapping["address"] = address
                mappings.append(mapping)
    if internal and mappings:
        raise InputError("%s: an internal network cannot publish ports (nothing outside may reach it); "
                         "drop 'publish' or 'internal'" % field)
    ports.check_unique(mappings, field + ".publish")
    item["mappings"] = mappings
    return item


def _read(path):
    try:
        with open(path) as handle:
            return handle.read().strip()
    except (IOError, OSError):
        return None


class NatNetworks:
    def __init__(self, items, purge=False, backend="auto"):
        seen = set()
        for item in items:
            if item["bridge"] in seen:
                raise InputError("networks: bridge '%s' is listed twice" % item["bridge"])
            seen.add(item["bridge"])
        ports.check_unique([m for item in items for m in item.get("mappings", [])], "networks.publish")
        self.items = items
        self.by_bridge = dict((item["bridge"], item) for item in items)
        self.purge = purge
        self.backend = backend

    @classmethod
    def from_params(cls, params):
        state = params.get("state") or "present"
        if params.get("networks") is not None:
            items = [normalize(raw, "networks[%d]" % i, state) for i, raw in enumerate(params["networks"])]
        elif params.get("bridge"):
            items = [normalize(params, "network", state)]
        else:
            items = []
        return cls(items, purge=bool(params.get("purge")), backend=params.get("backend") or "auto")

    def to_dict(self):
        return {"resource": "iptables_nat", "items": self.items, "purge": self.purge, "backend": self.backend}

    # observe: one iptables-save; the sysctls the rules rely on

    def observe(self, ctx):
        self.ctx = ctx
        ctx.extra["restore_calls"] = 0
        # the rules of the listed networks depend on nothing observed: built while iptables-save runs
        self.built = {}
        saved = xtables.save(self.backend, meanwhile=lambda: self.built.update(
            (item["bridge"], nat_rules.network_chains(item)) for item in self.items if item["state"] == "present"))
        self.current = dict((table, saved.get(table, {})) for table in TABLES)
        self.sysctls = {}
        for item in self.items:
            if item.get("mappings"):
                key = ("net", "ipv4", "conf", item["bridge"], "route_localnet")
                self.sysctls[key] = _read("/proc/sys/" + "/".join(key))
        if any(item["state"] == "present" and not item["icc"] for item in self.items):
            self.sysctls[BRIDGE_NF] = _read("/proc/sys/" + "/".join(BRIDGE_NF))

    # desired

    def _per_network(self):
        """{bridge: {kind: rules}} of every network that is to have rules after this run."""
        out = {}
        for table in TABLES:
            for name, rules in self.current[table].items():
                parsed = nat_rules.of_chain(name)
                if parsed and parsed[1] not in self.by_bridge and not self.purge:
                    out.setdefault(parsed[1], {})[parsed[0]] = rules  # another call's network: kept as it is
        out.update(self.built)
        return out

    def desired(self):
        """({table: {chain: rules}}, {(table, builtin): jump rules}) of our chains after this run."""
        per_network = self._per_network()
        chains = dict((table, {}) for table in TABLES)
        if not per_network:
            user = self.current["filter"].get(USER)
            if user:
                self.ctx.warnings.append("%s still has rules of yours; the chain is kept, no longer jumped to" % USER)
                chains["filter"][USER] = user
            return chains, dict((key, []) for key in JUMPS)
        for name, rules in nat_rules.shared_chains(per_network).items():
            chains[SHARED_TABLE[name]][name] = rules
        chains["filter"][USER] = self.current["filter"].get(USER, [])
        for bridge, kinds in per_network.items():
            for kind, rules in kinds.items():
                chains[nat_rules.KINDS[kind][0]][nat_rules.chain(kind, bridge)] = rules
        return chains, dict(JUMPS)

    # plan

    def plan(self, ctx):
        want, jumps = self.desired()
        self.want, self.jumps = want, jumps
        plan = []
        for key, value in sorted(self.sysctls.items()):
            plan.extend(self._sysctl(key, value))
        restore = xt_plan.restore_action(SCOPE, self.backend, self.current, want, jumps)
        if restore:
            plan.append(restore)
        flows = self._stale_flows(want)
        if flows:
            plan.append(Action("conntrack", "conntrack_flush", "conntrack -D (%d mappings)" % len(flows),
                               details=["conntrack -D -p %s --orig-port-dst %d --reply-src %s" % (
                                   f["proto"], f["host_port"], f["address"]) for f in flows], flows=flows))
        return plan

    def _after_table(self, table):
        """The whole table as this run leaves it."""
        return SCOPE.after_table(table, self.current[table], self.want[table], self.jumps)

    def _sysctl(self, key, value):
        if key == BRIDGE_NF:
            if value is None and not self.ctx.check:
                raise InputError("icc: false needs bridged traffic to pass iptables, which needs the kernel's "
                                 "br_netfilter (modprobe br_netfilter); it is not loaded on this host")
        elif value is None and not self.ctx.check:
            raise InputError("networks: bridge '%s' does not exist; create it first (cnet.linux.bridge)" % key[3])
        if value == "1":
            return []
        return [sysctl_action("sysctl " + "/".join(key), None, key, 1)]

    def _stale_flows(self, want):
        """Published ports that are going away or changing: their conntrack entries are flushed."""
        wanted = set()
        for rules in want["nat"].values():
            wanted.update(rules)
        flows = []
        for name, rules in sorted(self.current["nat"].items()):
            parsed = nat_rules.of_chain(name)
            if not parsed or parsed[0] != "N":
                continue
            for rule in rules:
                match = _DNAT.match(rule)
                if match and rule not in wanted:
                    flows.append({"proto": match.group("proto"), "host_port": int(match.group("hport")),
                                  "address": match.group("ip"), "port": int(match.group("port"))})
        return flows

    # diff views

    def before(self, obj):
        kind, _sep, what = obj.partition(" ")
        if kind == "iptables":
            return dict((table, SCOPE.owned(table, self.current[table])) for table in TABLES)
        if kind == "sysctl":
            return self.sysctls.get(tuple(what.split("/")))
        return None

    def after(self, obj):
        kind, _sep, what = obj.partition(" ")
        if kind == "iptables":
            return dict((table, SCOPE.owned(table, self._after_table(table))) for table in TABLES)
        if kind == "sysctl":
            return "1"
        return None
