# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A plan step: what resources produce, what the engine applies, what check mode reports."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class Action:
    """One step of a plan: OPS[op](ctx, **args); `text` is the equivalent command; `obj` the object it
    changes (for the diff)."""

    __slots__ = ("obj", "op", "args", "text")

    def __init__(self, obj, op_name, text, **args):
        self.obj = obj
        self.op = op_name
        self.text = text
        self.args = args

    def to_dict(self):
        return {"obj": self.obj, "op": self.op, "args": self.args, "text": self.text}

    def __repr__(self):
        return "Action(%r)" % self.text
