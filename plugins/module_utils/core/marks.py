# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ownership mark: what the collection creates carries it, and only marked objects are changed or removed.

On interfaces the mark is the interface alias (ip link show: 'alias cnet.linux:veth net=bridge ctr=web');
on routes it is the route protocol number PROTO ('proto 147' in ip route).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

PREFIX = "cnet.linux:"
PROTO = 147  # route protocol of routes the collection adds; unused in iproute2's rt_protos


def make(kind, **labels):
    """'cnet.linux:<kind> k=v ...' with labels in a stable order; empty labels are left out."""
    parts = ["%s=%s" % (key, labels[key]) for key in sorted(labels) if labels[key] not in (None, "")]
    return " ".join([PREFIX + kind] + parts)


def parse(alias):
    """(kind, labels) of a mark, or None when alias is not one of ours."""
    if not alias or not alias.startswith(PREFIX):
        return None
    words = alias[len(PREFIX):].split()
    if not words:
        return None
    labels = {}
    for word in words[1:]:
        key, sep, value = word.partition("=")
        if sep:
            labels[key] = value
    return words[0], labels


def owned(alias, kind=None):
    mark = parse(alias)
    return mark is not None and (kind is None or mark[0] == kind)
