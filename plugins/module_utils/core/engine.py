# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reconcile engine: observe -> desired -> plan -> apply, for any resource (resources.base states the
protocol).

A resource knows its desired state (normalized, serializable); observe(ctx) reads what the host has into a
view; plan(view) returns a list of Actions, each a named operation with plain-data arguments and the text of
the equivalent ip/bridge/iptables command. Check mode returns the plan; a real run applies it; the
`actions` and `diff` of the result are both made from that one plan. If an action fails, what this run
created is removed again and what it changed is set back (in reverse order), and the error names the action
and the reason.

Nothing here needs Ansible: converge() and converge_all() run the same from a module, a test or a boot unit.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import time

from ansible_collections.cnet.linux.plugins.module_utils.core.action import obj_name
from ansible_collections.cnet.linux.plugins.module_utils.core.context import DEFAULT_STATE_DIR, Context, Lock
from ansible_collections.cnet.linux.plugins.module_utils.core.errors import EngineError, reason

DESIRED = "desired"  # <state_dir>/desired.json: every real run's desired state, what cnet-restore replays

__all__ = ["DEFAULT_STATE_DIR", "EngineError", "apply", "converge", "converge_all", "reason"]


def apply(ctx, plan, ops):
    """Run the plan in order with the operations table ops. On a failure, undo what this run created or changed
    (an op's own undo, else the action's planned inverse), newest first, and raise."""
    undo = []
    done = []
    made = [action.creates for action in plan if action.creates]
    if made:
        ctx.journal(made)
    for action in plan:
        try:
            back = ops[action.op](ctx, **action.args)
        except Exception as exc:  # any failure midway: roll back, then report
            undone = rollback(ctx, undo, ops)
            ctx.save()
            ctx.journal(None)
            hint = getattr(exc, "hint", "")
            raise EngineError("'%s' failed: %s%s%s" % (action.text, reason(exc), "; " if hint else "", hint),
                              done=done, undone=undone)
        done.append(action.text)
        back = back if back is not None else action.inverse
        if back is not None:
            undo.append(back)
    ctx.undo.append((ops, undo))  # a later resource of the same call that fails undoes this one too
    ctx.save()
    ctx.journal(None)
    return done


def rollback(ctx, undo, ops):
    undone = []
    for action in reversed(undo):
        try:
            ops[action.op](ctx, **action.args)
            undone.append(action.text)
        except Exception as exc:  # keep undoing the rest; say what could not be undone
            ctx.warnings.append("rollback of '%s' failed: %s" % (action.text, reason(exc)))
    return undone


def diff_of(resource, view, plan):
    """before/after of exactly the objects the plan changes, named as the reports name them."""
    before, after = {}, {}
    for obj in sorted(set(obj for action in plan for obj in action.objects()), key=obj_name):
        old, new = resource.before(view, obj), resource.after(view, obj)
        if old is not None:
            before[obj_name(obj)] = old
        if new is not None:
            after[obj_name(obj)] = new
    return {"before": before, "after": after}


def _one(ctx, resource, diff):
    """Observe, plan and (unless check) apply one resource in an open context; its module result."""
    started = time.time()
    writes = ctx.counts.get("netlink_writes", 0)
    ctx.extra = {}  # this resource's own result fields
    view = resource.observe(ctx)
    observed = time.time()
    plan = resource.plan(view)
    planned = time.time()
    before_after = diff_of(resource, view, plan) if diff else None
    if not ctx.check:
        if plan:
            apply(ctx, plan, resource.OPS)
            ctx.applied()
        if resource.remember(ctx.records(DESIRED)):  # converged: this is the host's desired state now
            ctx.touch(DESIRED)
        for kind in resource.keep(ctx.records, view):  # documents of its own the resource updated (host.json)
            ctx.touch(kind)
        ctx.save()
    finished = time.time()
    result = {
        "changed": bool(plan),
        "actions": [words for action in plan for words in action.words()],
        "timing": {"observe": round(observed - started, 4), "plan": round(planned - observed, 4),
                   "apply": 0.0 if ctx.check else round(finished - planned, 4), "total": round(finished - started, 4)},
        "netlink_writes": ctx.counts.get("netlink_writes", 0) - writes,
    }
    result.update(ctx.extra)
    if diff:
        result["diff"] = before_after
    warnings = list(getattr(view, "warnings", [])) + ctx.warnings
    del ctx.warnings[:]
    if warnings:
        result["warnings"] = warnings
    return result


def _write_records(ctx, documents):
    """Replace whole records of the state directory ({kind: document}, <state_dir>/<kind>.json) where they
    differ; the kinds written."""
    written = []
    for kind, document in sorted((documents or {}).items()):
        record = ctx.records(kind)
        if record != document:
            record.clear()
            record.update(document)
            ctx.touch(kind)
            written.append(kind)
    ctx.save()
    return written


def _undo_call(ctx):
    """A resource of the call failed (its own plan rolled back already): undo what the resources before it
    applied, newest first, and put back the records the call wrote - the host is as before the call. What was
    undone, as text."""
    undone = []
    for ops, undo in reversed(ctx.undo):
        undone += rollback(ctx, undo, ops)
    del ctx.undo[:]
    ctx.applied()
    ctx.restore_records()
    return undone


def converge_all(resources, check=False, state_dir=DEFAULT_STATE_DIR, diff=True, keep_going=False,
                 records_before=None, records_after=None):
    """Converge several resources in order under one lock and one context: each namespace's sockets are opened
    once, and a namespace is read once unless an earlier resource of the call changed it. Returns
    {changed, failed, results: [one module result per resource], records: [kinds written]}. A failure stops the
    call and leaves the host as it was before it: the exception carries what the failing resource's plan had
    applied and undone, the earlier resources' results as its 'results' and what of theirs was undone as its
    'earlier_undone' (their changes are undone too, and the records the call wrote put back). With keep_going
    (a boot-time restore: each kind on its own) a failure is that resource's result ({failed: True, msg}) and
    the next resource is converged.
    records_before / records_after ({kind: document}): records the caller keeps in the state directory (the
    host role's fleet.json), written under the same lock before the first resource and after the last one
    converged (not in check mode, and only where they differ)."""
    results, written = [], []
    with Lock(state_dir):
        ctx = Context(state_dir, check)
        try:
            if not check:
                written += _write_records(ctx, records_before)
            for resource in resources:
                try:
                    results.append(_one(ctx, resource, diff))
                except Exception as exc:  # pylint: disable=broad-except  # undone, then raised again or reported
                    if not keep_going:
                        exc.results = results
                        exc.earlier_undone = None if check else _undo_call(ctx)
                        raise
                    results.append({"changed": bool(getattr(exc, "done", None)), "failed": True, "msg": reason(exc),
                                    "actions": list(getattr(exc, "done", [])), "warnings": list(ctx.warnings)})
                    del ctx.warnings[:]
            if not check and not any(r.get("failed") for r in results):
                written += [kind for kind in _write_records(ctx, records_after) if kind not in written]
        finally:
            ctx.close()
    return {"changed": any(r["changed"] for r in results) or bool(written),
            "failed": any(r.get("failed") for r in results), "results": results, "records": written}


def converge(resource, check=False, state_dir=DEFAULT_STATE_DIR, diff=True):
    """Observe, plan and (unless check) apply one resource. Returns the module result; 'diff' (before/after of
    what the plan touches) only when asked, as Ansible asks for it only in diff mode."""
    return converge_all([resource], check, state_dir, diff)["results"][0]
