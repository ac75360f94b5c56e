"""cnet.linux.macvlan on lab hosts: containers on the hosts' underlay Ethernet itself (the lab's eth0), reaching
the outside router and each other across hosts directly; the host reaches its own containers only through a
shim; the device made again (visibly) when its mode changes; purge and absent touch only marked devices."""

import json

import pytest

from .conftest import run_in
from .modrun import PYTHONS, Host

ADDR = {"h1": "192.0.2.130", "h2": "192.0.2.131"}


def endpoint(me, **extra):
    ip = ADDR[me]
    mac = "02:42:" + ":".join("%02x" % int(part) for part in ip.split("."))
    return dict({"netns": "c", "network": "lan", "parent": "eth0", "mac": mac, "addresses": [ip + "/24"],
                 "gateway": "192.0.2.1"}, **extra)


def ping(lab, member, target, ns="c", ok=True):
    argv = (["ip", "netns", "exec", ns] if ns else []) + ["ping", "-c1", "-W1", target]
    res = run_in(lab, member, *argv, check=False)
    assert (res.returncode == 0) == ok, "%s -> %s: %s" % (member, target, res.stdout + res.stderr)


@pytest.mark.parametrize("python", sorted(PYTHONS))
def test_containers_on_the_underlay_reach_the_router_and_each_other(make_lab, python):
    lab = make_lab(2)
    hosts = dict((h, Host(lab, h, PYTHONS[python])) for h in ("h1", "h2"))
    for name, host in hosts.items():
        host.run("netns", {"name": "c"})
        result = host.converge("macvlan", endpoint(name))
        assert result["actions"][0] == ("ip link add link eth0 name eth0 netns c address %s type macvlan mode bridge"
                                        % endpoint(name)["mac"])
    link = hosts["h1"].ipj("-n", "c", "-d", "link", "show", "eth0")[0]
    assert link["linkinfo"]["info_kind"] == "macvlan" and link["linkinfo"]["info_data"]["mode"] == "bridge"
    assert link["ifalias"] == "cnet.linux:macvlan ctr=c net=lan" and link["address"] == endpoint("h1")["mac"]
    assert "inet6" not in json.dumps(hosts["h1"].ipj("-n", "c", "addr", "show", "eth0"))  # no link-local: IPv4 only
    ping(lab, "h1", "192.0.2.1")  # the outside router, directly
    ping(lab, "h1", ADDR["h2"])  # the other host's container, with no bridge or tunnel
    ping(lab, "h1", "192.0.2.12")  # the other host itself
    ping(lab, "h1", "192.0.2.11", ok=False)  # but not its own host: the parent's packets never reach its children
    ping(lab, "h1", ADDR["h1"], ns=None, ok=False)
    # the shim: a macvlan device of the host's, with a route to each of its containers
    shim = {"name": "cm-lan", "network": "lan", "parent": "eth0", "addresses": ["192.0.2.127/32"],
            "routes": [{"dest": ADDR["h1"] + "/32"}]}
    hosts["h1"].converge("macvlan", shim)
    ping(lab, "h1", ADDR["h1"], ns=None)
    ping(lab, "h1", "192.0.2.127")
    # drift: the mode changed by hand is a visible re-make; an address added by hand goes
    run_in(lab, "h1", "ip", "-n", "c", "addr", "add", "192.0.2.200/24", "dev", "eth0")
    drift = hosts["h1"].run("macvlan", endpoint("h1"), check=True)
    assert drift["actions"] == ["ip -n c addr del 192.0.2.200/24 dev eth0"]
    result = hosts["h1"].converge("macvlan", endpoint("h1", mode="private"))
    assert result["actions"][:2] == [
        "ip -n c link del eth0  # its mode is bridge, not private: made again",
        "ip link add link eth0 name eth0 netns c address %s type macvlan mode private" % endpoint("h1")["mac"]]
    ping(lab, "h1", ADDR["h2"])
    # purge: the listed endpoints stay, the network's others go; a foreign macvlan is left alone
    run_in(lab, "h1", "ip", "link", "add", "link", "eth0", "name", "theirs", "type", "macvlan")
    result = hosts["h1"].converge("macvlan", {"network": "lan", "endpoints": [endpoint("h1", mode="private")],
                                              "purge_networks": ["lan"]})
    assert result["actions"] == ["ip link del cm-lan"]
    result = hosts["h1"].converge("macvlan", {"network": "lan", "endpoints": [], "purge_networks": ["lan"]})
    assert result["actions"] == ["ip -n c link del eth0"]
    assert [link["ifname"] for link in hosts["h1"].ipj("link", "show", "type", "macvlan")] == ["theirs"]


def test_bad_input_and_a_foreign_device_are_refused_with_the_fix(make_lab):
    lab = make_lab(1)
    host = Host(lab, "h1", PYTHONS["pyroute2-0.9"])
    host.run("netns", {"name": "c"})
    result = host.run("macvlan", endpoint("h1", parent="nope0"), expect_fail=True)
    assert "parent 'nope0' of 'c/eth0' does not exist on this host" in result["msg"]
    result = host.run("macvlan", dict(endpoint("h1"), parent=None), expect_fail=True)
    assert "endpoint.parent: the host interface" in result["msg"]
    run_in(lab, "h1", "ip", "-n", "c", "link", "add", "eth0", "type", "veth", "peer", "name", "x")
    result = host.run("macvlan", endpoint("h1"), expect_fail=True)
    assert "'eth0' already exists in namespace 'c' and was not created by cnet.linux" in result["msg"]
    assert [link["ifname"] for link in host.ipj("-n", "c", "link")] == ["lo", "x", "eth0"]


def test_site_yml_puts_containers_on_the_underlay_with_a_shim_and_teardown_gives_the_host_back(make_lab, tmp_path):
    from lab import hoststate

    from .test_playbooks import inventory, playbook
    from .test_trust import settled

    lab = make_lab(2)
    net = {"name": "lan", "driver": "macvlan", "parent": "eth0", "subnet": "192.0.2.0/24", "gateway": "192.0.2.1",
           "ip_range": "192.0.2.128/25", "host_access": True}
    before = settled(lab, "h1")
    inv = inventory(tmp_path, lab, [net], {"h1": [{"name": "c1", "network": "lan"}],
                                           "h2": [{"name": "c2", "networks": [{"name": "lan", "aliases": ["db"]}]}]})
    res = playbook("site.yml", inv)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-2000:]
    record = json.loads(run_in(lab, "h1", "cat", "/var/lib/cnet/fleet.json").stdout)
    addr = record["l2"]["lan"]
    assert all(ip.startswith("192.0.2.1") and int(ip.split(".")[3]) >= 128 for ip in addr.values()), addr
    ping(lab, "h1", "db", ns="c1")  # the other host's container, by its alias, on the Ethernet itself
    ping(lab, "h1", "192.0.2.1", ns="c1")  # the outside router
    ping(lab, "h2", addr["h1/c1"], ns=None)  # another host reaches it through its parent
    ping(lab, "h1", addr["h1/c1"], ns=None)  # its own host through the shim
    route = json.loads(run_in(lab, "h1", "ip", "-j", "route", "get", addr["h1/c1"]).stdout)[0]
    assert route["dev"] == "cm-lan" and route["prefsrc"] == addr["h1/"]
    drift = playbook("drift.yml", inv)
    assert drift.returncode == 0 and "changed=0" in drift.stdout.split("PLAY RECAP")[-1], drift.stdout[-3000:]
    # drift repaired: the device deleted by hand comes back with its address
    run_in(lab, "h2", "ip", "-n", "c2", "link", "del", "eth0")
    res = playbook("site.yml", inv)
    assert res.returncode == 0 and "changed=1" in res.stdout.split("PLAY RECAP")[-1], res.stdout[-3000:]
    ping(lab, "h1", "c2", ns="c1")
    res = playbook("teardown.yml", inv)
    assert res.returncode == 0, res.stdout[-4000:]
    assert hoststate.compare(before, settled(lab, "h1")) == {
        "files": {"gone": [], "new": ["/var/lib/cnet/lock", "/var/lib/cnet/netns.json"]}}
