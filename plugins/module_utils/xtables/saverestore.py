# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""iptables through iptables-save and iptables-restore: read every table in one call, write one table per
transaction (--noflush, so nothing but the lines given changes), with either backend (nft or legacy).

The ruleset is kept as iptables-save prints it, which is the canonical form both backends print; desired
rules are written in that form, so comparing is comparing strings.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import difflib
import os
import subprocess

from ansible_collections.cnet.linux.plugins.module_utils.core import inputs
from ansible_collections.cnet.linux.plugins.module_utils.core.errors import ToolError

BUILTIN = {"filter": ("INPUT", "FORWARD", "OUTPUT"), "nat": ("PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"),
           "raw": ("PREROUTING", "OUTPUT"), "mangle": ("PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"),
           "security": ("INPUT", "FORWARD", "OUTPUT")}
PATH = ("/usr/sbin", "/sbin", "/usr/bin", "/bin", "/usr/local/sbin")
LOCK_WAIT = "30"  # seconds iptables-restore waits for the xtables lock held by another program


class XtablesError(ToolError):
    """iptables-save/restore missing or failing; the message says which and why."""


def _which(name):
    for folder in PATH:
        path = os.path.join(folder, name)
        if os.access(path, os.X_OK):
            return path
    return None


def command(family):
    """iptables (IPv4) or ip6tables (IPv6)."""
    return "ip6tables" if family == 6 else "iptables"


def tools(backend, family=4):
    """(save, restore) paths for backend 'nft', 'legacy' or 'auto' (whatever 'iptables' is on this host), of
    iptables (family 4) or ip6tables (6)."""
    cmd = command(family)
    names = {"nft": (cmd + "-nft-save", cmd + "-nft-restore"),
             "legacy": (cmd + "-legacy-save", cmd + "-legacy-restore"),
             "auto": (cmd + "-save", cmd + "-restore")}[backend]
    found = tuple(_which(name) for name in names)
    if None in found:
        if backend == "auto":
            raise XtablesError("neither iptables-nft nor iptables-legacy is installed (no iptables-save/"
                               "iptables-restore); install the 'iptables' package")
        raise XtablesError("backend %s: %s not found; install the 'iptables' package or choose another backend"
                           % (backend, " and ".join(n for n, f in zip(names, found) if f is None)))
    return found


class Tables(dict):
    """{table: {chain: [rules]}}, and the builtin chains' policies as .policies {table: {chain: policy}}."""

    def __init__(self, *args, **kwargs):
        dict.__init__(self, *args, **kwargs)
        self.policies = {}

    def policy(self, table, chain):
        """A builtin chain's policy; a table the kernel does not have yet filters as ACCEPT."""
        return self.policies.get(table, {}).get(chain, "ACCEPT")


def parse(text):
    """{table: {chain: [rules]}} from iptables-save output, chains in its order (an empty chain has []), with the
    builtin chains' policies (Tables.policies); comments and counters are not kept."""
    tables, table = Tables(), None
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        if line.startswith("*"):
            current = line[1:].strip()
            table = tables[current] = {}
        elif line == "COMMIT":
            table = None
        elif table is None:
            continue
        elif line.startswith(":"):
            words = line[1:].split(" ")
            table.setdefault(words[0], [])
            if len(words) > 1 and words[1] != "-":
                tables.policies.setdefault(current, {})[words[0]] = words[1]
        elif line.startswith("-A "):
            chain, _sep, rule = line[3:].partition(" ")
            table.setdefault(chain, []).append(rule)
    return tables


def save(backend, meanwhile=None, table=None, family=4):
    """Every table (or one), parsed. meanwhile(), if given, runs while iptables-save does (the work that needs
    no reading)."""
    save_path, _restore = tools(backend, family)
    proc = subprocess.Popen([save_path] + (["-t", table] if table else []), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        if meanwhile is not None:
            meanwhile()
    finally:
        out, err = proc.communicate()
    if proc.returncode != 0:
        raise XtablesError("%s failed: %s" % (os.path.basename(save_path), err.decode(errors="replace").strip()))
    return parse(out.decode(errors="replace"))


def restore(backend, tables, family=4):
    """Apply {table: lines} (-I/-D/-A/-F/-X, ':CHAIN - [0:0]' for a new chain) in one iptables-restore
    process; each table is its own transaction (committed in turn, so a failure leaves the ones before it)."""
    _save, restore_path = tools(backend, family)
    for table, lines in tables.items():  # each rule exactly one line: a value cannot add a rule of its own
        inputs.one_line_each([table] + list(lines), "%s-restore payload" % command(family))
    payload = "".join("*%s\n%s\nCOMMIT\n" % (table, "\n".join(lines)) for table, lines in tables.items())
    res = subprocess.run([restore_path, "--noflush", "--wait", LOCK_WAIT], input=payload.encode(),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    if res.returncode != 0:
        raise XtablesError("%s (tables %s) failed: %s" % (os.path.basename(restore_path), ", ".join(tables),
                                                          res.stderr.decode(errors="replace").strip()))


def chain_edits(table, chain, current, desired, cmd="iptables"):
    """(restore lines, readable lines) turning rule list current into desired with the fewest deletes and
    inserts. Restore lines go from the end of the chain to its start, so each position they name is still the
    one observed; unchanged rules are left in place (their counters too)."""
    if current == desired:
        return [], []
    if not current or not desired:  # a new or emptied chain: no matching to do
        opcodes = [("insert", 0, 0, 0, len(desired))] if desired else [("delete", 0, len(current), 0, 0)]
    else:
        opcodes = difflib.SequenceMatcher(None, current, desired, autojunk=False).get_opcodes()
    words = []
    for tag, i1, i2, j1, j2 in opcodes:
        if tag in ("delete", "replace"):
            words += ["%s -t %s -D %s %s" % (cmd, table, chain, rule) for rule in current[i1:i2]]
        if tag in ("insert", "replace"):
            if i2 == len(current):
                head = "%s -t %s -A %s " % (cmd, table, chain)
                words += [head + rule for rule in desired[j1:j2]]
            else:
                words += ["%s -t %s -I %s %d %s" % (cmd, table, chain, j1 + offset + 1, rule)
                          for offset, rule in enumerate(desired[j1:j2])]
    lines = []
    for tag, i1, i2, j1, j2 in reversed(opcodes):
        if tag in ("delete", "replace"):
            lines += ["-D %s %d" % (chain, n) for n in range(i2, i1, -1)]
        if tag in ("insert", "replace"):
            if i1 == len(current):
                head = "-A %s " % chain
                lines += [head + rule for rule in desired[j1:j2]]
            else:
                lines += ["-I %s %d %s" % (chain, i1 + 1, rule) for rule in reversed(desired[j1:j2])]
    return lines, words
