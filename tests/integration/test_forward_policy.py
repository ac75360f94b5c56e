"""Issue 29, forwarding like Docker: where the host role turns forwarding on, FORWARD's policy becomes DROP for
both families, in the same iptables-restore transaction as the chains that accept what the networks need, so a
host with two other interfaces forwards nothing between them; the policy before is recorded and teardown sets it
back; cnet_forward_policy: keep leaves a router's policy alone. Real packets on lab hosts."""

import json

from lab import hoststate

from .conftest import run_in
from .test_playbooks import BRIDGE, OVERLAY, inventory, playbook
from .test_trust import settled

L2 = {"name": "swarm", "driver": "overlay", "mode": "l2", "vni": 4097, "subnet": "10.245.0.0/24"}
PTP = {"name": "seed001", "driver": "ptp", "subnet": "172.16.0.0/20", "gateway": "172.16.0.112"}
DUAL = dict(BRIDGE, enable_ipv6=True, subnet6="fd00:17::/64")


def policies(lab, host):
    out = {}
    for tool in ("iptables", "ip6tables"):
        line = [ln for ln in run_in(lab, host, tool + "-save", "-t", "filter").stdout.splitlines()
                if ln.startswith(":FORWARD ")]
        out[tool] = line[0].split()[1] if line else "ACCEPT"
    return out


def two_sides(lab, host):
    """Two networks of someone else's on the host (namespaces a and b, each behind a veth pair of the host's),
    routed through it: what an open router forwards."""
    script = ("for n in a b; do ip netns add $n; done; "
              "ip link add ha type veth peer name eth0 netns a; ip link add hb type veth peer name eth0 netns b; "
              "ip addr add 10.66.1.1/24 dev ha; ip addr add 10.66.2.1/24 dev hb; ip link set ha up; ip link set hb up; "
              "ip -n a addr add 10.66.1.2/24 dev eth0; ip -n a link set eth0 up; ip -n a route add default via 10.66.1.1; "
              "ip -n b addr add 10.66.2.2/24 dev eth0; ip -n b link set eth0 up; ip -n b route add default via 10.66.2.1")
    run_in(lab, host, "sh", "-c", script)


def crosses(lab, host):
    res = run_in(lab, host, "ip", "netns", "exec", "a", "ping", "-c", "2", "-i", "0.2", "-W", "1", "10.66.2.2",
                 check=False)
    return res.returncode == 0


def test_forwarding_is_docker_like_and_teardown_sets_the_policy_back(make_lab, tmp_path):
    lab = make_lab(2)
    two_sides(lab, "h1")
    run_in(lab, "h1", "sysctl", "-qw", "net.ipv4.ip_forward=1")
    assert crosses(lab, "h1")  # an open router: forwarding on, the policy ACCEPT
    run_in(lab, "h1", "sysctl", "-qw", "net.ipv4.ip_forward=0")
    before = settled(lab, "h1")
    containers = {"h1": [{"name": "web", "network": "bridge"}, {"name": "s1", "network": "swarm"},
                         {"name": "p1", "network": "seed001"}, {"name": "c1", "network": "backend"}],
                  "h2": [{"name": "s2", "network": "swarm"}, {"name": "c2", "network": "backend"}]}
    inv = inventory(tmp_path, lab, [DUAL, OVERLAY, L2, PTP], containers)
    res = playbook("site.yml", inv)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr
    assert policies(lab, "h1") == {"iptables": "DROP", "ip6tables": "DROP"}
    assert not crosses(lab, "h1")  # forwarding is on, but only for the collection's networks
    # every path the networks need still works: the l2 overlay (bridged through netfilter), the l3 overlay,
    # the ptp pair from the host, a bridge container out to the fabric
    s2 = [a["local"] for link in json.loads(run_in(lab, "h2", "ip", "-n", "s2", "-j", "addr").stdout)
          for a in link.get("addr_info", []) if a["family"] == "inet" and link["ifname"] != "lo"][0]
    c2 = [a["local"] for link in json.loads(run_in(lab, "h2", "ip", "-n", "c2", "-j", "addr").stdout)
          for a in link.get("addr_info", []) if a["family"] == "inet" and link["ifname"] != "lo"][0]
    run_in(lab, "h1", "ip", "netns", "exec", "s1", "ping", "-c", "1", "-W", "2", s2)
    run_in(lab, "h1", "ip", "netns", "exec", "c1", "ping", "-c", "1", "-W", "2", c2)
    run_in(lab, "h1", "ip", "netns", "exec", "web", "ping", "-c", "1", "-W", "2", "203.0.113.1")
    run_in(lab, "h1", "ip", "netns", "exec", "p1", "ping", "-c", "1", "-W", "2", "172.16.0.112")
    record = json.loads(run_in(lab, "h1", "cat", "/var/lib/cnet/forward.json").stdout)
    assert record == {"version": 1, "before": {"4": "ACCEPT", "6": "ACCEPT"}}
    # drift: the policy set back by hand is reported, and repaired
    run_in(lab, "h1", "iptables", "-P", "FORWARD", "ACCEPT")
    drift = playbook("drift.yml", inv)
    assert "iptables filter FORWARD policy" in drift.stdout, drift.stdout[-3000:]
    assert playbook("site.yml", inv).returncode == 0 and policies(lab, "h1")["iptables"] == "DROP"
    # teardown: the policies as they were, the record gone, and the host as before
    res = playbook("teardown.yml", inv)
    assert res.returncode == 0, res.stdout[-3000:]
    assert policies(lab, "h1") == {"iptables": "ACCEPT", "ip6tables": "ACCEPT"}
    diff = hoststate.compare(before, hoststate.snapshot(lab["name"], "h1"))
    # what stays on purpose: the state directory with its lock and namespace record (test_trust.py)
    assert diff == {"files": {"gone": [], "new": ["/var/lib/cnet/lock", "/var/lib/cnet/netns.json"]}}, diff


def test_keep_leaves_a_routers_policy(make_lab, tmp_path):
    lab = make_lab(1)
    two_sides(lab, "h1")
    inv = inventory(tmp_path, lab, [BRIDGE], {"h1": [{"name": "web", "network": "bridge"}]})
    res = playbook("site.yml", inv, "-e", "cnet_forward_policy=keep")
    assert res.returncode == 0, res.stdout[-3000:]
    assert policies(lab, "h1")["iptables"] == "ACCEPT" and crosses(lab, "h1")
    res = playbook("site.yml", inv, "-e", "cnet_forward_policy=open")
    assert res.returncode != 0 and "cnet_forward_policy: \"open\" is not drop" in res.stdout, res.stdout[-3000:]
