"""The shape of a simulated fleet: names, underlay addresses, inventory.

Pure data, no side effects, so it can be unit-tested and serialized to the
lab's state file.

Flat lab (default): every host's eth0 sits on one underlay bridge ``ua`` in
the fabric namespace, 192.0.2.0/24, default route via the fabric 192.0.2.1.

Routed lab: odd hosts on ``ua`` (192.0.2.0/24), even hosts on ``ub``
(198.51.100.0/24); a router namespace joins both (``.254`` on each side), so
traffic between the two halves crosses an L3 hop.

The fabric also plays "the outside world": it holds 203.0.113.1 on its loopback, reachable from every host through its default route.

The underlay is dual-stack: segment a is also 2001:db8:a::/64 (the fabric ::1, host i ::(10 + i)), b
2001:db8:b::/64, the router ::fe on each; the outside world is also 2001:db8:ff::1. Addresses are added
without duplicate address detection, so they are usable at once.
"""

import ipaddress
import re

SEGMENTS = {
    "a": {"bridge": "ua", "subnet": "192.0.2.0/24", "subnet6": "2001:db8:a::/64"},
    "b": {"bridge": "ub", "subnet": "198.51.100.0/24", "subnet6": "2001:db8:b::/64"},
}
FABRIC_ADDRESS = "192.0.2.1"
FABRIC_ADDRESS6 = "2001:db8:a::1"
ROUTER_ADDRESSES = {"a": "192.0.2.254", "b": "198.51.100.254"}
ROUTER_ADDRESSES6 = {"a": "2001:db8:a::fe", "b": "2001:db8:b::fe"}
OUTSIDE_SUBNET = "203.0.113.0/24"
OUTSIDE_ADDRESS = "203.0.113.1"
OUTSIDE_ADDRESS6 = "2001:db8:ff::1"
HOST_OFFSET = 10  # host i gets .(10 + i)
MAX_HOSTS = 200
NAME_RE = re.compile(r"^[a-z][a-z0-9-]{0,15}$")


class TopologyError(ValueError):
    """A lab that cannot be built as asked."""


def validate_name(name):
    if not NAME_RE.match(name or ""):
        raise TopologyError(
            "lab name %r: use 1-16 characters, lowercase letters, digits and '-', starting with a letter" % (name,)
        )
    return name


def plan(name, count, routed=False, mtu=1500):
    """Return the lab description (a dict that is also the state file's core). mtu: the underlay's (a cloud
    network's 1450, say), on every link of the fabric and every host's eth0."""
    validate_name(name)
    if not isinstance(count, int) or not 1 <= count <= MAX_HOSTS:
        raise TopologyError("host count %r: use a whole number from 1 to %d" % (count, MAX_HOSTS))
    if not isinstance(mtu, int) or not 1280 <= mtu <= 9000:
        raise TopologyError("underlay MTU %r: use a whole number from 1280 to 9000" % (mtu,))
    hosts = []
    for i in range(1, count + 1):
        segment = "b" if routed and i % 2 == 0 else "a"
        net = ipaddress.ip_network(SEGMENTS[segment]["subnet"])
        address = str(net.network_address + HOST_OFFSET + i)
        gateway = ROUTER_ADDRESSES[segment] if routed else FABRIC_ADDRESS
        net6 = ipaddress.ip_network(SEGMENTS[segment]["subnet6"])
        hosts.append({
            "name": "h%d" % i,
            "address": address,
            "address6": str(net6.network_address + HOST_OFFSET + i),
            "gateway6": ROUTER_ADDRESSES6[segment] if routed else FABRIC_ADDRESS6,
            "prefix": net.prefixlen,
            "gateway": gateway,
            "segment": segment,
            "port": "h%d" % i,  # its veth end in the fabric
            "mtu": mtu,
        })
    return {
        "name": name,
        "routed": bool(routed),
        "mtu": mtu,
        "segments": sorted({h["segment"] for h in hosts} | ({"a", "b"} if routed else {"a"})),
        "hosts": hosts,
    }


def fabric_batch(lab, host_pids, router_pid=None):
    """``ip -batch`` lines run inside the fabric namespace (host_pids None: no veth pairs to hosts)."""
    lines = ["link set lo up"]
    for seg in lab["segments"]:
        br = SEGMENTS[seg]["bridge"]
        lines += ["link add %s type bridge" % br, "link set %s mtu %d up" % (br, lab.get("mtu", 1500))]
    lines += ["addr add %s/24 dev ua" % FABRIC_ADDRESS, "addr add %s/64 dev ua nodad" % FABRIC_ADDRESS6,
              # no dummy driver on every kernel: the outside address lives on the fabric's loopback
              "addr add %s/32 dev lo" % OUTSIDE_ADDRESS, "addr add %s/128 dev lo" % OUTSIDE_ADDRESS6]
    for host in lab["hosts"] if host_pids is not None else ():  # VM hosts: tap devices (lab/vm.py)
        lines.append("link add %s type veth peer name eth0 netns %d" % (host["port"], host_pids[host["name"]]))
        lines.append("link set %s master %s mtu %d up" % (host["port"], SEGMENTS[host["segment"]]["bridge"],
                                                          lab.get("mtu", 1500)))
    if lab["routed"]:
        for seg in ("a", "b"):
            lines.append("link add r-%s type veth peer name eth-%s netns %d" % (seg, seg, router_pid))
            lines.append("link set r-%s master %s mtu %d up" % (seg, SEGMENTS[seg]["bridge"], lab.get("mtu", 1500)))
        lines.append("route add %s via %s" % (SEGMENTS["b"]["subnet"], ROUTER_ADDRESSES["a"]))
        lines.append("route add %s via %s" % (SEGMENTS["b"]["subnet6"], ROUTER_ADDRESSES6["a"]))
    return lines


def router_batch(mtu=1500):
    lines = ["link set lo up"]
    for seg in ("a", "b"):
        prefix = ipaddress.ip_network(SEGMENTS[seg]["subnet"]).prefixlen
        lines += ["link set dev eth-%s mtu %d up" % (seg, mtu), "addr add %s/%d dev eth-%s" % (ROUTER_ADDRESSES[seg], prefix, seg),
                  "addr add %s/64 dev eth-%s nodad" % (ROUTER_ADDRESSES6[seg], seg)]
    lines.append("route add %s via %s" % (OUTSIDE_SUBNET, FABRIC_ADDRESS))
    lines.append("route add %s/128 via %s" % (OUTSIDE_ADDRESS6, FABRIC_ADDRESS6))
    return lines


def host_batch(host):
    lines = [
        "link set lo up",
        "link set eth0 mtu %d up" % host.get("mtu", 1500),
        "addr add %s/%d dev eth0" % (host["address"], host["prefix"]),
        "route add default via %s" % host["gateway"],
    ]
    if host.get("address6"):
        lines += ["addr add %s/64 dev eth0 nodad" % host["address6"], "route add default via %s" % host["gateway6"]]
    return lines


# Lab hosts are made and remade with the same addresses: their host keys are not kept.
SSH_QUIET = ("StrictHostKeyChecking=no", "UserKnownHostsFile=/dev/null", "LogLevel=ERROR")


def ssh_common_args(lab_dir):
    """SSH options that reach a lab host from the root namespace.

    The TCP connection is made by the lab's ``proxy`` script (``nc`` inside the
    fabric namespace), so the controller needs no interface or route in the
    root namespace. Connection sharing sockets live in the lab's directory, so a
    later lab with the same addresses never reuses a dead lab's SSH master.
    """
    return ('-o ProxyCommand="%s/proxy %%h %%p" -o ControlPath=%s/ssh-%%C ' % (lab_dir, lab_dir)
            + " ".join("-o " + option for option in SSH_QUIET))


PROXY = """#!/bin/sh
# cnet-lab SSH ProxyCommand for lab {name}: joins the lab's cgroup (so 'down' ends it and the
# SSH connections that use it), then connects from inside the fabric namespace.
cgroup='{cgroup}'
[ -n "$cgroup" ] && [ -w "$cgroup/cgroup.procs" ] && echo $$ > "$cgroup/cgroup.procs"
exec nsenter --net='{lab_dir}/fabric.net' nc "$1" "$2"
"""


def proxy_script(lab, lab_dir, cgroup):
    return PROXY.format(name=lab["name"], lab_dir=lab_dir, cgroup=cgroup or "")


def inventory_ini(lab, key_file, lab_dir, python="/usr/bin/python3"):
    group = "cnet_lab"
    lines = ["# written by cnet-lab for lab %s; removed by 'cnet-lab down %s'" % (lab["name"], lab["name"]),
             "[%s]" % group]
    for host in lab["hosts"]:
        job = lab.get("jobs", {}).get(host["name"])
        lines.append("%s ansible_host=%s" % (host["name"], host["address"])
                     + (" cnet_lab_job_pid=%d" % job[0] if job else ""))
    lines += [
        "",
        "[%s:vars]" % group,
        "ansible_user=root",
        "ansible_ssh_private_key_file=%s" % key_file,
        "ansible_ssh_common_args='%s'" % ssh_common_args(lab_dir),
        "ansible_python_interpreter=%s" % python,
        "cnet_lab_name=%s" % lab["name"],
    ]
    if not lab.get("guests"):
        # namespace hosts share this machine's kernel: its modules are the machine's, not one host's to unload
        lines.append("host_unload_modules=false")
    lines.append("")
    return "\n".join(lines)
