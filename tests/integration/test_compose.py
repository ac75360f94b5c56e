"""The keys a compose user writes (issue 19, part 3), through site.yml on a lab, read back from the kernel:
mac_address, gw_priority, ip_range, aux_addresses, ipv4_address, and a bridge's driver_opts."""

import json

from .conftest import run_in
from .test_playbooks import BRIDGE, inventory, playbook

FRONT = {"name": "front", "driver": "bridge", "subnet": "172.20.0.0/24", "ip_range": "172.20.0.128/25",
         "aux_addresses": {"router": "172.20.0.128"},
         "driver_opts": {"com.docker.network.bridge.name": "br-front", "com.docker.network.driver.mtu": "1400",
                         "com.docker.network.bridge.enable_icc": "false",
                         "com.docker.network.bridge.host_binding_ipv4": "192.0.2.11"}}


def link(lab, ns, name):
    return json.loads(run_in(lab, "h1", "ip", "-n", ns, "-j", "addr", "show", "dev", name).stdout)[0]


def test_compose_keys_reach_the_kernel(make_lab, tmp_path):
    lab = make_lab(1)
    inv = inventory(tmp_path, lab, [BRIDGE, FRONT], {"h1": [
        {"name": "web", "networks": [{"name": "front", "mac_address": "02:AA:00:00:00:01", "ipv4_address": "172.20.0.5"},
                                     {"name": "bridge", "gw_priority": 5}], "publish": ["8080:80"]},
        {"name": "cache", "network": "front"}]})
    res = playbook("site.yml", inv)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-2000:]
    eth0 = link(lab, "web", "eth0")
    assert eth0["address"] == "02:aa:00:00:00:01" and eth0["mtu"] == 1400
    assert [a["local"] for a in eth0["addr_info"] if a["family"] == "inet"] == ["172.20.0.5"]
    # the automatic address comes from ip_range and skips the aux address
    assert [a["local"] for a in link(lab, "cache", "eth0")["addr_info"] if a["family"] == "inet"] == ["172.20.0.129"]
    # gw_priority: the second network holds the default route
    routes = json.loads(run_in(lab, "h1", "ip", "-n", "web", "-j", "route", "show", "default").stdout)
    assert [(r["gateway"], r["dev"]) for r in routes] == [("172.17.0.1", "eth1")]
    bridge = json.loads(run_in(lab, "h1", "ip", "-j", "link", "show", "br-front").stdout)[0]
    assert bridge["mtu"] == 1400
    rules = run_in(lab, "h1", "iptables-save").stdout
    # icc off; the published port is bound to the network's host_binding_ipv4
    assert "-A CNET-F-br-front -i br-front -o br-front -j DROP" in rules
    assert "-A CNET-N-br-front -d 192.0.2.11/32 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.20.0.5:80" \
        in rules
    # and icc off is real: cache cannot reach web over front
    assert run_in(lab, "h1", "ip", "netns", "exec", "cache", "ping", "-c1", "-W1", "172.20.0.5",
                  check=False).returncode != 0
    again = playbook("site.yml", inv)
    assert again.returncode == 0 and "changed=0" in again.stdout, again.stdout[-3000:]
