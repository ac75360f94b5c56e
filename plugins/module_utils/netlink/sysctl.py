# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The kernel's settings: a sysctl (/proc/sys/<key> written as seen from a namespace: the file is opened
there, so it is that namespace's setting) and a kernel module (modprobe). No netlink socket is needed."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import subprocess

from ansible_collections.cnet.linux.plugins.module_utils.core.ops import registry
from ansible_collections.cnet.linux.plugins.module_utils.netlink import namespaces

OPS = {}  # op name -> function(ctx, **args) -> None
op = registry(OPS)


def read(key):
    """The value of /proc/sys/<key> (path parts) in our namespace, stripped; None when there is no such setting."""
    try:
        with open("/proc/sys/" + "/".join(key)) as handle:
            return handle.read().strip()
    except (IOError, OSError):
        return None


@op("sysctl_set")
def sysctl_set(ctx, ns, key, value):
    """Write /proc/sys/<key> (a list of path parts) in namespace ns (None: ours)."""
    path = "/proc/sys/" + "/".join(key)
    home = os.open(namespaces.SELF, os.O_RDONLY | os.O_CLOEXEC) if ns else None
    try:
        fd = namespaces.within(ns, lambda: os.open(path, os.O_WRONLY | os.O_CLOEXEC), home)
    finally:
        if home is not None:
            os.close(home)
    try:
        os.write(fd, str(value).encode())
    finally:
        os.close(fd)


@op("modprobe")
def modprobe(ctx, name):
    """Load a kernel module (modprobe NAME); its error output is the reason when it fails."""
    res = subprocess.run(["modprobe", name], stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    if res.returncode != 0:
        raise OSError(res.returncode, "modprobe %s: %s" % (name, res.stderr.decode(errors="replace").strip()))
