# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's engine (plugins/module_utils) as one zip the managed host imports from: what cnet-restore
runs without Ansible."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: engine_bundle
short_description: The collection's engine as one zip file for cnet-restore
version_added: 0.1.0
description:
  - Builds, on the controller, a zip of this collection's C(plugins/module_utils) (Python files only, with a
    package C(__init__.py) in every folder, fixed timestamps, so the same collection gives the same bytes) afresh
    on every call, and returns its local path (or, with the term V(sha1), the fresh zip's SHA-1, which
    C(cnet.linux.network_info) reports for the installed copy).
  - The file is kept in a folder of the controller user's own, C(<tmp>/cnet-engine-<uid>) (mode 0700); a folder or
    file there that another user made or could write is never used, so no other local user of the controller
    can plant the engine the hosts run as root. C(cnet.linux.host) copies it to the host, where C(cnet-restore) imports the engine
    from it with no Ansible installed.
author:
  - cnet.linux contributors (@cnet-linux)
options:
  _terms:
    description: V(path) (the default) or V(sha1).
    required: false
'''

EXAMPLES = r'''
- name: Install the engine
  ansible.builtin.copy:
    src: "{{ lookup('cnet.linux.engine_bundle') }}"
    dest: /usr/local/lib/cnet/engine.zip
    mode: "0644"
'''

RETURN = r'''
_raw:
  description: The path of the zip on the controller, or its SHA-1.
  type: list
  elements: str
'''

import hashlib
import io
import os
import stat
import tempfile
import zipfile

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

PREFIX = "ansible_collections/cnet/linux/plugins/module_utils"
STAMP = (1980, 1, 1, 0, 0, 0)


def sources(root):
    """[(path in the zip, bytes)] of every Python file under root, sorted, with the package files."""
    files, folders = {}, set(["ansible_collections", "ansible_collections/cnet", "ansible_collections/cnet/linux",
                              "ansible_collections/cnet/linux/plugins"])
    for here, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        rel = os.path.relpath(here, root)
        inside = PREFIX if rel == "." else PREFIX + "/" + rel.replace(os.sep, "/")
        folders.add(inside)
        for name in names:
            if name.endswith(".py"):
                with open(os.path.join(here, name), "rb") as handle:
                    files[inside + "/" + name] = handle.read()
    for folder in folders:
        files.setdefault(folder + "/__init__.py", b"")
    return sorted(files.items())


def bundle(root):
    """The zip's bytes: the same collection always gives the same bytes (sorted names, fixed timestamps)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path, data in sources(root):
            info = zipfile.ZipInfo(path, STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return buf.getvalue()


def _mine(st):
    """Whether a stat result is of something only this user can change: owned by it, no group or other write."""
    return st.st_uid == os.geteuid() and not st.st_mode & 0o022


def private_folder(base=None):
    """<tmp>/cnet-engine-<uid>, made 0700 by this user; one that is not a directory of this user's that only it can
    write (another local user made it first, or made it a link) is never used: a new private folder instead."""
    path = os.path.join(base or tempfile.gettempdir(), "cnet-engine-%d" % os.geteuid())
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    st = os.lstat(path)
    if stat.S_ISDIR(st.st_mode) and _mine(st) and not st.st_mode & 0o077:
        return path
    return tempfile.mkdtemp(prefix="cnet-engine-", dir=base)


def _read_own(path):
    """The bytes of path when it is a regular file of this user's that only it can write, else None."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        st = os.fstat(handle.fileno())
        return handle.read() if stat.S_ISREG(st.st_mode) and _mine(st) else None


def build(root, base=None):
    """(the zip's path, its bytes): built afresh from root on every call, and written to this user's private
    folder unless the file there already holds exactly these bytes. A file another user could have written
    is never handed to a host."""
    data = bundle(root)
    folder = private_folder(base)
    target = os.path.join(folder, "engine-%s.zip" % hashlib.sha256(data).hexdigest()[:16])
    if _read_own(target) != data:
        fd, tmp = tempfile.mkstemp(prefix="engine-", suffix=".zip", dir=folder)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
    return target, data


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        here = os.path.dirname(os.path.abspath(__file__))
        path, data = build(os.path.join(os.path.dirname(here), "module_utils"))
        out = []
        for term in terms or ["path"]:
            if term == "sha1":
                out.append(hashlib.sha1(data).hexdigest())
            elif term == "path":
                out.append(path)
            else:
                raise AnsibleLookupError("engine_bundle: '%s' is not one of path, sha1" % term)
        return out
