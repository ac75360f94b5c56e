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
    package C(__init__.py) in every folder, fixed timestamps, so the same collection gives the same bytes) and
    returns its local path (or, with the term V(sha1), the zip's SHA-1, which C(ansible.builtin.find) reports
    for the installed copy). C(cnet.linux.host) copies it to the host, where C(cnet-restore) imports the engine
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
import os
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


def build(root):
    """The zip's path under the controller's temporary directory (named by its content)."""
    items = sources(root)
    digest = hashlib.sha256(b"".join(path.encode() + b"\0" + data for path, data in items)).hexdigest()[:16]
    target = os.path.join(tempfile.gettempdir(), "cnet-engine-%s.zip" % digest)
    if not os.path.exists(target):
        fd, tmp = tempfile.mkstemp(prefix="cnet-engine-", suffix=".zip")
        with os.fdopen(fd, "wb") as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as zf:
            for path, data in items:
                info = zipfile.ZipInfo(path, STAMP)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                zf.writestr(info, data)
        os.rename(tmp, target)
    return target


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        here = os.path.dirname(os.path.abspath(__file__))
        path = build(os.path.join(os.path.dirname(here), "module_utils"))
        out = []
        for term in terms or ["path"]:
            if term == "sha1":
                with open(path, "rb") as handle:
                    out.append(hashlib.sha1(handle.read()).hexdigest())
            elif term == "path":
                out.append(path)
            else:
                raise AnsibleLookupError("engine_bundle: '%s' is not one of path, sha1" % term)
        return out
