# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""NAT and filter rules of bridge networks (xtables.nat_layout has the layout), reconciled like everything else:
observe (one iptables-save), desired (every owned chain's full content), plan (per table the fewest -D/-I
lines, one iptables-restore --noflush transaction), apply. Chains and rules that are not ours - a host
firewall, Docker's chains, the user's rules in CNET-USER - are never changed.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.cnet.linux.plugins.module_utils.core import inputs
from ansible_collections.cnet.linux.plugins.module_utils.core.action import Action
from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError
from ansible_collections.cnet.linux.plugins.module_utils.core.ops import merged
from ansible_collections.cnet.linux.plugins.module_utils.netlink import sysctl
from ansible_collections.cnet.linux.plugins.module_utils.resources.base import Resource, View
from ansible_collections.cnet.linux.plugins.module_utils.resources.links import sysctl_action
from ansible_collections.cnet.linux.plugins.module_utils.xtables import conntrack, nat_layout, ports, saverestore, scope
from ansible_collections.cnet.linux.plugins.module_utils.xtables import ops as xtables_ops
from ansible_collections.cnet.linux.plugins.module_utils.xtables.nat_layout import (
    JUMPS, JUMPS6, SCOPE, SCOPE6, SHARED_TABLE, TABLES, TABLES6, USER)

FORWARD_RECORD = "forward"  # <state_dir>/forward.json: the FORWARD policy of each family before forward_drop
BRIDGE_NF = ("net", "bridge", "bridge-nf-call-iptables")
BRIDGE_NF6 = ("net", "bridge", "bridge-nf-call-ip6tables")


def _normalize(raw, field, default_state):
    bridge = inputs.ifname(raw.get("bridge"), field + ".bridge")
    state = inputs.state(raw, field, default_state)
    item = {"bridge": bridge, "state": state, "name": inputs.label(raw.get("name") or bridge)}
    if state == "absent":
        return item
    if not raw.get("subnet"):
        raise InputError("%s.subnet: the network's IPv4 subnet is required (e.g. 172.17.0.0/16)" % field)
    subnet = inputs.network(raw["subnet"], field + ".subnet")
    if inputs.version_of(subnet) != 4:
        raise InputError("%s.subnet: '%s' is not IPv4; this module manages IPv4 (iptables) rules" % (field, subnet))
    internal = inputs.boolean(raw, "internal", field, False)
    item.update(subnet=subnet, internal=internal, icc=inputs.boolean(raw, "icc", field, True),
                masquerade=inputs.boolean(raw, "masquerade", field, not internal),
                routed_subnets=[inputs.network(r, "%s.routed_subnets[%d]" % (field, i))
                                for i, r in enumerate(raw.get("routed_subnets") or [])],
                routed_in=[inputs.ifname(d, "%s.routed_in[%d]" % (field, i)) for i, d in enumerate(raw.get("routed_in") or [])],
                isolated_subnets=[inputs.network(r, "%s.isolated_subnets[%d]" % (field, i))
                                  for i, r in enumerate(raw.get("isolated_subnets") or [])])
    subnet6 = None
    if raw.get("subnet6"):
        subnet6 = inputs.network(raw["subnet6"], field + ".subnet6")
        if inputs.version_of(subnet6) != 6:
            raise InputError("%s.subnet6: '%s' is not an IPv6 network (like fd00:17::/64)" % (field, subnet6))
    item.update(subnet6=subnet6, masquerade6=inputs.boolean(raw, "masquerade6", field, False))
    if item["masquerade6"] and not subnet6:
        raise InputError("%s.masquerade6: the network has no subnet6 to masquerade" % field)
    mappings, mappings6 = [], []
    for i, entry in enumerate(raw.get("publish") or []):
        where = "%s.publish[%d]" % (field, i)
        if not isinstance(entry, dict) or not entry.get("address"):
            raise InputError("%s: needs 'address' (the container's IPv4 address) and 'ports' (e.g. ['2333:22'])"
                             % where)
        address = inputs.ip(entry["address"], where + ".address", 4)
        if not inputs.contains(subnet, address):
            raise InputError("%s.address: %s is not in the network's subnet %s" % (where, address, subnet))
        address6 = _address6(entry, subnet6, where)
        allow = ports.allow_list(entry.get("allow"), where + ".allow")
        for j, spec in enumerate(entry.get("ports") or []):
            for mapping in ports.parse(spec, "%s.ports[%d]" % (where, j)):
                family = mapping.pop("family")
                if family == 6 and address6 is None:
                    raise InputError("%s.ports[%d]: '%s' publishes on IPv6; give the container's 'address6'"
                                     % (where, j, spec))
                for fam, addr, out in ((4, address, mappings), (6, address6, mappings6)):
                    if family in (None, fam) and addr is not None:
                        one = dict(mapping, address=addr)
                        if ports.of_family(allow, fam) is not None:
                            one["allow"] = ports.of_family(allow, fam)
                        out.append(one)
    if internal and (mappings or mappings6):
        raise InputError("%s: an internal network cannot publish ports (nothing outside may reach it); "
                         "drop 'publish' or 'internal'" % field)
    ports.check_unique(mappings, field + ".publish")
    ports.check_unique(mappings6, field + ".publish")
    item["mappings"], item["mappings6"] = mappings, mappings6
    return item


def _address6(entry, subnet6, where):
    """A publish entry's container IPv6 address (address6), in the network's subnet6; None when not given."""
    if not entry.get("address6"):
        return None
    if not subnet6:
        raise InputError("%s.address6: the network has no subnet6" % where)
    address6 = inputs.ip(entry["address6"], where + ".address6", 6)
    if not inputs.contains(subnet6, address6):
        raise InputError("%s.address6: %s is not in the network's subnet6 %s" % (where, address6, subnet6))
    return address6


class NatNetworks(Resource):
    KIND = "iptables_nat"
    ITEMS = "networks"
    FIELD = "network"
    KEY = "bridge"
    UNIQUE = ((("bridge",), "networks: bridge '%s' is listed twice"),)
    OPS = merged(sysctl.OPS, xtables_ops.OPS, conntrack.OPS)  # the sysctls; the rules; the flush
    PYROUTE2 = True  # the conntrack flush

    @classmethod
    def normalize(cls, raw, field, state, defaults=None):
        return _normalize(raw, field, state)

    @classmethod
    def single(cls, params, state):
        return [_normalize(params, "network", state)] if params.get("bridge") else []

    @classmethod
    def options_of(cls, params):
        drop, accept = params.get("forward_drop"), params.get("accept_interfaces")
        if drop is not None and (not isinstance(drop, list) or any(isinstance(f, bool) or f not in (4, 6) for f in drop)):
            raise InputError("forward_drop: %r is not a list of address families (4, 6)" % (drop,))
        if accept is not None and not isinstance(accept, list):
            raise InputError("accept_interfaces: %r is not a list of interface names" % (accept,))
        return {"purge": bool(params.get("purge")), "backend": params.get("backend") or "auto",
                "bridge_netfilter": params.get("bridge_netfilter") or "host",
                "forward_drop": None if drop is None else sorted(set(drop)),
                "accept_interfaces": None if accept is None else sorted(set(
                    inputs.ifname(name, "accept_interfaces[%d]" % i) for i, name in enumerate(accept)))}

    # the FORWARD policy: DROP for the families of forward_drop, the policy before kept in <state_dir>/forward.json
    # and put back when a family is no longer listed (teardown)

    def _policies(self, view, family):
        """{('filter', 'FORWARD'): (policy now, policy wanted)} for one family, or {} to leave it."""
        drop = getattr(self, "forward_drop", None)
        if drop is None:  # not this call's business (the bridge role's call, a record from before the option)
            return {}
        now = view.policies[family]
        if family in drop:
            return {("filter", "FORWARD"): (now, "DROP")}
        before = (view.forward.get("before") or {}).get(str(family))
        return {("filter", "FORWARD"): (now, before)} if before in ("ACCEPT", "DROP") else {}

    def keep(self, records, view):
        drop = getattr(self, "forward_drop", None)  # None: not this call's business
        if drop is None or not drop and not view.forward.get("before"):
            return []
        doc = records(FORWARD_RECORD)
        before = dict(doc.get("before") or {})
        for family in (4, 6):
            if family in drop:
                before.setdefault(str(family), view.policies[family])  # the host's own, from the first run on
            else:
                before.pop(str(family), None)  # put back by this run
        want = {"version": 1, "before": before} if before else {}
        if doc == want:
            return []
        doc.clear()
        doc.update(want)
        return [FORWARD_RECORD]

    def validate(self):
        for key in ("mappings", "mappings6"):
            ports.check_unique([m for item in self.items for m in item.get(key) or []], "networks.publish")

    # observe: one iptables-save; the sysctls the rules rely on

    def observe(self, ctx):
        ctx.extra["restore_calls"] = 0
        # the rules of the listed networks depend on nothing observed: built while iptables-save runs
        built = {4: {}, 6: {}}

        def build():
            for item in self.items:
                for family in (4, 6) if item["state"] == "present" else ():
                    net = nat_layout.family_view(item, family)
                    if net is not None:
                        built[family][item["bridge"]] = nat_layout.network_chains(net, family)
        saved = saverestore.save(self.backend, meanwhile=build)
        sysctls = {}
        for item in self.items:
            if item.get("mappings"):
                key = ("net", "ipv4", "conf", item["bridge"], "route_localnet")
                sysctls[key] = sysctl.read(key)
        if getattr(self, "bridge_netfilter", "host") == "host":
            present = [item for item in self.items if item["state"] == "present" and not item["icc"]]
            if present:  # else each bridge's own nf_call_iptables (cnet.linux.bridge)
                sysctls[BRIDGE_NF] = sysctl.read(BRIDGE_NF)
            if any(item.get("subnet6") for item in present):
                sysctls[BRIDGE_NF6] = sysctl.read(BRIDGE_NF6)
        saved6 = self._saved6()
        return View(ctx.check, built=built[4], built6=built[6], sysctls=sysctls,
                    current=dict((table, saved.get(table, {})) for table in TABLES),
                    current6=dict((table, saved6.get(table, {})) for table in TABLES6),
                    policies={4: saved.policy("filter", "FORWARD"), 6: saved6.policy("filter", "FORWARD")},
                    forward=ctx.records(FORWARD_RECORD))

    def _saved6(self):
        """The IPv6 tables (ip6tables-save): our chains of a network whose IPv6 went are removed from there too. A
        host whose ip6tables cannot be read is taken as having none, unless a network of this call has IPv6."""
        try:
            return saverestore.save(self.backend, family=6)
        except saverestore.XtablesError:
            if any(item.get("subnet6") for item in self.items) or 6 in (getattr(self, "forward_drop", None) or []):
                raise
            return saverestore.Tables()

    # desired

    @staticmethod
    def _current(view, family):
        return view.current6 if family == 6 else view.current

    def _per_network(self, view, family):
        """{bridge: {kind: rules}} of every network that is to have rules of this family after this run."""
        out = {}
        for table, chains in self._current(view, family).items():
            for name, rules in chains.items():
                parsed = nat_layout.of_chain(name)
                if parsed and parsed[1] not in self.by_key and not self.purge:
                    out.setdefault(parsed[1], {})[parsed[0]] = rules  # another call's network: kept as it is
        out.update(view.built6 if family == 6 else view.built)
        return out

    def desired(self, view, family=4):
        """({table: {chain: rules}}, {(table, builtin): jump rules}) of our chains of one family after this run."""
        return view.memo("desired %d" % family, lambda: self._desired(view, family))

    def _desired(self, view, family):
        tables, jumps = (TABLES6, JUMPS6) if family == 6 else (TABLES, JUMPS)
        current = self._current(view, family)
        per_network = self._per_network(view, family)
        chains = dict((table, {}) for table in tables)
        accept = getattr(self, "accept_interfaces", None)
        if accept is None:  # not given: the ones the chain accepts now stay (purge: none)
            accept = [] if self.purge else nat_layout.accepted(current["filter"].get("CNET-FORWARD") or [])
        elif family == 6 and not per_network and 6 not in (getattr(self, "forward_drop", None) or []):
            # no IPv6 network and ip6tables' FORWARD policy not ours: ip6tables is left alone (a host may have none)
            accept = []
        if not per_network and not accept:
            user = current["filter"].get(USER)
            if user:
                view.warn("%s still has rules of yours (%s); the chain is kept, no longer jumped to"
                          % (USER, saverestore.command(family)))
                chains["filter"][USER] = user
            return chains, dict((key, []) for key in jumps)
        for name, rules in nat_layout.shared_chains(per_network, family, accept).items():
            chains[SHARED_TABLE[name]][name] = rules
        chains["filter"][USER] = current["filter"].get(USER, [])
        for bridge, kinds in per_network.items():
            for kind, rules in kinds.items():
                chains[nat_layout.KINDS[kind][0]][nat_layout.chain(kind, bridge)] = rules
        return chains, dict(jumps)

    # plan

    def plan(self, view):
        out = []
        for key, value in sorted(view.sysctls.items()):
            out.extend(self._sysctl(view, key, value))
        flows = []
        for family, owner in ((4, SCOPE), (6, SCOPE6)):
            want, jumps = self.desired(view, family)
            restore = scope.restore_action(owner, self.backend, self._current(view, family), want, jumps,
                                           self._policies(view, family))
            if restore:
                out.append(restore)
            flows += self._stale_flows(view, want, family)
        if flows:
            out.append(Action(("conntrack",), "conntrack_flush", "conntrack -D (%d mappings)" % len(flows),
                              details=["conntrack -D -p %s --orig-port-dst %d --reply-src %s%s" % (
                                  f["proto"], f["host_port"], f["address"],
                                  " (sources outside %s)" % ", ".join(f["keep"]) if f.get("keep") is not None else "")
                                  for f in flows], flows=flows))
        return out

    def _after_table(self, view, family, table):
        """The whole table as this run leaves it (once per table: the diff asks for it chain by chain)."""
        want, jumps = self.desired(view, family)
        owner = SCOPE6 if family == 6 else SCOPE
        return view.memo("after %d %s" % (family, table), lambda: owner.after_table(
            table, self._current(view, family)[table], want[table], jumps))

    @staticmethod
    def _sysctl(view, key, value):
        if key in (BRIDGE_NF, BRIDGE_NF6):
            if value is None and not view.check:
                raise InputError("icc: false needs bridged traffic to pass iptables, which needs the kernel's "
                                 "br_netfilter (modprobe br_netfilter); it is not loaded on this host")
        elif value is None and not view.check:
            raise InputError("networks: bridge '%s' does not exist; create it first (cnet.linux.bridge)" % key[3])
        if value == "1":
            return []
        return [sysctl_action(("sysctl", "/".join(key)), None, key, 1)]

    def _stale_flows(self, view, want, family):
        """Published ports that are going away or changing: their conntrack entries are flushed."""
        wanted = set()
        for rules in want["nat"].values():
            wanted.update(rules)
        flows = []
        for name, rules in sorted(self._current(view, family)["nat"].items()):
            parsed = nat_layout.of_chain(name)
            if not parsed or parsed[0] != "N":
                continue
            for rule in rules:
                m = nat_layout.dnat_mapping(rule)
                if m and rule not in wanted:
                    flows.append({"proto": m["proto"], "host_port": m["host_port"], "address": m["address"],
                                  "port": m["port"]})
        flushed = set((f["proto"], f["host_port"], f["address"]) for f in flows)
        return flows + self._narrowed_flows(view, want, family, flushed)

    def _narrowed_flows(self, view, want, family, flushed):
        """Published ports whose allowed sources lost one: their connections from sources no longer allowed end
        (an established connection would otherwise go on through the RELATED,ESTABLISHED rule)."""
        lost = set()
        for name, rules in sorted(self._current(view, family)["filter"].items()):
            parsed = nat_layout.of_chain(name)
            if not parsed or parsed[0] != "F":
                continue
            wanted = set(want["filter"].get(name) or [])
            for rule in rules:
                m = nat_layout.accepted_mapping(rule)
                if m and rule not in wanted:
                    lost.add((m["address"], m["proto"], m["port"], m["host_port"]))
        flows = []
        for item in self.items:
            for m in item.get("mappings6" if family == 6 else "mappings") or []:
                key = (m["proto"], m["host_port"], m["address"])
                if "allow" not in m or key in flushed or not ({(m["address"], m["proto"], m["port"], None),
                                                               (m["address"], m["proto"], m["port"], m["host_port"])}
                                                              & lost):
                    continue
                flushed.add(key)
                flows.append({"proto": m["proto"], "host_port": m["host_port"], "address": m["address"],
                              "port": m["port"], "keep": m["allow"]})
        return flows

    # diff views

    def before(self, view, key):
        if key[0] in ("iptables", "ip6tables") and key[2] == "FORWARD policy":
            return view.policies[6 if key[0] == "ip6tables" else 4]
        if key[0] in ("iptables", "ip6tables"):  # one chain: its rules (a builtin's with the foreign ones)
            return self._current(view, 6 if key[0] == "ip6tables" else 4)[key[1]].get(key[2])
        if key[0] == "sysctl":
            return view.sysctls.get(tuple(key[1].split("/")))
        return None

    def after(self, view, key):
        if key[0] in ("iptables", "ip6tables") and key[2] == "FORWARD policy":
            return self._policies(view, 6 if key[0] == "ip6tables" else 4)[("filter", "FORWARD")][1]
        if key[0] in ("iptables", "ip6tables"):
            return self._after_table(view, 6 if key[0] == "ip6tables" else 4, key[1]).get(key[2])
        if key[0] == "sysctl":
            return "1"
        return None
