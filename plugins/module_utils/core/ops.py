# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Operations are what plans are made of: each takes plain data, makes one change and returns the Action
that undoes a creation, or None. Each layer keeps its own table (netlink.ops, xtables.ops, ...) and a
resource names the tables it uses, so a module ships only the layers it needs."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type


def registry(table):
    """A decorator that enters a function into table under a name: @op("link_set")."""
    def op(name):
        def register(fn):
            if name in table:
                raise KeyError("operation %s is registered twice" % name)
            table[name] = fn
            return fn
        return register
    return op


def merged(*tables):
    """One table of several layers' operations (a name is defined by one layer only)."""
    out = {}
    for table in tables:
        for name, fn in table.items():
            if out.get(name, fn) is not fn:
                raise KeyError("operation %s is defined by two layers" % name)
            out[name] = fn
    return out
