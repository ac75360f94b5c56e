"""The fleet's topology as Graphviz DOT, from cnet.linux.inspect_report's document (inspect.yml draws it)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: inspect_dot
short_description: The fleet's topology as a Graphviz graph, what drifted in red
version_added: 0.1.0
description:
  - Draws C(cnet.linux.inspect_report)'s document as Graphviz DOT text. Each host is a box holding its
    networks (bridge networks with their bridge and gateway, overlay leases, macvlan parents) and its
    containers (with their interfaces, addresses, MACs and published ports). Multi-host networks (overlays,
    macvlan) are drawn once, outside the hosts, joined to each host's part. A container in another's namespace
    points at it.
  - What drifted is red - a container, a network, a host with drift that belongs to neither - and a container
    whose device is missing says so.
  - C(dot -Tsvg) and C(dot -Tpng) (Graphviz) make the picture; C(playbooks/inspect.yml) runs them.
author:
  - cnet.linux contributors (@cnet-linux)
options:
  _input:
    description: The document C(cnet.linux.inspect_report) returns.
    type: dict
    required: true
'''

EXAMPLES = r'''
- name: Write the topology
  ansible.builtin.copy:
    dest: /tmp/cnet.dot
    content: "{{ cnet_inspect | cnet.linux.inspect_dot }}"
    mode: "0644"
'''

RETURN = r'''
_value:
  description: Graphviz DOT text.
  type: str
'''

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

RED = "#c62828"
GREY = "#9e9e9e"
MULTI = ("overlay", "macvlan")


def _escape(text):
    return str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def _q(text):
    return '"%s"' % _escape(text)


def _label(lines):
    """A multi-line label: each line escaped and ended by DOT's \\l (left-aligned)."""
    return '"%s\\l"' % "\\l".join(_escape(line) for line in lines if line)


def _attrs(**attrs):
    return "[%s]" % ", ".join("%s=%s" % (key, value if key == "label" else _q(value)) for key, value in attrs.items())


def _net_lines(name, net, part=None):
    kind = net.get("driver") + (" " + net["mode"] if net.get("mode") else "")
    lines = ["%s (%s)" % (name, kind), net.get("subnet")]
    if net.get("subnet6"):
        lines.append(net["subnet6"])
    if part is None:
        return lines + (["gateway %s" % net["gateway"]] if net.get("gateway") else [])
    if part.get("lease"):
        lines.append("lease %s" % part["lease"])
    if net.get("bridge"):
        lines.append("bridge %s" % net["bridge"])
    gateway = part.get("gateway") or net.get("gateway")
    if gateway:
        lines.append("gateway %s" % gateway)
    if net.get("device"):
        lines.append("vxlan %s vni %s" % (net["device"], net.get("vni")))
    if net.get("wg_device"):
        lines.append("encrypted: wireguard %s port %s" % (net["wg_device"], net.get("wireguard_port")))
    if net.get("parent"):
        lines.append("parent %s (%s)" % (net["parent"], net.get("macvlan_mode")))
    if net.get("shim"):
        shim = part.get("shim_seen")
        lines.append("shim %s %s" % (net["shim"], " ".join(shim["addresses"]) if shim else "(missing)"))
    return lines


def _container_lines(name, c):
    lines = [name]
    if c["mode"] in ("none", "host"):
        lines.append("network: %s" % c["mode"])
    for net, a in sorted(c["networks"].items()):
        seen = a.get("seen")
        addrs = " ".join(x for x in (a.get("ipv4"), a.get("ipv6")) if x)
        lines.append("%s %s: %s" % (a.get("interface") or "?", net, addrs))
        lines.append("   %s%s" % ((seen or {}).get("mac") or a.get("mac") or "", "" if seen else " (missing)"))
    for entry in c.get("published") or []:
        allow = entry.get("allow")
        lines.append("publish %s%s" % (entry.get("spec"), " from %s" % ", ".join(allow) if allow else ""))
    if c["drift"]:
        lines.append("drift: %s" % ", ".join(c["drift"]))
    return lines


def inspect_dot(report):
    if not isinstance(report, Mapping) or "hosts" not in report:
        raise AnsibleFilterError("inspect_dot: the document of cnet.linux.inspect_report is expected")
    out = ["graph cnet {", '  graph [rankdir=LR, fontname="Helvetica", compound=true, nodesep=0.3];',
           '  node [fontname="Helvetica", fontsize=10];', '  edge [fontname="Helvetica", fontsize=9];']
    fleet = report.get("networks") or {}
    for name, net in sorted(fleet.items()):
        if net.get("driver") in MULTI:
            drifted = any(part.get("drift") for part in (net.get("hosts") or {}).values())
            out.append("  %s %s;" % (_q("net/" + name), _attrs(
                shape="ellipse", style="filled", fillcolor="#e3f2fd", color=RED if drifted else "#1565c0",
                label=_label(_net_lines(name, net)))))
    for i, (host, h) in enumerate(sorted(report["hosts"].items())):
        out.append("  subgraph %s {" % _q("cluster_%d" % i))
        title = [" ".join(x for x in (host, h.get("underlay")) if x)] + (["drift: %s" % ", ".join(h["other_drift"])] if h["other_drift"] else [])
        out.append("    graph %s;" % _attrs(label=_label(title), color=RED if h["drifted"] else GREY,
                                            fontcolor=RED if h["other_drift"] else "black", style="rounded"))
        for name, net in sorted(h["networks"].items()):
            if net.get("driver") == "ptp" and not net["containers"]:
                continue  # a ptp network is a container's own pair: nothing of it on a host without one
            part = (fleet.get(name) or {}).get("hosts", {}).get(host, {})
            part = dict(part, shim_seen=net.get("shim_seen"))
            out.append("    %s %s;" % (_q("%s/net/%s" % (host, name)), _attrs(
                shape="box", style="rounded,filled", fillcolor="#fff3e0", color=RED if net["drift"] else "#ef6c00",
                fontcolor=RED if net["drift"] else "black", label=_label(_net_lines(name, net, part) + (
                    ["drift: %s" % ", ".join(net["drift"])] if net["drift"] else [])))))
        for name, c in sorted(h["containers"].items()):
            bad = c["drift"] or c["missing"]
            out.append("    %s %s;" % (_q("%s/ctr/%s" % (host, name)), _attrs(
                shape="box", style="filled", fillcolor="#ffebee" if bad else "#e8f5e9", color=RED if bad else "#2e7d32",
                fontcolor=RED if bad else "black", label=_label(_container_lines(name, c)))))
        out.append("  }")
        for name, c in sorted(h["containers"].items()):
            me = _q("%s/ctr/%s" % (host, name))
            for net, a in sorted(c["networks"].items()):
                out.append("  %s -- %s %s;" % (me, _q("%s/net/%s" % (host, net)), _attrs(
                    label=_q(a.get("interface") or ""), color=RED if a.get("seen") is None else "black")))
            if c["mode"] == "container" and c.get("target"):
                out.append("  %s -- %s %s;" % (me, _q("%s/ctr/%s" % (host, c["target"])),
                                               _attrs(style="dashed", label=_q("shares netns"))))
        for name, net in sorted(h["networks"].items()):
            if net.get("driver") in MULTI:
                out.append("  %s -- %s %s;" % (_q("%s/net/%s" % (host, name)), _q("net/" + name), _attrs(
                    style="bold", color=RED if net["drift"] else "#1565c0")))
    out.append("}")
    return "\n".join(out) + "\n"


class FilterModule(object):
    def filters(self):
        return {"inspect_dot": inspect_dot}
