"""Benchmark (issue 18, part 3): one packet's path. Two lab hosts converged by site.yml (a bridge network with a
published port, an l3 and an l2 overlay), then iperf3 (1 and 8 TCP streams) and a TCP request/response test
(1-byte messages, one at a time) on each path, inside lab namespaces:

  underlay       host h1 -> host h2 over the fabric (the baseline)
  veth           two namespaces joined by one veth pair on h1 (the floor a bridge adds to)
  bridge         container -> container on the collection's bridge on h1
  published      the fabric -> h1's published port -> a container (DNAT)
  l3 / l2        container on h1 -> container on h2 across the l3 (flannel-like) and l2 overlay
  host-gw        the same across a host-gw overlay (flannel's host-gw: routed, no encapsulation)
  macvlan        container on h1 -> container on h2, both macvlan devices on the hosts' underlay interface
                 (Docker's macvlan driver: on the outside network itself, no bridge, NAT or tunnel)
  foreign bridge two namespaces on a bridge the collection does not own, on h1, with the host-wide
                 bridge-nf-call-iptables on (what the host role sets) and off with the collection's bridge's own
                 nf_call_iptables on instead (confined to the bridge that needs it)

Also: PMTU on both overlays (the largest DF ping passes, one byte more is refused with an error), the VXLAN
device's offloads (ethtool -k), the l3 overlay with GRO on the hosts' underlay interfaces, and where the CPU
goes on the main paths (cpuprofile.py: CPU ms per Gbit, perf samples by what the code does). Everything is
veth inside one kernel on 2 cores: the numbers compare paths with each other, not with real NICs.

Run as root from the repository: .venv/bin/python bench/dataplane.py [--seconds 3] [--repeat 5] [--json F]
Goals: overlay 1 stream >= 0.65x the underlay, 8 streams >= 0.95x; bridge >= 0.9x the veth; overlay
request/response latency <= 1.3x the underlay; PMTU correct.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import common  # noqa: E402  pylint: disable=wrong-import-position
import cpuprofile  # noqa: E402  pylint: disable=wrong-import-position
from lab import fleet  # noqa: E402  pylint: disable=wrong-import-position

LAB = "bench-dataplane"
NETWORKS = [{"name": "bridge", "driver": "bridge", "bridge": "cnet0", "subnet": "172.17.0.0/16"},
            {"name": "backend", "driver": "overlay", "mode": "l3", "vni": 4096, "subnet": "10.244.0.0/16"},
            {"name": "swarm", "driver": "overlay", "mode": "l2", "vni": 4097, "subnet": "10.245.0.0/24"},
            {"name": "fast", "driver": "overlay", "mode": "host-gw", "subnet": "10.246.0.0/16"},
            {"name": "lan", "driver": "macvlan", "parent": "eth0", "subnet": "192.0.2.0/24", "gateway": "192.0.2.1",
             "ip_range": "192.0.2.128/25"}]
CONTAINERS = {"h1": [{"name": "b1", "network": "bridge", "publish": ["15201:5201", "15202:5202"]},
                     {"name": "b2", "network": "bridge"}, {"name": "o3", "network": "backend"},
                     {"name": "o2", "network": "swarm"}, {"name": "og", "network": "fast"},
                     {"name": "mv", "network": "lan"}],
              "h2": [{"name": "o3", "network": "backend"}, {"name": "o2", "network": "swarm"},
                     {"name": "og", "network": "fast"}, {"name": "mv", "network": "lan"}]}
# by hand on h1, not the collection's: a direct veth pair, and a foreign bridge with two namespaces
BY_HAND = """set -e
ip netns add dv1; ip netns add dv2
ip link add dva netns dv1 type veth peer name dvb netns dv2
ip -n dv1 addr add 10.99.0.1/24 dev dva; ip -n dv2 addr add 10.99.0.2/24 dev dvb
ip -n dv1 link set dva up; ip -n dv2 link set dvb up
ip link add brf type bridge; ip link set brf up
for i in 1 2; do
  ip netns add fb$i
  ip link add fbv$i type veth peer name eth0 netns fb$i
  ip link set fbv$i master brf up
  ip -n fb$i addr add 10.98.0.$i/24 dev eth0; ip -n fb$i link set eth0 up
done
"""
# A TCP request/response test: one byte there and back, COUNT times; prints the median round trip in us
RR_SERVER = """import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", 5202)); s.listen(1)
c, _ = s.accept(); c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
while True:
    b = c.recv(1)
    if not b:
        break
    c.sendall(b)
"""
RR_CLIENT = """import socket, sys, time, statistics
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5); c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
times = []
for _ in range(int(sys.argv[3])):
    t = time.perf_counter(); c.sendall(b"x"); c.recv(1); times.append(time.perf_counter() - t)
print(statistics.median(times) * 1e6)
"""


class Lab:
    def __init__(self, state):
        self.state = state

    def argv(self, member, netns, argv):
        inner = (["ip", "netns", "exec", netns] if netns else []) + list(argv)
        return fleet.exec_argv(LAB, member, inner)

    def run(self, member, netns, *argv, check=True):
        res = subprocess.run(self.argv(member, netns, argv), capture_output=True, text=True, timeout=120, check=False)
        if check and res.returncode != 0:
            raise SystemExit("%s on %s/%s failed: %s %s" % (" ".join(argv), member, netns, res.stdout, res.stderr))
        return res

    def start(self, member, netns, *argv):
        return subprocess.Popen(self.argv(member, netns, argv), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def ipv4(self, member, netns):
        for link in json.loads(self.run(member, netns, "ip", "-j", "addr").stdout):
            for addr in link.get("addr_info", []):
                if addr["family"] == "inet" and link["ifname"] != "lo":
                    return addr["local"]
        raise SystemExit("no IPv4 address in %s/%s" % (member, netns))

    def mtu(self, member, netns):
        return max(link["mtu"] for link in json.loads(self.run(member, netns, "ip", "-j", "link").stdout)
                   if link["ifname"] != "lo")


def serve(lab, member, netns, argv):
    proc = lab.start(member, netns, *argv)
    time.sleep(0.4)
    return proc


def iperf(lab, path, streams, seconds, moved=False):
    """Gbit/s received (moved: the gigabits received instead)."""
    (cm, cn), (sm, sn), target, port = path
    server = serve(lab, sm, sn, ["iperf3", "-s", "-1", "-p", "5201"])
    try:
        res = lab.run(cm, cn, "iperf3", "-c", target, "-p", str(port), "-t", str(seconds), "-P", str(streams), "-J")
        received = json.loads(res.stdout)["end"]["sum_received"]
        return received["bytes"] * 8 / 1e9 if moved else received["bits_per_second"] / 1e9
    finally:
        server.wait(timeout=30)


def request_response(lab, path, count):
    (cm, cn), (sm, sn), target, port = path
    server = serve(lab, sm, sn, ["python3", "-c", RR_SERVER])
    try:
        return float(lab.run(cm, cn, "python3", "-c", RR_CLIENT, target, str(port + 1), str(count)).stdout)
    finally:
        server.wait(timeout=30)


def pmtu(lab, src, dst_ip):
    """(largest DF payload that passes, whether one byte more is refused with an error, that error)."""
    member, netns = src
    size = lab.mtu(member, netns) - 28
    fits = lab.run(member, netns, "ping", "-c1", "-W2", "-M", "do", "-s", str(size), dst_ip, check=False)
    over = lab.run(member, netns, "ping", "-c1", "-W2", "-M", "do", "-s", str(size + 1), dst_ip, check=False)
    said = (over.stdout + over.stderr).strip().splitlines()
    error = next((ln for ln in said if re.search(r"too long|Frag needed|mtu", ln, re.I)), "")
    return {"payload": size, "passes": fits.returncode == 0, "one_more_refused": over.returncode != 0 and bool(error),
            "error": error}


def offloads(lab, member, dev):
    res = lab.run(member, None, "ethtool", "-k", dev)
    return dict(ln.strip().split(": ", 1) for ln in res.stdout.splitlines()[1:] if ": " in ln)


def paths(lab):
    h1, h2 = (lab.state["hosts"][0]["address"], lab.state["hosts"][1]["address"])
    return {"underlay": (("h1", None), ("h2", None), h2, 5201),
            "veth": (("h1", "dv1"), ("h1", "dv2"), "10.99.0.2", 5201),
            "bridge": (("h1", "b2"), ("h1", "b1"), lab.ipv4("h1", "b1"), 5201),
            "published": (("fabric", None), ("h1", "b1"), h1, 15201),
            "l3 overlay": (("h1", "o3"), ("h2", "o3"), lab.ipv4("h2", "o3"), 5201),
            "l2 overlay": (("h1", "o2"), ("h2", "o2"), lab.ipv4("h2", "o2"), 5201),
            "host-gw overlay": (("h1", "og"), ("h2", "og"), lab.ipv4("h2", "og"), 5201),
            "macvlan": (("h1", "mv"), ("h2", "mv"), lab.ipv4("h2", "mv"), 5201),
            "foreign bridge": (("h1", "fb1"), ("h1", "fb2"), "10.98.0.2", 5201)}


def measure_paths(lab, chosen, seconds, repeat, rr_count, rows, label=""):
    for name, path in chosen.items():
        runs = {"one_gbit": [], "eight_gbit": [], "rr_us": []}
        for _round in range(repeat):
            runs["one_gbit"].append(iperf(lab, path, 1, seconds))
            runs["eight_gbit"].append(iperf(lab, path, 8, seconds))
            runs["rr_us"].append(request_response(lab, path, rr_count))
        row = dict((key, common.median(values)) for key, values in runs.items())
        row.update(path=name + label, runs=runs)
        rows.append(row)
        print("| %(path)s | %(one_gbit).1f | %(eight_gbit).1f | %(rr_us).0f |" % row, flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=3, help="each iperf3 run")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rr", type=int, default=5000, help="round trips per request/response test")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    state = fleet.up(LAB, 2, owner=os.getpid())
    lab = Lab(state)
    out = {"paths": [], "variants": []}
    try:
        with tempfile.TemporaryDirectory(prefix="cnet-bench-dp-") as workdir:
            for sub in ("group_vars", "host_vars"):
                os.makedirs(os.path.join(workdir, sub))
            with open(os.path.join(workdir, "hosts.ini"), "w") as handle:
                handle.write("# variables only\n")
            with open(os.path.join(workdir, "group_vars", "all.yml"), "w") as handle:
                json.dump({"cnet_networks": NETWORKS}, handle)
            for host, conts in CONTAINERS.items():
                with open(os.path.join(workdir, "host_vars", host + ".yml"), "w") as handle:
                    json.dump({"cnet_containers": conts}, handle)
            common.playbook("site.yml", [state["inventory"], os.path.join(workdir, "hosts.ini")])
        lab.run("h1", None, "sh", "-c", BY_HAND)
        chosen = paths(lab)
        print("| path | 1 stream (Gbit/s) | 8 streams (Gbit/s) | request/response (us) |")
        print("|---|---:|---:|---:|")
        measure_paths(lab, chosen, args.seconds, args.repeat, args.rr, out["paths"])
        # the host-wide switch off, the collection's bridge's own switch on: foreign bridges skip netfilter
        lab.run("h1", None, "sysctl", "-qw", "net.bridge.bridge-nf-call-iptables=0")
        lab.run("h1", None, "ip", "link", "set", "cnet0", "type", "bridge", "nf_call_iptables", "1")
        measure_paths(lab, {"bridge": chosen["bridge"], "foreign bridge": chosen["foreign bridge"]}, args.seconds,
                      args.repeat, args.rr, out["variants"], " (host-wide off, cnet0's own on)")
        lab.run("h1", None, "sysctl", "-qw", "net.bridge.bridge-nf-call-iptables=1")
        for host in ("h1", "h2"):
            lab.run(host, None, "ethtool", "-K", "eth0", "gro", "on")
        measure_paths(lab, {"l3 overlay": chosen["l3 overlay"]}, args.seconds, args.repeat, args.rr, out["variants"],
                      " (GRO on the underlay veths)")
        out["pmtu"] = {"l3 overlay": pmtu(lab, ("h1", "o3"), chosen["l3 overlay"][2]),
                       "l2 overlay": pmtu(lab, ("h1", "o2"), chosen["l2 overlay"][2]),
                       "host-gw overlay": pmtu(lab, ("h1", "og"), chosen["host-gw overlay"][2]),
                       "macvlan": pmtu(lab, ("h1", "mv"), chosen["macvlan"][2])}
        out["offloads"] = offloads(lab, "h1", "vx4096")
        for host in ("h1", "h2"):  # the profile on the paths as the tables measured them
            lab.run(host, None, "ethtool", "-K", "eth0", "gro", "off")
        why = cpuprofile.available()
        out["profile"] = {"unavailable": why} if why else {}
        for name in () if why else ("underlay", "veth", "bridge", "l3 overlay", "l2 overlay", "host-gw overlay",
                                    "macvlan"):
            found = cpuprofile.profile(lambda path=chosen[name]: iperf(lab, path, 1, args.seconds, moved=True),
                                       args.seconds)
            out["profile"][name] = found
            print("profile %s: %.0f CPU ms per Gbit; %s" % (name, found["cpu_ms_per_gbit"] or 0, ", ".join(
                "%s %.0f%%" % kv for kv in list(found["groups"].items())[:4])), flush=True)
        out["seconds"], out["repeat"] = args.seconds, args.repeat
    finally:
        fleet.down(LAB)
    by = dict((row["path"], row) for row in out["paths"])
    base = by["underlay"]
    goals = [("overlay 1 stream >= 0.65x underlay", min(by[p]["one_gbit"] for p in ("l3 overlay", "l2 overlay"))
              / base["one_gbit"], 0.65, True),
             ("overlay 8 streams >= 0.95x underlay", min(by[p]["eight_gbit"] for p in ("l3 overlay", "l2 overlay"))
              / base["eight_gbit"], 0.95, True),
             ("bridge >= 0.9x direct veth", by["bridge"]["one_gbit"] / by["veth"]["one_gbit"], 0.9, True),
             ("overlay request/response <= 1.3x underlay", max(by[p]["rr_us"] for p in ("l3 overlay", "l2 overlay"))
              / base["rr_us"], 1.3, False)]
    out["goals"] = []
    for text, value, limit, at_least in goals:
        met = value >= limit if at_least else value <= limit
        out["goals"].append({"goal": text, "value": value, "met": met})
        print("goal %s: %.2fx %s" % (text, value, "met" if met else "NOT met"))
    for name, row in out["pmtu"].items():
        print("PMTU %s: %d-byte DF payload passes: %s; one more refused: %s (%s)" % (
            name, row["payload"], row["passes"], row["one_more_refused"], row["error"]))
    common.write_json(args.json, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
