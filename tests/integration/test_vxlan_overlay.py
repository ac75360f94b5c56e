"""cnet.linux.vxlan_overlay on lab hosts: containers on two and three hosts reach each other across a VXLAN
overlay, l3 (flannel-like, a lease per host) and l2 (one subnet, Docker-like), over a flat and a routed underlay."""

import pytest

from . import modrun

VNI = 4096


def lease(i):
    return "10.244.%d.0/24" % i


def fleet_hosts(lab, python):
    return [modrun.Host(lab, h["name"], python) for h in lab["hosts"]]


def l3_args(lab, i, **extra):
    """The module's arguments on host i (1-based): its lease, and every host of the lab as a peer (itself is skipped)."""
    args = {"name": "backend", "vni": VNI, "lease": lease(i),
            "peers": [{"address": h["address"], "lease": lease(k + 1)} for k, h in enumerate(lab["hosts"])]}
    args.update(extra)
    return args


def container_l3(host, i):
    """A bridge with the lease's gateway and one container c<i> at .10 of the lease. The container keeps the
    usual 1500 MTU, so a packet too big for the overlay meets the VXLAN device's MTU on the host."""
    host.sh("sysctl -qw net.ipv4.ip_forward=1")
    host.run("bridge", {"name": "cnet1", "addresses": ["10.244.%d.1/24" % i]})
    host.run("netns", {"name": "c%d" % i})
    host.run("veth", {"netns": "c%d" % i, "bridge": "cnet1", "addresses": ["10.244.%d.10/24" % i],
                      "gateway": "10.244.%d.1" % i})


def ping(host, ns, address, size=None, df=False):
    opts = "-c1 -W2" + (" -M do" if df else "") + (" -s %d" % size if size else "")
    return host.sh("ip netns exec %s ping %s %s" % (ns, opts, address), check=False)


@pytest.mark.parametrize("routed", [False, True], ids=["flat", "routed"])
def test_l3_three_hosts_reach_each_other(make_lab, routed):
    lab = make_lab(3, routed=routed)
    hosts = fleet_hosts(lab, modrun.PYTHONS["pyroute2-0.7" if routed else "pyroute2-0.9"])
    for i, host in enumerate(hosts, 1):
        container_l3(host, i)
        result = host.converge("vxlan_overlay", l3_args(lab, i))
        assert "ip link add vx4096 mtu 1450 address 02:cc:%s type vxlan id 4096 dstport 4789 local %s dev eth0 " \
            "nolearning" % (":".join("%02x" % int(b) for b in lab["hosts"][i - 1]["address"].split(".")),
                            lab["hosts"][i - 1]["address"]) in result["actions"]
    for i, host in enumerate(hosts, 1):
        for k in range(1, 4):
            if k != i:
                assert ping(host, "c%d" % i, "10.244.%d.10" % k).returncode == 0, (i, k)
    # PMTU: the largest DF packet that fits the overlay (1450: the underlay's 1500 less VXLAN's 50) passes; one
    # byte more gets the host's ICMP "fragmentation needed" naming that MTU, rather than silence
    assert ping(hosts[0], "c1", "10.244.2.10", size=1450 - 28, df=True).returncode == 0
    res = ping(hosts[0], "c1", "10.244.2.10", size=1450 - 27, df=True)
    assert res.returncode != 0 and "Frag needed and DF set (mtu = 1450)" in res.stdout, res.stdout + res.stderr
    # a no-op run changes nothing
    again = hosts[0].run("vxlan_overlay", l3_args(lab, 1))
    assert again["changed"] is False and again["netlink_writes"] == 0


def test_l3_drift_and_peer_removal(make_lab):
    lab = make_lab(3)
    hosts = fleet_hosts(lab, modrun.PYTHONS["pyroute2-0.7"])
    for i, host in enumerate(hosts, 1):
        container_l3(host, i)
        host.converge("vxlan_overlay", l3_args(lab, i))
    h1, h2 = hosts[0], hosts[1]
    peer2 = lab["hosts"][1]["address"]
    mac2 = "02:cc:" + ":".join("%02x" % int(b) for b in peer2.split("."))
    # each per-peer object deleted by hand is repaired, and check mode says so first
    for breakage, expected in (
            ("ip route del 10.244.2.0/24", "ip route replace 10.244.2.0/24 via 10.244.2.0 dev vx4096 onlink proto 147"),
            ("ip neigh del 10.244.2.0 dev vx4096", "ip neigh replace 10.244.2.0 lladdr %s dev vx4096 nud permanent" % mac2),
            ("bridge fdb del %s dev vx4096 dst %s self" % (mac2, peer2),
             "bridge fdb replace %s dev vx4096 dst %s self permanent" % (mac2, peer2)),
            ("ip link set vx4096 mtu 1400", "ip link set vx4096 mtu 1450"),
            ("iptables -D INPUT -p udp -j CNET-VXLAN", "iptables -t filter -I INPUT 1 -p udp -j CNET-VXLAN"),
            ("iptables -D CNET-V-vx4096 -s %s/32 -j ACCEPT" % peer2,
             "iptables -t filter -I CNET-V-vx4096 1 -s %s/32 -j ACCEPT" % peer2)):
        h1.sh(breakage)
        predicted = h1.run("vxlan_overlay", l3_args(lab, 1), check=True)["actions"]
        assert predicted == [expected], (breakage, predicted)
        assert h1.run("vxlan_overlay", l3_args(lab, 1))["actions"] == predicted
        assert ping(h1, "c1", "10.244.2.10").returncode == 0
    # a stale entry of a peer that is not listed (the most reported overlay bug) is removed
    h1.sh("bridge fdb append 00:00:00:00:00:00 dev vx4096 dst 192.0.2.99 self permanent")
    assert h1.run("vxlan_overlay", l3_args(lab, 1))["actions"] == [
        "bridge fdb del 00:00:00:00:00:00 dev vx4096 dst 192.0.2.99 self"]
    # host 3 leaves the overlay: its entries go everywhere on the next run
    for i, host in enumerate(hosts[:2], 1):
        args = l3_args(lab, i)
        args["peers"] = args["peers"][:2]
        gone = host.converge("vxlan_overlay", args)["actions"]
        assert gone[:2] == ["iptables -t filter -D CNET-V-vx4096 -s %s/32 -j ACCEPT" % lab["hosts"][2]["address"],
                            "ip route del 10.244.3.0/24 dev vx4096"] and len(gone) == 4, gone
        assert "10.244.3.0" not in host.sh("ip route; ip neigh show dev vx4096; bridge fdb show dev vx4096").stdout
    assert ping(h2, "c2", "10.244.1.10").returncode == 0
    # a VNI change recreates the device, visibly
    recreated = h1.run("vxlan_overlay", l3_args(lab, 1, vni=4097, device="vx4096", peers=args["peers"]),
                       check=True)["actions"]
    assert recreated[0].startswith("ip link del vx4096  # vni 4096 -> 4097 changed: the device is recreated")


def test_l2_one_subnet_across_hosts(make_lab):
    lab = make_lab(2)
    hosts = fleet_hosts(lab, modrun.PYTHONS["pyroute2-0.9"])
    macs = {1: "02:42:0a:f5:00:0b", 2: "02:42:0a:f5:00:0c"}
    for i, host in enumerate(hosts, 1):
        host.run("bridge", {"name": "br-backend", "mtu": 1450})
        host.run("netns", {"name": "c%d" % i})
        host.run("veth", {"netns": "c%d" % i, "bridge": "br-backend", "mtu": 1450, "mac": macs[i],
                          "addresses": ["10.245.0.%d/24" % (10 + i)]})
    for i, host in enumerate(hosts, 1):
        other = 3 - i
        args = {"name": "backend", "vni": VNI + 1, "mode": "l2", "bridge": "br-backend",
                "peers": [{"address": lab["hosts"][other - 1]["address"],
                           "endpoints": [{"ip": "10.245.0.%d" % (10 + other), "mac": macs[other]}]}]}
        actions = host.converge("vxlan_overlay", args)["actions"]
        assert "ip link set vx4097 master br-backend" in actions
        assert "bridge fdb append 00:00:00:00:00:00 dev vx4097 dst %s self permanent" \
            % lab["hosts"][other - 1]["address"] in actions
    assert ping(hosts[0], "c1", "10.245.0.12").returncode == 0
    assert ping(hosts[1], "c2", "10.245.0.11").returncode == 0
    # a known endpoint is reached without flooding: with h1's flood entry gone and c1's ARP cache empty, the
    # device answers c1's ARP request from its neighbour table (proxy) and sends by the endpoint's FDB entry
    peer2 = lab["hosts"][1]["address"]
    hosts[0].sh("bridge fdb del 00:00:00:00:00:00 dev vx4097 dst %s self && ip -n c1 neigh flush all" % peer2)
    assert ping(hosts[0], "c1", "10.245.0.12").returncode == 0
    assert hosts[0].sh("ip -n c1 neigh show 10.245.0.12").stdout.split()[4] == macs[2]
    repaired = hosts[0].run("vxlan_overlay", {"name": "backend", "vni": VNI + 1, "mode": "l2", "bridge": "br-backend",
                                              "peers": [{"address": peer2, "endpoints": [
                                                  {"ip": "10.245.0.12", "mac": macs[2]}]}]})
    assert repaired["actions"] == ["bridge fdb append 00:00:00:00:00:00 dev vx4097 dst %s self permanent" % peer2]


def test_bad_input_fails_clearly_and_leaves_nothing(make_lab):
    lab = make_lab(1)
    host = modrun.Host(lab, "h1", modrun.PYTHONS["pyroute2-0.7"])
    before = host.sh("ip -br link; iptables-save | grep -v '^#'; true").stdout
    for args, words in (
            ({"vni": 0, "lease": lease(1)}, "vni: 0 is out of range"),
            ({"vni": VNI}, "mode l3 needs this host's lease"),
            ({"vni": VNI, "mode": "l2"}, "mode l2 needs the network's bridge"),
            ({"vni": VNI, "lease": lease(1), "peers": [{"address": "192.0.2.12", "lease": "10.244.1.128/25"}]},
             "overlap"),
            ({"vni": VNI, "lease": "10.244.1.1/24"}, "host bits set"),
            ({"vni": VNI, "lease": lease(1), "local": "192.0.2.99"}, "no interface of this host has 192.0.2.99")):
        result = host.run("vxlan_overlay", args, expect_fail=True)
        assert words in result["msg"] and "Traceback" not in result["msg"], (words, result["msg"])
    assert host.sh("ip -br link; iptables-save | grep -v '^#'; true").stdout == before


def rx_packets(host, device):
    return host.ipj("-s", "link", "show", device)[0]["stats64"]["rx"]["packets"]


def drops(host):
    """Packets the port filter dropped (the DROP rule's counter in CNET-VXLAN)."""
    out = host.sh("iptables -t filter -L CNET-VXLAN -v -x -n").stdout
    return sum(int(line.split()[0]) for line in out.splitlines() if " DROP " in " %s " % line)


def test_only_listed_peers_may_send_to_the_vxlan_port(make_lab):
    """h3 programs h1 as its peer, but h1 does not list h3: h3's VXLAN packets are dropped at h1's INPUT until
    h1 turns the filter off (then they reach h1's overlay device). The bridge networks' chains and the overlay's
    are each left alone by the other's teardown."""
    lab = make_lab(3)
    hosts = fleet_hosts(lab, modrun.PYTHONS["pyroute2-0.9"])
    addr = [h["address"] for h in lab["hosts"]]
    for i, host in enumerate(hosts, 1):
        container_l3(host, i)
    h1, h2, h3 = hosts
    h1_args = l3_args(lab, 1, peers=[{"address": addr[1], "lease": lease(2)}])
    created = h1.converge("vxlan_overlay", h1_args)["actions"]
    assert created[:6] == [
        "iptables -t filter -N CNET-VXLAN", "iptables -t filter -N CNET-V-vx4096",
        "iptables -t filter -I INPUT 1 -p udp -j CNET-VXLAN",
        "iptables -t filter -A CNET-VXLAN -p udp -m udp --dport 4789 -j CNET-V-vx4096",
        "iptables -t filter -A CNET-VXLAN -p udp -m udp --dport 4789 -j DROP",
        "iptables -t filter -A CNET-V-vx4096 -s %s/32 -j ACCEPT" % addr[1]]
    h2.converge("vxlan_overlay", l3_args(lab, 2, peers=[{"address": addr[0], "lease": lease(1)}]))
    h3.converge("vxlan_overlay", l3_args(lab, 3, peers=[{"address": addr[0], "lease": lease(1)}]))
    assert ping(h2, "c2", "10.244.1.10").returncode == 0  # a listed peer gets through
    rx, dropped = rx_packets(h1, "vx4096"), drops(h1)
    assert ping(h3, "c3", "10.244.1.10").returncode != 0
    assert rx_packets(h1, "vx4096") == rx and drops(h1) >= dropped + 1
    # the filter off: the chains go, and h3's packet is decapsulated into h1's overlay
    off = h1.converge("vxlan_overlay", dict(h1_args, firewall=False))["actions"]
    assert off[0] == "iptables -t filter -D INPUT -p udp -j CNET-VXLAN" and "CNET" not in h1.sh("iptables-save").stdout
    ping(h3, "c3", "10.244.1.10")  # the reply has no way back (h1 has no route to h3's lease); the request arrives
    assert rx_packets(h1, "vx4096") >= rx + 1
    # beside a bridge network's rules: the nat teardown leaves the overlay's chains, the overlay's removal the nat's
    h1.converge("vxlan_overlay", h1_args)
    h1.converge("iptables_nat", {"bridge": "cnet1", "subnet": "10.244.1.0/24", "publish": [
        {"address": "10.244.1.10", "ports": ["2333:22"]}]})
    vxlan_rules = [line for line in h1.sh("iptables-save -t filter").stdout.splitlines() if "VXLAN" in line or "-V-" in line]
    torn = h1.converge("iptables_nat", {"networks": [], "purge": True})["actions"]
    assert not any("VXLAN" in a or "-V-" in a for a in torn)
    assert [line for line in h1.sh("iptables-save -t filter").stdout.splitlines()
            if "VXLAN" in line or "-V-" in line] == vxlan_rules
    h1.converge("iptables_nat", {"bridge": "cnet1", "subnet": "10.244.1.0/24"})
    nat_rules = h1.sh("iptables-save | grep -- '-F-cnet1\\|-P-cnet1'").stdout
    gone = h1.converge("vxlan_overlay", {"vni": VNI, "state": "absent"})["actions"]
    assert gone[-1] == "ip link del vx4096" and "CNET-V" not in h1.sh("iptables-save").stdout
    assert h1.sh("iptables-save | grep -- '-F-cnet1\\|-P-cnet1'").stdout == nat_rules


def test_several_overlays_in_one_call_plan_their_port_filter_once(make_lab):
    """The list form: an l3 and an l2 overlay per host in one call - one restore for both overlays' port
    filter, so a shared jump deleted is planned once; each overlay's traffic passes; one goes, the other stays."""
    lab = make_lab(2)
    hosts = fleet_hosts(lab, modrun.PYTHONS["pyroute2-0.7"])
    macs = {1: "02:42:0a:f5:00:0b", 2: "02:42:0a:f5:00:0c"}
    calls = []
    for i, host in enumerate(hosts, 1):
        container_l3(host, i)
        host.run("bridge", {"name": "br-flat", "mtu": 1450})
        host.run("netns", {"name": "f%d" % i})
        host.run("veth", {"netns": "f%d" % i, "bridge": "br-flat", "mtu": 1450, "mac": macs[i],
                          "addresses": ["10.245.0.%d/24" % (10 + i)]})
        other = lab["hosts"][2 - i]["address"]
        l3 = dict(l3_args(lab, i))
        l2 = {"name": "flat", "vni": VNI + 1, "mode": "l2", "bridge": "br-flat",
              "peers": [{"address": other, "endpoints": [{"ip": "10.245.0.%d" % (13 - i), "mac": macs[3 - i]}]}]}
        calls.append({"overlays": [l3, l2]})
        result = host.converge("vxlan_overlay", calls[-1])
        rules = [a for a in result["actions"] if a.startswith("iptables ")]
        assert rules[0] == "iptables -t filter -N CNET-VXLAN" and len(rules) == len(set(rules)), result["actions"]
        assert "ip link add vx4096" in " ".join(result["actions"]) and "ip link set vx4097 master br-flat" \
            in result["actions"]
        assert set(key.split(" ")[0] for key in result["diff"]["after"]) >= {"vxlan", "peer", "iptables"}
    assert ping(hosts[0], "c1", "10.244.2.10").returncode == 0
    assert ping(hosts[0], "f1", "10.245.0.12").returncode == 0
    rules = hosts[0].sh("iptables -S CNET-VXLAN").stdout
    assert "-j CNET-V-vx4096" in rules and "-j CNET-V-vx4097" in rules
    # the shared INPUT jump deleted: one call plans its repair once, and does exactly that
    hosts[0].sh("iptables -D INPUT -p udp -j CNET-VXLAN")
    predicted = hosts[0].run("vxlan_overlay", calls[0], check=True)["actions"]
    assert predicted == ["iptables -t filter -I INPUT 1 -p udp -j CNET-VXLAN"], predicted
    assert hosts[0].run("vxlan_overlay", calls[0])["actions"] == predicted
    again = hosts[0].run("vxlan_overlay", calls[0])
    assert again["changed"] is False and again["netlink_writes"] == 0
    # the l2 overlay goes; the l3 one and its chain stay
    gone = {"overlays": [calls[0]["overlays"][0], {"device": "vx4097", "vni": VNI + 1, "state": "absent"}]}
    actions = hosts[0].converge("vxlan_overlay", gone)["actions"]
    assert "ip link del vx4097" in actions
    rules = hosts[0].sh("iptables -S CNET-VXLAN").stdout
    assert "-j CNET-V-vx4096" in rules and "CNET-V-vx4097" not in rules
    assert ping(hosts[0], "c1", "10.244.2.10").returncode == 0
    # one input mistake names the overlay, and nothing changes
    bad = {"overlays": [calls[0]["overlays"][0], dict(calls[0]["overlays"][1], mode="l2", bridge=None)]}
    res = hosts[0].run("vxlan_overlay", bad, expect_fail=True)
    assert res["msg"].startswith("overlays[1] (flat): bridge: mode l2 needs"), res["msg"]
