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
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.cnet.linux.plugins.module_utils import marks, names, nsfs
from ansible_collections.cnet.linux.plugins.module_utils.actions import Action
from ansible_collections.cnet.linux.plugins.module_utils.names import InputError
from ansible_collections.cnet.linux.plugins.module_utils.plans import link_set as _link_set

KINDS = ("create", "pid", "container", "host")


def normalize(raw, field, default_state):
    name = names.nsname(raw.get("name"), field + ".name")
    chosen = [key for key in ("pid", "container", "host") if raw.get(key) not in (None, False)]
    if len(chosen) > 1:
        raise InputError("%s: %s are mutually exclusive; a namespace is new, a pid's, another container's "
                         "or the host's" % (field, " and ".join(chosen)))
    kind = chosen[0] if chosen else "create"
    item = {"name": name, "state": raw.get("state") or default_state, "kind": kind, "source": None}
    if kind == "pid":
        try:
            pid = int(raw["pid"])
        except (TypeError, ValueError):
            pid = 0
        if pid <= 0:
            raise InputError("%s.pid: '%s' is not a process id" % (field, raw["pid"]))
        item["source"] = pid
    elif kind == "container":
        item["source"] = names.nsname(raw["container"], field + ".container")
        if item["source"] == name:
            raise InputError("%s.container: a namespace cannot share itself" % field)
    elif kind == "host":
        item["source"] = "host"
    if item["state"] not in ("present", "absent"):
        raise InputError("%s.state: '%s' is not one of present, absent" % (field, item["state"]))
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


class Netns:
    def __init__(self, items, purge=False):
        seen = set()
        for item in items:
            if item["name"] in seen:
                raise InputError("namespaces: '%s' is listed twice" % item["name"])
            seen.add(item["name"])
        self.items = ordered(items)
        self.purge = purge
        self.by_name = dict((item["name"], item) for item in self.items)

    @classmethod
    def from_params(cls, params):
        state = params.get("state") or "present"
        if params.get("namespaces") is not None:
            raws = params["namespaces"]
            items = [normalize(raw, "namespaces[%d]" % i, state) for i, raw in enumerate(raws)]
        else:
            items = [normalize(params, "netns", state)]
        return cls(items, purge=bool(params.get("purge")))

    def to_dict(self):
        return {"resource": "netns", "items": self.items, "purge": self.purge}

    # observe

    def observe(self, ctx):
        self.ctx = ctx
        self.records = ctx.records("netns")
        self.found = dict((name, nsfs.identity(nsfs.path(name))) for name in nsfs.names())
        self.own = nsfs.own_identity()
        self.loopback = {}
        for item in self.items:
            if item["state"] == "present" and item["kind"] == "create" and self.found.get(item["name"]):
                self.loopback[item["name"]] = self._lo(item["name"])

    def _lo(self, name):
        """The namespace's loopback, from one link dump (no pyroute2 socket unless something is written)."""
        for link in self.ctx.nl.sock(name).links():
            if link["name"] == "lo":
                return link
        return {"up": False, "alias": None}

    def owned(self, name):
        """A name we bound stays ours while our record of it does (a binding re-pointed by hand is drift to
        repair), except a namespace of ours replaced by an unmarked one: someone else's, left alone."""
        ident = self.found.get(name)
        record = self.records.get(name)
        if record is not None:
            if ident is None or record.get("ino") == ident[1] or record.get("kind") != "create":
                return True  # a bare file is what a crash of ours leaves behind
        if ident is None:
            return False
        lo = self.loopback.get(name) or self._lo(name)
        if lo["alias"] == marks.make("netns", name=name):
            self.records[name] = {"kind": "create", "ino": ident[1]}  # the mark survives a lost state dir
            self.ctx.touch("netns")
            return True
        return False

    def source_path(self, item):
        if item["kind"] == "pid":
            return nsfs.pid_path(item["source"])
        if item["kind"] == "container":
            return nsfs.path(item["source"])
        return nsfs.SELF

    # plan

    def plan(self, ctx):
        plan, renewed = [], set()
        for item in self.items:
            if item["state"] == "present":
                plan.extend(self._present(item, renewed))
            else:
                plan.extend(self._absent(item))
        if self.purge:
            for name in sorted(self.found):
                if name not in self.by_name and self.owned(name):
                    plan.append(Action("netns " + name, "netns_del", "ip netns delete %s" % name, name=name))
        return plan

    def _make(self, item):
        name, obj = item["name"], "netns " + item["name"]
        if item["kind"] == "create":
            mark = marks.make("netns", name=name)
            return [Action(obj, "netns_add", "ip netns add %s" % name, name=name),
                    Action(obj, "link_set", "ip -n %s link set lo up alias '%s'" % (name, mark), ns=name, name="lo",
                           state="up", ifalias=mark)]
        source = self.source_path(item)
        if item["kind"] == "pid":
            text = "ip netns attach %s %d" % (name, item["source"])
        else:
            text = "touch %s && mount --bind %s %s" % (nsfs.path(name), source, nsfs.path(name))
        return [Action(obj, "netns_bind", text, name=name, kind=item["kind"], source=source)]

    def _present(self, item, renewed):
        name = item["name"]
        if item["kind"] == "pid" and nsfs.identity(self.source_path(item)) is None:
            raise InputError("namespaces: '%s': pid %d is not running (no %s)"
                             % (name, item["source"], self.source_path(item)))
        if item["kind"] == "container" and item["source"] not in self.found and (
                self.by_name.get(item["source"], {}).get("state") != "present"):
            raise InputError("namespaces: '%s' shares the namespace of '%s', which does not exist and is not "
                             "listed; list it first" % (name, item["source"]))
        if name not in self.found:
            renewed.add(name)
            return self._make(item)
        if not self.owned(name):
            raise InputError("namespaces: '%s' exists and was not created by cnet.linux; it is left alone. "
                             "Pick another name, or remove it yourself (ip netns delete %s)" % (name, name))
        ident = self.found[name]
        record = self.records.get(name, {})
        wrong = record.get("kind", "create") != item["kind"] or ident is None
        if not wrong and item["kind"] == "create":
            lo, mark = self.loopback[name], marks.make("netns", name=name)
            change = ([("state", "up", "up")] if not lo["up"] else []) + (
                [("ifalias", mark, "alias '%s'" % mark)] if lo["alias"] != mark else [])
            if change:
                return [_link_set("netns " + name, name, "lo", change)]
            return []
        if not wrong:
            if item["kind"] == "container" and item["source"] in renewed:
                wrong = True
            else:
                wrong = ident != nsfs.identity(self.source_path(item))
        if not wrong:
            return []
        renewed.add(name)
        return [Action("netns " + name, "netns_del", "ip netns delete %s" % name, name=name)] + self._make(item)

    def _absent(self, item):
        name = item["name"]
        if name not in self.found:
            if name in self.records:
                del self.records[name]
                self.ctx.touch("netns")
            return []
        if not self.owned(name):
            self.ctx.warnings.append("namespace '%s' was not created by cnet.linux; left alone" % name)
            return []
        return [Action("netns " + name, "netns_del", "ip netns delete %s" % name, name=name)]

    # diff views

    def before(self, obj):
        name = obj.split(" ", 1)[1]
        if name not in self.found:
            return None
        record = self.records.get(name, {})
        view = {"kind": record.get("kind", "foreign")}
        if record.get("kind") == "create" and name in self.loopback:
            view["loopback"] = "up" if self.loopback[name]["up"] else "down"
        return view

    def after(self, obj):
        name = obj.split(" ", 1)[1]
        item = self.by_name.get(name)
        if item is None or item["state"] == "absent":
            return None
        view = {"kind": item["kind"]}
        if item["kind"] == "create":
            view["loopback"] = "up"
        elif item["kind"] in ("pid", "container"):
            view["source"] = item["source"]
        return view
