# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The overlay's VXLAN device on this host: the underlay it runs over (given, or found from the host's
addresses and default route), its desired settings (VTEP MAC derived from the underlay address, learning
off, MTU underlay - 50), and the plan that creates, updates or - when a setting the kernel cannot change
differs - visibly recreates it."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress

from ansible_collections.cnet.linux.plugins.module_utils.core import marks, overhead
from ansible_collections.cnet.linux.plugins.module_utils.core.action import Action
from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError
from ansible_collections.cnet.linux.plugins.module_utils.resources.links import addr_actions, link_del, link_set

RECREATE = ("vni", "port", "local", "dev", "proxy", "learning")


def vtep_mac(underlay):
    """02:cc + the IPv4 underlay address: locally administered, unicast, the same on every host that computes it."""
    return "02:cc:" + ":".join("%02x" % b for b in ipaddress.IPv4Address(underlay).packed)


def underlay(item, host, check=False):
    """(local address, its device, the device's MTU) of a present overlay, from host (its NsView): as given;
    the device holding 'local'; or the device of the IPv4 default route and its first address. In a check run
    a given local and dev that an earlier part would make (an encrypted overlay's WireGuard device) are taken
    as given."""
    if item["state"] != "present":
        return None
    local, dev = item["local"], item["dev"]
    if local and not dev:
        for index, addrs in host.addrs.items():
            if any(a.split("/")[0] == local for a in addrs):
                dev = host.name_of(index)
        if not dev:
            raise InputError("local: no interface of this host has %s; fix 'local' or set 'dev'" % local)
    if not dev:
        default = [r for r in host.routes if r["dst"] == "0.0.0.0/0" and r["oif"]]
        if not default:
            raise InputError("local: this host has no IPv4 default route to find its underlay by; set 'local'")
        dev = host.name_of(default[0]["oif"])
    link = host.link(dev)
    if link is None and check and local and item["dev"] and item["mtu"]:
        return local, dev, item["mtu"] + overhead.VXLAN
    if link is None:
        raise InputError("dev: this host has no interface '%s'" % dev)
    if not local:
        mine = sorted(a for a in host.addrs.get(link["index"], set()) if ":" not in a)
        if not mine:
            raise InputError("dev: %s has no IPv4 address; set 'local'" % dev)
        local = mine[0].split("/")[0]
    return local, dev, link["mtu"]


def desired(item, under):
    """The device's settings after this run."""
    local, dev, under_mtu = under
    return {"vni": item["vni"], "port": item["port"], "local": local, "dev": dev, "proxy": item["mode"] == "l2",
            "learning": False, "mtu": item["mtu"] or under_mtu - overhead.VXLAN, "mac": vtep_mac(local)}


def mark(item):
    return marks.make("vxlan", net=item["network"])


def lease_address(item):
    return "%s/32" % item["lease"].split("/")[0]


def plan(view, item, device):
    """(actions, link): the device's actions and the link they leave in place (None: made anew, no entries)."""
    name, out = item["device"], []
    link = view.host.link(name)
    if link is not None and (link["kind"] != "vxlan" or not marks.owned(link["alias"], "vxlan")):
        raise InputError("device: '%s' exists and was not created by cnet.linux (no mark in its alias); pick "
                         "another name" % name)
    if link is not None:
        have = dict(link.get("vxlan") or {})
        have["dev"] = view.host.name_of(have.get("dev"))
        changed = [key for key in RECREATE if have.get(key) != device[key]]
        if changed:
            out.append(link_del(("vxlan", name), None, name, "%s changed: the device is recreated" % ", ".join(
                "%s %s -> %s" % (k, have.get(k), device[k]) for k in changed)))
            link = None
    return out + (_create(view, item, device) if link is None else _update(view, item, link, device)), link


def _create(view, item, device):
    name, obj = item["device"], ("vxlan", item["device"])
    out = [Action(obj, "vxlan_add", "ip link add %s mtu %d address %s type vxlan id %d dstport %d local %s dev %s "
                  "nolearning%s" % (name, device["mtu"], device["mac"], item["vni"], item["port"], device["local"],
                                    device["dev"], " proxy" if device["proxy"] else ""),
                  name=name, vni=item["vni"], port=item["port"], local=device["local"], dev=device["dev"],
                  proxy=device["proxy"], mtu=device["mtu"], mac=device["mac"], mark=mark(item)).making(None, name, mark(item))]
    if item["mode"] == "l2":
        out.append(_master(view, item))
    out.append(link_set(obj, None, name, [("state", "up", "up")]))
    if item["mode"] == "l3":
        out += addr_actions(obj, None, name, set(), [lease_address(item)])
    return out


def _master(view, item, was=None):
    name, bridge = item["device"], item["bridge"]
    if view.host.link(bridge) is None and not view.check:
        raise InputError("bridge: '%s' does not exist; create it first (cnet.linux.bridge)" % bridge)
    return link_set(("vxlan", name), None, name, [("master", bridge, "master %s" % bridge)], was, view.host.name_of)


def _update(view, item, link, device):
    name, obj = item["device"], ("vxlan", item["device"])
    change, out = [], []
    if link["alias"] != mark(item):
        change.append(("ifalias", mark(item), "alias '%s'" % mark(item)))
    if link["mtu"] != device["mtu"]:
        change.append(("mtu", device["mtu"], "mtu %d" % device["mtu"]))
    if link["mac"] != device["mac"]:
        change.append(("address", device["mac"], "address %s" % device["mac"]))
    if change:
        out.append(link_set(obj, None, name, change, link))
    master = view.host.name_of(link["master"]) if link["master"] else None
    if item["mode"] == "l2" and master != item["bridge"]:
        out.append(_master(view, item, link))
    elif item["mode"] == "l3" and master:
        out.append(link_set(obj, None, name, [("master", 0, "nomaster")], link, view.host.name_of))
    if not link["up"]:
        out.append(link_set(obj, None, name, [("state", "up", "up")], link))
    want = [lease_address(item)] if item["mode"] == "l3" else []
    return out + addr_actions(obj, None, name, view.host.addrs.get(link["index"], set()), want, True)


def before(view, item):
    """The device as observed (its diff view), or None."""
    link = view.host.link(item["device"])
    if link is None:
        return None
    out = dict(link.get("vxlan") or {})
    out.update(dev=view.host.name_of(out.get("dev")), mtu=link["mtu"], mac=link["mac"], up=link["up"],
               master=view.host.name_of(link["master"]) if link["master"] else None,
               addresses=sorted(view.host.addrs.get(link["index"], set())))
    return out


def after(item, device):
    """The device as this run leaves it (its diff view)."""
    out = dict((k, device[k]) for k in ("vni", "port", "local", "dev", "proxy", "learning", "mtu", "mac"))
    out.update(up=True, master=item["bridge"] if item["mode"] == "l2" else None,
               addresses=[lease_address(item)] if item["mode"] == "l3" else [])
    return out
