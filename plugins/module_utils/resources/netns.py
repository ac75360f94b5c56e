# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Named network namespaces: the sandboxes containers live in.

kind: create    a new namespace (ip netns add), loopback up; its lo carries the mark
      pid       the namespace of a running process (ip netns attach NAME PID)
      container another name's namespace, the same inode (Docker's --network container:NAME)
      host      the namespace the module runs in (Docker's --network host)
Ownership: the state directory records each name we bound and the namespace's inode; namespaces we create
also carry the mark on their loopback's alias. A namespace we did not bind is never removed or changed.
Each namespace's name files (/etc/netns/<name>/hosts and resolv.conf) are kept by netns_files.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

from ansible_collections.cnet.linux.plugins.module_utils.core import inputs, marks
from ansible_collections.cnet.linux.plugins.module_utils.core.action import Action
from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError
from ansible_collections.cnet.linux.plugins.module_utils.core.ops import merged
from ansible_collections.cnet.linux.plugins.module_utils.files import ops as file_ops
from ansible_collections.cnet.linux.plugins.module_utils.netlink import namespaces, ops, sockets
from ansible_collections.cnet.linux.plugins.module_utils.resources import netns_files
from ansible_collections.cnet.linux.plugins.module_utils.resources.base import Resource, View
from ansible_collections.cnet.linux.plugins.module_utils.resources.links import link_set as _link_set

KINDS = ("create", "pid", "container", "host")


def _normalize(raw, field, default_state):
    name = inputs.nsname(raw.get("name"), field + ".name")
    chosen = [key for key in ("pid", "container", "host") if raw.get(key) not in (None, False)]
    if len(chosen) > 1:
        raise InputError("%s: %s are mutually exclusive; a namespace is new, a pid's, another container's "
                         "or the host's" % (field, " and ".join(chosen)))
    kind = chosen[0] if chosen else "create"
    item = {"name": name, "state": inputs.state(raw, field, default_state), "kind": kind, "source": None}
    if kind == "pid":
        try:
            pid = int(raw["pid"])
        except (TypeError, ValueError):
            pid = 0
        if pid <= 0:
            raise InputError("%s.pid: '%s' is not a process id" % (field, raw["pid"]))
        item["source"] = pid
    elif kind == "container":
        item["source"] = inputs.nsname(raw["container"], field + ".container")
        if item["source"] == name:
            raise InputError("%s.container: a namespace cannot share itself" % field)
    elif kind == "host":
        item["source"] = "host"
    item.update(netns_files.normalize(raw, field))
    return item


def ordered(items):
    """Items sharing another listed name's namespace come after that name."""
    by_name = dict((item["name"], item) for item in items)
    done, out = set(), []

    def visit(item, trail):
        if item["name"] in done:
            return
        if item["name"] in trail:
            raise InputError("namespaces: container references form a loop: %s" % " -> ".join(trail + [item["name"]]))
        target = by_name.get(item["source"]) if item["kind"] == "container" else None
        if target is not None:
            visit(target, trail + [item["name"]])
        done.add(item["name"])
        out.append(item)

    for item in items:
        visit(item, [])
    return out


def _loopback(nl, name):
    """A namespace's loopback, from one link dump of it."""
    for link in nl.sock(name).links():
        if link["name"] == "lo":
            return link
    return {"up": False, "alias": None}


def source_path(item):
    if item["kind"] == "pid":
        return namespaces.pid_path(item["source"])
    if item["kind"] == "container":
        return namespaces.path(item["source"])
    return namespaces.SELF


def _netns_del(name, text=None):
    return Action(("netns", name), "netns_del", text or "ip netns delete %s" % name, name=name)


class Netns(Resource):
    KIND = "netns"
    ITEMS = "namespaces"
    FIELD = "netns"
    UNIQUE = ((("name",), "namespaces: '%s' is listed twice"),)
    OPS = merged(ops.OPS, file_ops.OPS)

    @classmethod
    def normalize(cls, raw, field, state, defaults=None):
        return _normalize(raw, field, state)

    @classmethod
    def options_of(cls, params):
        # files: manage (a module call) or keep (a boot-time restore: the files are on disk already)
        return {"purge": bool(params.get("purge")), "hosts_tables": netns_files.tables(params.get("hosts_tables")),
                "files": "manage"}

    def replay_options(self):
        return {"purge": False, "hosts_tables": {}, "files": "keep"}

    def arrange(self, items):
        return ordered(items)

    def validate(self):
        if self._files():
            netns_files.check_includes(self.items, getattr(self, "hosts_tables", {}))
        self._validate_sharing()

    def _validate_sharing(self):
        """A namespace that shares another's (container mode) cannot go with a call that removes that one: the
        removal is not undone if the binding then fails."""
        for item in self.items:
            source = self.by_key.get(item["source"]) if item["kind"] == "container" else None
            if item["state"] == "present" and source is not None and source["state"] == "absent":
                name, gone = item["name"], source["name"]
                raise InputError("namespaces: '%s' shares the namespace of '%s' (container: %s), which this call "
                                 "removes; keep '%s' or drop '%s'" % (name, gone, gone, gone, name))

    # observe: the names under /run/netns, our records, the loopback of each namespace we create, and whose
    # each name is that the plan asks about

    def observe(self, ctx):
        nl = sockets.of(ctx)
        found = dict((name, namespaces.identity(namespaces.path(name))) for name in namespaces.names())
        view = View(ctx.check, records=ctx.records("netns"), found=found, loopback={}, sources={}, owned={},
                    home=namespaces.own_identity())
        for item in self.items:
            name = item["name"]
            if item["state"] == "present" and item["kind"] == "create" and found.get(name):
                view.loopback[name] = _loopback(nl, name)
            if item["state"] == "present" and item["kind"] != "create":
                view.sources[name] = namespaces.identity(source_path(item))
            if item["state"] == "absent" and name not in found and view.records.pop(name, None) is not None:
                ctx.touch("netns")  # gone already: forget it
        asked = [name for name in found if name in self.by_key or self.purge]
        for name in asked:
            view.owned[name] = self._owned(ctx, nl, view, name)
        view.files = {}
        if self._files():
            netns_files.observe(view, [item["name"] for item in self.items], self.purge)
        return view

    def _files(self):
        return getattr(self, "files", "manage") == "manage"

    def _owned(self, ctx, nl, view, name):
        """A name we bound stays ours while our record of it does (a binding re-pointed by hand is drift to
        repair), except a namespace of ours replaced by an unmarked one: someone else's, left alone."""
        ident = view.found.get(name)
        record = view.records.get(name)
        if record is not None:
            if ident is None or record.get("ino") == ident[1] or record.get("kind") != "create":
                return True  # a bare file is what a crash of ours leaves behind
        if ident is None:
            return False
        lo = view.loopback.get(name) or _loopback(nl, name)
        if lo["alias"] == marks.make("netns", name=name):
            view.records[name] = {"kind": "create", "ino": ident[1]}  # the mark survives a lost state dir
            ctx.touch("netns")
            return True
        return False

    # plan

    def plan(self, view):
        renewed = set()
        out = []
        tables = getattr(self, "hosts_tables", {})
        for item in self.items:
            if item["state"] == "absent":
                out.extend(self.absent(view, item))
                continue
            out.extend(self._present(view, item, renewed))
            if self._files():
                out.extend(netns_files.present(view, item, tables))
        out += self.purged(view)
        if self.purge and self._files():
            out += netns_files.strays(view, self.by_key, set(a.args["name"] for a in out if a.op == "netns_del"))
        return out

    def purged(self, view):
        if not self.purge:
            return []
        out = []
        for name in sorted(view.found):
            if name not in self.by_key and view.owned[name]:
                out.append(_netns_del(name))
                out += netns_files.removed(view, name)
        return out

    def _make(self, item):
        name, obj = item["name"], ("netns", item["name"])
        if item["kind"] == "create":
            mark = marks.make("netns", name=name)
            # the mark of a namespace we made is its loopback's, set by the next step
            return [Action(obj, "netns_add", "ip netns add %s" % name, name=name).making(name, "lo", mark),
                    Action(obj, "link_set", "ip -n %s link set lo up alias '%s'" % (name, mark), ns=name, name="lo",
                           state="up", ifalias=mark)]
        source = source_path(item)
        if item["kind"] == "pid":
            text = "ip netns attach %s %d" % (name, item["source"])
        else:
            text = "touch %s && mount --bind %s %s" % (namespaces.path(name), source, namespaces.path(name))
        return [Action(obj, "netns_bind", text, name=name, kind=item["kind"], source=source)]

    def _present(self, view, item, renewed):
        name = item["name"]
        if item["kind"] == "pid" and view.sources[name] is None:
            raise InputError("namespaces: '%s': pid %d is not running (no %s)"
                             % (name, item["source"], source_path(item)))
        if item["kind"] == "pid" and view.sources[name] == view.home:
            raise InputError("namespaces: '%s': pid %d runs in the host's own network namespace; adopting it would "
                             "make the host's namespace the container's (its interfaces would land beside the "
                             "host's). Give the container network: host (netns host: true), or the pid of a process "
                             "in a namespace of its own" % (name, item["source"]))
        if item["kind"] == "container" and item["source"] not in view.found and (
                self.by_key.get(item["source"], {}).get("state") != "present"):
            raise InputError("namespaces: '%s' shares the namespace of '%s', which does not exist and is not "
                             "listed; list it first" % (name, item["source"]))
        if name not in view.found:
            renewed.add(name)
            return self._make(item)
        if not view.owned[name]:
            raise InputError("namespaces: '%s' exists and was not created by cnet.linux; it is left alone. "
                             "Pick another name, or remove it yourself (ip netns delete %s)" % (name, name))
        ident = view.found[name]
        record = view.records.get(name, {})
        wrong = record.get("kind", "create") != item["kind"] or ident is None
        if not wrong and item["kind"] == "create":
            lo, mark = view.loopback[name], marks.make("netns", name=name)
            change = ([("state", "up", "up")] if not lo["up"] else []) + (
                [("ifalias", mark, "alias '%s'" % mark)] if lo["alias"] != mark else [])
            if change:
                return [_link_set(("netns", name), name, "lo", change, lo)]
            return []
        if not wrong:
            if item["kind"] == "container" and item["source"] in renewed:
                wrong = True
            else:
                wrong = ident != view.sources[name]
        if not wrong:
            return []
        renewed.add(name)
        return [_netns_del(name)] + self._make(item)

    def absent(self, view, item):
        name = item["name"]
        if name not in view.found:
            return netns_files.removed(view, name)  # left by a run that ended in between
        if not view.owned[name]:
            view.warn("namespace '%s' was not created by cnet.linux; left alone" % name)
            return []
        return [_netns_del(name)] + netns_files.removed(view, name)

    # diff views

    def before(self, view, key):
        if key[0] == "file":
            return netns_files.before(view, key)
        name = key[1]
        if name not in view.found:
            return None
        record = view.records.get(name, {})
        out = {"kind": record.get("kind", "foreign")}
        if record.get("kind") == "create" and name in view.loopback:
            out["loopback"] = "up" if view.loopback[name]["up"] else "down"
        return out

    def after(self, view, key):
        if key[0] == "file":
            return netns_files.after(view, key, self._item_of_file(key), getattr(self, "hosts_tables", {}))
        item = self.by_key.get(key[1])
        if item is None or item["state"] == "absent":
            return None
        out = {"kind": item["kind"]}
        if item["kind"] == "create":
            out["loopback"] = "up"
        elif item["kind"] in ("pid", "container"):
            out["source"] = item["source"]
        return out

    def _item_of_file(self, key):
        return self.by_key.get(os.path.basename(os.path.dirname(key[1])))
