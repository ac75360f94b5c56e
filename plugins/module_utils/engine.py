# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reconcile engine: observe -> desired -> plan -> apply, for any resource.

A resource (netns, veth, bridge, ...) knows its desired state (normalized, serializable), observes what
the host has, and returns a plan: a list of Actions, each a named operation with plain-data arguments and
the text of the equivalent ip/bridge command. Check mode returns the plan; a real run applies it; the
`actions` and `diff` of the result are both made from that one plan. If an action fails, what this run
created is removed again (in reverse order) and the error names the action and the reason.

Nothing here needs Ansible: converge() runs the same from a module, a test or a boot unit.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import errno
import fcntl
import json
import os
import time

from ansible_collections.cnet.linux.plugins.module_utils import nsfs, ops, rtnl

DEFAULT_STATE_DIR = "/var/lib/cnet"
LOCK_TIMEOUT = 300.0


class EngineError(Exception):
    """A failure with a message for people; `done` lists what was applied (and then undone)."""

    def __init__(self, msg, done=None, undone=None):
        Exception.__init__(self, msg)
        self.done = done or []
        self.undone = undone or []


class Context:
    """Per-run handles: netlink sockets, namespace binder, the state directory's records."""

    def __init__(self, state_dir, check=False):
        self.state_dir = state_dir
        self.check = check
        self.nl = rtnl.Netlink()
        self.binder = nsfs.Binder(self.nl.home)
        self.warnings = []
        self.extra = {}  # more result fields a resource reports (e.g. restore_calls)
        self._records = {}

    def close(self):
        self.nl.close()

    def records(self, kind):
        """A small JSON document kept in the state directory (e.g. which namespace names we bound)."""
        if kind not in self._records:
            try:
                with open(os.path.join(self.state_dir, kind + ".json")) as handle:
                    self._records[kind] = [json.load(handle), False]
            except (OSError, ValueError):
                self._records[kind] = [{}, False]
        return self._records[kind][0]

    def touch(self, kind):
        self._records[kind][1] = True

    def save(self):
        for kind, entry in self._records.items():
            data, dirty = entry
            if dirty:
                target = os.path.join(self.state_dir, kind + ".json")
                tmp = target + ".tmp"
                with open(tmp, "w") as handle:
                    json.dump(data, handle, indent=1, sort_keys=True)
                os.rename(tmp, target)
                entry[1] = False


class Lock:
    """flock on <state_dir>/lock: two runs on one host wait for each other instead of racing."""

    def __init__(self, state_dir, timeout=LOCK_TIMEOUT):
        self.state_dir = state_dir
        self.timeout = timeout
        self.fd = None

    def __enter__(self):
        if not os.path.isdir(self.state_dir):
            os.makedirs(self.state_dir, 0o700)
        self.fd = os.open(os.path.join(self.state_dir, "lock"), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        deadline = time.time() + self.timeout
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES) or time.time() > deadline:
                    os.close(self.fd)
                    raise EngineError("could not lock %s/lock within %d s: another cnet.linux run holds it"
                                      % (self.state_dir, self.timeout))
                time.sleep(0.05)

    def __exit__(self, *exc):
        os.close(self.fd)  # closing releases the flock
        self.fd = None


def reason(exc):
    """A readable cause for an exception raised by netlink or the OS."""
    code = getattr(exc, "errno", None)
    if code:
        detail = getattr(exc, "detail", None)  # the kernel's own words, when it gave them (extended ack)
        return "%s (errno %d)%s" % (os.strerror(code), code, ": " + detail if detail else "")
    return str(exc) or exc.__class__.__name__


def apply(ctx, plan):
    """Run the plan in order. On a failure, undo what this run created, newest first, and raise."""
    undo = []
    done = []
    for action in plan:
        try:
            back = ops.OPS[action.op](ctx, **action.args)
        except Exception as exc:  # any failure midway: roll back, then report
            undone = rollback(ctx, undo)
            ctx.save()
            hint = getattr(exc, "hint", "")
            raise EngineError("'%s' failed: %s%s%s" % (action.text, reason(exc), "; " if hint else "", hint),
                              done=done, undone=undone)
        done.append(action.text)
        if back is not None:
            undo.append(back)
    ctx.save()
    return done


def rollback(ctx, undo):
    undone = []
    for action in reversed(undo):
        try:
            ops.OPS[action.op](ctx, **action.args)
            undone.append(action.text)
        except Exception as exc:  # keep undoing the rest; say what could not be undone
            ctx.warnings.append("rollback of '%s' failed: %s" % (action.text, reason(exc)))
    return undone


def diff_of(resource, plan):
    """before/after of exactly the objects the plan changes."""
    before, after = {}, {}
    for obj in sorted(set(action.obj for action in plan)):
        old, new = resource.before(obj), resource.after(obj)
        if old is not None:
            before[obj] = old
        if new is not None:
            after[obj] = new
    return {"before": before, "after": after}


def converge(resource, check=False, state_dir=DEFAULT_STATE_DIR, diff=True):
    """Observe, plan and (unless check) apply one resource. Returns the module result; 'diff' (before/after of
    what the plan touches) only when asked, as Ansible asks for it only in diff mode."""
    started = time.time()
    with Lock(state_dir):
        ctx = Context(state_dir, check)
        try:
            resource.observe(ctx)
            observed = time.time()
            plan = resource.plan(ctx)
            planned = time.time()
            before_after = diff_of(resource, plan) if diff else None
            if plan and not check:
                apply(ctx, plan)
            elif not check:
                ctx.save()
        finally:
            ctx.close()
    finished = time.time()
    result = {
        "changed": bool(plan),
        "actions": [words for action in plan for words in action.words()],
        "timing": {"observe": round(observed - started, 4), "plan": round(planned - observed, 4),
                   "apply": 0.0 if check else round(finished - planned, 4), "total": round(finished - started, 4)},
        "netlink_writes": ctx.nl.writes,
    }
    result.update(ctx.extra)
    if diff:
        result["diff"] = before_after
    if ctx.warnings:
        result["warnings"] = ctx.warnings
    return result
