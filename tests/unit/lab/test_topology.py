import configparser
import ipaddress

import pytest

from lab import topology


def test_flat_lab_puts_every_host_on_one_segment_behind_the_fabric():
    lab = topology.plan("x", 3)
    assert [h["name"] for h in lab["hosts"]] == ["h1", "h2", "h3"]
    assert [h["address"] for h in lab["hosts"]] == ["192.0.2.11", "192.0.2.12", "192.0.2.13"]
    assert {h["gateway"] for h in lab["hosts"]} == {topology.FABRIC_ADDRESS}
    assert lab["segments"] == ["a"]


def test_routed_lab_alternates_segments_and_routes_via_the_router():
    lab = topology.plan("x", 4, routed=True)
    segs = [(h["segment"], h["address"], h["gateway"]) for h in lab["hosts"]]
    assert segs == [("a", "192.0.2.11", "192.0.2.254"), ("b", "198.51.100.12", "198.51.100.254"),
                    ("a", "192.0.2.13", "192.0.2.254"), ("b", "198.51.100.14", "198.51.100.254")]
    for host in lab["hosts"]:
        net = ipaddress.ip_network(topology.SEGMENTS[host["segment"]]["subnet"])
        assert ipaddress.ip_address(host["address"]) in net
        assert ipaddress.ip_address(host["gateway"]) in net


def test_addresses_are_documentation_ranges_and_unique_at_the_maximum():
    lab = topology.plan("x", topology.MAX_HOSTS, routed=True)
    addrs = [h["address"] for h in lab["hosts"]]
    assert len(set(addrs)) == len(addrs)
    docs = [ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")]
    assert all(any(ipaddress.ip_address(a) in n for n in docs) for a in addrs)
    assert all(not a.endswith((".0", ".255", ".254", ".1")) for a in addrs)


@pytest.mark.parametrize("count", [0, -1, topology.MAX_HOSTS + 1, "3"])
def test_bad_host_count_names_the_allowed_range(count):
    with pytest.raises(topology.TopologyError, match="1 to %d" % topology.MAX_HOSTS):
        topology.plan("x", count)


@pytest.mark.parametrize("name", ["", "Lab", "1lab", "a" * 17, "a b", "../x", "a/b"])
def test_bad_lab_name_is_refused_with_the_rule(name):
    with pytest.raises(topology.TopologyError, match="lowercase letters"):
        topology.plan(name, 1)


def test_fabric_batch_creates_each_peer_directly_in_its_host_namespace():
    lab = topology.plan("x", 2, routed=True)
    lines = topology.fabric_batch(lab, {"h1": 101, "h2": 102}, router_pid=103)
    assert "link add h1 type veth peer name eth0 netns 101" in lines
    assert "link add h2 type veth peer name eth0 netns 102" in lines
    assert "link set h2 master ub mtu 1500 up" in lines
    assert "route add 198.51.100.0/24 via 192.0.2.254" in lines
    assert not any(" netns " in line and "peer" not in line for line in lines)


def test_inventory_reaches_hosts_through_the_fabric_namespace():
    lab = topology.plan("x", 2)
    text = topology.inventory_ini(lab, "/k/id", "/l/x")
    parser = configparser.ConfigParser(allow_no_value=True, delimiters=("=",), interpolation=None)
    parser.read_string(text)
    assert dict(parser["cnet_lab"]) == {"h1 ansible_host": "192.0.2.11", "h2 ansible_host": "192.0.2.12"}
    lab["jobs"] = {"h1": [4242, 1], "h2": [4343, 1]}  # each host's process for pid adoption, once started
    assert "h2 ansible_host=192.0.2.12 cnet_lab_job_pid=4343" in topology.inventory_ini(lab, "/k/id", "/l/x")
    args = parser["cnet_lab:vars"]["ansible_ssh_common_args"]
    assert 'ProxyCommand="/l/x/proxy %h %p"' in args
    assert "ControlPath=/l/x/ssh-%C" in args  # never shared with another lab's dead SSH master
    assert parser["cnet_lab:vars"]["ansible_ssh_private_key_file"] == "/k/id"


def test_proxy_joins_the_lab_cgroup_and_connects_from_the_fabric():
    script = topology.proxy_script(topology.plan("x", 1), "/l/x", "/cg/cnet-lab.x")
    assert "cgroup='/cg/cnet-lab.x'" in script
    assert "exec nsenter --net='/l/x/fabric.net' nc \"$1\" \"$2\"" in script
