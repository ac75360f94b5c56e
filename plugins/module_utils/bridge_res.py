# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Linux bridges: the gateway side of a bridge network (docker0, cni0). Addresses are authoritative
(the kernel's IPv6 link-local address aside); MTU, STP and VLAN filtering are managed when given.
The mark is the alias 'cnet.linux:bridge net=<network>'."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.cnet.linux.plugins.module_utils import marks, names
from ansible_collections.cnet.linux.plugins.module_utils.actions import Action
from ansible_collections.cnet.linux.plugins.module_utils.names import InputError
from ansible_collections.cnet.linux.plugins.module_utils.plans import addr_actions, remove_link


def normalize(raw, field, default_state):
    name = names.ifname(raw.get("name"), field + ".name")
    state = raw.get("state") or default_state
    if state not in ("present", "absent"):
        raise InputError("%s.state: '%s' is not one of present, absent" % (field, state))
    for key in ("stp", "vlan_filtering"):
        if raw.get(key) is not None and not isinstance(raw[key], bool):
            raise InputError("%s.%s: '%s' is not true or false" % (field, key, raw[key]))
    return {"name": name, "state": state, "addresses": names.addresses(raw.get("addresses"), field + ".addresses"),
            "mtu": names.mtu(raw["mtu"], field + ".mtu") if raw.get("mtu") is not None else None,
            "stp": raw.get("stp"), "vlan_filtering": raw.get("vlan_filtering"),
            "network": names.label(raw.get("network") or name)}


class Bridge:
    def __init__(self, items):
        seen = set()
        for item in items:
            if item["name"] in seen:
                raise InputError("bridges: '%s' is listed twice" % item["name"])
            seen.add(item["name"])
        self.items = items
        self.by_name = dict((item["name"], item) for item in items)

    @classmethod
    def from_params(cls, params):
        state = params.get("state") or "present"
        if params.get("bridges") is not None:
            return cls([normalize(raw, "bridges[%d]" % i, state) for i, raw in enumerate(params["bridges"])])
        return cls([normalize(params, "bridge", state)])

    def to_dict(self):
        return {"resource": "bridge", "items": self.items}

    def observe(self, ctx):
        self.ctx = ctx
        self.host = ctx.nl.view(None)

    def plan(self, ctx):
        plan = []
        for item in self.items:
            plan.extend(self._present(item) if item["state"] == "present" else self._absent(item))
        return plan

    def _present(self, item):
        name, obj, out = item["name"], "bridge " + item["name"], []
        link = self.host.link(name)
        mark = marks.make("bridge", net=item["network"])
        if link is None:
            out.append(Action(obj, "bridge_add", "ip link add %s%s type bridge stp_state %d" % (
                name, " mtu %d" % item["mtu"] if item["mtu"] else "", 1 if item["stp"] else 0),
                name=name, mtu=item["mtu"], stp=bool(item["stp"]), mark=mark))
            link = {"index": None, "mtu": item["mtu"], "stp": bool(item["stp"]), "vlan_filtering": False,
                    "alias": mark, "up": False}
        elif link["kind"] != "bridge" or not marks.owned(link["alias"], "bridge"):
            raise InputError("bridge: '%s' exists and was not created by cnet.linux (no mark in its alias); pick "
                             "another name, or adopt it: ip link set %s alias '%s'" % (name, name, mark))
        if link["alias"] != mark:
            out.append(Action(obj, "link_set", "ip link set %s alias '%s'" % (name, mark), ns=None, name=name,
                              ifalias=mark))
        if item["mtu"] and link["mtu"] != item["mtu"]:
            out.append(Action(obj, "link_set", "ip link set %s mtu %d" % (name, item["mtu"]), ns=None, name=name,
                              mtu=item["mtu"]))
        if item["stp"] is not None and link["stp"] != item["stp"]:
            out.append(Action(obj, "bridge_set", "ip link set %s type bridge stp_state %d" % (name, int(item["stp"])),
                              name=name, br_stp_state=int(item["stp"])))
        if item["vlan_filtering"] is not None and link["vlan_filtering"] != item["vlan_filtering"]:
            out.append(Action(obj, "bridge_set", "ip link set %s type bridge vlan_filtering %d" % (
                name, int(item["vlan_filtering"])), name=name, br_vlan_filtering=int(item["vlan_filtering"])))
        have = self.host.addrs.get(link["index"], set()) if link["index"] else set()
        out.extend(addr_actions(obj, None, name, have, item["addresses"]))
        if not link["up"]:
            out.append(Action(obj, "link_set", "ip link set %s up" % name, ns=None, name=name, state="up"))
        return out

    def _absent(self, item):
        return remove_link(self.ctx, self.host, "bridge", item["name"])

    def before(self, obj):
        link = self.host.link(obj.split(" ", 1)[1])
        if link is None:
            return None
        return {"mtu": link["mtu"], "stp": link.get("stp"), "vlan_filtering": link.get("vlan_filtering"),
                "addresses": sorted(self.host.addrs.get(link["index"], set())), "up": link["up"]}

    def after(self, obj):
        item = self.by_name.get(obj.split(" ", 1)[1])
        if item is None or item["state"] == "absent":
            return None
        view = self.before(obj) or {"mtu": 1500, "stp": False, "vlan_filtering": False}
        view.update({"addresses": sorted(item["addresses"]), "up": True})
        for key in ("mtu", "stp", "vlan_filtering"):
            if item[key] is not None:
                view[key] = item[key]
        return view
