# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A sandbox's name files: /etc/netns/<name>/hosts and /etc/netns/<name>/resolv.conf, where 'ip netns exec'
(and a runtime told to bind-mount them) looks for the sandbox's own /etc/hosts and /etc/resolv.conf.

The input (normalized here, so equal things compare equal): hosts entries {address, names}; the names of
shared tables of entries (a network's containers, given once for all its sandboxes); dns {servers, search,
options}, each empty list meaning the host's own. The files carry the ownership mark on their first line;
a file without it is someone else's and is never changed.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress
import os
import re

from ansible_collections.cnet.linux.plugins.module_utils.core import inputs, marks
from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError
from ansible_collections.cnet.linux.plugins.module_utils.files.ops import read

ROOT = "/etc/netns"
FILES = ("hosts", "resolv.conf")
MARK_KIND = {"hosts": "hosts", "resolv.conf": "resolv"}
HOST_RESOLV = ("/etc/resolv.conf", "/run/systemd/resolve/resolv.conf")
FALLBACK = ["8.8.8.8", "8.8.4.4"]  # Docker's, when the host has no resolver a sandbox can reach
MAXNS = 3  # glibc reads at most three nameserver lines
LOCALHOST = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
_NAME = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,251}[A-Za-z0-9_])?$")
_OPTION = re.compile(r"^[a-z][a-z0-9_-]*(?::\d+)?$")


def path(name, what):
    return os.path.join(ROOT, name, what)


def host_name(value, field):
    """A name for a hosts file: letters, digits, '.', '-', '_' (no whitespace, no '#'), at most 253."""
    if not isinstance(value, str) or not _NAME.match(value) or ".." in value:
        raise InputError("%s: %r is not a host name (letters, digits, '.', '-' and '_', at most 253, starting and "
                         "ending with a letter or digit)" % (field, value))
    return value


def entries(raw, field):
    """[{address, names}] normalized: the address in its canonical form, the names checked, order kept."""
    if raw is None:
        return None
    if not isinstance(raw, list):
        raise InputError("%s: a list of {address, names} is expected" % field)
    out = []
    for i, entry in enumerate(raw):
        at = "%s[%d]" % (field, i)
        if not isinstance(entry, dict) or set(entry) - {"address", "names"}:
            raise InputError("%s: %r is not {address, names}" % (at, entry))
        names = entry.get("names")
        if isinstance(names, str):
            names = [names]
        if not names:
            raise InputError("%s.names: at least one name is required" % at)
        out.append({"address": inputs.ip(entry.get("address"), at + ".address"),
                    "names": [host_name(n, "%s.names[%d]" % (at, j)) for j, n in enumerate(names)]})
    return out


def dns(raw, field, names=None):
    """{servers, search, options}: each an explicit list, or [] for the host's own. names: how the messages
    name each part ({'servers': 'web.dns', ...}; default field.servers ...)."""
    if raw is None:
        return None
    if not isinstance(raw, dict) or set(raw) - {"servers", "search", "options"}:
        raise InputError("%s: %r is not {servers, search, options}" % (field, raw))
    at = dict((part, (names or {}).get(part) or "%s.%s" % (field, part)) for part in ("servers", "search", "options"))
    for part in ("servers", "search", "options"):
        if raw.get(part) is not None and not isinstance(raw[part], list):
            raise InputError("%s: %r is not a list" % (at[part], raw[part]))
    servers = [inputs.ip(s, "%s[%d]" % (at["servers"], i)) for i, s in enumerate(raw.get("servers") or [])]
    if len(servers) > MAXNS:
        raise InputError("%s: %d servers; a resolver reads at most %d (glibc's MAXNS): drop %s"
                         % (at["servers"], len(servers), MAXNS, ", ".join(servers[MAXNS:])))
    search = [host_name(s, "%s[%d]" % (at["search"], i)) for i, s in enumerate(raw.get("search") or [])]
    options = []
    for i, opt in enumerate(raw.get("options") or []):
        if not isinstance(opt, str) or not _OPTION.match(opt):
            raise InputError("%s[%d]: %r is not a resolver option like ndots:2, timeout:1 or rotate"
                             % (at["options"], i, opt))
        options.append(opt)
    return {"servers": servers, "search": search, "options": options}


def parse_resolv(text):
    """{servers, search, options} of a resolv.conf text (the last search/domain line wins, as in glibc)."""
    out = {"servers": [], "search": [], "options": []}
    for line in (text or "").splitlines():
        words = line.split("#", 1)[0].split(";", 1)[0].split()
        if len(words) < 2:
            continue
        if words[0] == "nameserver":
            out["servers"].append(words[1])
        elif words[0] in ("search", "domain"):
            out["search"] = words[1:]
        elif words[0] == "options":
            out["options"] += words[1:]
    return out


def _reachable(server):
    """False for a loopback resolver (systemd-resolved's 127.0.0.53, dnsmasq's 127.0.0.1): in a sandbox,
    loopback is the sandbox's own."""
    try:
        return not ipaddress.ip_address(server.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def host_resolvers(read_file=read):
    """(the host's {servers, search, options} a sandbox can use, a warning or None): /etc/resolv.conf without
    loopback servers; when that leaves none, systemd-resolved's upstream list; when that leaves none, Docker's
    fallback, said in a warning."""
    first = parse_resolv(read_file(HOST_RESOLV[0]))
    found = dict(first, servers=[s for s in first["servers"] if _reachable(s)])
    if not found["servers"]:
        upstream = parse_resolv(read_file(HOST_RESOLV[1]))
        found["servers"] = [s for s in upstream["servers"] if _reachable(s)]
    if not found["servers"]:
        found["servers"] = list(FALLBACK)
        return found, ("the host's resolv.conf names no resolver a sandbox can reach (only loopback ones, or none); "
                       "sandboxes get Docker's fallback %s: set dns (the containers' 'dns:') to choose"
                       % ", ".join(FALLBACK))
    found["servers"] = found["servers"][:MAXNS]
    return found, None


def mark_line(what, name):
    return "# %s (written by cnet.linux: a change made here is undone by its next run)\n" % marks.make(
        MARK_KIND[what], netns=inputs.label(name))


def owned(text, what):
    """Whether a file's text is one the collection wrote (its first line carries the mark)."""
    if not text or not text.startswith("# "):
        return False
    mark = marks.parse(text[2:].split("\n", 1)[0])
    return mark is not None and mark[0] == MARK_KIND[what]


def render_hosts(name, own, tables):
    """The hosts file: the mark, localhost, own entries, then each table's; a line already written is not
    repeated (the sandbox's own entry is in its networks' tables too)."""
    out, seen = [mark_line("hosts", name), LOCALHOST], set()
    for group in [own or []] + list(tables):
        for entry in group:
            line = "%s\t%s\n" % (entry["address"], " ".join(entry["names"]))
            if line not in seen:
                seen.add(line)
                out.append(line)
    return "".join(out)


def render_resolv(name, wanted, host):
    """The resolv.conf: the mark, then servers, search and options, each the item's or else the host's."""
    chosen = dict((key, wanted[key] or host[key]) for key in ("servers", "search", "options"))
    out = [mark_line("resolv.conf", name)]
    out += ["nameserver %s\n" % server for server in chosen["servers"]]
    if chosen["search"]:
        out.append("search %s\n" % " ".join(chosen["search"]))
    if chosen["options"]:
        out.append("options %s\n" % " ".join(chosen["options"]))
    return "".join(out)
