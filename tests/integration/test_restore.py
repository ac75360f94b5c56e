"""After a reboot - cnet-lab reboot: namespaces, links but the underlay, iptables, conntrack and forwarding
gone, the state directory kept - cnet-restore brings the host's networks back from its record with the same
engine and plans, without Ansible."""

import os

from lab import fleet, matrix

from . import modrun
from .conftest import run_in
from .test_playbooks import REPO, cnet_links, playbook

RESTORE = ("import sys\nfrom ansible_collections.cnet.linux.plugins.module_utils import restore\n"
           "sys.exit(restore.main(sys.argv[1:]))")  # what the installed command runs, from this checkout
INSTALLED = "/usr/local/sbin/cnet-restore"  # what the host role installs, with the engine beside it


def restore(lab, host, *args):
    return run_in(lab, host, "env", "PYTHONPATH=%s/.collections" % REPO, "/usr/bin/python3", "-c", RESTORE, *args,
                  check=False, timeout=120)


def reachability(lab):
    """What every namespace reaches, the published port from the fabric and the egress masquerade."""
    columns, result = matrix.containers(lab["name"])
    return columns, result, matrix.published(lab["name"], "h1", "web", 22, 2333, ("h2", "api"))


def test_a_rebooted_fleet_comes_back_as_it_was(make_lab):
    lab = make_lab(3)
    hosts = [h["name"] for h in lab["hosts"]]
    inv = ["-i", lab["inventory"], "-i", os.path.join(REPO, "examples", "lab", "hosts.ini")]
    res = playbook("site.yml", inv)
    assert res.returncode == 0, res.stdout + res.stderr
    before = reachability(lab)
    assert "web 192.0.2.1" in before[2][0] and "outside 192.0.2.12" in before[2][1]  # published port, masquerade
    # h1: what a reboot loses is gone, and the installed command run by hand brings it back
    fleet.reboot(lab["name"], "h1", boot=False)
    assert cnet_links(lab, "h1") == [] and run_in(lab, "h1", "ip", "netns", "list").stdout == ""
    assert "CNET" not in run_in(lab, "h1", "iptables-save").stdout
    assert run_in(lab, "h1", "sysctl", "-n", "net.ipv4.ip_forward").stdout.strip() == "0"
    check = run_in(lab, "h1", INSTALLED, "--check", check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "cnet-restore: netns: would: ip netns add web" in check.stdout
    assert "cnet-restore: host_settings: would: sysctl -w net.ipv4.ip_forward=1" in check.stdout
    assert "drifted: " in check.stdout and cnet_links(lab, "h1") == []  # --check changed nothing
    done = run_in(lab, "h1", INSTALLED, check=False)
    assert done.returncode == 0 and ", 0 not restored" in done.stdout, done.stdout + done.stderr
    # h2, h3: the enabled boot unit runs it, as systemd would
    for h in hosts[1:]:
        booted = fleet.reboot(lab["name"], h)
        assert "boot: cnet-restore.service: exit 0" in booted and ", 0 not restored" in booted, booted
    assert reachability(lab) == before
    for h in hosts:  # a second run changes nothing
        again = run_in(lab, h, INSTALLED, check=False)
        assert again.returncode == 0 and again.stdout.splitlines()[-1].startswith("cnet-restore: 0 changes made"), \
            again.stdout
    res = playbook("drift.yml", inv, "-e", "cnet_drift_fail=true")
    assert res.returncode == 0, res.stdout + res.stderr
    res = playbook("site.yml", inv, "-e", "cnet_hosts=h1", "-e", "host_resync_interval=5min")  # the resync timer
    assert res.returncode == 0, res.stdout + res.stderr
    timer = run_in(lab, "h1", "cat", "/etc/systemd/system/cnet-restore.timer").stdout
    assert "OnUnitActiveSec=5min" in timer and "Unit=cnet-restore-resync.service" in timer
    assert run_in(lab, "h1", "readlink", "/etc/systemd/system/timers.target.wants/cnet-restore.timer").stdout.strip() \
        == "../cnet-restore.timer"
    res = playbook("teardown.yml", inv)  # takes the command, its units, its engine and the records with it
    assert res.returncode == 0, res.stdout + res.stderr
    for h in hosts:
        left = run_in(lab, h, "find", "/usr/local/sbin", "/usr/local/lib/cnet", "/etc/systemd/system", "/var/lib/cnet",
                      "-type", "f", "-o", "-type", "l").stdout.split()
        assert sorted(left) == ["/var/lib/cnet/lock", "/var/lib/cnet/netns.json"], left


def test_a_pid_adoption_whose_process_is_gone_is_reported_not_faked(make_lab):
    lab = make_lab(1)
    host = modrun.Host(lab, "h1", modrun.PYTHONS["pyroute2-0.7"])
    pid = int(host.sh("unshare -n sleep 600 >/dev/null 2>&1 & echo $!").stdout)
    host.sh("for i in $(seq 50); do [ \"$(readlink /proc/%d/ns/net)\" != \"$(readlink /proc/1/ns/net)\" ] && exit 0;"
            " sleep 0.1; done; exit 1" % pid)
    host.run("netns", {"namespaces": [{"name": "job", "pid": pid}, {"name": "web"}]})
    host.run("bridge", {"name": "b1", "addresses": ["10.4.0.1/24"]})
    host.run("veth", {"bridge": "b1", "pairs": [{"netns": "job", "addresses": ["10.4.0.2/24"]},
                                                {"netns": "web", "addresses": ["10.4.0.3/24"]}]})
    fleet.reboot(lab["name"], "h1")
    host.sh("kill %d" % pid)  # the process we started: a reboot ends it too
    done = restore(lab, "h1")
    assert done.returncode == 1, done.stdout
    assert "not restored: namespace 'job': pid %d is gone" % pid in done.stdout
    assert "not restored: pair 'cv" in done.stdout and "its namespace 'job' is not restored" in done.stdout
    assert sorted(e["name"] for e in host.ipj("netns", "list")) == ["web"]  # the rest is back
    assert [a["local"] for a in host.ipj("-n", "web", "addr", "show", "dev", "eth0")[0]["addr_info"]
            if a["family"] == "inet"] == ["10.4.0.3"]
