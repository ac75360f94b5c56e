# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Linux bridges: the gateway side of a bridge network (docker0, cni0). Addresses are authoritative
(the kernel's IPv6 link-local address aside); MTU, STP and VLAN filtering are managed when given.
With netfilter, bridged frames pass iptables and ip6tables for this bridge alone (the bridge's nf_call_*
options), even where the host-wide bridge-nf-call sysctls are off.
The MAC is set, so it stays: a bridge whose MAC was never set takes its lowest port's, and a container leaving
would change every other container's gateway MAC (unreachable until its neighbour entry expires). By default
it is 02:42 + the first IPv4 address (the gateway; no container holds it), as Docker derives a container's.
The mark is the alias 'cnet.linux:bridge net=<network>'."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.cnet.linux.plugins.module_utils.core import inputs, marks
from ansible_collections.cnet.linux.plugins.module_utils.core.action import Action
from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError
from ansible_collections.cnet.linux.plugins.module_utils.netlink import ops, sockets
from ansible_collections.cnet.linux.plugins.module_utils.resources.base import Resource, View
from ansible_collections.cnet.linux.plugins.module_utils.resources.links import addr_actions, link_set, remove_link


DEFAULT_MTU = 1500  # a new bridge's, before any port joins
_OPTIONS = (("stp", "stp_state"), ("vlan_filtering", "vlan_filtering"), ("netfilter", "netfilter"))


def _bridge_set(obj, name, option, value, was):
    value = int(value)
    words = "nf_call_iptables %d nf_call_ip6tables %d" % (value, value) if option == "netfilter" else "%s %d" % (option, value)
    action = Action(obj, "bridge_set", "ip link set %s type bridge %s" % (name, words), name=name,
                    **{"br_" + option: value})
    key = dict((o, k) for k, o in _OPTIONS)[option]
    if was is not None and was.get(key) is not None:
        action.inverse = _bridge_set(obj, name, option, was[key], None)
    return action


class Bridge(Resource):
    KIND = "bridge"
    ITEMS = "bridges"
    FIELD = "bridge"
    UNIQUE = ((("name",), "bridges: '%s' is listed twice"),)
    OPS = ops.OPS

    @classmethod
    def normalize(cls, raw, field, state, defaults=None):
        name = inputs.ifname(raw.get("name"), field + ".name")
        state = inputs.state(raw, field, state)
        for key, _option in _OPTIONS:
            if raw.get(key) is not None and not isinstance(raw[key], bool):
                raise InputError("%s.%s: '%s' is not true or false" % (field, key, raw[key]))
        addresses = inputs.addresses(raw.get("addresses"), field + ".addresses")
        if raw.get("mac") is not None:
            mac = inputs.mac(raw["mac"], field + ".mac")
        else:
            ipv4 = [a for a in addresses if inputs.version_of(a) == 4]
            mac = inputs.ipv4_mac(ipv4[0].split("/")[0]) if ipv4 else None
        return {"name": name, "state": state, "addresses": addresses, "mac": mac,
                "mtu": inputs.mtu(raw["mtu"], field + ".mtu") if raw.get("mtu") is not None else None,
                "stp": raw.get("stp"), "vlan_filtering": raw.get("vlan_filtering"), "netfilter": raw.get("netfilter"),
                "network": inputs.label(raw.get("network") or name)}

    def observe(self, ctx):
        return View(ctx.check, host=sockets.of(ctx).view(None))

    def present(self, view, item):
        # item.get for mac and netfilter: cnet-restore replays a desired.json an older version wrote without them
        name, obj, out = item["name"], ("bridge", item["name"]), []
        link = view.host.link(name)
        mark = marks.make("bridge", net=item["network"])
        if link is None:
            # the MTU in a second step: only an MTU set on the live bridge stays when a port with another joins
            # (the kernel's MTU-set-by-user flag); one given at creation follows the ports
            netfilter = bool(item.get("netfilter"))
            out.append(Action(obj, "bridge_add", "ip link add %s%s type bridge stp_state %d%s" % (
                name, " address %s" % item.get("mac") if item.get("mac") else "", 1 if item["stp"] else 0,
                " nf_call_iptables 1 nf_call_ip6tables 1" if netfilter else ""),
                name=name, stp=bool(item["stp"]), mark=mark, mac=item.get("mac"), netfilter=netfilter).making(None, name, mark))
            link = {"index": None, "mtu": DEFAULT_MTU, "stp": bool(item["stp"]), "vlan_filtering": False,
                    "netfilter": netfilter, "alias": mark, "up": False, "mac": item.get("mac")}
        elif link["kind"] != "bridge" or not marks.owned(link["alias"], "bridge"):
            raise InputError("bridge: '%s' exists and was not created by cnet.linux (no mark in its alias); pick "
                             "another name, or adopt it: ip link set %s alias '%s'" % (name, name, mark))
        was = link if link["index"] else None  # an existing bridge's changes are put back if a later step fails
        if link["alias"] != mark:
            out.append(link_set(obj, None, name, [("ifalias", mark, "alias '%s'" % mark)], was))
        if item["mtu"] and link["mtu"] != item["mtu"]:
            out.append(link_set(obj, None, name, [("mtu", item["mtu"], "mtu %d" % item["mtu"])], was))
        if item.get("mac") and link["mac"] != item["mac"]:
            out.append(link_set(obj, None, name, [("address", item["mac"], "address %s" % item["mac"])], was))
        for key, option in _OPTIONS:
            if item.get(key) is not None and link.get(key) != item[key]:
                out.append(_bridge_set(obj, name, option, item[key], was))
        have = view.host.addrs.get(link["index"], set()) if link["index"] else set()
        out.extend(addr_actions(obj, None, name, have, item["addresses"], was is not None))
        if not link["up"]:
            out.append(link_set(obj, None, name, [("state", "up", "up")], was))
        return out

    def absent(self, view, item):
        return remove_link(view, "bridge", item["name"])

    def before(self, view, key):
        link = view.host.link(key[1])
        if link is None:
            return None
        return {"mtu": link["mtu"], "stp": link.get("stp"), "vlan_filtering": link.get("vlan_filtering"),
                "netfilter": link.get("netfilter"), "addresses": sorted(view.host.addrs.get(link["index"], set())),
                "mac": link["mac"], "up": link["up"]}

    def after(self, view, key):
        item = self.by_key.get(key[1])
        if item is None or item["state"] == "absent":
            return None
        out = self.before(view, key) or {"mtu": DEFAULT_MTU, "stp": False, "vlan_filtering": False, "netfilter": False}
        out.update({"addresses": sorted(item["addresses"]), "up": True})
        for name in ("mtu", "stp", "vlan_filtering", "netfilter", "mac"):
            if item.get(name) is not None:  # .get: a desired.json of an older version lacks netfilter and mac
                out[name] = item[name]
        return out
