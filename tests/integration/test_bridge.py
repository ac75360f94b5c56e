"""cnet.linux.bridge on a lab host: real bridges, checked with ip -j."""

import json

import pytest


def bridge(host, name):
    return host.ipj("-d", "link", "show", name)[0]


def addrs(host, dev):
    info = host.ipj("addr", "show", "dev", dev)[0]
    return sorted("%s/%d" % (a["local"], a["prefixlen"]) for a in info["addr_info"] if a.get("scope") != "link")


ARGS = {"name": "cnet0", "network": "bridge", "addresses": ["172.17.0.1/16", "FD00:17:0::1/64"], "mtu": 1400,
        "stp": False, "netfilter": True}


def test_create_check_idempotent(host):
    result = host.converge("bridge", ARGS)
    assert result["actions"] == ["ip link add cnet0 address 02:42:ac:11:00:01 type bridge stp_state 0 "
                                 "nf_call_iptables 1 nf_call_ip6tables 1",
                                 "ip link set cnet0 mtu 1400",
                                 "ip addr add 172.17.0.1/16 dev cnet0", "ip addr add fd00:17::1/64 dev cnet0",
                                 "ip link set cnet0 up"]
    link = bridge(host, "cnet0")
    assert link["linkinfo"]["info_kind"] == "bridge" and link["mtu"] == 1400 and "UP" in link["flags"]
    assert link["ifalias"] == "cnet.linux:bridge net=bridge"
    assert link["linkinfo"]["info_data"]["stp_state"] == 0
    assert link["linkinfo"]["info_data"]["nf_call_iptables"] == link["linkinfo"]["info_data"]["nf_call_ip6tables"] == 1
    assert addrs(host, "cnet0") == ["172.17.0.1/16", "fd00:17::1/64"]
    assert host.run("bridge", ARGS)["changed"] is False


def test_each_drift_is_repaired(host):
    host.converge("bridge", ARGS)
    host.sh("ip addr del 172.17.0.1/16 dev cnet0; ip addr add 10.9.9.9/24 dev cnet0; ip link set cnet0 mtu 1300;"
            "ip link set cnet0 type bridge stp_state 1; ip link set cnet0 down; ip link set cnet0 address 0A:00:00:00:00:09;"
            "ip link set cnet0 type bridge nf_call_ip6tables 0")
    expected = ["ip link set cnet0 mtu 1400", "ip link set cnet0 address 02:42:ac:11:00:01",
                "ip link set cnet0 type bridge stp_state 0",
                "ip link set cnet0 type bridge nf_call_iptables 1 nf_call_ip6tables 1",
                "ip addr del 10.9.9.9/24 dev cnet0", "ip addr add 172.17.0.1/16 dev cnet0",
                "ip addr add fd00:17::1/64 dev cnet0",  # the kernel drops IPv6 addresses of a link set down
                "ip link set cnet0 up"]
    check = host.run("bridge", ARGS, check=True)
    assert check["actions"] == expected
    assert check["diff"]["before"]["bridge cnet0"]["mtu"] == 1300
    assert check["diff"]["after"]["bridge cnet0"]["mtu"] == 1400
    assert check["diff"]["before"]["bridge cnet0"]["mac"] == "0a:00:00:00:00:09"
    assert host.run("bridge", ARGS)["actions"] == expected
    link = bridge(host, "cnet0")
    assert link["mtu"] == 1400 and "UP" in link["flags"] and link["linkinfo"]["info_data"]["stp_state"] == 0
    assert link["address"] == "02:42:ac:11:00:01"
    assert addrs(host, "cnet0") == ["172.17.0.1/16", "fd00:17::1/64"]
    assert host.run("bridge", ARGS, check=True)["changed"] is False


def test_the_gateway_mac_and_the_mtu_stay_when_ports_come_and_go(host):
    """A bridge whose MAC was never set takes its lowest port's, and one whose MTU was given only at creation
    follows its ports': the bridge here gets ports (MTU 1500) with MACs below and above its own, and the lowest
    leaves; the gateway MAC containers have cached and the MTU must not change."""
    host.converge("bridge", ARGS)
    host.sh("ip netns add w && ip link add vw address 0a:00:00:00:00:50 type veth peer name eth0 netns w && "
            "ip link set vw master cnet0 up && ip -n w addr add 172.17.0.5/16 dev eth0 && ip -n w link set eth0 up")
    ping = "ip netns exec w ping -c1 -W1 172.17.0.1"
    host.sh(ping)  # the container has its gateway's MAC cached
    low, high = "02:00:00:00:00:01", "fe:00:00:00:00:01"
    for dev, mac in (("lowport", low), ("highport", high)):
        host.sh("ip link add %s address %s type veth peer name %s-p && ip link set %s master cnet0 up" % (dev, mac, dev, dev))
    assert bridge(host, "cnet0")["address"] == "02:42:ac:11:00:01"
    host.sh(ping)
    host.sh("ip link del lowport")
    assert bridge(host, "cnet0")["address"] == "02:42:ac:11:00:01"
    host.sh(ping)  # unpinned, the bridge took lowport's MAC, the container cached it, and lost its gateway here
    assert host.run("bridge", ARGS, check=True)["actions"] == []
    host.converge("bridge", {"name": "plain0", "mac": "0A-00-00-00-00-07"})  # given in another form: normalized
    assert bridge(host, "plain0")["address"] == "0a:00:00:00:00:07"
    host.sh("ip link add lowport2 address %s type veth peer name lowport2-p && ip link set lowport2 master plain0" % low)
    assert bridge(host, "plain0")["address"] == "0a:00:00:00:00:07"
    assert host.run("bridge", {"name": "plain0", "mac": "0a:00:00:00:00:07"}, check=True)["changed"] is False
    assert "bridges[0].mac" in host.run("bridge", {"bridges": [{"name": "b9", "mac": "01:00:00:00:00:01"}]},
                                        expect_fail=True)["msg"]


def test_stp_on(host):
    host.converge("bridge", {"name": "br1", "stp": True})
    assert bridge(host, "br1")["linkinfo"]["info_data"]["stp_state"] == 1


def test_vlan_filtering_works_or_fails_clearly(host):
    supported = host.sh("ip link add probe0 type bridge vlan_filtering 1 && ip link del probe0", check=False).returncode == 0
    args = {"name": "br2", "vlan_filtering": True}
    if supported:
        host.converge("bridge", args)
        assert bridge(host, "br2")["linkinfo"]["info_data"]["vlan_filtering"] == 1
    else:
        result = host.run("bridge", args, expect_fail=True)
        assert "no bridge VLAN filtering" in result["msg"] and "set vlan_filtering: false" in result["msg"]
        assert "ip link del br2" in result["rolled_back"]
        assert host.ipj("link", "show", "type", "bridge") == []  # the bridge made before the failure is gone


def test_absent_touches_only_owned(host):
    host.sh("ip link add docker0 type bridge && ip addr add 172.30.0.1/16 dev docker0")
    foreign = json.dumps(bridge(host, "docker0"), sort_keys=True)
    host.converge("bridge", {"bridges": [{"name": "cnet0"}, {"name": "cnet1"}]})
    result = host.run("bridge", {"bridges": [{"name": "cnet0", "state": "absent"}, {"name": "docker0", "state": "absent"}]})
    assert result["actions"] == ["ip link del cnet0"]
    assert "'docker0' was not created by cnet.linux" in json.dumps(result["warnings"])
    names = sorted(link["ifname"] for link in host.ipj("link", "show", "type", "bridge"))
    assert names == ["cnet1", "docker0"]
    assert json.dumps(bridge(host, "docker0"), sort_keys=True) == foreign
    failed = host.run("bridge", {"name": "docker0", "addresses": ["172.30.0.1/16"]}, expect_fail=True)
    assert "'docker0' exists and was not created by cnet.linux" in failed["msg"]


def test_bad_input_fails_clearly_and_leaves_nothing(host):
    cases = [
        ({"name": "a-very-long-bridge"}, "bridge.name: 'a-very-long-bridge' is 18 bytes; Linux interface names have at most 15"),
        ({"bridges": [{"name": "ok0"}, {"name": "bad0", "addresses": ["172.17.0.1"]}]},
         "bridges[1].addresses[0]: '172.17.0.1' needs a prefix length"),
        ({"name": "bad0", "addresses": ["300.1.1.1/24"]}, "'300.1.1.1/24' is not an address with a prefix length"),
        ({"name": "bad0", "mtu": 20}, "bridge.mtu: 20 is out of range"),
        ({"name": "bad:0"}, "not a legal interface name"),
    ]
    for args, message in cases:
        result = host.run("bridge", args, expect_fail=True)
        assert message in result["msg"], (args, result["msg"])
    assert host.ipj("link", "show", "type", "bridge") == []


def test_a_failed_change_of_an_existing_bridge_is_put_back(host):
    """Steps that change an existing bridge carry their inverse: when a later step fails, the mark, the MTU
    and the addresses are as before (found by the property-based bad-argument test)."""
    host.converge("bridge", ARGS)
    before = bridge(host, "cnet0"), addrs(host, "cnet0")
    changed = dict(ARGS, network="other", mtu=1300, addresses=["10.9.0.1/24"], vlan_filtering=True)
    if not _no_vlan_filtering(host):
        pytest.skip("this kernel has bridge VLAN filtering: the call succeeds, nothing fails to put back")
    result = host.run("bridge", changed, expect_fail=True)
    assert "vlan_filtering" in result["msg"] and result["rolled_back"], result
    after = bridge(host, "cnet0"), addrs(host, "cnet0")
    assert after[0]["ifalias"] == before[0]["ifalias"] == "cnet.linux:bridge net=bridge"
    assert after[0]["mtu"] == 1400 and after[1] == before[1] == ["172.17.0.1/16", "fd00:17::1/64"]


def _no_vlan_filtering(host):
    """Whether this kernel refuses bridge VLAN filtering (the lab's has none; a Debian cloud kernel has it)."""
    probe = host.sh("ip link add cnvlprobe type bridge vlan_filtering 1 && ip link del cnvlprobe", check=False)
    return probe.returncode != 0
