"""Dual stack through the playbooks (issue 19, part 2) on a 2-host lab with a dual-stack underlay: a bridge
network with enable_ipv6, read back from the kernel and with real IPv6 packets - addresses, the default route6,
names, published ports from outside, from the host and hairpin, icc - then drift.yml finds nothing and
teardown.yml gives the hosts back as they were (ip6tables and IPv6 forwarding too)."""

import json

from lab import hoststate, topology

from .conftest import run_in
from .test_iptables_nat import SERVER
from .test_playbooks import BRIDGE, inventory, playbook
from .test_trust import settled

FRONT = {"name": "front", "driver": "bridge", "subnet": "172.20.0.0/24", "enable_ipv6": True,
         "subnet6": "fd00:20::/64"}


def ask6(lab, member, argv_prefix, address, port):
    """What the peer_server at [address]:port answers (the client address it saw), or None."""
    res = run_in(lab, member, *(argv_prefix + ["nc", "-d", "-w", "3", address, str(port)]), check=False)
    return res.stdout.strip() or None


def serve(lab, host, ns, port):
    run_in(lab, host, "sh", "-c", "setsid ip netns exec %s python3 %s tcp %d >/dev/null 2>&1 < /dev/null &"
           % (ns, SERVER, port))
    run_in(lab, host, "sh", "-c", "for i in $(seq 50); do ip netns exec %s ss -Hltn | grep -q ':%d ' && exit 0; "
           "sleep 0.1; done; exit 1" % (ns, port))


def test_a_dual_stack_bridge_network(make_lab, tmp_path):
    lab = make_lab(2)
    before = dict((h, settled(lab, h)) for h in ("h1", "h2"))
    inv = inventory(tmp_path, lab, [BRIDGE, FRONT], {
        "h1": [{"name": "web", "network": "front", "publish": ["8080:80"], "aliases": ["www"]},
               {"name": "db", "network": "front", "ipv6_address": "fd00:20::99"},
               {"name": "old", "network": "bridge"}],
        "h2": [{"name": "api", "network": "front"}]})
    res = playbook("site.yml", inv)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-2000:]
    h1_6 = lab["hosts"][0]["address6"]
    addrs = json.loads(run_in(lab, "h1", "ip", "-n", "web", "-j", "addr", "show", "dev", "eth0").stdout)[0]["addr_info"]
    assert sorted((a["local"], a["prefixlen"]) for a in addrs if a.get("scope") == "global") == [
        ("172.20.0.2", 24), ("fd00:20::2", 64)]
    route6 = json.loads(run_in(lab, "h1", "ip", "-n", "web", "-6", "-j", "route", "show", "default").stdout)
    assert [(r["gateway"], r["dev"]) for r in route6] == [("fd00:20::1", "eth0")]
    # an IPv4-only network's container has no IPv6 at all, not even link-local
    assert run_in(lab, "h1", "ip", "-n", "old", "-6", "addr", "show", "dev", "eth0").stdout.strip() == ""
    assert run_in(lab, "h1", "sysctl", "-n", "net.ipv6.conf.all.forwarding").stdout.strip() == "1"
    # IPv6 between containers, by name; the pin holds
    run_in(lab, "h1", "ip", "netns", "exec", "web", "ping", "-6", "-c1", "-W2", "db")
    assert run_in(lab, "h1", "ip", "netns", "exec", "web", "getent", "ahostsv6", "db").stdout.split()[0] == "fd00:20::99"
    # published over IPv6: from outside (not masqueraded), from the host itself, hairpin from the container
    serve(lab, "h1", "web", 80)
    assert ask6(lab, "fabric", [], h1_6, 8080) == topology.FABRIC_ADDRESS6
    assert ask6(lab, "h2", [], h1_6, 8080) == lab["hosts"][1]["address6"]
    assert ask6(lab, "h1", [], h1_6, 8080) is not None
    assert ask6(lab, "h1", ["ip", "netns", "exec", "web"], h1_6, 8080) == "fd00:20::1"  # hairpin: masqueraded
    rules = run_in(lab, "h1", "ip6tables-save").stdout
    assert "-A CNET-N-cn-front -p tcp -m tcp --dport 8080 -j DNAT --to-destination [fd00:20::2]:80" in rules
    drift = playbook("drift.yml", inv)
    assert drift.returncode == 0 and "changed=0" in drift.stdout.split("PLAY RECAP")[-1], drift.stdout[-3000:]
    res = playbook("teardown.yml", inv)
    assert res.returncode == 0, res.stdout[-4000:]
    for h in ("h1", "h2"):  # what stays on purpose: the state directory's lock and namespace record
        assert hoststate.compare(before[h], settled(lab, h)) == {
            "files": {"gone": [], "new": ["/var/lib/cnet/lock", "/var/lib/cnet/netns.json"]}}, h


def test_an_l2_overlay_carries_ipv6_inside(make_lab, tmp_path):
    """The underlay stays IPv4; inside, each container has an IPv6 address of the overlay's subnet6, every host
    answers neighbour solicitations for the remote ones (proxy entries), and names resolve to both families."""
    lab = make_lab(2)
    swarm = {"name": "swarm", "driver": "overlay", "mode": "l2", "vni": 4097, "subnet": "10.245.0.0/24",
             "enable_ipv6": True, "subnet6": "fd00:45::/64"}
    inv = inventory(tmp_path, lab, [swarm], {"h1": [{"name": "a", "network": "swarm"}],
                                             "h2": [{"name": "b", "network": "swarm", "ipv6": "fd00:45::b"}]})
    res = playbook("site.yml", inv)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-2000:]
    neigh = json.loads(run_in(lab, "h1", "ip", "-6", "-j", "neigh", "show", "dev", "vx4097").stdout)
    assert [(n["dst"], "PERMANENT" in n["state"]) for n in neigh] == [("fd00:45::b", True)]
    assert run_in(lab, "h1", "ip", "netns", "exec", "a", "getent", "ahostsv6", "b").stdout.split()[0] == "fd00:45::b"
    run_in(lab, "h1", "ip", "netns", "exec", "a", "ping", "-6", "-c2", "-W2", "b")
    serve(lab, "h2", "b", 7000)
    a6 = json.loads(run_in(lab, "h1", "cat", "/var/lib/cnet/fleet.json").stdout)["l26"]["swarm"]["h1/a"]
    assert ask6(lab, "h1", ["ip", "netns", "exec", "a"], "fd00:45::b", 7000) == a6  # TCP, no NAT inside
    drift = playbook("drift.yml", inv)
    assert drift.returncode == 0 and "changed=0" in drift.stdout.split("PLAY RECAP")[-1], drift.stdout[-3000:]
