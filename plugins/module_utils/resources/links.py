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


def addr_actions(obj, ns, dev, have, want):
    """Authoritative addresses of a device we own: remove the extra ones, add the missing ones in order."""
    pre = "ip -n %s " % ns if ns else "ip "
    out = [Action(obj, "addr_del", pre + "addr del %s dev %s" % (addr, dev), ns=ns, dev=dev, address=addr)
           for addr in sorted(have - set(want))]
    out.extend(Action(obj, "addr_add", pre + "addr add %s dev %s" % (addr, dev), ns=ns, dev=dev, address=addr)
               for addr in want if addr not in have)
    return out


def link_set(obj, ns, dev, change):
    """One action (one netlink request) for several attributes of a link, written as one ip command.
    change: [(attribute, value, the words of ip link set)], e.g. [("mtu", 1450, "mtu 1450"), ("state", "up", "up")]."""
    text = "ip %slink set %s %s" % ("-n %s " % ns if ns else "", dev, " ".join(words for _k, _v, words in change))
    return Action(obj, "link_set", text, ns=ns, name=dev, **dict((key, value) for key, value, _w in change))


def remove_link(view, kind, name):
    """state: absent of a link in our namespace (view.host): delete it if it carries our mark, else warn (on the
    view) and leave it."""
    link = view.host.link(name)
    if link is None:
        return []
    if not marks.owned(link["alias"], kind):
        view.warn("interface '%s' was not created by cnet.linux; left alone" % name)
        return []
    return [Action((kind, name), "link_del", "ip link del %s" % name, ns=None, name=name)]
