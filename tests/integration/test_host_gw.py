"""cnet.linux.host_gw on lab hosts: Flannel's host-gw backend - each lease routed via its host's underlay
address, no encapsulation (the full 1500 MTU end to end), peers authoritative, a peer across a router refused."""

import json

import pytest

from lab import hoststate

from .conftest import run_in
from .modrun import PYTHONS, Host
from .test_playbooks import inventory, playbook
from .test_trust import settled

LEASES = {"h1": "10.244.1.0/24", "h2": "10.244.2.0/24", "h3": "10.244.3.0/24"}


def overlay(lab, me, hosts):
    return {"name": "backend", "subnet": "10.244.0.0/16", "lease": LEASES[me],
            "peers": [{"address": h["address"], "lease": LEASES[h["name"]]} for h in lab["hosts"] if h["name"] in hosts]}


def container(host, lease):
    gw = lease.replace(".0/24", ".1")
    host.run("bridge", {"name": "cn-backend", "addresses": [gw + "/24"]})
    host.run("netns", {"name": "c"})
    host.run("veth", {"netns": "c", "bridge": "cn-backend", "addresses": [lease.replace(".0/24", ".2/24")],
                      "gateway": gw})
    host.sh("sysctl -qw net.ipv4.ip_forward=1")


def test_leases_are_routed_via_the_peers_underlay_addresses(make_lab):
    lab = make_lab(3)
    hosts = dict((h["name"], Host(lab, h["name"], PYTHONS["pyroute2-0.7"])) for h in lab["hosts"])
    for name, host in hosts.items():
        container(host, LEASES[name])
        result = host.converge("host_gw", overlay(lab, name, LEASES))
        assert len(result["actions"]) == 2, result["actions"]
    routes = json.loads(run_in(lab, "h1", "ip", "-j", "route", "show", "proto", "147").stdout)
    assert sorted((r["dst"], r["gateway"], r["dev"]) for r in routes) == [
        ("10.244.2.0/24", "192.0.2.12", "eth0"), ("10.244.3.0/24", "192.0.2.13", "eth0")]
    # container to container across hosts with a full-size packet, nothing fragmented or encapsulated
    run_in(lab, "h1", "ip", "netns", "exec", "c", "ping", "-c1", "-W2", "-M", "do", "-s", "1472", "10.244.3.2")
    # h3 leaves the overlay: its route goes, the others stay; a moved lease is replaced in place
    result = hosts["h1"].converge("host_gw", overlay(lab, "h1", ("h1", "h2")))
    assert result["actions"] == ["ip route del 10.244.3.0/24 via 192.0.2.13 dev eth0"]
    # drift: a deleted route is put back
    run_in(lab, "h1", "ip", "route", "del", "10.244.2.0/24")
    drift = hosts["h1"].run("host_gw", overlay(lab, "h1", ("h1", "h2")), check=True)
    assert drift["actions"] == ["ip route replace 10.244.2.0/24 via 192.0.2.12 dev eth0 proto 147"]
    assert list(drift["diff"]["after"]) == ["route backend 10.244.2.0/24"]
    hosts["h1"].converge("host_gw", overlay(lab, "h1", ("h1", "h2")))
    # a foreign route in the subnet (not our protocol) is left alone; absent removes ours only
    run_in(lab, "h1", "ip", "route", "add", "10.244.9.0/24", "via", "192.0.2.13")
    result = hosts["h1"].converge("host_gw", {"name": "backend", "subnet": "10.244.0.0/16", "state": "absent"})
    assert result["actions"] == ["ip route del 10.244.2.0/24 via 192.0.2.12 dev eth0"]
    assert "10.244.9.0/24 via 192.0.2.13" in run_in(lab, "h1", "ip", "route").stdout


@pytest.mark.parametrize("python", sorted(PYTHONS))
def test_a_peer_across_a_router_is_refused_with_the_reason(make_lab, python):
    lab = make_lab(2, routed=True)  # h1 on 192.0.2.0/24, h2 on 198.51.100.0/24
    host = Host(lab, "h1", PYTHONS[python])
    result = host.run("host_gw", overlay(lab, "h1", ("h1", "h2")), expect_fail=True)
    assert "peer 198.51.100.12 is not on-link from this host" in result["msg"] and "use mode l3" in result["msg"]
    assert json.loads(run_in(lab, "h1", "ip", "-j", "route", "show", "proto", "147").stdout) == []


def test_site_yml_builds_a_host_gw_overlay_and_refuses_a_routed_underlay(make_lab, tmp_path):
    lab = make_lab(3)
    net = {"name": "fast", "driver": "overlay", "mode": "host-gw", "subnet": "10.250.0.0/16"}
    before = settled(lab, "h1")
    inv = inventory(tmp_path, lab, [net], dict(("h%d" % i, [{"name": "c%d" % i, "network": "fast"}]) for i in (1, 2, 3)))
    res = playbook("site.yml", inv)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-2000:]
    record = json.loads(run_in(lab, "h1", "cat", "/var/lib/cnet/fleet.json").stdout)
    c3 = record["leases"]["fast"]["h3"].replace(".0/24", ".2")
    # the whole 1500 bytes, container to container, by name, no VXLAN device anywhere
    run_in(lab, "h1", "ip", "netns", "exec", "c1", "ping", "-c1", "-W2", "-M", "do", "-s", "1472", "c3")
    assert run_in(lab, "h1", "ip", "netns", "exec", "c1", "getent", "ahostsv4", "c3").stdout.split()[0] == c3
    assert json.loads(run_in(lab, "h1", "ip", "-j", "-d", "link", "show", "type", "vxlan").stdout) == []
    drift = playbook("drift.yml", inv)
    assert drift.returncode == 0 and "changed=0" in drift.stdout.split("PLAY RECAP")[-1], drift.stdout[-3000:]
    res = playbook("teardown.yml", inv)
    assert res.returncode == 0, res.stdout[-4000:]
    assert hoststate.compare(before, settled(lab, "h1")) == {
        "files": {"gone": [], "new": ["/var/lib/cnet/lock", "/var/lib/cnet/netns.json"]}}


def test_a_routed_underlay_fails_the_plan_before_any_host_changes(make_lab, tmp_path):
    lab = make_lab(2, routed=True)
    net = {"name": "fast", "driver": "overlay", "mode": "host-gw", "subnet": "10.250.0.0/16"}
    before = settled(lab, "h1")
    inv = inventory(tmp_path, lab, [net], {"h1": [{"name": "c1", "network": "fast"}]})
    res = playbook("site.yml", inv)
    assert res.returncode != 0
    assert "needs one L2 underlay: h2 (198.51.100.12) is not on-link from h1 (192.0.2.0/24)" in res.stdout, \
        res.stdout[-3000:]
    assert hoststate.compare(before, settled(lab, "h1")) == {}
