# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The files layer's operations: a small text file written or removed, and the directory it is in.

A file is rewritten in place (its inode kept), not replaced by a rename: 'ip netns exec' and container
runtimes bind-mount /etc/netns/<name>/hosts over a process's /etc/hosts, and a bind mount holds the inode, so
only an in-place write reaches the processes running in the sandbox (Docker updates a container's hosts
file the same way). Each write returns the step that puts the old content back."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import errno
import os

from ansible_collections.cnet.linux.plugins.module_utils.core import inputs
from ansible_collections.cnet.linux.plugins.module_utils.core.action import Action
from ansible_collections.cnet.linux.plugins.module_utils.core.ops import registry

OPS = {}  # op name -> function(ctx, **args) -> undo Action or None
op = registry(OPS)


def read(path):
    """The text of path, or None when there is no such file (or it is not a readable regular file)."""
    try:
        with open(path, "rb") as handle:
            return handle.read().decode("utf-8", "replace")
    except (IOError, OSError):
        return None


def _write(path, content, mode):
    inputs.one_line_each(content.split("\n"), path)  # split on newlines only: any other separator is refused
    data = content.encode("utf-8")
    # the folder is opened without following a link: a /etc/netns/<name> that is a symlink is refused (ELOOP), so
    # a file is never made where the link points
    try:
        folder = os.open(os.path.dirname(path), os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            exc.hint = "%s is a symbolic link or no folder; cnet.linux makes no file where a link points (remove it)" \
                % os.path.dirname(path)
        raise
    try:
        fd = os.open(os.path.basename(path), os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, mode,
                     dir_fd=folder)
    finally:
        os.close(folder)
    try:
        os.fchmod(fd, mode)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.ftruncate(fd, len(data))  # no fsync: the next run rewrites a file a crash left short
    finally:
        os.close(fd)


@op("file_write")
def file_write(ctx, path, content, mode=0o644):
    """Write content to path (its directory made, mode 0755, when missing)."""
    old = read(path)
    made = []
    parent = os.path.dirname(path)
    while parent and not os.path.isdir(parent):
        made.append(parent)
        parent = os.path.dirname(parent)
    for directory in reversed(made):
        os.mkdir(directory, 0o755)
    _write(path, content, mode)
    if old is not None:
        return Action(("file", path), "file_write", "restore %s" % path, path=path, content=old, mode=mode)
    return Action(("file", path), "file_remove", "rm %s" % path, path=path, dirs=made)


@op("file_remove")
def file_remove(ctx, path, dirs=None):
    """Remove path, then each directory of dirs that is empty (innermost first)."""
    old = read(path)
    try:
        os.unlink(path)
    except OSError as exc:
        if exc.errno != errno.ENOENT:
            raise
    for directory in dirs or ():
        try:
            os.rmdir(directory)
        except OSError as exc:
            if exc.errno not in (errno.ENOENT, errno.ENOTEMPTY, errno.EEXIST, errno.EBUSY):  # EBUSY: a mount point
                raise
    if old is None:
        return None
    return Action(("file", path), "file_write", "restore %s" % path, path=path, content=old)
