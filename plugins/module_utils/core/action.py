# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A plan step: what resources produce, what the engine applies, what check mode reports."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type


def obj_name(obj):
    """The object key as the diff and drift reports name it: ('veth', 'vweb') -> 'veth vweb'."""
    return " ".join(obj)


class Action:
    """One step of a plan: ops[op](ctx, **args); `text` is the equivalent command; `obj` the object it
    changes, a tuple key such as ('veth', 'vweb') or ('iptables',) (for the diff). A step that is one
    transaction of many changes (an iptables-restore) lists them in `details`, and those are what the
    result's `actions` show, and `parts` the objects inside obj it changes (an iptables transaction: each
    chain, ('iptables', 'filter', 'FORWARD')), which the diff and the drift report name instead of obj.
    `inverse`, when the plan knows it, is the step that puts back what this one changed (the engine runs it
    if a later step of the plan fails): a link's old MTU, alias, state. `creates` is the (namespace, link,
    mark) of a step that makes a link whose mark a later step sets: the engine journals them (see
    Context.journal), so a run killed in between leaves links the next run knows as its own."""

    __slots__ = ("obj", "op", "args", "text", "details", "inverse", "parts", "creates")

    def __init__(self, obj, op_name, text, details=None, **args):
        if isinstance(obj, str):
            raise TypeError("an Action's obj is a tuple key, not %r" % obj)
        self.obj = tuple(obj)
        self.op = op_name
        self.text = text
        self.details = list(details) if details else None
        self.args = args
        self.inverse = None
        self.parts = None
        self.creates = None  # (namespace, link, mark) of a step that makes a link the plan marks later

    def making(self, ns, link, mark):
        """This step makes link (in namespace ns) that gets mark after it; returns the step."""
        self.creates = (ns, link, mark)
        return self

    def objects(self):
        """The objects this step changes, as the diff names them."""
        return self.parts or [self.obj]

    def words(self):
        """What the result's actions list says about this step."""
        return self.details or [self.text]

    def to_dict(self):
        out = {"obj": list(self.obj), "op": self.op, "args": self.args, "text": self.text}
        if self.details:
            out["details"] = self.details
        return out

    def __repr__(self):
        return "Action(%r)" % self.text
