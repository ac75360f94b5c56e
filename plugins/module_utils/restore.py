# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""cnet-restore: the host's recorded desired state converged again by the same engine and plans, without
Ansible - what a boot unit runs after a reboot (and a timer, to repair what a firewall reload wiped).

  cnet-restore [--check]     (the host role installs it; it calls main() with the role's --state-dir)

Reads <state_dir>/host.json (the sysctls and kernel modules the host role set) and <state_dir>/desired.json
(what every real module run recorded), converges them kind by kind (resources.registry's order), each
action logged as one line. A pid adoption whose process is gone is reported, never faked (and the pairs in
its namespace with it). Exits 0 when everything is in place, 1 naming what could not be restored, 2 when
the record cannot be read. --check changes nothing and prints what drifted and the plan that would repair it.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import argparse
import json
import os
import sys

from ansible_collections.cnet.linux.plugins.module_utils.core import engine, inputs
from ansible_collections.cnet.linux.plugins.module_utils.core.context import DEFAULT_STATE_DIR
from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError
from ansible_collections.cnet.linux.plugins.module_utils.netlink import namespaces
from ansible_collections.cnet.linux.plugins.module_utils.resources.base import RECORD_VERSION
from ansible_collections.cnet.linux.plugins.module_utils.resources.host import HostSettings
from ansible_collections.cnet.linux.plugins.module_utils.resources.registry import ORDER

HOST_RECORD = "host.json"


class RestoreError(Exception):
    """The record cannot be read or is of a newer format."""


def _load(path, required):
    try:
        with open(path) as handle:
            record = json.load(handle)
    except (IOError, OSError):
        if required:
            raise RestoreError("%s: no record (no real run of the collection on this host yet)" % path)
        return {}
    except ValueError as exc:
        raise RestoreError("%s: not JSON (%s)" % (path, exc))
    if not isinstance(record, dict) or not isinstance(record.get("version", 0), int):
        raise RestoreError("%s: not a cnet.linux record" % path)
    if record.get("version", 0) > RECORD_VERSION:
        raise RestoreError("%s: format %d is newer than this collection's (%d); use the collection that wrote it"
                           % (path, record["version"], RECORD_VERSION))
    return record


def _not_restored(kind, key, item, gone):
    """Why a recorded item is not restored now (its process or namespace is gone), or None."""
    if kind == "netns" and item["kind"] == "pid":
        adopted = namespaces.identity(namespaces.pid_path(int(item["source"])))
        if adopted is None:
            return "namespace '%s': pid %d is gone; its runtime must start it again" % (key, item["source"])
        if adopted == namespaces.own_identity():
            return ("namespace '%s': pid %d runs in the host's own network namespace now (not the container's "
                    "process: a pid is reused after a reboot); not adopted" % (key, item["source"]))
    if kind == "netns" and item["kind"] == "container" and item["source"] in gone:
        return "namespace '%s': it shares '%s', which is not restored" % (key, item["source"])
    if kind == "veth" and item["netns"] in gone:
        return "pair '%s': its namespace '%s' is not restored" % (key, item["netns"])
    return None


def resources(state_dir):
    """([resources to converge, in build order], [what is not restored, and why])."""
    host = _load(os.path.join(state_dir, HOST_RECORD), required=False)
    desired = _load(os.path.join(state_dir, engine.DESIRED + ".json"), required=not host)
    skipped, gone = [], set()
    try:
        out = [HostSettings.from_record(host)] if host else []
    except (InputError, KeyError, TypeError, ValueError, AttributeError) as exc:
        out = []
        skipped.append("%s: the host's settings are damaged (%s: %s); not restored"
                       % (HOST_RECORD, type(exc).__name__, exc))
    kinds = desired.get("kinds") or {}
    if not isinstance(kinds, dict):
        raise RestoreError("%s: 'kinds' is not a mapping" % engine.DESIRED)
    for cls in ORDER:
        groups = {}
        entries = kinds.get(cls.KIND) or {}
        if not isinstance(entries, dict):
            skipped.append("%s: the record of this kind is not a mapping; nothing of it restored" % cls.KIND)
            continue
        for key, entry in sorted(entries.items()):
            try:
                inputs.plain({key: entry}, cls.KIND)  # the key too: it names the entry in the log
                if not isinstance(entry, dict) or not isinstance(entry.get("item"), dict) or \
                        not isinstance(entry.get("options") or {}, dict):
                    raise InputError("%s '%s': not {item, options}" % (cls.KIND, key))
            except InputError as exc:
                skipped.append("%s; not restored (the record was changed by hand or is damaged)" % exc)
                gone.add(key)
                continue
            item = entry["item"]
            try:
                why = _not_restored(cls.KIND, key, item, gone)
            except (KeyError, TypeError, ValueError) as exc:
                why = "%s '%s': the record's item is damaged (%s: %s)" % (cls.KIND, key, type(exc).__name__, exc)
            if why:
                skipped.append(why)
                gone.add(key)
                continue
            options = json.dumps(entry.get("options") or {}, sort_keys=True)
            groups.setdefault(options if cls.GROUP else key, (entry.get("options") or {}, []))[1].append(item)
        for options, items in groups.values():
            try:
                out.append(cls.from_dict(dict(options, resource=cls.KIND, items=items)))
            except (InputError, KeyError, TypeError, ValueError, AttributeError) as exc:  # a damaged record
                skipped.append("%s %s: the record does not make a %s resource (%s: %s); not restored" % (
                    cls.KIND, ", ".join(sorted(str(item.get("name")) for item in items)), cls.KIND,
                    type(exc).__name__, exc))
    return out, skipped


def report(converged, check, skipped, out):
    """The log lines of a run; True when everything is in place (or, with check, nothing drifted)."""
    ok = not skipped
    changes = 0
    for resource, result in converged:
        kind = resource.KIND
        for action in result.get("actions") or []:
            out.write("cnet-restore: %s: %s%s\n" % (kind, "would: " if check else "", action))
            changes += 1
        for warning in result.get("warnings") or []:
            out.write("cnet-restore: %s: warning: %s\n" % (kind, warning))
        if result.get("failed"):
            ok = False
            out.write("cnet-restore: %s: FAILED: %s\n" % (kind, result["msg"]))
        if check and result.get("diff"):
            drifted = sorted(set(result["diff"]["before"]) | set(result["diff"]["after"]))
            if drifted:
                out.write("cnet-restore: %s: drifted: %s\n" % (kind, ", ".join(drifted)))
    for why in skipped:
        out.write("cnet-restore: not restored: %s\n" % why)
    out.write("cnet-restore: %d %s, %d resource calls, %d not restored%s\n" % (
        changes, "changes to make" if check else "changes made", len(converged), len(skipped),
        "" if ok else "; see the lines above"))
    return ok


def main(argv=None, out=sys.stdout):
    parser = argparse.ArgumentParser(prog="cnet-restore", description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--state-dir", default=DEFAULT_STATE_DIR)
    parser.add_argument("--check", action="store_true", help="change nothing; print what drifted")
    args = parser.parse_args(argv)
    try:
        todo, skipped = resources(args.state_dir)
    except (RestoreError, InputError) as exc:
        out.write("cnet-restore: %s\n" % exc)
        return 2
    result = engine.converge_all(todo, check=args.check, state_dir=args.state_dir, diff=args.check, keep_going=True)
    return 0 if report(list(zip(todo, result["results"])), args.check, skipped, out) else 1
