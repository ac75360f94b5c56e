"""Faults and concurrency (issue 17, part 8), on lab hosts: a module killed with SIGKILL in the middle of
applying, then rerun; two site.yml runs at once on the same hosts; a host that becomes unreachable during a
rollout in batches; and the management SSH session, which no run may cut."""

import json
import os
import signal
import subprocess
import tempfile
import time

from lab import fleet, topology

from . import modrun
from .conftest import run_in
from .test_playbooks import BRIDGE, OVERLAY, REPO, ansible_env, inventory, playbook, playbook_argv

PAIRS = 1500


def marked(lab, host, kind="veth"):
    return [link["ifname"] for link in json.loads(run_in(lab, host, "ip", "-j", "-d", "link").stdout)
            if (link.get("ifalias") or "").startswith("cnet.linux:" + kind)]


def recorded(lab, host):
    """Whether the host has its record (fleet.json): its batch has begun."""
    return run_in(lab, host, "ls", "/var/lib/cnet").stdout.split().count("fleet.json") == 1


def start_module(lab, host, module, args):
    """The module running in the background on a lab host, in a process group of its own (killed as one)."""
    payload = dict(args, _ansible_check_mode=False, _ansible_diff=False, _ansible_remote_tmp="/tmp")
    handle = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
    json.dump({"ANSIBLE_MODULE_ARGS": payload}, handle)
    handle.close()
    argv = ["env", "PYTHONPATH=" + modrun.shim(), modrun.PYTHONS["pyroute2-0.9"], "-m",
            "ansible_collections.cnet.linux.plugins.modules." + module, handle.name]
    proc = subprocess.Popen(fleet.exec_argv(lab["name"], host, argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    return proc, handle.name


def test_a_module_killed_midway_is_repaired_by_the_next_run_with_nothing_duplicated(make_lab):
    lab = make_lab(1)
    host = modrun.Host(lab, "h1", modrun.PYTHONS["pyroute2-0.9"])
    host.run("netns", {"name": "big"})
    args = {"network": "n", "purge": True, "pairs": [
        {"netns": "big", "name": "kv%d" % i, "peer": "eth%d" % i, "addresses": ["10.88.%d.%d/16" % (i // 250, i % 250 + 1)]}
        for i in range(PAIRS)]}
    proc, path = start_module(lab, "h1", "veth", args)
    try:
        made = []
        while proc.poll() is None and len(made) < PAIRS // 10:
            made = marked(lab, "h1")
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        os.unlink(path)
    assert PAIRS // 10 <= len(made) < PAIRS, "the module was not killed midway (%d of %d pairs made)" % (len(made), PAIRS)
    assert proc.returncode == -signal.SIGKILL
    # the next run makes the rest, and what the killed one made is there once
    result = host.run("veth", args)
    assert result["changed"]
    ends = marked(lab, "h1")
    assert sorted(ends) == sorted("kv%d" % i for i in range(PAIRS)), (len(ends), len(set(ends)))
    inside = dict((link["ifname"], [a["local"] + "/%d" % a["prefixlen"] for a in link.get("addr_info", [])
                                    if a["family"] == "inet"]) for link in host.ipj("-n", "big", "addr"))
    assert len(inside) == PAIRS + 1  # and lo: no half-made peer left under a temporary name
    for i in range(PAIRS):
        assert inside["eth%d" % i] == ["10.88.%d.%d/16" % (i // 250, i % 250 + 1)], (i, inside.get("eth%d" % i))
    again = host.run("veth", args, check=True)
    assert again["changed"] is False and again["actions"] == []


def test_a_journaled_name_another_link_took_is_not_adopted(host):
    """A run killed after journaling a pair it was about to make leaves its name; if someone else makes a link of
    that name (here a bridge) before the next run, that link is not marked as the collection's (issue 29)."""
    host.sh("mkdir -p /var/lib/cnet && ip link add kv1 type bridge && ip link add kv2 type veth peer name kv2p")
    host.sh("""echo '[[null, "kv1", "cnet.linux:veth ctr=a net=n"], [null, "kv2", "cnet.linux:veth ctr=b net=n"]]' \
              > /var/lib/cnet/creating.json""")
    res = host.run("bridge", {"name": "cnet9", "addresses": []})
    warnings = res.get("warnings") or []
    assert any("marked kv2," in str(w) for w in warnings) and not any("kv1" in str(w) for w in warnings), res
    aliases = dict((link["ifname"], link.get("ifalias")) for link in host.ipj("-d", "link"))
    assert aliases["kv1"] is None and aliases["kv2"] == "cnet.linux:veth ctr=b net=n"
    host.sh("ip link del kv1; ip link del kv2")


def playbook_in_background(name, inv, *extra):
    return subprocess.Popen(playbook_argv(name, inv, *extra), env=ansible_env(), cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


CONTAINERS = {"h1": [{"name": "web", "network": "bridge", "publish": ["2333:22"]},
                     {"name": "api", "networks": ["bridge", "backend"]}],
              "h2": [{"name": "db", "networks": ["backend"]}]}


def test_two_site_runs_at_once_converge_the_fleet_once(make_lab, tmp_path):
    lab = make_lab(2)
    inv = inventory(tmp_path, lab, [BRIDGE, OVERLAY], CONTAINERS)
    runs = [playbook_in_background("site.yml", inv) for _run in range(2)]
    outs = [run.communicate(timeout=600)[0] for run in runs]
    for run, out in zip(runs, outs):
        assert run.returncode == 0, out[-5000:]
    res = playbook("drift.yml", inv, "-e", "cnet_drift_fail=true")
    assert res.returncode == 0, res.stdout[-5000:]
    for host in ("h1", "h2"):
        saved = [ln for ln in run_in(lab, host, "iptables-save").stdout.splitlines() if "CNET" in ln]
        assert len(saved) == len(set(saved)), "%s: a rule is there twice" % host
        json.loads(run_in(lab, host, "cat", "/var/lib/cnet/fleet.json").stdout)  # whole, not interleaved
    for ctr, networks in (("web", 1), ("api", 2)):  # one address per network, none twice
        addrs = [a for link in json.loads(run_in(lab, "h1", "ip", "-n", ctr, "-j", "addr").stdout)
                 for a in link.get("addr_info", []) if a["family"] == "inet" and link["ifname"] != "lo"]
        assert len(addrs) == networks, addrs


def test_a_host_unreachable_during_a_batched_rollout_stops_it_and_a_rerun_completes(make_lab, tmp_path):
    lab = make_lab(3)
    conts = dict(CONTAINERS, h3=[{"name": "worker", "network": "backend"}])
    inv = inventory(tmp_path, lab, [BRIDGE, OVERLAY], conts)
    h2 = [h["address"] for h in lab["hosts"] if h["name"] == "h2"][0]
    cut = ["iptables", "-I", "OUTPUT", "-p", "tcp", "-d", h2, "--dport", "22", "-j", "REJECT", "--reject-with", "tcp-reset"]
    run = playbook_in_background("site.yml", inv, "-e", "cnet_serial=1")
    try:
        deadline = time.monotonic() + 300
        # h1's batch has begun once it records its allocations: then h2 goes away (its SSH connections are reset)
        while not recorded(lab, "h1"):
            assert run.poll() is None and time.monotonic() < deadline, run.communicate()[0][-4000:]
            time.sleep(0.2)
        run_in(lab, "fabric", *cut)
        out = run.communicate(timeout=600)[0]
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode != 0, out[-4000:]
    recap = out.rsplit("PLAY RECAP", maxsplit=1)[-1]
    assert "unreachable=1" in [ln for ln in recap.splitlines() if ln.startswith("h2")][0], recap
    assert marked(lab, "h1"), "h1's batch converged before h2's"
    assert not marked(lab, "h3", "") and not recorded(lab, "h3"), "h3's batch was not touched"
    run_in(lab, "fabric", *(["iptables", "-D"] + cut[2:]))
    res = playbook("site.yml", inv, "-e", "cnet_serial=1")
    assert res.returncode == 0, res.stdout[-5000:]
    ping = run_in(lab, "h3", "ip", "netns", "exec", "worker", "ping", "-c1", "-W2",
                  json.loads(run_in(lab, "h2", "cat", "/var/lib/cnet/fleet.json").stdout)["addresses"]["backend"]["db"],
                  check=False)
    assert ping.returncode == 0, ping.stdout


def test_no_run_cuts_the_management_ssh_session(make_lab, tmp_path):
    """An SSH connection opened before site.yml and teardown.yml (its own master, not Ansible's) is the
    same connection after both, and still carries commands."""
    lab = make_lab(2)
    inv = inventory(tmp_path, lab, [BRIDGE, OVERLAY], CONTAINERS)
    lab_dir = fleet.lab_dir(lab["name"])
    sock = str(tmp_path / "mgmt.sock")
    base = ["ssh", "-i", fleet.key_file(), "-o", "ProxyCommand=%s/proxy %%h %%p" % lab_dir, "-S", sock] + \
        [arg for option in topology.SSH_QUIET for arg in ("-o", option)]
    h1 = "root@" + [h["address"] for h in lab["hosts"] if h["name"] == "h1"][0]
    master = subprocess.Popen(base + ["-M", "-N", h1], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        for _try in range(100):
            if subprocess.run(base + ["-O", "check", h1], capture_output=True, check=False).returncode == 0:
                break
            time.sleep(0.1)
        before = subprocess.run(base + [h1, "cat /proc/sys/kernel/random/boot_id; echo $SSH_CONNECTION"],
                                capture_output=True, text=True, check=True).stdout
        for book in ("site.yml", "teardown.yml"):
            res = playbook(book, inv)
            assert res.returncode == 0, res.stdout[-5000:]
            assert master.poll() is None, "%s cut the management session" % book
        after = subprocess.run(base + [h1, "cat /proc/sys/kernel/random/boot_id; echo $SSH_CONNECTION"],
                               capture_output=True, text=True, check=True, timeout=30).stdout
        assert after == before  # the same TCP connection (its ports), carrying a new command
    finally:
        master.terminate()
        master.wait(timeout=10)
