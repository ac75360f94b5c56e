# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Docker's macvlan driver: each container's device on the parent interface's own Ethernet, with a fleet-wide
address; the outside router is the gateway; with host_access, the host's shim."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.cnet.linux.plugins.plugin_utils.fleet.plan.drivers import bridge


def network(alloc, net, me, parts):
    """Every macvlan network's devices are authoritative (purged of what is no longer listed)."""
    parts.macvlan_networks.append(net["name"])


endpoint = bridge.endpoint  # an address of the subnet across the fleet; the outside router is the gateway


def interface(alloc, net, me, item):
    """A macvlan device is named in its namespace; it has a parent, no bridge and no host end."""
    ifname = item.pop("peer")
    del item["bridge"]
    item.update(name=ifname, parent=net["parent"], mode=net["macvlan_mode"])


def finish(alloc, net, me, parts):
    """The host's shim, with host_access where it has containers: a macvlan device in the host's namespace with
    its own address and a /32 route to each local container (the host cannot reach them through the parent)."""
    shim_ip = (alloc.spanning[4].get(net["name"]) or {}).get("%s/" % me) if net.get("shim") else None
    if shim_ip:
        local = [e["addresses"][0].split("/")[0] for e in parts.macvlan if e["network"] == net["name"]]
        parts.macvlan.append({"name": net["shim"], "network": net["name"], "parent": net["parent"], "mode": "bridge",
                              "addresses": ["%s/32" % shim_ip], "routes": [{"dest": "%s/32" % ip} for ip in local]})
