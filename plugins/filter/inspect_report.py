"""What exists per host and for the fleet, like docker network inspect, with drift marked (inspect.yml)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: inspect_report
short_description: The fleet's networks and containers as they are, with drift marked
version_added: 0.1.0
description:
  - Joins, for each host, what the fleet plan wants (its C(summary)), what the kernel shows
    (M(cnet.linux.network_info)) and what a check-mode run found to change (C(cnet.linux.drift_report)) into
    one document - per host and per network, like C(docker network inspect) - that C(playbooks/inspect.yml)
    writes as JSON and C(cnet.linux.inspect_dot) draws.
  - Each container attachment has the addresses and MAC the plan gives and those the kernel shows (C(seen),
    null when its device is missing). Each drifted object is listed under the container or network it belongs
    to (its namespace, name files, veth pair or macvlan device; its bridge, VXLAN device, peers, routes or
    shim), the rest under the host.
author:
  - cnet.linux contributors (@cnet-linux)
options:
  _input:
    description:
      - "C({host: {summary, observed, drift}}): the plan's C(summary), network_info's result and the drift
        report of each host."
    type: dict
    required: true
'''

EXAMPLES = r'''
- name: Build the document
  ansible.builtin.set_fact:
    cnet_inspect: "{{ per_host | cnet.linux.inspect_report }}"
'''

RETURN = r'''
_value:
  description: C(hosts) (per host - networks, containers, drift) and C(networks) (per network - each host's part).
  type: dict
'''

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.cnet.linux.plugins.module_utils.core import inputs


def _seen(observed):
    """{(container, network): device} of the pairs and macvlan devices the kernel shows; the host's shims."""
    out, shims = {}, {}
    for pair in observed.get("pairs") or ():
        out[(pair.get("container"), pair.get("network"))] = {
            "interface": pair.get("peer"), "mac": pair.get("mac"), "mtu": pair.get("mtu"),
            "addresses": pair.get("addresses") or [], "host_end": pair.get("host_end")}
    for device in observed.get("macvlans") or ():
        entry = {"interface": device.get("name"), "mac": device.get("mac"), "mtu": device.get("mtu"),
                 "addresses": device.get("addresses") or [], "parent": device.get("parent")}
        if device.get("netns"):
            out[(device.get("container"), device.get("network"))] = entry
        else:
            shims[device.get("network")] = entry
    return out, shims


def _container_objects(name, attach, network_driver):
    """The drift objects that belong to a container: its namespace, name files, pairs and macvlan devices."""
    mine = set(["netns %s" % name])
    for net, a in attach.items():
        if network_driver.get(net) == "macvlan":
            mine.add("macvlan %s/%s" % (name, a["interface"]))
        elif a.get("interface"):
            mine.add("veth %s" % inputs.host_end(name, a["interface"]))
    return mine


def _network_words(name, net):
    return [w for w in (net.get("bridge"), net.get("device"), net.get("shim"), net.get("wg_device"), name) if w]


def _network_of(obj, by_word):
    """The network a drift object names by one of its devices or its name (not as its kind, the first word):
    'bridge cnet0', 'peer vx4096 192.0.2.12', 'route backend 10.244.2.0/24', 'iptables filter CNET-F-cnet0'."""
    for token in obj.split()[1:]:
        for i in [-1] + [i for i, ch in enumerate(token) if ch == "-"]:
            if token[i + 1:] in by_word:
                return by_word[token[i + 1:]]
    return None


def _host(summary, observed, drift):
    """One host's part: each drift object is looked up once (by the objects each container owns, the file's
    sandbox, the words naming each network), not compared with every container and network."""
    seen, shims = _seen(observed)
    drifted = list(drift.get("objects") or [])
    drivers = dict((n, v.get("driver")) for n, v in (summary.get("networks") or {}).items())
    containers, owner = {}, {}
    for cname, c in sorted((summary.get("containers") or {}).items()):
        attach = dict((net, dict(a, seen=seen.get((cname, net)))) for net, a in sorted((c.get("networks") or {}).items()))
        mine = _container_objects(cname, c.get("networks") or {}, drivers)
        mine.update("veth %s" % a["seen"]["host_end"] for a in attach.values() if (a["seen"] or {}).get("host_end"))
        owner.update((obj, cname) for obj in mine)
        containers[cname] = {"mode": c.get("mode"), "target": c.get("target"), "networks": attach,
                             "published": c.get("publish") or [], "drift": [],
                             "missing": [net for net, a in attach.items() if a["seen"] is None]}
    nets = summary.get("networks") or {}
    by_word = dict((w, name) for name, net in sorted(nets.items()) for w in _network_words(name, net))
    networks = dict((name, dict(net, containers={}, drift=[])) for name, net in sorted(nets.items()))
    for cname, c in containers.items():
        for net, a in c["networks"].items():
            if net in networks:
                networks[net]["containers"][cname] = a
    left = []
    for obj in sorted(set(drifted)):
        cname = owner.get(obj)
        if cname is None and obj.startswith("file /etc/netns/"):
            cname = obj[len("file /etc/netns/"):].split("/", 1)[0]
        if cname in containers:
            containers[cname]["drift"].append(obj)
        elif _network_of(obj, by_word):
            networks[_network_of(obj, by_word)]["drift"].append(obj)
        else:
            left.append(obj)
    for name, net in networks.items():
        if net.get("shim") and (net["containers"] or shims.get(name)):  # a host has a shim where it has containers
            net["shim_seen"] = shims.get(name)
        elif net.get("shim"):
            del net["shim"]
    return {"underlay": summary.get("underlay"), "networks": networks, "containers": containers, "drift": drifted,
            "other_drift": left, "drifted": bool(drifted)}


def inspect_report(per_host):
    if not isinstance(per_host, Mapping):
        raise AnsibleFilterError("inspect_report: {host: {summary, observed, drift}} is expected, not %r" % (per_host,))
    hosts, fleet = {}, {}
    for host in sorted(per_host):
        data = per_host[host] or {}
        if not isinstance(data, Mapping) or not isinstance(data.get("summary"), Mapping):
            raise AnsibleFilterError("inspect_report: %s has no plan summary (did the host role run for it?)" % host)
        hosts[host] = _host(data["summary"], data.get("observed") or {}, data.get("drift") or {})
        for name, net in hosts[host]["networks"].items():
            entry = fleet.setdefault(name, dict((k, v) for k, v in net.items()
                                                if k not in ("containers", "drift", "lease", "gateway", "peers",
                                                             "shim", "shim_seen")))
            if net.get("gateway") and "lease" not in net:
                entry["gateway"] = net["gateway"]
            part = {"containers": net["containers"], "drift": net["drift"]}
            for key in ("lease", "gateway", "peers"):
                if net.get(key) is not None and ("lease" in net or key == "peers"):
                    part[key] = net[key]
            entry.setdefault("hosts", {})[host] = part
    return {"hosts": hosts, "networks": fleet,
            "drifted": sorted(h for h, v in hosts.items() if v["drifted"])}


class FilterModule(object):
    def filters(self):
        return {"inspect_report": inspect_report}
