"""cnet.linux.veth on a lab host: real pairs, addresses, routes and packets."""

import json
import os
import subprocess

from lab import fleet

from .modrun import REPO


def link(host, name, ns=None):
    args = (["-n", ns] if ns else []) + ["-d", "link", "show", name]
    return host.ipj(*args)[0]


def addrs(host, dev, ns=None):
    args = (["-n", ns] if ns else []) + ["addr", "show", "dev", dev]
    info = host.ipj(*args)[0]
    return sorted("%s/%d" % (a["local"], a["prefixlen"]) for a in info["addr_info"] if a.get("scope") != "link")


def routes(host, ns, family="-4"):
    return sorted((r["dst"], r.get("gateway"), r.get("protocol")) for r in host.ipj("-n", ns, family, "route")
                  if r.get("protocol") != "kernel")


def pairs_of(host, ns=None):
    """veth interfaces but the lab host's own uplink (eth0 in the host namespace)."""
    args = (["-n", ns] if ns else []) + ["link", "show", "type", "veth"]
    return [l["ifname"] for l in host.ipj(*args) if ns or l["ifname"] != "eth0"]


def make_namespaces(host, *names):
    host.run("netns", {"namespaces": [{"name": n} for n in names]})


WEB = {"name": "vweb", "netns": "web", "bridge": "cnet0", "mtu": 1400, "mac": "02:42:AC:11:00:0A",
       "addresses": ["172.17.0.10/16", "fd00:17::a/64"], "gateway": "172.17.0.1", "gateway6": "fd00:17::1",
       "routes": [{"dest": "10.99.0.0/16", "via": "172.17.0.254"}], "network": "bridge", "container": "web"}


def bridge_net(host):
    host.run("bridge", {"name": "cnet0", "addresses": ["172.17.0.1/16", "fd00:17::1/64"]})
    make_namespaces(host, "web", "api")


def test_seed_001_over_ansible(make_lab, python):
    """Seed 001 through real Ansible (SSH, AnsiballZ): test01 with the peer at 172.16.0.111/20, the host
    end at 172.16.0.112/20, ping both ways."""
    lab = make_lab(1)
    playbook = os.path.join(os.path.dirname(__file__), "playbooks", "seed_001.yml")
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, ".collections"))
    argv = [os.path.join(REPO, ".venv", "bin", "ansible-playbook"), "-i", lab["inventory"], playbook,
            "-e", "ansible_python_interpreter=" + python]
    first = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert first.returncode == 0, first.stdout + first.stderr
    second = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert second.returncode == 0 and "changed=0" in second.stdout, second.stdout

    def run(*argv):
        return subprocess.run(fleet.exec_argv(lab["name"], "h1", list(argv)), capture_output=True, text=True,
                              timeout=30, check=False)
    assert run("ping", "-c1", "-W2", "172.16.0.111").returncode == 0
    assert run("ip", "netns", "exec", "test01", "ping", "-c1", "-W2", "172.16.0.112").returncode == 0
    peer = json.loads(run("ip", "-j", "-n", "test01", "addr", "show", "eth0").stdout)[0]
    assert [a["local"] + "/%d" % a["prefixlen"] for a in peer["addr_info"] if a["family"] == "inet"] == ["172.16.0.111/20"]


def test_create_check_idempotent_and_packets(host):
    bridge_net(host)
    result = host.converge("veth", WEB)
    assert result["actions"][:3] == [
        "ip link add vweb mtu 1400 master cnet0 type veth peer name eth0 netns web address 02:42:ac:11:00:0a",
        "ip -n web link set eth0 alias 'cnet.linux:veth ctr=web net=bridge' up",
        "ip link set vweb alias 'cnet.linux:veth ctr=web net=bridge' up"]
    end = link(host, "vweb")
    assert end["master"] == "cnet0" and end["mtu"] == 1400 and "UP" in end["flags"]
    assert end["ifalias"] == "cnet.linux:veth ctr=web net=bridge"
    peer = link(host, "eth0", "web")
    assert peer["address"] == "02:42:ac:11:00:0a" and peer["mtu"] == 1400 and "UP" in peer["flags"]
    assert peer["link_index"] == end["ifindex"]
    assert addrs(host, "eth0", "web") == ["172.17.0.10/16", "fd00:17::a/64"]
    assert routes(host, "web") == [("10.99.0.0/16", "172.17.0.254", "147"), ("default", "172.17.0.1", "147")]
    assert ("default", "fd00:17::1", "147") in routes(host, "web", "-6")
    host.sh("ping -c1 -W2 172.17.0.10 && ip netns exec web ping -c1 -W2 172.17.0.1")
    host.sh("ping -6 -c1 -W2 fd00:17::a")
    assert host.run("veth", WEB)["changed"] is False


def link_local(host, dev, ns=None):
    """The end's IPv6 address generation mode and its link-local addresses, once the kernel has seen the carrier."""
    args = (["-n", ns] if ns else [])
    for _attempt in range(30):  # the kernel's link watcher configures IPv6 up to a second after the carrier
        info = host.ipj(*(args + ["-d", "addr", "show", "dev", dev]))[0]
        if "LOWER_UP" in info["flags"] and info.get("operstate") == "UP":
            break
        host.sh("sleep 0.1")
    host.sh("sleep 1.2")
    info = host.ipj(*(args + ["addr", "show", "dev", dev]))[0]
    mode = host.ipj(*(args + ["-d", "link", "show", "dev", dev]))[0].get("inet6_addr_gen_mode")
    return mode, [a["local"] for a in info["addr_info"] if a.get("scope") == "link"]


def test_ipv6_link_local_only_where_ipv6_is_configured(host):
    """An IPv4-only container gets no IPv6 link-local address (no DAD/MLD flooding on the bridge); an IPv6
    container keeps one; drift both ways is repaired; the option overrides."""
    bridge_net(host)
    v4 = {"name": "vapi", "netns": "api", "bridge": "cnet0", "addresses": ["172.17.0.11/16"], "gateway": "172.17.0.1"}
    host.converge("veth", {"pairs": [WEB, v4]})
    assert link_local(host, "eth0", "api") == ("none", [])
    mode, lls = link_local(host, "eth0", "web")
    assert mode != "none" and len(lls) == 1 and lls[0].startswith("fe80:")
    host.sh("ip -n api link set eth0 addrgenmode eui64; ip -n web link set eth0 addrgenmode none; "
            "ip -n web addr flush dev eth0 scope link")
    actions = host.converge("veth", {"pairs": [WEB, v4]})["actions"]
    assert actions == ["ip netns exec web sysctl -w net.ipv6.conf.eth0.addr_gen_mode=0",
                       "ip -n api link set eth0 addrgenmode none"], actions
    mode, lls = link_local(host, "eth0", "web")
    assert mode == "eui64" and len(lls) == 1  # the sysctl made the address at once
    host.sh("ping -6 -c1 -w5 %s%%cnet0" % lls[0])  # reachable from the bridge once its DAD is done
    forced = dict(v4, ipv6_link_local=True)
    actions = host.converge("veth", forced)["actions"]
    assert actions == ["ip netns exec api sysctl -w net.ipv6.conf.eth0.addr_gen_mode=0"], actions
    assert link_local(host, "eth0", "api")[1]


def test_each_drift_is_repaired(host):
    bridge_net(host)
    host.converge("veth", WEB)
    host.sh("; ".join([
        "ip link set vweb nomaster", "ip link set vweb mtu 1300", "ip link set vweb down",
        "ip -n web link set eth0 address 02:00:00:00:00:01", "ip -n web link set eth0 mtu 1300",
        "ip -n web addr del 172.17.0.10/16 dev eth0", "ip -n web addr add 172.17.0.99/16 dev eth0",
        "ip -n web route del 10.99.0.0/16", "ip -n web route add 10.98.0.0/16 via 172.17.0.254",
        "ip -n web route replace default via 172.17.0.2 proto 147"]))
    check = host.run("veth", WEB, check=True)["actions"]
    for expected in ("ip link set vweb mtu 1400 master cnet0 up",
                     "ip -n web link set eth0 mtu 1400 address 02:42:ac:11:00:0a",
                     "ip -n web addr del 172.17.0.99/16 dev eth0", "ip -n web addr add 172.17.0.10/16 dev eth0",
                     "ip -n web route del 10.98.0.0/16 dev eth0",
                     "ip -n web route replace 10.99.0.0/16 via 172.17.0.254 dev eth0 proto 147",
                     "ip -n web route replace default via 172.17.0.1 dev eth0 proto 147"):
        assert expected in check, (expected, check)
    assert host.run("veth", WEB)["actions"] == check
    assert host.run("veth", WEB, check=True)["changed"] is False
    assert addrs(host, "eth0", "web") == ["172.17.0.10/16", "fd00:17::a/64"]
    assert routes(host, "web") == [("10.99.0.0/16", "172.17.0.254", "147"), ("default", "172.17.0.1", "147")]
    host.sh("ip netns exec web ping -c1 -W2 172.17.0.1")


def hairpin(host, name):
    return link(host, name)["linkinfo"]["info_slave_data"]["hairpin"]


def test_hairpin_mode_of_the_bridge_port(host):
    bridge_net(host)
    on = dict(WEB, hairpin=True)
    actions = host.converge("veth", on)["actions"]
    assert "ip link set vweb alias 'cnet.linux:veth ctr=web net=bridge' up type bridge_slave hairpin on" in actions
    assert hairpin(host, "vweb") is True
    # off by hand: back in the request that sets the rest of the port
    host.sh("ip link set vweb down type bridge_slave hairpin off")
    assert host.run("veth", on)["actions"] == ["ip link set vweb up type bridge_slave hairpin on"]
    assert hairpin(host, "vweb") is True
    # out of the bridge: the new port's mode is set by a request of its own, after it joined the bridge
    host.sh("ip link set vweb nomaster")
    assert host.run("veth", on)["actions"] == ["ip link set vweb master cnet0", "ip link set vweb type bridge_slave hairpin on"]
    assert hairpin(host, "vweb") is True
    # the default is off, and managed
    assert host.converge("veth", WEB)["actions"] == ["ip link set vweb type bridge_slave hairpin off"]
    assert hairpin(host, "vweb") is False
    assert "hairpin: only a bridge port" in host.run("veth", dict(WEB, bridge=None, hairpin=True), expect_fail=True)["msg"]


def test_lost_peer_and_lost_pair_are_recreated(host):
    bridge_net(host)
    host.converge("veth", WEB)
    host.sh("ip -n web link set eth0 netns api")  # the peer wandered off: the pair is recreated, visibly
    actions = host.run("veth", WEB, check=True)["actions"]
    assert actions[0].startswith("ip link del vweb  # its peer is not eth0 in web")
    assert host.run("veth", WEB)["actions"] == actions
    assert link(host, "eth0", "web")["link_index"] == link(host, "vweb")["ifindex"]
    host.sh("ip link del vweb")
    assert host.run("veth", WEB)["actions"][0].startswith("ip link add vweb")
    host.sh("ip netns exec web ping -c1 -W2 172.17.0.1")


def test_list_form_purge_and_foreign_ports(host):
    bridge_net(host)
    make_namespaces(host, "db")
    host.sh("ip link add handmade type veth peer name handpeer && ip link set handmade master cnet0")
    pairs = [{"netns": n, "addresses": ["172.17.0.%d/16" % (20 + i)], "gateway": "172.17.0.1"}
             for i, n in enumerate(["web", "api", "db"])]
    args = {"bridge": "cnet0", "mtu": 1450, "pairs": pairs}
    host.converge("veth", args)
    ports = sorted(l["ifname"] for l in host.ipj("link", "show", "master", "cnet0"))
    assert len(ports) == 4 and "handmade" in ports
    for i, ns in enumerate(["web", "api", "db"]):
        host.sh("ip netns exec %s ping -c1 -W2 172.17.0.%d" % (ns, 20 + (i + 1) % 3))
    result = host.converge("veth", dict(args, pairs=pairs[:1], purge=True))
    assert len(result["actions"]) == 2 and all(a.startswith("ip link del cv") for a in result["actions"])
    ports = sorted(l["ifname"] for l in host.ipj("link", "show", "master", "cnet0"))
    assert len(ports) == 2 and "handmade" in ports
    gone = host.run("veth", {"name": "handmade", "netns": "web", "state": "absent"})
    assert gone["changed"] is False and "'handmade' was not created by cnet.linux" in json.dumps(gone["warnings"])


def test_failure_midway_leaves_nothing(host):
    bridge_net(host)
    pairs = [{"netns": "web", "addresses": ["172.17.0.10/16"], "gateway": "172.17.0.1"},
             {"netns": "api", "addresses": ["172.17.0.11/16"], "gateway": "10.77.0.1"}]  # not on-link: fails
    result = host.run("veth", {"bridge": "cnet0", "pairs": pairs}, expect_fail=True)
    assert "route replace default via 10.77.0.1" in result["msg"] and "Network is unreachable" in result["msg"]
    assert "Nexthop has invalid gateway" in result["msg"]  # the kernel's own reason (extended ack)
    assert len(result["rolled_back"]) == 2
    assert pairs_of(host) == [] and pairs_of(host, "web") == [] and pairs_of(host, "api") == []


def test_bad_input_fails_clearly_and_leaves_nothing(host):
    bridge_net(host)
    ok = {"netns": "web", "addresses": ["172.17.0.10/16"]}
    cases = [
        ({"pairs": [ok, {"netns": "api", "addresses": ["172.17.0.300/16"]}]}, "pairs[1].addresses[0]: '172.17.0.300/16' is not"),
        ({"pairs": [ok, {"netns": "api", "name": "x" * 16}]}, "pairs[1].name: '%s' is 16 bytes" % ("x" * 16)),
        ({"pairs": [ok, {"netns": "api", "peer": "bad/name"}]}, "pairs[1].peer: 'bad/name' is not a legal interface name"),
        ({"pairs": [ok, {"netns": "nowhere"}]}, "namespace 'nowhere' for"),
        ({"pairs": [ok, {"netns": "api", "bridge": "nobridge"}]}, "bridge 'nobridge' for"),
        ({"netns": "web", "mac": "01:00:5e:00:00:01"}, "veth.mac: '01:00:5e:00:00:01' is a multicast MAC"),
        ({"netns": "web", "routes": [{"dest": "10.1.2.3/16"}]}, "has host bits set; did you mean 10.1.0.0/16?"),
        ({"netns": "web", "gateway": "fd00::1"}, "veth.gateway: 'fd00::1' is not an IPv4 address"),
        ({"pairs": [ok, dict(ok, name="other")]}, "'eth0' in namespace 'web' is named by two pairs"),
        ({"pairs": [ok], "purge": True}, "purge: needs 'network'"),
    ]
    for args, message in cases:
        result = host.run("veth", args, expect_fail=True)
        assert message in result["msg"], (args, result["msg"])
    assert pairs_of(host) == []
