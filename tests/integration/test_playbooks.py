"""site.yml over SSH on lab hosts, for what only a whole playbook shows: an inventory mistake changes no
host at all, and a rollout in batches stops at the batch whose health gate fails."""

import ipaddress
import json
import os
import re
import subprocess

from .conftest import run_in

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OVERLAY = {"name": "backend", "driver": "overlay", "mode": "l3", "vni": 4096, "subnet": "10.244.0.0/16"}
BRIDGE = {"name": "bridge", "driver": "bridge", "bridge": "cnet0", "subnet": "172.17.0.0/16"}


def inventory(tmp_path, lab, networks, containers):
    """The lab's hosts plus a directory inventory holding the variables (JSON is YAML)."""
    (tmp_path / "group_vars").mkdir()
    (tmp_path / "host_vars").mkdir()
    (tmp_path / "hosts.ini").write_text("# variables only; the hosts are the lab's\n")
    (tmp_path / "group_vars" / "all.yml").write_text(json.dumps({"cnet_networks": networks}))
    for host, conts in containers.items():
        (tmp_path / "host_vars" / ("%s.yml" % host)).write_text(json.dumps({"cnet_containers": conts}))
    return ["-i", lab["inventory"], "-i", str(tmp_path / "hosts.ini")]


def ansible_env():
    """The environment the repository's Ansible commands run with: its ansible.cfg and collection."""
    return dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"),
                ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, ".collections"))


def playbook_argv(name, inv, *extra):
    return [os.path.join(REPO, ".venv", "bin", "ansible-playbook")] + inv + [os.path.join(REPO, "playbooks", name)] \
        + list(extra)


def playbook(name, inv, *extra):
    return subprocess.run(playbook_argv(name, inv, *extra), env=ansible_env(), cwd=REPO, capture_output=True, text=True,
                          timeout=600, check=False)


def host_state(lab, host):
    """Everything a run could change on a host, as text (addresses brief: a fresh lab's IPv6 DAD is still going)."""
    views = [("ip", "-j", "-d", "link"), ("ip", "-br", "addr"), ("ip", "-j", "route"), ("ip", "netns", "list"),
             ("iptables-save",), ("sysctl", "-n", "net.ipv4.ip_forward"), ("ls", "-la", "/var/lib/cnet")]
    return dict((" ".join(v), [ln for ln in run_in(lab, host, *v).stdout.splitlines() if not ln.startswith("#")])
                for v in views)  # iptables-save's comments carry the time


def cnet_links(lab, host):
    return sorted(link["ifname"] for link in json.loads(run_in(lab, host, "ip", "-j", "-d", "link").stdout)
                  if (link.get("ifalias") or "").startswith("cnet.linux:"))


def test_an_inventory_mistake_fails_every_host_before_any_host_changes(make_lab, tmp_path):
    lab = make_lab(3)
    hosts = [h["name"] for h in lab["hosts"]]
    containers = dict((h, [{"name": "c-" + h, "network": "bridge"}]) for h in hosts)
    containers["h3"] = [{"name": "c-h3", "network": "bridge", "ipv4": "10.9.9.9"}]  # not in 172.17.0.0/16
    before = dict((h, host_state(lab, h)) for h in hosts)
    res = playbook("site.yml", inventory(tmp_path, lab, [BRIDGE, OVERLAY], containers))
    assert res.returncode != 0, res.stdout
    for h in hosts:  # every host fails at the plan, each naming the mistake of h3
        assert "failed=1" in [ln for ln in res.stdout.splitlines() if ln.startswith(h + " ")][0], res.stdout
    assert "h3" in res.stdout and "10.9.9.9" in res.stdout and "172.17.0.0/16" in res.stdout, res.stdout
    assert "Traceback" not in res.stdout + res.stderr
    for h in hosts:  # not a package, sysctl, record, namespace, link or rule changed anywhere
        assert host_state(lab, h) == before[h], h


def test_a_batch_whose_health_gate_fails_stops_the_rollout(make_lab, tmp_path):
    lab = make_lab(3)
    hosts = [h["name"] for h in lab["hosts"]]
    inv = inventory(tmp_path, lab, [OVERLAY], dict((h, [{"name": "c-" + h, "network": "backend"}]) for h in hosts))
    # h2 drops VXLAN arriving at its underlay (a foreign rule the collection leaves alone): h2's containers
    # cannot hear h1 back, so h2's batch fails its health gate
    run_in(lab, "h2", "iptables", "-t", "raw", "-A", "PREROUTING", "-p", "udp", "--dport", "4789", "-j", "DROP")
    res = playbook("site.yml", inv, "-e", "cnet_serial=1", "-e", "overlay_health_retries=2")
    assert res.returncode != 0, res.stdout
    assert re.search(r"^fatal: \[h2\]: FAILED!", res.stdout, re.M), res.stdout
    assert re.search(r"unreachable: c-h2 -> 10\.244\.\S+ \(backend on h1\)", res.stdout), res.stdout
    recap = dict((ln.split()[0], ln) for ln in res.stdout.split("PLAY RECAP")[-1].splitlines() if ln.strip())
    assert "failed=0" in recap["h1"] and "failed=1" in recap["h2"], res.stdout
    assert cnet_links(lab, "h1") and cnet_links(lab, "h2")  # batches 1 and 2 were converged
    assert cnet_links(lab, "h3") == []  # batch 3 never started
    assert run_in(lab, "h3", "ip", "netns", "list").stdout == ""
    # with the underlay repaired the rollout completes, and every host reaches every other over the overlay
    run_in(lab, "h2", "iptables", "-t", "raw", "-D", "PREROUTING", "-p", "udp", "--dport", "4789", "-j", "DROP")
    res = playbook("site.yml", inv, "-e", "cnet_serial=1")
    assert res.returncode == 0, res.stdout + res.stderr
    record = json.loads(run_in(lab, "h3", "cat", "/var/lib/cnet/fleet.json").stdout)
    for src in hosts:
        for dst, lease in record["leases"]["backend"].items():
            gateway = str(ipaddress.ip_network(lease).network_address + 1)
            assert run_in(lab, src, "ip", "netns", "exec", "c-" + src, "ping", "-c1", "-W2", gateway,
                          check=False).returncode == 0, (src, dst)


def test_the_state_dir_holds_everything_a_run_keeps(make_lab, tmp_path):
    """host_state_dir reaches every module: the engine's lock and records sit beside fleet.json, and drift.yml
    and teardown.yml find them there (the host's own /run, private to the lab host)."""
    lab = make_lab(1)
    inv = inventory(tmp_path, lab, [BRIDGE], {"h1": [{"name": "web", "network": "bridge"}]})
    alt = "/run/cnet-alt"
    res = playbook("site.yml", inv, "-e", "host_state_dir=" + alt)
    assert res.returncode == 0, res.stdout + res.stderr
    assert set(run_in(lab, "h1", "ls", alt).stdout.split()) >= {"fleet.json", "lock", "netns.json"}
    assert run_in(lab, "h1", "ls", "-A", "/var/lib/cnet").stdout == ""  # the default directory is not used
    res = playbook("drift.yml", inv, "-e", "host_state_dir=" + alt, "-e", "cnet_drift_fail=true")
    assert res.returncode == 0 and '"no drift"' in res.stdout, res.stdout + res.stderr
    res = playbook("teardown.yml", inv, "-e", "host_state_dir=" + alt)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "fleet.json" not in run_in(lab, "h1", "ls", alt).stdout and cnet_links(lab, "h1") == []
    assert run_in(lab, "h1", "ip", "netns", "list").stdout == ""
