# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the collection made on this host, as the kernel shows it: the marked bridges, VXLAN devices, veth
pairs and macvlan devices with their addresses. Read only - one dump of the host's namespace and one of each named namespace - for
the fleet plan to rebuild a lost record from (a running container keeps its address and interface name) and
for reports."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os

from ansible_collections.cnet.linux.plugins.module_utils import hostinfo
from ansible_collections.cnet.linux.plugins.module_utils.core import marks
from ansible_collections.cnet.linux.plugins.module_utils.core.context import Context
from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError
from ansible_collections.cnet.linux.plugins.module_utils.netlink import namespaces, sockets


def observe(ctx):
    """{bridges: [{name, network, addresses, mtu}], vxlans: [{name, network, vni, mtu}], pairs: [{network,
    container, netns, peer, host_end, addresses, mac, mtu}], macvlans: [{network, container, netns (None: a
    host's shim), name, parent, mode, addresses, mac, mtu}]}, each list sorted."""
    nl = sockets.of(ctx)
    host = nl.view(None)
    out = {"bridges": [], "vxlans": [], "pairs": [], "macvlans": []}
    for link in host.links.values():
        mark = marks.parse(link["alias"])
        if mark is not None and mark[0] == "macvlan":
            out["macvlans"].append(_macvlan(host, None, link, mark, host))
        if mark is None or mark[0] not in ("bridge", "vxlan"):
            continue
        item = {"name": link["name"], "network": mark[1].get("net"), "mtu": link["mtu"],
                "addresses": sorted(host.addrs.get(link["index"], ()))}
        if mark[0] == "vxlan":
            item["vni"] = (link.get("vxlan") or {}).get("vni")
        out["bridges" if mark[0] == "bridge" else "vxlans"].append(item)
    seen = set()
    for ns in namespaces.names():
        identity = namespaces.identity(namespaces.path(ns))
        if not identity or identity in seen:  # a placeholder, or an alias (container mode) of one already read
            continue
        seen.add(identity)
        view = nl.view(ns)
        for link in view.links.values():
            mark = marks.parse(link["alias"])
            if mark is not None and mark[0] == "macvlan":
                out["macvlans"].append(_macvlan(view, ns, link, mark, host))
            if mark is None or mark[0] != "veth":
                continue
            out["pairs"].append({"network": mark[1].get("net"), "container": mark[1].get("ctr"), "netns": ns,
                                 "peer": link["name"], "mac": link["mac"], "mtu": link["mtu"],
                                 "host_end": host.name_of(link["peer_index"]) if link["peer_index"] else None,
                                 "addresses": sorted(view.addrs.get(link["index"], ()))})
    for key in out:
        out[key].sort(key=lambda item: (item.get("network") or "", item.get("container") or "", item["name"]
                                        if "name" in item else item["peer"]))
    return out


def _macvlan(view, ns, link, mark, host):
    return {"network": mark[1].get("net"), "container": mark[1].get("ctr"), "netns": ns, "name": link["name"],
            "parent": host.name_of(link["peer_index"]) if link["peer_index"] else None,
            "mode": link.get("macvlan_mode"), "mac": link["mac"], "mtu": link["mtu"],
            "addresses": sorted(view.addrs.get(link["index"], ()))}


RECORDS = ("fleet", "host")  # <state_dir>/fleet.json (the host role's record), host.json (host_settings')


def read_records(state_dir):
    """{fleet, host}: the host role's records in state_dir as JSON documents, None for one that is missing."""
    out = {}
    for kind in RECORDS:
        path = os.path.join(state_dir, kind + ".json")
        try:
            with open(path) as handle:
                out[kind] = json.load(handle)
        except FileNotFoundError:
            out[kind] = None
        except ValueError as exc:
            out[kind] = exc
        if out[kind] is not None and not isinstance(out[kind], dict):
            raise InputError("%s is not a JSON object (%s); move it away: the next run rebuilds %s" % (
                path, out[kind] if isinstance(out[kind], ValueError) else type(out[kind]).__name__,
                "it from the kernel" if kind == "fleet" else "it"))
    return out


def observe_host(params=None):
    """observe() in a run of its own (no state directory is written). With params' state_dir, also the records
    there ('records'); with interfaces 'without_record', the interfaces only when there is no fleet record."""
    params = params or {}
    out = {}
    if params.get("state_dir"):
        out["records"] = read_records(params["state_dir"])
    interfaces = not (params.get("interfaces") == "without_record" and (out.get("records") or {}).get("fleet") is not None)
    if not interfaces and not params.get("host_facts"):
        return out
    ctx = Context(None, check=True)
    try:
        if params.get("host_facts"):
            out["host_facts"] = hostinfo.facts(sockets.of(ctx).view(None), params)
            if params.get("wireguard"):
                out["host_facts"]["wireguard"] = hostinfo.kernel_has("wireguard")
        if interfaces:
            out.update(observe(ctx))
        return out
    finally:
        ctx.close()
