# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stable interface names inside a container: an attachment's name is the one given ('interface:'), else the
one recorded after the last run, else the lowest free eth<N>. So removing a container's first network leaves
its eth1 as eth1 (Docker's interfaces keep their names the same way), and a recorded name is never taken by
another attachment as a side effect."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError


def names(conts, record, host):
    """{container: {network: interface name}} of one host's containers on networks."""
    recorded = record.interfaces if record else {}
    out = {}
    for c in conts:
        if not c["attach"]:
            continue
        old = recorded.get(c["name"]) or {}
        wanted = [a["network"] for a in c["attach"]]
        mine, used = {}, {}
        for a in c["attach"]:
            if a["interface"]:
                holder = [n for n, name in old.items() if name == a["interface"] and n != a["network"] and n in wanted]
                if holder:
                    raise InputError("%s: cnet_containers (%s): interface '%s' for network '%s' is the name network "
                                     "'%s' has now; renaming a running container's interface is never done as a side "
                                     "effect: pick another name, or give '%s' an interface of its own first"
                                     % (host, c["name"], a["interface"],
                                        a["network"], holder[0], holder[0]))
                mine[a["network"]], used[a["interface"]] = a["interface"], a["network"]
        for a in c["attach"]:
            name = old.get(a["network"])
            if a["network"] not in mine and name and name not in used:
                mine[a["network"]], used[name] = name, a["network"]
        index = 0
        for a in c["attach"]:
            if a["network"] not in mine:
                while "eth%d" % index in used:
                    index += 1
                mine[a["network"]], used["eth%d" % index] = "eth%d" % index, a["network"]
        out[c["name"]] = mine
    return out
