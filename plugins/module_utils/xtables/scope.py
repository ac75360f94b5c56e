# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Planning iptables changes for one owner of chains (a Scope): the bridge networks' NAT and filter rules own
some chains, the overlays' VXLAN port filter others, so neither removes the other's. A plan is one
iptables-restore --noflush Action with a transaction per changed table, its undo (the same planning from the
state after back to the state before) and what each table's owned part must be once committed.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.cnet.linux.plugins.module_utils.core.action import Action
from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError
from ansible_collections.cnet.linux.plugins.module_utils.xtables import saverestore


def target(rule):
    """The chain or target a rule jumps to (-j X)."""
    head, sep, tail = rule.rpartition("-j ")
    if not sep or (head and not head.endswith(" ")):
        return None
    return tail.split(" ", 1)[0]


class Scope:
    """The chains one resource owns (fixed names and name prefixes), the jumps it keeps at the top of builtin
    chains, and the chains it keeps as the user left them (never rewritten; removed only when empty)."""

    def __init__(self, name, tables, fixed, prefixes, jumps, user=(), family=4):
        self.name, self.tables, self.family = name, tuple(tables), family
        self.cmd = saverestore.command(family)  # iptables or ip6tables: the commands and the diff's objects
        self.fixed, self.prefixes = frozenset(fixed), tuple(prefixes)
        self.jumps = dict((key, list(rules)) for key, rules in jumps.items())
        self.user = frozenset(user)

    def owns(self, chain):
        return chain in self.fixed or chain.startswith(self.prefixes)

    def ours(self, rule):
        """Whether a rule jumps to one of this scope's chains."""
        return self.owns(target(rule) or "")

    def chains_of(self, chains):
        return dict((c, r) for c, r in chains.items() if self.owns(c))

    def owned(self, table, chains):
        """This scope's part of one table ({chain: rules}, observed or planned): its chains, and its jumps in
        the builtin chains - what the diff shows and what a failed restore is checked against."""
        jumps = {}
        for (t, builtin) in self.jumps:
            mine = [rule for rule in chains.get(builtin, []) if self.ours(rule)] if t == table else []
            if mine:
                jumps[builtin] = mine
        return {"chains": dict(sorted(self.chains_of(chains).items())), "jumps": dict(sorted(jumps.items()))}

    def after_table(self, table, current, want, jumps):
        """The whole table as a run leaves it: foreign chains as they are, ours as wanted, our jumps first."""
        after = dict((c, r) for c, r in current.items() if not self.owns(c))
        after.update(want)
        for (t, builtin), wanted in jumps.items():
            if t == table:
                after[builtin] = list(wanted) + [r for r in current.get(builtin, []) if not self.ours(r)]
        return after


def restore_action(scope, backend, current, want, jumps, policies=None):
    """The Action taking every table of the scope from current ({table: {chain: rules}}, whole tables) to
    want ({table: {chain: rules}}, our chains only) with our jumps ({(table, builtin): rules}) and the builtin
    chains' policies ({(table, builtin): (policy now, policy wanted)}, set in the same transaction as the
    chains that accept what the policy no longer does); None if nothing changes."""
    lines, undo, expect, words, parts = {}, {}, {}, [], []
    for table in scope.tables:
        have = current.get(table, {})
        cur_owned = scope.chains_of(have)
        more, readable = table_lines(scope, table, have, cur_owned, want[table], jumps)
        flips = sorted((builtin, now, wanted) for (t, builtin), (now, wanted) in (policies or {}).items()
                       if t == table and now != wanted)
        more = [":%s %s [0:0]" % (builtin, wanted) for builtin, _now, wanted in flips] + more
        readable = ["%s -t %s -P %s %s" % (scope.cmd, table, builtin, wanted) for builtin, _now, wanted in flips] \
            + readable
        if not more:
            continue
        lines[table] = more
        words += readable
        after = scope.after_table(table, have, want[table], jumps)
        expect[table] = scope.owned(table, after)
        parts += [(scope.cmd, table, name) for name in changed_chains(scope, table, have, after)]
        have_jumps = dict(((t, b), [r for r in have.get(b, []) if scope.ours(r)]) for (t, b) in jumps if t == table)
        undo[table] = table_lines(scope, table, after, want[table], cur_owned, have_jumps)[0]
        undo[table] = [":%s %s [0:0]" % (builtin, now) for builtin, now, _wanted in flips] + undo[table]
        parts += [(scope.cmd, table, "%s policy" % builtin) for builtin, _now, _wanted in flips]
    if not lines:
        return None
    action = Action((scope.cmd,), "xt_restore", "%s-restore --noflush (tables %s)" % (scope.cmd, ", ".join(lines)),
                    details=words, backend=backend, tables=lines, undo=undo, expect=expect, scope=scope)
    action.parts = parts
    return action


def changed_chains(scope, table, before, after):
    """The chains of one table a restore changes: ours that are created, edited or removed, and the builtin
    chains whose jumps to ours move (a foreign rule above one counts: the jump goes back to the top)."""
    names = set(scope.chains_of(before)) | set(scope.chains_of(after)) | set(b for (t, b) in scope.jumps if t == table)
    return sorted(name for name in names if (name in before, before.get(name)) != (name in after, after.get(name)))


def table_lines(scope, table, current, cur_owned, want, jumps):
    """(restore lines, readable lines) for one table: new chains, the jumps at the top of builtin chains,
    each owned chain's edits, removed chains last (once nothing refers to them)."""
    lines, words = [], []
    for name in want:
        if name not in current:
            lines.append(":%s - [0:0]" % name)
            words.append("%s -t %s -N %s" % (scope.cmd, table, name))
    for (t, builtin), wanted in sorted(jumps.items()):
        if t != table:
            continue
        rules = current.get(builtin, [])
        mine = [i for i, rule in enumerate(rules) if scope.ours(rule)]
        if [rules[i] for i in mine] == wanted and mine == list(range(len(wanted))):
            continue
        for i in reversed(mine):
            lines.append("-D %s %d" % (builtin, i + 1))
            words.append("%s -t %s -D %s %s" % (scope.cmd, table, builtin, rules[i]))
        lines += ["-I %s 1 %s" % (builtin, rule) for rule in reversed(wanted)]
        words += ["%s -t %s -I %s %d %s" % (scope.cmd, table, builtin, k + 1, rule) for k, rule in enumerate(wanted)]
    for name, rules in want.items():
        if name in scope.user and name in current:
            continue  # the user's: never rewritten
        more, readable = saverestore.chain_edits(table, name, cur_owned.get(name, []), rules, scope.cmd)
        lines += more
        words += readable
    gone = [name for name in cur_owned if name not in want and not (name in scope.user and cur_owned[name])]
    builtins = set(b for (t, b) in jumps if t == table)  # our jumps there go away with the chains
    for name, rules in current.items():
        for rule in rules if name not in cur_owned and name not in builtins else []:
            if target(rule) in gone:
                raise InputError("table %s: chain %s is to be removed but a rule that is not the collection's jumps "
                                 "to it: '-A %s %s'; remove that rule first" % (table, target(rule), name, rule))
    # every chain emptied before any is deleted: one may still jump to another until then
    lines += ["-F %s" % name for name in gone] + ["-X %s" % name for name in gone]
    words += ["%s -t %s -F %s" % (scope.cmd, table, name) for name in gone] + \
        ["%s -t %s -X %s" % (scope.cmd, table, name) for name in gone]
    return lines, words
