# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The name files of the namespaces (files.etc_netns): the part of the netns resource that keeps
/etc/netns/<name>/hosts and resolv.conf, as its own observe, plan and diff views.

An item's 'hosts' (its own entries) and 'hosts_include' (shared tables, by name) make its hosts file; its
'dns' makes its resolv.conf. An item with neither has no file of ours: one we wrote before is removed (a
container that moved to host mode reads the host's files again). A file without the mark is left alone,
with a warning. A namespace that goes takes its files with it. A boot-time restore leaves the files as they
are (files: keep): they are on disk, and a reboot does not lose them.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

from ansible_collections.cnet.linux.plugins.module_utils.core.action import Action
from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError
from ansible_collections.cnet.linux.plugins.module_utils.files import etc_netns
from ansible_collections.cnet.linux.plugins.module_utils.files.ops import read

SHOWN = 4  # changed lines an action names before it counts the rest


def normalize(raw, field):
    """The item's file fields, normalized."""
    include = raw.get("hosts_include") or []
    if not isinstance(include, list) or not all(isinstance(name, str) for name in include):
        raise InputError("%s.hosts_include: a list of names of hosts_tables is expected" % field)
    return {"hosts": etc_netns.entries(raw.get("hosts"), field + ".hosts"), "hosts_include": list(include),
            "dns": etc_netns.dns(raw.get("dns"), field + ".dns")}


def tables(raw):
    """hosts_tables: {name: [entries]} normalized."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise InputError("hosts_tables: a mapping of table name to a list of {address, names} is expected")
    return dict((str(name), etc_netns.entries(value or [], "hosts_tables.%s" % name)) for name, value in raw.items())


def check_includes(items, known):
    for item in items:
        for name in item.get("hosts_include") or []:
            if name not in known:
                raise InputError("namespaces: '%s': hosts_include names '%s', which hosts_tables does not have (it "
                                 "has %s)" % (item["name"], name, ", ".join(sorted(known)) or "none"))


def observe(view, names, purge):
    """view.files = {name: {file: text or None}} of the listed names, and with purge of every directory under
    /etc/netns (a crash can leave files whose namespace is gone). The host's resolv.conf is read when an item
    first needs it (wanted)."""
    listed = set(names)
    if purge:
        try:
            listed.update(os.listdir(etc_netns.ROOT))
        except OSError:
            pass
    view.files = dict((name, dict((what, read(etc_netns.path(name, what))) for what in etc_netns.FILES))
                      for name in sorted(listed))


def wanted(view, item, hosts_tables):
    """{file: text or None} the item's files are to hold (None: no file of ours)."""
    memo = view.memo("hosts tables", lambda: {})
    out = dict((what, None) for what in etc_netns.FILES)
    hosts, include, dns = item.get("hosts"), item.get("hosts_include") or [], item.get("dns")  # none in old records
    if hosts is not None or include:
        key = (item["name"], tuple(include))
        if key not in memo:
            memo[key] = etc_netns.render_hosts(item["name"], hosts, [hosts_tables[name] for name in include])
        out["hosts"] = memo[key]
    if dns is not None:
        host_dns, warning = view.memo("host resolvers", etc_netns.host_resolvers)
        if warning and not dns["servers"]:
            view.memo("resolv warned", lambda: view.warn(warning) or True)
        out["resolv.conf"] = etc_netns.render_resolv(item["name"], dns, host_dns)
    return out


def _changes(old, new):
    """'+10.0.0.3 db, -10.0.0.9 old' of the lines new adds and old loses (the mark and localhost lines left
    out: every file has them)."""
    same = set(etc_netns.LOCALHOST.splitlines())
    old_lines = [line for line in (old or "").splitlines()[1:] if line not in same]
    after = [line for line in (new or "").splitlines()[1:] if line not in same]
    before = set(old_lines)
    added = [line for line in after if line not in before]
    kept = set(after)
    removed = [line for line in old_lines if line not in kept]
    words = ["+" + " ".join(line.split()) for line in added] + ["-" + " ".join(line.split()) for line in removed]
    more = len(words) - SHOWN
    return ", ".join(words[:SHOWN]) + (" and %d more" % more if more > 0 else "")


def present(view, item, hosts_tables):
    out = []
    for what, want in sorted(wanted(view, item, hosts_tables).items()):
        path = etc_netns.path(item["name"], what)
        have = view.files.get(item["name"], {}).get(what)
        if have == want:
            continue
        if have is not None and not etc_netns.owned(have, what):
            view.warn("%s was not written by cnet.linux (no mark on its first line); left alone" % path)
            continue
        if want is None:
            out.append(_remove(item["name"], what))
        else:
            verb = "write" if have is None else "update"
            out.append(Action(("file", path), "file_write", "%s %s: %s" % (verb, path, _changes(have, want)),
                              path=path, content=want))
    return out


def _remove(name, what):
    path = etc_netns.path(name, what)
    return Action(("file", path), "file_remove", "rm %s" % path, path=path,
                  dirs=[os.path.dirname(path), etc_netns.ROOT])


def removed(view, name):
    """The steps that remove a namespace's files of ours (it is going)."""
    return [_remove(name, what) for what, text in sorted(view.files.get(name, {}).items())
            if text is not None and etc_netns.owned(text, what)]


def strays(view, listed, gone):
    """With purge: our files in /etc/netns/<name> for names neither listed nor removed by this plan."""
    out = []
    for name in sorted(view.files):
        if name not in listed and name not in gone:
            out += removed(view, name)
    return out


def before(view, key):
    name, what = os.path.basename(os.path.dirname(key[1])), os.path.basename(key[1])
    return view.files.get(name, {}).get(what)


def after(view, key, item, hosts_tables):
    if item is None or item["state"] == "absent":
        return None
    return wanted(view, item, hosts_tables)[os.path.basename(key[1])]
