# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The host's own settings the collection's networks rely on - sysctls of the host's namespace (IPv4
forwarding) and kernel modules (br_netfilter) - as a resource, so a boot-time restore sets them again with
the same engine. With the record option the run keeps them in <state_dir>/host.json, with how the host was
before the first run that recorded them."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import re

from ansible_collections.cnet.linux.plugins.module_utils.core.action import Action
from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError
from ansible_collections.cnet.linux.plugins.module_utils.netlink import sysctl
from ansible_collections.cnet.linux.plugins.module_utils.resources.base import Resource, View
from ansible_collections.cnet.linux.plugins.module_utils.resources.links import sysctl_action


def _module_loaded(name):
    """br_netfilter shows as /proc/sys/net/bridge once loaded; other modules under /sys/module."""
    return os.path.exists("/proc/sys/net/bridge" if name == "br_netfilter" else "/sys/module/" + name)


_PART = re.compile(r"^[A-Za-z0-9_@:+-][A-Za-z0-9_.@:+-]*$")  # a /proc/sys path part ('.' and '..' are not)
_MODULE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]*$")
HOST_RECORD = "host"  # <state_dir>/host.json, kept with the record option; cnet-restore reads it


class HostSettings(Resource):
    KIND = "host_settings"
    OPS = sysctl.OPS

    @classmethod
    def normalize(cls, raw, field, state, defaults=None):
        if raw.get("kind") == "sysctl":
            key = raw.get("key")
            if not isinstance(key, list) or not key or not all(isinstance(part, str) and _PART.match(part) for part in key):
                raise InputError("%s: '%s' is not a sysctl's name; write it as net.ipv4.ip_forward (or with '/' "
                                 "between the parts, net/ipv4/conf/eth0.10/forwarding, when a part holds a dot)"
                                 % (field, "/".join(str(part) for part in key) if isinstance(key, list) else key))
            if key[0] != "net":
                raise InputError("%s: only the network namespace's sysctls (net.*) are the collection's to set" % field)
            value = raw.get("value")
            if isinstance(value, bool) or not isinstance(value, (str, int)) or not str(value).strip():
                raise InputError("%s: the value must be a string or a whole number, like 1, not %r" % (field, value))
            return {"name": "sysctl " + "/".join(key), "kind": "sysctl", "key": key, "value": str(value).strip(),
                    "state": "present"}
        if raw.get("kind") == "module":
            module = raw.get("module")
            if not isinstance(module, str) or not _MODULE.match(module):
                raise InputError("%s: '%s' is not a kernel module's name (like br_netfilter)" % (field, module))
            return {"name": "module " + module, "kind": "module", "module": module, "state": "present"}
        raise InputError("%s: a sysctl {kind: sysctl, key, value} or a module {kind: module, module} is expected" % field)

    @classmethod
    def single(cls, params, state):
        """The module's form: modules (loaded first: br_netfilter makes the net.bridge sysctls) and sysctls
        ({name: value}, a name with dots or slashes between its parts)."""
        if state != "present":
            raise InputError("state: only present: the host role sets its settings back itself at teardown")
        items = [cls.normalize({"kind": "module", "module": m}, "modules[%d]" % i, state)
                 for i, m in enumerate(params.get("modules") or [])]
        for name, value in sorted((params.get("sysctls") or {}).items()):
            parts = name.split("/") if "/" in name else name.split(".")
            items.append(cls.normalize({"kind": "sysctl", "key": parts, "value": value}, "sysctls[%s]" % name, state))
        return items

    @classmethod
    def from_record(cls, record):
        """The settings of the host role's record ({version, sysctls: {'net/ipv4/ip_forward': '1'}, modules})."""
        raws = [{"kind": "module", "module": m} for m in record.get("modules") or []]
        raws += [{"kind": "sysctl", "key": key.split("/"), "value": value}
                 for key, value in sorted((record.get("sysctls") or {}).items())]
        return cls([cls.normalize(raw, "host.json[%d]" % i, "present") for i, raw in enumerate(raws)])

    @classmethod
    def options_of(cls, params):
        remember = []
        for i, name in enumerate(params.get("remember") or []):
            parts = name.split("/") if "/" in name else name.split(".")
            if not all(_PART.match(part) for part in parts) or parts[0] != "net":
                raise InputError("remember[%d]: '%s' is not a net.* sysctl's name (like net.ipv4.ip_forward)" % (i, name))
            remember.append("/".join(parts))
        return {"record": bool(params.get("record")), "remember_sysctls": remember}

    def remember(self, record):
        return False  # the boot-time restore reads host.json (keep()), not desired.json

    def keep(self, records, view):
        """With the record option: <state_dir>/host.json - the settings (what cnet-restore sets at boot) and,
        from the first run that records them, how the host was before it (what teardown sets back): the
        remembered sysctls' values and the modules that were not loaded."""
        if not getattr(self, "record", False):
            return []
        doc = records(HOST_RECORD)
        want = {"version": 1, "modules": [i["module"] for i in self.items if i["kind"] == "module"],
                "sysctls": dict(("/".join(i["key"]), i["value"]) for i in self.items if i["kind"] == "sysctl"),
                "before": doc.get("before") if isinstance(doc.get("before"), dict) else {
                    "sysctls": dict((key, value) for key, value in sorted(view.remembered.items()) if value is not None),
                    "modules_loaded": [i["module"] for i in self.items if i["kind"] == "module"
                                       and not view.loaded[i["name"]]]}}
        if doc == want:
            return []
        doc.clear()
        doc.update(want)
        return [HOST_RECORD]

    def observe(self, ctx):
        return View(ctx.check, values=dict((item["name"], sysctl.read(item["key"]))
                                           for item in self.items if item["kind"] == "sysctl"),
                    loaded=dict((item["name"], _module_loaded(item["module"]))
                                for item in self.items if item["kind"] == "module"),
                    remembered=dict((key, sysctl.read(key.split("/"))) for key in getattr(self, "remember_sysctls", [])))

    def present(self, view, item):
        if item["kind"] == "module":
            if view.loaded[item["name"]]:
                return []
            return [Action(("module", item["module"]), "modprobe", "modprobe %s" % item["module"], name=item["module"])]
        if view.values[item["name"]] == item["value"]:
            return []
        return [sysctl_action(("sysctl", "/".join(item["key"])), None, tuple(item["key"]), item["value"])]

    def before(self, view, key):
        name = " ".join(key)
        return view.loaded.get(name, view.values.get(name))

    def after(self, view, key):
        item = self.by_key.get(" ".join(key))
        return True if item["kind"] == "module" else item["value"]
