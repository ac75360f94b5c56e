"""Issue 29 through site.yml on lab hosts, tried as an attacker would: a machine on the underlay (the lab's
fabric) that routes a container's address via its host and sends from an address inside the overlay reaches no
container (l3 VXLAN and host-gw overlays, and a dual-stack bridge network over IPv6); a host's record tampered
with stops the plan naming the host, the file and the key, or the two hosts whose claims collide; a value that
would add a line to a sandbox's resolv.conf is refused; a zip planted in the controller's temp folder is never
what a host runs. No traceback, and no host changed by a run that failed."""

import hashlib
import json
import os
import subprocess

from ansible_collections.cnet.linux.plugins.lookup import engine_bundle
from lab import hoststate

from .conftest import run_in
from .test_playbooks import OVERLAY, REPO, ansible_env, inventory, playbook_argv
from .test_trust import settled

HOSTGW = {"name": "fast", "driver": "overlay", "mode": "host-gw", "subnet": "10.250.0.0/16"}
DUAL = {"name": "front", "driver": "bridge", "bridge": "cnet-front", "subnet": "172.20.0.0/16", "enable_ipv6": True,
        "subnet6": "fd00:20::/64"}
SPOOF4 = {"backend": "10.244.250.250", "fast": "10.250.250.250"}  # inside each overlay, no host's lease
SPOOF6 = "fd00:20::beef"


def run(name, inv, *extra, env=None):
    return subprocess.run(playbook_argv(name, inv, *extra), env=env or ansible_env(), cwd=REPO, capture_output=True,
                          text=True, timeout=600, check=False)


def address(lab, host, netns, family="inet"):
    return [a["local"] for link in json.loads(run_in(lab, host, "ip", "-n", netns, "-j", "addr").stdout)
            if link["ifname"] == "eth0" for a in link.get("addr_info", []) if a["family"] == family
            and not a["local"].startswith("fe80:")][0]


def received(lab, host, netns, source, six=False):
    """Packets from source that reached the sandbox: a counting rule inside it (the test's own namespace)."""
    tool = "ip6tables" if six else "iptables"
    out = run_in(lab, host, "ip", "netns", "exec", netns, tool, "-w", "-L", "INPUT", "-v", "-x", "-n").stdout
    return sum(int(line.split()[0]) for line in out.splitlines() if source in line)


def count_from(lab, host, netns, source, six=False):
    tool = "ip6tables" if six else "iptables"
    run_in(lab, host, "ip", "netns", "exec", netns, tool, "-w", "-A", "INPUT", "-s", source, "-j", "ACCEPT")


def test_the_underlay_reaches_no_container_by_spoofing_an_overlay_address(make_lab, tmp_path):
    lab = make_lab(2)
    containers = {"h1": [{"name": "c1", "network": "backend"}, {"name": "g1", "network": "fast"},
                         {"name": "d1", "network": "front"}],
                  "h2": [{"name": "c2", "network": "backend"}, {"name": "g2", "network": "fast"}]}
    inv = inventory(tmp_path, lab, [OVERLAY, HOSTGW, DUAL], containers)
    res = run("site.yml", inv)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr
    h1_6 = [a["local"] for link in json.loads(run_in(lab, "h1", "ip", "-j", "addr", "show", "eth0").stdout)
            for a in link["addr_info"] if a["family"] == "inet6" and not a["local"].startswith("fe80:")][0]
    # the overlays carry their own traffic: h2's containers reach h1's
    for src, dst in (("c2", "c1"), ("g2", "g1")):
        target = address(lab, "h1", dst)
        run_in(lab, "h2", "ip", "netns", "exec", src, "ping", "-c", "1", "-W", "2", target)
    # the fabric (a machine on the underlay) routes each container via h1 and sends from inside the overlay
    for sandbox, network in (("c1", "backend"), ("g1", "fast")):
        target, spoof = address(lab, "h1", sandbox), SPOOF4[network]
        count_from(lab, "h1", sandbox, spoof)
        run_in(lab, "fabric", "ip", "addr", "add", spoof + "/32", "dev", "lo")
        run_in(lab, "fabric", "ip", "route", "add", target + "/32", "via", "192.0.2.11")
        dropped = forward_drops(lab)
        run_in(lab, "fabric", "ping", "-c", "5", "-i", "0.2", "-W", "1", "-I", spoof, target, check=False)
        assert received(lab, "h1", sandbox, spoof) == 0, (sandbox, "a spoofed packet reached the container")
        assert forward_drops(lab) >= dropped + 5  # they reached h1 and its network's chain dropped them
    # IPv6: a dual-stack bridge network's containers are routed, not reachable from the underlay either
    target6 = address(lab, "h1", "d1", "inet6")
    count_from(lab, "h1", "d1", SPOOF6, six=True)
    run_in(lab, "fabric", "ip", "-6", "addr", "add", SPOOF6 + "/128", "dev", "lo", "nodad")
    run_in(lab, "fabric", "ip", "-6", "route", "add", target6 + "/128", "via", h1_6)
    run_in(lab, "fabric", "ping", "-6", "-c", "5", "-i", "0.2", "-W", "1", "-I", SPOOF6, target6, check=False)
    assert received(lab, "h1", "d1", SPOOF6, six=True) == 0


def forward_drops(lab):
    """Packets h1's networks' chains dropped as 'not from this bridge, not a reply, not published'."""
    out = run_in(lab, "h1", "iptables-save", "-c").stdout
    return sum(int(line.split("]")[0].strip("[").split(":")[0]) for line in out.splitlines()
               if line.startswith("[") and "-A CNET-F-" in line and " ! -i " in line and line.endswith("-j DROP"))


def test_a_tampered_record_stops_the_plan_naming_it_and_changes_no_host(make_lab, tmp_path):
    lab = make_lab(2)
    inv = inventory(tmp_path, lab, [OVERLAY], {"h1": [{"name": "c1", "network": "backend"}],
                                               "h2": [{"name": "c2", "network": "backend"}]})
    res = run("site.yml", inv)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr
    good = json.loads(run_in(lab, "h2", "cat", "/var/lib/cnet/fleet.json").stdout)
    cases = [
        (dict(good, leases={"backend": dict(good["leases"]["backend"], h2="garbage")}),
         "h2: /var/lib/cnet/fleet.json.leases.backend.h2: 'garbage' is not a network"),
        (dict(good, leases={"backend": dict(good["leases"]["backend"], h2=good["leases"]["backend"]["h1"])}),
         "the records give the lease %s of backend to both h1 and h2" % good["leases"]["backend"]["h1"]),
        (dict(good, addresses={"backend": {"c2": "10.244.7.7%eth0\n10.244.7.8"}}),
         "h2: /var/lib/cnet/fleet.json.addresses.backend.c2: '10.244.7.7%eth0\\n10.244.7.8' holds the control"),
    ]
    for record, named in cases:
        write(lab, "h2", "/var/lib/cnet/fleet.json", json.dumps(record))
        before = dict((h, settled(lab, h)) for h in ("h1", "h2"))
        res = run("site.yml", inv)
        assert res.returncode != 0 and named in res.stdout, (named, res.stdout[-3000:])
        assert "Traceback" not in res.stdout + res.stderr
        for h in ("h1", "h2"):  # every host stops at the plan: nothing changed anywhere
            assert hoststate.snapshot(lab["name"], h) == before[h], h
    write(lab, "h2", "/var/lib/cnet/fleet.json", json.dumps(good))
    res = run("site.yml", inv)
    assert res.returncode == 0 and "changed=0" in res.stdout, res.stdout[-3000:]


def write(lab, host, path, text):
    run_in(lab, host, "python3", "-c", "import sys; open(sys.argv[1], 'w').write(sys.argv[2])", path, text)


def test_a_smuggled_resolver_line_is_refused_and_the_genuine_engine_installed(make_lab, tmp_path):
    lab = make_lab(1)
    bad = {"h1": [{"name": "web", "network": "front", "dns": ["fe80::1%eth0\nnameserver 6.6.6.6"]}]}
    inv = inventory(tmp_path, lab, [DUAL], bad)
    before = settled(lab, "h1")
    res = run("site.yml", inv)
    assert res.returncode != 0 and "h1: cnet_containers" in res.stdout and "dns" in res.stdout, res.stdout[-3000:]
    assert "Traceback" not in res.stdout + res.stderr and hoststate.snapshot(lab["name"], "h1") == before
    # the role's own values rendered into cnet-restore and its timer: refused before any change
    good = {"h1": [{"name": "web", "network": "front", "dns": ["192.0.2.53"]}]}
    (tmp_path / "host_vars" / "h1.yml").write_text(json.dumps({"cnet_containers": good["h1"]}))
    for extra, named in (({"host_resync_interval": "5min\nExecStartPre=/bin/sh -c id"}, "host_resync_interval: "),
                         ({"host_restore_lib": '/x"); import os; os.system("id") #'}, "host_restore_lib: ")):
        res = run("site.yml", inv, "-e", json.dumps(extra))
        assert res.returncode != 0 and named in res.stdout, res.stdout[-3000:]
        assert hoststate.snapshot(lab["name"], "h1") == before
    # another local user of the controller planted the engine where the controller builds it, and made the folder
    root = os.path.join(REPO, "plugins", "module_utils")
    data = engine_bundle.bundle(root)
    temp = tmp_path / "controller-tmp"
    planted = temp / ("cnet-engine-%d" % os.geteuid())
    planted.mkdir(parents=True)
    (planted / ("engine-%s.zip" % hashlib.sha256(data).hexdigest()[:16])).write_bytes(b"PK planted engine")
    os.chmod(str(planted), 0o777)
    os.chown(str(planted), 65534, 65534)
    res = run("site.yml", inv, env=dict(ansible_env(), TMPDIR=str(temp)))
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr
    installed = run_in(lab, "h1", "sha1sum", "/usr/local/lib/cnet/engine.zip").stdout.split()[0]
    assert installed == hashlib.sha1(data).hexdigest()
    resolv = run_in(lab, "h1", "cat", "/etc/netns/web/resolv.conf").stdout.splitlines()
    assert [ln for ln in resolv if not ln.startswith("#")] == ["nameserver 192.0.2.53"]
