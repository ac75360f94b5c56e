"""The drift matrix (issue 17, part 6), through the playbooks on the demo's 3-host lab (examples/lab: every
seed, a bridge with a published port, a ptp pair, an l3 and an l2 overlay). Each round breaks several kinds
by hand on different objects; then:
  - drift.yml names exactly the broken objects on each host (iptables per chain, sysctls by name), no more;
  - site.yml repairs them, and what it did equals what the check run planned, command for command;
  - drift.yml finds nothing afterwards, and what each namespace reaches (real pings) is as before.
KINDS lists every kind with the round it runs in; docs/reliability.md counts them."""

import itertools
import json
import os
import shlex
import subprocess

import pytest

from lab import fleet, matrix

from .conftest import run_in
from .test_playbooks import REPO, ansible_env, playbook

EXAMPLE = os.path.join(REPO, "examples", "lab", "hosts.ini")


class Names(dict):
    """What a command or an expected name refers to, looked up on the lab when first used: {pair_h2_api_bridge}
    (the host end of api's pair on bridge, by its mark), {ip_h1} (h1's underlay address), {lease_h3} (h3's
    lease of the l3 overlay), {l2_h2_db} (db's address on the l2 overlay)."""

    def __init__(self, lab):
        super().__init__()
        self.lab = lab

    def __missing__(self, key):
        what, host, *rest = key.split("_")
        if what == "pair":
            links = json.loads(run_in(self.lab, host, "ip", "-j", "-d", "link").stdout)
            found = [link["ifname"] for link in links if link.get("ifalias") == "cnet.linux:veth ctr=%s net=%s" % tuple(rest)]
            assert found, "%s has no pair of %s on %s" % (host, rest[0], rest[1])
            self[key] = found[0]
        elif what == "ip":
            self[key] = [h["address"] for h in self.lab["hosts"] if h["name"] == host][0]
        else:
            record = json.loads(run_in(self.lab, host, "cat", "/var/lib/cnet/fleet.json").stdout)
            table = {"lease": "leases", "l2": "l2", "l26": "l26"}[what]
            self[key] = record[table]["backend"][host] if what == "lease" else record[table]["swarm"][host + "/" + rest[0]]
        return self[key]


# (kind, round, host, commands, the names drift.yml must report); STRAY: made by the modules (stray())
STRAY = "stray owned objects"
KINDS = [
    ("deleted namespace", 1, "h1", ["ip netns del tools"], ["netns tools"]),
    ("bridge down", 1, "h1", ["ip link set cnet0 down"], ["bridge cnet0"]),
    ("deleted rule of ours", 1, "h1", ["iptables -D CNET-F-cnet0 -i cnet0 -o cnet0 -j ACCEPT"],
     ["iptables filter CNET-F-cnet0"]),
    ("foreign rule above our jump", 1, "h1", ["iptables -I FORWARD 1 -s 198.51.100.0/24 -j ACCEPT"],
     ["iptables filter FORWARD"]),
    ("flipped forwarding sysctl", 1, "h1", ["sysctl -q -w net.ipv4.ip_forward=0"], ["sysctl net/ipv4/ip_forward"]),
    ("deleted veth", 1, "h2", ["ip link del {pair_h2_api_bridge}"], ["veth {pair_h2_api_bridge}"]),
    ("container MTU changed", 1, "h2", ["ip -n db link set eth0 mtu 1300"], ["veth {pair_h2_db_swarm}"]),
    ("deleted VXLAN device", 1, "h2", ["ip link del vx4096"],
     ["vxlan vx4096", "peer vx4096 {ip_h1}", "peer vx4096 {ip_h3}"]),
    ("deleted default route", 1, "h3", ["ip -n worker route del default"], ["veth {pair_h3_worker_backend}"]),
    ("deleted FDB entry", 1, "h3", ["bridge fdb del 00:00:00:00:00:00 dev vx4097 dst {ip_h2}"], ["peer vx4097 {ip_h2}"]),
    ("edited hosts file", 1, "h2", ["sh -c 'echo 10.9.9.9 evil >> /etc/netns/db/hosts'"], ["file /etc/netns/db/hosts"]),
    ("deleted jump of ours", 1, "h3", ["iptables -t nat -D POSTROUTING -j CNET-POSTROUTING"], ["iptables nat POSTROUTING"]),
    ("deleted chain of ours", 1, "h3", ["iptables -D CNET-VXLAN -p udp -m udp --dport 4789 -j CNET-V-vx4097",
                                        "iptables -F CNET-V-vx4097", "iptables -X CNET-V-vx4097"],
     ["iptables filter CNET-VXLAN", "iptables filter CNET-V-vx4097"]),
    ("container MAC changed", 2, "h1", ["ip -n web link set eth0 address 02:00:00:00:00:99"], ["veth {pair_h1_web_bridge}"]),
    ("removed gateway address", 2, "h1", ["ip addr del 172.17.0.1/16 dev cnet0"], ["bridge cnet0"]),
    ("extra address in a container", 2, "h1", ["ip -n test01 addr add 172.16.9.9/24 dev eth0"],
     ["veth {pair_h1_test01_seed001}"]),
    ("flipped route_localnet", 2, "h1", ["sysctl -q -w net.ipv4.conf.cnet0.route_localnet=0"],
     ["sysctl net/ipv4/conf/cnet0/route_localnet"]),
    ("deleted published port", 2, "h1", ["iptables -t nat -F CNET-N-cnet0"], ["iptables nat CNET-N-cnet0"]),
    ("changed master", 2, "h2", ["ip link set {pair_h2_api_bridge} nomaster"], ["veth {pair_h2_api_bridge}"]),
    ("stale FDB entry", 2, "h2", ["bridge fdb append 00:00:00:00:00:00 dev vx4097 dst 192.0.2.99"],
     ["peer vx4097 192.0.2.99"]),
    ("deleted overlay route", 2, "h2", ["ip route del {lease_h3} dev vx4096"], ["peer vx4096 {ip_h3}"]),
    ("deleted neighbour entry", 2, "h3", ["ip neigh del {l2_h2_db} dev vx4097"], ["peer vx4097 {ip_h2}"]),
    ("stale neighbour entry", 2, "h3", ["ip neigh add 10.245.0.99 lladdr 02:42:0a:f5:00:63 dev vx4097 nud permanent"],
     ["peer vx4097 10.245.0.99"]),
    ("deleted ip6tables rule of ours", 2, "h1", ["ip6tables -D CNET-F-cnet0 -i cnet0 -o cnet0 -j ACCEPT"],
     ["ip6tables filter CNET-F-cnet0"]),
    ("deleted IPv6 address in a container", 2, "h2", ["ip -n db addr del {l26_h2_db}/64 dev eth0"],
     ["veth {pair_h2_db_swarm}"]),
    ("deleted resolv.conf", 2, "h3", ["rm /etc/netns/worker/resolv.conf"], ["file /etc/netns/worker/resolv.conf"]),
    ("deleted VXLAN port filter rule", 2, "h3", ["iptables -D CNET-V-vx4096 -s {ip_h1}/32 -j ACCEPT"],
     ["iptables filter CNET-V-vx4096"]),
    # the kernel drops a downed device's routes and neighbours: the peers' entries drifted with it
    ("VXLAN device down", 2, "h3", ["ip link set vx4096 down"],
     ["vxlan vx4096", "peer vx4096 {ip_h1}", "peer vx4096 {ip_h2}"]),
    ("loopback down in a sandbox", 3, "h1", ["ip -n test01 link set lo down"], ["netns test01"]),
    ("hairpin off", 3, "h1", ["ip link set {pair_h1_web_bridge} type bridge_slave hairpin off"],
     ["veth {pair_h1_web_bridge}"]),
    ("deleted ptp host address", 3, "h1", ["ip addr del 172.16.0.112/20 dev {pair_h1_test01_seed001}"],
     ["veth {pair_h1_test01_seed001}"]),
    ("deleted raw rule", 3, "h1", ["iptables -t raw -F CNET-R-cnet0"], ["iptables raw CNET-R-cnet0"]),
    ("bridge MTU changed", 3, "h2", ["ip link set cnet0 mtu 1400"], ["bridge cnet0"]),
    ("renamed interface", 3, "h2", ["ip -n api link set eth1 down", "ip -n api link set eth1 name renamed0"],
     ["veth {pair_h2_api_backend}"]),
    ("VXLAN detached from its bridge", 3, "h3", ["ip link set vx4097 nomaster"], ["vxlan vx4097"]),
    ("deleted masquerade rule", 3, "h3", ["iptables -t nat -F CNET-P-cn-backend"], ["iptables nat CNET-P-cn-backend"]),
    ("deleted IPv6 neighbour entry", 3, "h3", ["ip -6 neigh del {l26_h2_db} dev vx4097"], ["peer vx4097 {ip_h2}"]),
    ("deleted IPv6 default route", 1, "h1", ["ip -n web -6 route del default"], ["veth {pair_h1_web_bridge}"]),
    ("stray hosts file of ours", 3, "h2", ["mkdir -p /etc/netns/gone", "cp /etc/netns/db/hosts /etc/netns/gone/hosts"],
     ["file /etc/netns/gone/hosts"]),
    (STRAY, 3, "h3", [], ["netns ghost", "veth cvghost"]),
]


def stray(inv):
    """Owned objects the inventory does not name, made by the modules as a run of an older inventory would
    have left them: a namespace, and a pair in a sandbox that stays."""
    for module, args in (("cnet.linux.netns", "name=ghost"),
                         ("cnet.linux.veth", "name=cvghost netns=worker peer=eth7 network=backend bridge=cn-backend")):
        res = subprocess.run([os.path.join(REPO, ".venv", "bin", "ansible")] + inv + ["h3", "-m", module, "-a", args],
                             env=ansible_env(), cwd=REPO, capture_output=True, text=True, timeout=120, check=False)
        assert res.returncode == 0 and "CHANGED" in res.stdout, res.stdout + res.stderr


def failed(res):
    """What a failed run says first: each failed task with the lines that follow it, then the recap."""
    lines = res.stdout.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith(("fatal:", "failed:")) or "FAILED!" in line]
    shown = ["\n".join(lines[max(i - 3, 0):i + 25]) for i in starts[:3]]
    return "\n...\n".join(shown + ["\n".join(lines[-12:]), res.stderr[-2000:]])


def reports(inv, book, out, *extra):
    os.makedirs(out)
    res = playbook(book, inv, "-e", "cnet_report_dir=" + out, *extra)
    with open(out + ".log", "w") as handle:
        handle.write(res.stdout + res.stderr)
    assert res.returncode == 0, failed(res)
    assert "Traceback" not in res.stdout + res.stderr
    found = {}
    for name in sorted(os.listdir(out)):
        with open(os.path.join(out, name)) as handle:
            found[name[:-len(".json")]] = json.load(handle)
    return found


def reach(lab):
    return matrix.render_containers(*matrix.containers(lab["name"]), title="reachability")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo's lab, converged once for every round (module scope: the rounds share it)."""
    name = "it-%d-drift" % (os.getpid() % 10000)
    lab = fleet.up(name, 3, owner=os.getpid())
    try:
        inv = ["-i", lab["inventory"], "-i", EXAMPLE]
        res = playbook("site.yml", inv)
        assert res.returncode == 0, failed(res)
        yield lab, inv, reach(lab), itertools.count(1), tmp_path_factory.mktemp("drift")
    finally:
        fleet.down(name)


def getent(lab, host, ns, name, database="ahostsv4"):
    res = run_in(lab, host, "ip", "netns", "exec", ns, "getent", database, name, check=False)
    return res.stdout.split()[:1] if res.returncode == 0 else []


def test_names_resolve_in_the_sandboxes_across_the_fleet(demo):
    """Before the rounds: each user-defined network's containers resolve each other's names and aliases from
    /etc/netns/<sandbox>/hosts, on one host and across both overlays; the default network resolves none."""
    lab, _inv, _before, _counter, _tmp = demo
    names = Names(lab)
    h3 = json.loads(run_in(lab, "h3", "cat", "/var/lib/cnet/fleet.json").stdout)
    h2 = json.loads(run_in(lab, "h2", "cat", "/var/lib/cnet/fleet.json").stdout)
    worker, api = h3["addresses"]["backend"]["worker"], h2["addresses"]["backend"]["api"]
    assert getent(lab, "h1", "web", "worker") == [worker]  # l3 overlay, another host
    assert getent(lab, "h1", "sidecar", "api") == [api]  # container mode: the target's files
    assert getent(lab, "h3", "cache", "postgres") == getent(lab, "h3", "cache", "db") == [names["l2_h2_db"]]
    assert getent(lab, "h3", "worker", "web") == getent(lab, "h2", "api", "web") != []
    assert getent(lab, "h1", "job", "web") == []  # the default network: no names (as in Docker)
    assert getent(lab, "h1", "tools", "web") == []  # none mode: localhost and nothing else
    assert getent(lab, "h1", "tools", "localhost", "hosts") in (["127.0.0.1"], ["::1"])  # no address: no ahosts
    assert getent(lab, "h3", "cache", "db", "ahostsv6") == [names["l26_h2_db"]]  # dual stack inside the l2 overlay
    assert run_in(lab, "h1", "ls", "/etc/netns").stdout.split() == ["job", "sidecar", "test01", "tools", "web"]
    resolv = run_in(lab, "h3", "ip", "netns", "exec", "worker", "cat", "/etc/resolv.conf").stdout
    assert resolv.startswith("# cnet.linux:resolv netns=worker") and "nameserver" in resolv
    # what a ping of a name reaches: the packet goes where the name says
    run_in(lab, "h1", "ip", "netns", "exec", "web", "ping", "-c1", "-W2", "worker")


@pytest.mark.parametrize("number", [1, 2, 3])
def test_each_drift_is_named_repaired_as_planned_and_then_gone(demo, number):
    lab, inv, before, counter, tmp = demo
    names = Names(lab)
    expected = dict((h["name"], set()) for h in lab["hosts"])
    for kind, _round, host, commands, objects in [k for k in KINDS if k[1] == number]:
        expected[host].update(name.format_map(names) for name in objects)  # named before the break
        if kind == STRAY:
            stray(inv)
        for command in commands:
            run_in(lab, host, *shlex.split(command.format_map(names)))
    step = next(counter)
    drift = reports(inv, "drift.yml", str(tmp / ("drift-%d" % step)))
    for host, want in sorted(expected.items()):
        assert set(drift[host]["objects"]) == want, "%s: reported %s, broke %s\n%s" % (
            host, drift[host]["objects"], sorted(want), "\n".join(drift[host]["actions"]))
    repaired = reports(inv, "site.yml", str(tmp / ("site-%d" % step)), "--diff")  # objects come from the diff
    for host in sorted(expected):
        assert repaired[host]["actions"] == drift[host]["actions"], "%s: planned\n  %s\nbut did\n  %s" % (
            host, "\n  ".join(drift[host]["actions"]), "\n  ".join(repaired[host]["actions"]))
        assert set(repaired[host]["objects"]) == expected[host]
    again = reports(inv, "drift.yml", str(tmp / ("again-%d" % step)))
    assert dict((h, r["objects"]) for h, r in again.items()) == dict((h, []) for h in expected), again
    assert reach(lab) == before


def test_the_matrix_has_at_least_30_kinds_on_distinct_objects_per_round():
    assert len(set(k[0] for k in KINDS)) == len(KINDS) >= 30, len(KINDS)
    for number in (1, 2, 3):
        named = [(k[2], name) for k in KINDS if k[1] == number for name in k[4] if not name.startswith("peer ")]
        assert len(named) == len(set(named)), "round %d breaks one object twice: %s" % (number, sorted(named))
