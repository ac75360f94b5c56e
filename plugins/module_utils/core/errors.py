# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The failures the engine reports: bad input (InputError, before anything changes), a host tool that is
missing or refused its input (ToolError, e.g. iptables-restore), and a failed plan (EngineError, after
what the run had created was removed again); reason() words an OS or netlink error."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os


class InputError(ValueError):
    """Bad input: the message names the field and says how to fix it."""


class ToolError(Exception):
    """A program the collection runs (iptables-save, iptables-restore) or a part of the kernel it needs (WireGuard)
    is missing or failed; the message says which and why."""


class EngineError(Exception):
    """A failure with a message for people; `done` lists what was applied (and then undone)."""

    def __init__(self, msg, done=None, undone=None):
        Exception.__init__(self, msg)
        self.done = done or []
        self.undone = undone or []


def reason(exc):
    """A readable cause for an exception raised by netlink or the OS."""
    code = getattr(exc, "errno", None)
    if code:
        detail = getattr(exc, "detail", None)  # the kernel's own words, when it gave them (extended ack)
        return "%s (errno %d)%s" % (os.strerror(code), code, ": " + detail if detail else "")
    return str(exc) or exc.__class__.__name__
