"""The simulated fleet on a real kernel: separate machines, reached over SSH, gone afterwards."""

import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from lab import fleet, procs, topology

from .conftest import run_in, venv_bin

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def ns_ids(lab, member):
    out = run_in(lab, member, "sh", "-c", "readlink /proc/self/ns/net /proc/self/ns/mnt /proc/self/ns/uts").stdout
    return tuple(out.split())


def test_each_host_is_its_own_machine(make_lab):
    lab = make_lab(8)
    hosts = [h["name"] for h in lab["hosts"]]
    ids = {h: ns_ids(lab, h) for h in hosts}
    mine = tuple(os.readlink("/proc/self/ns/" + n) for n in ("net", "mnt", "uts"))
    for kind in range(3):
        seen = [ids[h][kind] for h in hosts]
        assert len(set(seen)) == len(hosts), "hosts share a namespace: %s" % seen
        assert mine[kind] not in seen
    inventory = open(lab["inventory"]).read()
    for h in hosts:
        assert run_in(lab, h, "hostname").stdout.strip() == h
        # the host's job process (for pid adoption): a network namespace of its own, the host's mounts
        job = lab["jobs"][h][0]
        assert os.readlink("/proc/%d/ns/net" % job) not in (ids[h][0], mine[0])
        assert os.readlink("/proc/%d/ns/mnt" % job) == ids[h][1]
        assert " cnet_lab_job_pid=%d\n" % job in inventory
        assert sorted(run_in(lab, h, "ls", "/sys/class/net").stdout.split()) == ["eth0", "lo"]

    # private /run/netns, iptables, sysctls, state and /run directories
    run_in(lab, "h1", "ip", "netns", "add", "probe")
    run_in(lab, "h1", "iptables", "-A", "INPUT", "-s", "203.0.113.99", "-j", "DROP")
    run_in(lab, "h1", "sysctl", "-q", "-w", "net.ipv4.ip_forward=1")
    run_in(lab, "h1", "touch", "/var/lib/cnet/marker", "/run/cnet/marker")
    assert "probe" in run_in(lab, "h1", "ip", "netns", "list").stdout
    assert "203.0.113.99" in run_in(lab, "h1", "iptables-save").stdout
    assert run_in(lab, "h1", "cat", "/proc/sys/net/ipv4/ip_forward").stdout.strip() == "1"
    for h in hosts[1:]:
        assert "probe" not in run_in(lab, h, "ip", "netns", "list").stdout
        assert "203.0.113.99" not in run_in(lab, h, "iptables-save").stdout
        assert run_in(lab, h, "cat", "/proc/sys/net/ipv4/ip_forward").stdout.strip() == "0"
        assert run_in(lab, h, "ls", "/var/lib/cnet", "/run/cnet").stdout.split() == ["/run/cnet:", "/var/lib/cnet:"]
    assert os.path.exists(os.path.join(fleet.lab_dir(lab["name"]), "hosts", "h1", "state", "marker"))


def test_ansible_reaches_every_host_over_ssh(make_lab):
    lab = make_lab(8)
    inventory = lab["inventory"]
    ping = subprocess.run([venv_bin("ansible"), "-i", inventory, "all", "-m", "ansible.builtin.ping", "-o"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert ping.returncode == 0, ping.stdout + ping.stderr
    assert sorted(re.findall(r"^(h\d+) \| SUCCESS", ping.stdout, re.M)) == sorted(h["name"] for h in lab["hosts"])
    # each SSH session lands in its own host: the address on its eth0 is that host's
    who = subprocess.run([venv_bin("ansible"), "-i", inventory, "all", "-m", "ansible.builtin.command", "-o",
                          "-a", "ip -o -4 addr show dev eth0"], capture_output=True, text=True, timeout=120, check=False)
    assert who.returncode == 0, who.stdout + who.stderr
    for host in lab["hosts"]:
        line = [ln for ln in who.stdout.splitlines() if ln.startswith(host["name"] + " |")]
        assert line and " %s/%d " % (host["address"], host["prefix"]) in line[0], who.stdout
    # the SSH masters Ansible keeps (ControlPersist) and their proxies end with the lab
    assert lab_helpers(lab), "no SSH master or proxy seen for the lab"
    fleet.down(lab["name"])
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and lab_helpers(lab):
        time.sleep(0.05)
    assert lab_helpers(lab) == ""


def lab_helpers(lab):
    """Processes on this machine whose command line names the lab's directory (SSH masters, proxies)."""
    return subprocess.run(["pgrep", "-af", fleet.lab_dir(lab["name"]) + "/"], capture_output=True, text=True,
                          check=False).stdout


def ping_ttl(lab, src, dst):
    out = run_in(lab, src, "ping", "-c1", "-W2", dst).stdout
    return int(re.search(r"ttl=(\d+)", out).group(1))


def test_routed_underlay_puts_a_router_between_the_two_subnets(make_lab):
    lab = make_lab(4, routed=True)
    by_name = {h["name"]: h for h in lab["hosts"]}
    assert by_name["h1"]["address"].startswith("192.0.2.") and by_name["h2"]["address"].startswith("198.51.100.")
    assert ping_ttl(lab, "h1", by_name["h3"]["address"]) == 64   # same segment: no hop
    assert ping_ttl(lab, "h1", by_name["h2"]["address"]) == 63   # other segment: one router hop
    assert ping_ttl(lab, "h2", topology.OUTSIDE_ADDRESS) == 63
    route = run_in(lab, "h2", "ip", "-4", "route", "get", by_name["h1"]["address"]).stdout
    assert "via 198.51.100.254" in route


SERVER = r"""
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 8080)); s.listen(1); s.settimeout(20)
print("listening", flush=True)
c, peer = s.accept()
print(peer[0], flush=True)
"""


@pytest.mark.parametrize("routed", [False, True])
def test_the_fabric_plays_the_outside_world(make_lab, routed):
    lab = make_lab(2, routed=routed)
    server = subprocess.Popen(fleet.exec_argv(lab["name"], "fabric", [sys.executable, "-c", SERVER,
                                                                      topology.OUTSIDE_ADDRESS]),
                              stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout.readline().strip() == "listening"
        h2 = lab["hosts"][1]
        run_in(lab, "h2", "nc", "-z", "-w", "5", topology.OUTSIDE_ADDRESS, "8080")
        assert server.stdout.readline().strip() == h2["address"]
    finally:
        server.kill()
        server.wait()


def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid) as f:
            return f.read()
    except OSError:
        return ""


def lab_processes(lab):
    return procs.cgroup_pids(lab["cgroup"]) if lab["cgroup"] else []


def test_down_ends_every_process_of_the_lab_and_leaves_nothing(make_lab):
    lab = make_lab(2)
    # a daemon a test might leave running inside a host, detached from everything
    run_in(lab, "h1", "sh", "-c", "setsid sleep 600 >/dev/null 2>&1 < /dev/null &")
    pids = [tuple(p) for p in list(lab["pids"].values()) + list(lab["jobs"].values())]
    if lab["cgroup"]:
        assert len(lab_processes(lab)) >= len(pids) + 1
    daemon = []
    deadline = time.monotonic() + 5
    while lab["cgroup"] and not daemon and time.monotonic() < deadline:
        daemon = [(p, procs.start_time(p)) for p in lab_processes(lab) if cmdline(p).startswith("sleep\x00600")]
        time.sleep(0.02)
    assert daemon or not lab["cgroup"]
    fleet.down(lab["name"])
    assert not any(procs.alive(*p) for p in pids)
    assert not any(procs.alive(*p) for p in daemon)  # (a zombie awaiting its reaper counts as ended)
    assert not os.path.exists(fleet.lab_dir(lab["name"]))
    if lab["cgroup"]:
        assert not os.path.exists(lab["cgroup"])
    sshd = subprocess.run(["pgrep", "-f", "sshd.*%s/" % fleet.lab_dir(lab["name"])], capture_output=True, check=False)
    assert sshd.returncode == 1
    fleet.down(lab["name"])  # a second down is harmless


def test_a_crashed_owner_takes_its_lab_down():
    owner = subprocess.Popen(["sleep", "120"])
    name = "it-owner-%d" % (os.getpid() % 10000)
    try:
        lab = fleet.up(name, 2, owner=owner.pid)
        holders = [tuple(p) for p in lab["pids"].values()]
        owner.send_signal(signal.SIGKILL)
        owner.wait()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and os.path.exists(fleet.lab_dir(name)):
            time.sleep(0.1)
        assert not os.path.exists(fleet.lab_dir(name)), "the reaper did not take the lab down"
        assert not any(procs.alive(*p) for p in holders)
    finally:
        owner.kill()
        fleet.down(name)


def test_clean_removes_stale_labs_and_keeps_live_ones(make_lab):
    live, broken = make_lab(1), make_lab(2)
    pid = broken["pids"]["h1"][0]
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not fleet.is_stale(broken["name"]):
        time.sleep(0.05)
    removed = fleet.clean()
    assert broken["name"] in removed
    assert live["name"] not in removed
    assert not os.path.exists(fleet.lab_dir(broken["name"]))
    assert not fleet.is_stale(live["name"])
    assert run_in(live, "h1", "hostname").stdout.strip() == "h1"


@pytest.mark.parametrize("argv, message", [
    (["up", "0"], "1 to 200"),
    (["up", "2", "--name", "Bad_Name"], "lowercase letters"),
    (["exec", "no-such-lab", "h1", "true"], "no lab named no-such-lab"),
    (["matrix", "no-such-lab"], "no lab named no-such-lab"),
])
def test_cli_refuses_bad_input_clearly(argv, message):
    res = subprocess.run([os.path.join(REPO, "scripts", "cnet-lab")] + argv, capture_output=True, text=True,
                         check=False)
    assert res.returncode == 2
    assert message in res.stderr
    assert "Traceback" not in res.stderr


def test_root_snapshot_compare_fails_when_anything_differs(tmp_path):
    """The guard scripts/test ends with must be able to fail: a saved snapshot that differs is reported."""
    cli = os.path.join(REPO, "scripts", "cnet-lab")
    saved = subprocess.run([cli, "root-snapshot"], capture_output=True, text=True, check=True).stdout
    same, tampered = tmp_path / "same.json", tmp_path / "tampered.json"
    same.write_text(saved)
    snap = json.loads(saved)
    assert snap["links"].strip() and snap["sysctls"]["net/ipv4/ip_forward"] in ("0", "1")
    snap["links"] += "99: cnet-ghost: <BROADCAST>\n"
    snap["sysctls"]["net/ipv4/ip_forward"] = "x"
    tampered.write_text(json.dumps(snap))
    ok = subprocess.run([cli, "root-snapshot", "--compare", str(same)], capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stderr
    bad = subprocess.run([cli, "root-snapshot", "--compare", str(tampered)], capture_output=True, text=True,
                         check=False)
    assert bad.returncode == 1
    assert "links" in bad.stderr and "sysctls" in bad.stderr
