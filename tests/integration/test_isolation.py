"""The isolation matrix (issue 17, part 9): on 2 lab hosts with a bridge network (a published port), an internal
network, an icc-off network and an l3 overlay, every container pings every container address and the outside,
the fabric connects to published and unpublished ports (through the host and routed straight to the
container), containers use the published port through the host's address, and a non-peer sends to the VXLAN
port. Each result is compared with the policy declared here (Docker's: a network reaches itself, icc off
reaches nothing of its own, internal reaches nothing outside, networks are isolated from each other - an
overlay too -, published ports only through the host); any path it does not allow fails the test."""

import json
import subprocess

from lab import fleet, matrix, topology

from .conftest import run_in
from .test_playbooks import inventory, playbook

NETWORKS = [
    {"name": "bridge", "driver": "bridge", "bridge": "cnet0", "subnet": "172.17.0.0/16"},
    {"name": "inside", "driver": "bridge", "bridge": "cn-inside", "subnet": "172.19.0.0/16", "internal": True},
    {"name": "quiet", "driver": "bridge", "bridge": "cn-quiet", "subnet": "172.20.0.0/16", "icc": False},
    {"name": "backend", "driver": "overlay", "mode": "l3", "vni": 4096, "subnet": "10.244.0.0/16"},
]
CONTAINERS = {
    "h1": [{"name": "a", "network": "bridge", "publish": ["8080:80"]}, {"name": "b", "network": "bridge"},
           {"name": "i1", "network": "inside"}, {"name": "i2", "network": "inside"},
           {"name": "q1", "network": "quiet"}, {"name": "q2", "network": "quiet"}, {"name": "o1", "network": "backend"}],
    "h2": [{"name": "c", "network": "bridge"}, {"name": "i3", "network": "inside"}, {"name": "o2", "network": "backend"}],
}
DRIVER = dict((n["name"], n) for n in NETWORKS)


def allowed(src, dst):
    """The policy: whether container src (host, name, network) may reach container dst's address."""
    if src == dst:
        return True
    (shost, _s, snet), (dhost, _d, dnet) = src, dst
    if snet != dnet:
        return False  # networks are isolated from each other, overlays included
    if DRIVER[dnet]["driver"] != "overlay" and shost != dhost:
        return False  # a bridge network is the host's own (not measured: the same subnet on every host)
    return DRIVER[dnet].get("icc", True)


def outside_allowed(src):
    return not DRIVER[src[2]].get("internal", False)


def containers(lab):
    """[(host, name, network, address)] from the hosts' records."""
    out = []
    for host in ("h1", "h2"):
        record = json.loads(run_in(lab, host, "cat", "/var/lib/cnet/fleet.json").stdout)
        for c in CONTAINERS[host]:
            out.append((host, c["name"], c["network"], record["addresses"][c["network"]][c["name"]]))
    return out


def pings(lab, targets):
    """{(host, netns): {address: reached}}, every namespace of each host to every target, in parallel."""
    jobs = dict((h, subprocess.Popen(fleet.exec_argv(lab["name"], h, ["sh", "-c", matrix.PROBE_ALL, "probe"] + targets),
                                     stdout=subprocess.PIPE, text=True)) for h in ("h1", "h2"))
    out = {}
    for host, proc in jobs.items():
        for line in proc.communicate(timeout=120)[0].splitlines():
            ns, addr, result = line.split()
            out.setdefault((host, ns), {})[addr] = result == "ok"
    return out


def ask(argv_prefix, address, port):
    res = subprocess.run(argv_prefix + ["python3", "-c", matrix.ASK, address, str(port)], capture_output=True, text=True,
                         timeout=20, check=False)
    return res.stdout.strip()


def test_every_path_is_what_the_policy_allows(make_lab, tmp_path):
    lab = make_lab(2)
    inv = inventory(tmp_path, lab, NETWORKS, CONTAINERS)
    res = playbook("site.yml", inv)
    assert res.returncode == 0, res.stdout[-5000:] + res.stderr
    every = containers(lab)
    targets = sorted(set(c[3] for c in every)) + [topology.OUTSIDE_ADDRESS]
    measured = pings(lab, targets)
    wrong = []
    for src in every:
        seen = measured[(src[0], src[1])]
        for dst in every:
            if dst[0] != src[0] and DRIVER[dst[2]]["driver"] != "overlay":
                continue  # another host's bridge address is, from here, this host's own container or nothing
            if seen[dst[3]] != allowed(src[:3], dst[:3]):
                wrong.append("%s@%s -> %s@%s %s: %s" % (src[1], src[0], dst[1], dst[0], dst[3],
                                                        "reached" if seen[dst[3]] else "not reached"))
        if seen[topology.OUTSIDE_ADDRESS] != outside_allowed(src):
            wrong.append("%s@%s -> outside: %s" % (src[1], src[0], seen[topology.OUTSIDE_ADDRESS]))
    assert not wrong, "paths the policy does not allow, or allowed paths that fail:\n" + "\n".join(wrong)

    # ports: a serves 80 (published as 8080) and 81 (not published)
    h1 = [h["address"] for h in lab["hosts"] if h["name"] == "h1"][0]
    a = [c[3] for c in every if c[1] == "a"][0]
    fabric = ["nsenter", "--net=" + fleet.lab_dir(lab["name"]) + "/fabric.net"]
    servers = [subprocess.Popen(fleet.exec_argv(lab["name"], "h1", ["ip", "netns", "exec", "a", "python3", "-c",
                                                                    matrix.SERVE, "0.0.0.0", str(port), "a%d" % port]),
                                stdout=subprocess.PIPE, text=True) for port in (80, 81)]
    try:
        for server in servers:
            assert server.stdout.readline().strip() == "up"
        results = {
            "fabric -> h1:8080 (published)": ask(fabric, h1, 8080),
            "fabric -> h1:8081 (not published)": ask(fabric, h1, 8081),
            "b -> h1:8080 (same network, through the host)": ask(fleet.exec_argv(lab["name"], "h1", ["ip", "netns", "exec", "b"]), h1, 8080),
            "q1 -> h1:8080 (another network, through the host)": ask(fleet.exec_argv(lab["name"], "h1", ["ip", "netns", "exec", "q1"]), h1, 8080),
            "i1 -> h1:8080 (internal)": ask(fleet.exec_argv(lab["name"], "h1", ["ip", "netns", "exec", "i1"]), h1, 8080),
        }
        # the fabric routes the bridge's subnet to h1 (a router upstream would): the container's ports, straight
        run_in(lab, "fabric", "ip", "route", "add", "172.17.0.0/16", "via", h1)
        results["fabric -> a:80 routed straight (published port, not through the host)"] = ask(fabric, a, 80)
        results["fabric -> a:81 routed straight (not published)"] = ask(fabric, a, 81)
    finally:
        for server in servers:
            server.kill()
            server.wait()
    want = {"fabric -> h1:8080 (published)": True, "fabric -> h1:8081 (not published)": False,
            "b -> h1:8080 (same network, through the host)": True,
            "q1 -> h1:8080 (another network, through the host)": True, "i1 -> h1:8080 (internal)": False,
            "fabric -> a:80 routed straight (published port, not through the host)": False,
            "fabric -> a:81 routed straight (not published)": False}
    got = dict((k, v.startswith("a8")) for k, v in results.items())
    assert got == want, "\n".join("%s: %s (policy: %s)" % (k, results[k], want[k]) for k in want)

    # the VXLAN port: a non-peer's packets are dropped, a peer's accepted (the rules' packet counters)
    h2 = [h["address"] for h in lab["hosts"] if h["name"] == "h2"][0]

    def counters():
        """(packets the port's DROP rule dropped, packets h2's ACCEPT let in)."""
        def rules(chain):
            return [ln.split() for ln in run_in(lab, "h1", "iptables", "-v", "-x", "-n", "-L", chain).stdout.splitlines()[2:]]
        dropped = [int(r[0]) for r in rules("CNET-VXLAN") if r[2] == "DROP"]
        accepted = [int(r[0]) for r in rules("CNET-V-vx4096") if r[2] == "ACCEPT" and r[7] == h2]
        assert len(dropped) == len(accepted) == 1
        return dropped[0], accepted[0]
    before = counters()
    run_in(lab, "fabric", "python3", "-c", "import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
           "for i in range(5): s.sendto(b'\\x08' + bytes(15), ('%s', 4789))" % h1)
    run_in(lab, "h2", "ip", "netns", "exec", "o2", "ping", "-c2", "-W2", [c[3] for c in every if c[1] == "o1"][0])
    after = counters()
    assert after[0] - before[0] == 5, "a non-peer's VXLAN packets: %s -> %s dropped" % (before[0], after[0])
    assert after[1] - before[1] >= 2, "the peer's: %s -> %s let in" % (before[1], after[1])
