# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the host role needs to know of a host before it plans, read in the same call as its records (so a
run needs no fact gathering): the Python running this, the host's IPv4 addresses with their interface's MTU
and the default route's, which of some packages are installed, checksums of some files, and the state
directory's mode and owner. Read only."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import ipaddress
import os
import stat
import subprocess
import sys

from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError

DEFAULT = "0.0.0.0/0"


def addresses(view):
    """(default_ipv4, ipv4) of a namespace's view: every IPv4 address as {address, prefix, device, mtu}, sorted,
    and the default route's {address, device, mtu, gateway} (its interface's address in the gateway's subnet,
    else its lowest) or None."""
    ipv4 = []
    for index, addrs in view.addrs.items():
        link = view.by_index.get(index)
        for text in addrs:
            iface = ipaddress.ip_interface(text)
            if iface.version == 4 and link is not None:
                ipv4.append({"address": str(iface.ip), "prefix": iface.network.prefixlen, "device": link["name"],
                             "mtu": link["mtu"]})
    ipv4.sort(key=lambda a: (a["device"], ipaddress.ip_address(a["address"])))
    routes = sorted((r for r in view.routes if r["dst"] == DEFAULT and r.get("oif")), key=lambda r: r["oif"])
    if not routes:
        return None, ipv4
    route = routes[0]
    device = view.name_of(route["oif"])
    mine = [a for a in ipv4 if a["device"] == device]
    if not mine:
        return None, ipv4
    gateway = route.get("gateway")
    onlink = [a for a in mine if gateway and ipaddress.ip_address(gateway) in
              ipaddress.ip_interface("%s/%d" % (a["address"], a["prefix"])).network]
    best = (onlink or sorted(mine, key=lambda a: ipaddress.ip_address(a["address"])))[0]
    return {"address": best["address"], "device": device, "mtu": best["mtu"], "gateway": gateway}, ipv4


def packages(names):
    """{name: installed} from dpkg, or None where there is no dpkg (not a Debian/Ubuntu host)."""
    if not names:
        return {}
    for name in names:
        if not isinstance(name, str) or not name or name.startswith("-") or any(c.isspace() for c in name):
            raise InputError("packages: '%s' is not a package's name" % (name,))
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f", "${Package} ${db:Status-Status}\\n"] + list(names),
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, universal_newlines=True, check=False)
    except OSError:
        return None
    found = dict(line.split(" ", 1) for line in out.stdout.splitlines() if " " in line)
    return dict((name, found.get(name) == "installed") for name in names)


def files(paths):
    """{path: sha1 of its content, or 'link' for a symbolic link} for each path that exists."""
    out = {}
    for path in paths or ():
        if not isinstance(path, str) or not os.path.isabs(path):
            raise InputError("files: '%s' is not an absolute path" % (path,))
        if os.path.islink(path):
            out[path] = "link"
        elif os.path.isfile(path):
            digest = hashlib.sha1()
            with open(path, "rb") as handle:
                for block in iter(lambda: handle.read(1 << 16), b""):
                    digest.update(block)
            out[path] = digest.hexdigest()
    return out


def directory(path):
    """{mode (octal text), uid, gid} of a directory, or None where there is none."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISDIR(st.st_mode):
        return None
    return {"mode": "%04o" % stat.S_IMODE(st.st_mode), "uid": st.st_uid, "gid": st.st_gid}


def kernel_has(module):
    """Whether the running kernel has a module - loaded, built in, or installed to load - read from /sys and
    /lib/modules only (nothing is loaded by asking)."""
    if os.path.isdir("/sys/module/%s" % module):
        return True
    root = "/lib/modules/%s" % os.uname().release
    for index in ("modules.builtin", "modules.dep"):
        try:
            with open(os.path.join(root, index)) as handle:
                if any(line.split(":", 1)[0].rsplit("/", 1)[-1].split(".ko", 1)[0] == module for line in handle):
                    return True
        except (IOError, OSError):
            continue
    return False


def facts(view, params):
    """The host_facts result of network_info."""
    default, ipv4 = addresses(view)
    out = {"python": sys.executable, "default_ipv4": default, "ipv4": ipv4,
           "packages": packages(params.get("packages")), "files": files(params.get("files"))}
    if params.get("state_dir"):
        out["state_dir"] = directory(params["state_dir"])
    return out
