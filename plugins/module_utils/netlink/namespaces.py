# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Network namespaces as files under /run/netns, the way iproute2 keeps them (ip netns add/attach/delete).

Switching namespaces is per thread (setns), so a caller can open a netlink socket inside a namespace and
come straight back: no helper process per namespace.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ctypes
import errno
import os

NETNS_DIR = "/run/netns"
CLONE_NEWNET = 0x40000000
MS_BIND = 4096
MS_REC = 16384
MS_SHARED = 1 << 20
MNT_DETACH = 2
SELF = "/proc/thread-self/ns/net"

_libc = None


def _lib():
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    return _libc


def _check(result, what):
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, "%s: %s" % (what, os.strerror(err)))


def path(name):
    return os.path.join(NETNS_DIR, name)


def setns(fd):
    _check(_lib().setns(fd, CLONE_NEWNET), "setns")


def within(ns, factory, home):
    """factory() called inside namespace ns (None: ours); a socket or /proc/sys file it opens stays bound to
    that namespace after the thread switches back to home (an open descriptor of ours)."""
    if ns is None:
        return factory()
    fd = os.open(path(ns), os.O_RDONLY | os.O_CLOEXEC)
    try:
        setns(fd)
        try:
            return factory()
        finally:
            setns(home)
    finally:
        os.close(fd)


def nsfs_dev():
    return os.stat(SELF).st_dev


def identity(file_path):
    """(dev, inode) of a namespace file, or None if it is missing or not a bound namespace."""
    try:
        st = os.stat(file_path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino) if st.st_dev == nsfs_dev() else None


def own_identity():
    """The namespace this thread runs in (the module's host namespace)."""
    return identity(SELF)


def pid_path(pid):
    return "/proc/%d/ns/net" % pid


def names():
    try:
        return sorted(os.listdir(NETNS_DIR))
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            return []
        raise


def _prepare_dir():
    """/run/netns as a shared mount point, as iproute2 makes it, so bindings propagate to mount namespaces
    made later (ip netns exec)."""
    if not os.path.isdir(NETNS_DIR):
        os.makedirs(NETNS_DIR, 0o755)
    libc = _lib()
    target = NETNS_DIR.encode()
    if libc.mount(b"none", target, None, MS_SHARED | MS_REC, None) == 0:
        return
    if ctypes.get_errno() != errno.EINVAL:
        _check(-1, "mount --make-shared %s" % NETNS_DIR)
    _check(libc.mount(target, target, b"none", MS_BIND | MS_REC, None), "mount --bind %s" % NETNS_DIR)
    _check(libc.mount(b"none", target, None, MS_SHARED | MS_REC, None), "mount --make-shared %s" % NETNS_DIR)


class Binder:
    """Creates, binds and removes names; remembers where it started so it always returns there."""

    def __init__(self, home):
        """home: an open descriptor of the namespace to return to (the caller owns and closes it)."""
        self._prepared = False
        self.home = home

    def _placeholder(self, name):
        if not self._prepared:
            _prepare_dir()
            self._prepared = True
        target = path(name)
        fd = os.open(target, os.O_RDONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0)
        os.close(fd)
        return target

    def create(self, name):
        """ip netns add: a new, empty namespace bound to name."""
        target = self._placeholder(name)
        try:
            _check(_lib().unshare(CLONE_NEWNET), "unshare(CLONE_NEWNET)")
            try:
                _check(_lib().mount(SELF.encode(), target.encode(), b"none", MS_BIND, None),
                       "mount --bind to %s" % target)
            finally:
                setns(self.home)
        except OSError:
            os.unlink(target)
            raise

    def bind(self, name, source):
        """ip netns attach: bind name to an existing namespace file (a pid's, another name's, our own)."""
        target = self._placeholder(name)
        try:
            _check(_lib().mount(source.encode(), target.encode(), b"none", MS_BIND, None),
                   "mount --bind %s %s" % (source, target))
        except OSError:
            os.unlink(target)
            raise

    def remove(self, name):
        """ip netns delete: unbind and remove the name; the namespace goes when nothing else holds it."""
        target = path(name)
        if _lib().umount2(target.encode(), MNT_DETACH) != 0 and ctypes.get_errno() not in (errno.EINVAL, errno.ENOENT):
            _check(-1, "umount %s" % target)
        try:
            os.unlink(target)
        except OSError as exc:
            if exc.errno != errno.ENOENT:
                raise
