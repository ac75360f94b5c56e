# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plan pieces every resource of links uses: a link's changed attributes as one request, authoritative
addresses, a sysctl, and the removal of a link of ours."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.cnet.linux.plugins.module_utils.core import marks
from ansible_collections.cnet.linux.plugins.module_utils.core.action import Action


def sysctl_action(obj, ns, key, value):
    """Set /proc/sys/<key> (a tuple of path parts) in namespace ns, written as the sysctl command
    (with '/' separators when a part holds a dot, e.g. an interface named eth0.10)."""
    text = "sysctl -w %s=%s" % (("/" if any("." in part for part in key) else ".").join(key), value)
    return Action(obj, "sysctl_set", ("ip netns exec %s " % ns if ns else "") + text, ns=ns, key=list(key), value=value)


def _addr(obj, ns, dev, op, addr, undo=False):
    pre = "ip -n %s " % ns if ns else "ip "
    action = Action(obj, op, pre + "addr %s %s dev %s" % (op[5:], addr, dev), ns=ns, dev=dev, address=addr)
    if undo:
        action.inverse = _addr(obj, ns, dev, "addr_add" if op == "addr_del" else "addr_del", addr)
    return action


def addr_actions(obj, ns, dev, have, want, existing=False):
    """Authoritative addresses of a device we own: remove the extra ones, add the missing ones in order.
    existing: the device was there before this run (then each step carries its inverse; a device the run
    creates goes with its addresses on a rollback)."""
    out = [_addr(obj, ns, dev, "addr_del", addr, existing) for addr in sorted(have - set(want))]
    out.extend(_addr(obj, ns, dev, "addr_add", addr, existing) for addr in want if addr not in have)
    return out


_WORDS = {"mtu": lambda v: "mtu %d" % v, "ifalias": lambda v: "alias '%s'" % v, "address": lambda v: "address %s" % v,
          "state": lambda v: v, "master": lambda v: "master %s" % v if v else "nomaster",
          "hairpin": lambda v: "type bridge_slave hairpin %s" % ("on" if v else "off")}


def _was(link, key, names):
    """The observed link's value of an attribute, as link_set takes it (None: not known)."""
    if key == "master":
        return (names(link["master"]) if names else None) if link["master"] else 0
    return {"mtu": link.get("mtu"), "ifalias": link.get("alias") or "", "address": link.get("mac"),
            "state": "up" if link.get("up") else "down", "hairpin": bool(link.get("hairpin"))}.get(key)


def link_set(obj, ns, dev, change, was=None, names=None):
    """One action (one netlink request) for several attributes of a link, written as one ip command.
    change: [(attribute, value, the words of ip link set)], e.g. [("mtu", 1450, "mtu 1450"), ("state", "up", "up")].
    was: the link as observed (then the action carries its inverse: the old values, put back if a later step
    fails); names: index -> name in the link's namespace (for its old master)."""
    text = "ip %slink set %s %s" % ("-n %s " % ns if ns else "", dev, " ".join(words for _k, _v, words in change))
    action = Action(obj, "link_set", text, ns=ns, name=dev, **dict((key, value) for key, value, _w in change))
    if was is not None:
        back = [(key, _was(was, key, names)) for key, _v, _w in change]
        if all(value is not None for _k, value in back):
            action.inverse = link_set(obj, ns, dev, [(key, value, _WORDS[key](value)) for key, value in back])
    return action


def link_del(obj, ns, name, why=None):
    """The step that deletes link name in namespace ns (None: ours), written as ip link del [# why]."""
    return Action(obj, "link_del", "ip %slink del %s%s" % ("-n %s " % ns if ns else "", name, "  # %s" % why if why else ""),
                  ns=ns, name=name)


def remove_link(view, kind, name, ns=None, obj=None):
    """state: absent of a link in our namespace (view.host), or in namespace ns (its view in view.peers): delete it
    if it carries our mark, else warn (on the view) and leave it. obj: the step's object ((kind, name) unless
    given)."""
    found = view.peers.get(ns) if ns else view.host
    link = found.link(name) if found else None
    if link is None:
        return []
    if not marks.owned(link["alias"], kind):
        view.warn("interface '%s'%s was not created by cnet.linux; left alone" % (name, " in %s" % ns if ns else ""))
        return []
    return [link_del(obj or (kind, name), ns, name)]
