# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The xtables layer's operation: one iptables-restore transaction per changed table."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.cnet.linux.plugins.module_utils.core.action import Action
from ansible_collections.cnet.linux.plugins.module_utils.core.ops import registry
from ansible_collections.cnet.linux.plugins.module_utils.xtables import saverestore

OPS = {}  # op name -> function(ctx, **args) -> undo Action or None
op = registry(OPS)


@op("xt_restore")
def xt_restore(ctx, backend, tables, undo, expect, scope):
    """One iptables-restore --noflush for the changed tables (a transaction each). If it fails, the tables it
    had committed (their owned part is what the plan expected) are put back before the error is reported.
    The undo is the reverse transaction of every table."""
    ctx.extra["restore_calls"] = ctx.extra.get("restore_calls", 0) + 1
    family = getattr(scope, "family", 4)
    try:
        saverestore.restore(backend, tables, family)
    except saverestore.XtablesError as exc:
        saved = saverestore.save(backend, family=family)
        done = dict((table, undo[table]) for table in tables
                    if table in expect and scope.owned(table, saved.get(table, {})) == expect[table])
        if done:
            saverestore.restore(backend, done, family)
            raise saverestore.XtablesError("%s; table %s, committed before it, put back as it was"
                                           % (exc, ", ".join(done)))
        raise
    if not undo:
        return None
    return Action((scope.cmd,), "xt_restore", "%s-restore --noflush (tables %s, the rules before)"
                  % (scope.cmd, ", ".join(undo)), backend=backend, tables=undo, undo={}, expect={}, scope=scope)
