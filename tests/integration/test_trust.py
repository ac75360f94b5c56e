"""Issue 17 through the playbooks on lab hosts: a lost record renumbers and renames nothing, a pin on a running
container's address is refused before any change, an unknown key fails every host, the overlay's MTU follows a
1450 underlay, and teardown leaves the host as it was before the first converge."""

import json
import time

from lab import hoststate

from .conftest import run_in
from .test_playbooks import BRIDGE, OVERLAY, inventory, playbook


def addresses(lab, host, netns):
    """{ifname: [ipv4/prefix]} inside a sandbox, from the kernel."""
    out = {}
    for link in json.loads(run_in(lab, host, "ip", "-n", netns, "-j", "addr").stdout):
        if link["ifname"] != "lo":
            out[link["ifname"]] = sorted("%s/%d" % (a["local"], a["prefixlen"]) for a in link.get("addr_info", [])
                                         if a["family"] == "inet")
    return out


def settled(lab, host):
    """The host's state once its interfaces finished IPv6 duplicate address detection (a link-local address's
    local route appears only then, a second or two after the link came up: eth0 of a fresh host, the host end
    of a pair the last run made), so that a later snapshot differs only by what a run did."""
    for _try in range(100):
        if "fe80::" in run_in(lab, host, "ip", "-6", "route", "show", "table", "local", "dev", "eth0").stdout and \
                not run_in(lab, host, "ip", "-6", "addr", "show", "tentative").stdout.strip():
            break
        time.sleep(0.1)
    return hoststate.snapshot(lab["name"], host)


def write_containers(inv, host, containers):
    path = inv[-1].rsplit("/", 1)[0] + "/host_vars/%s.yml" % host
    with open(path, "w") as handle:
        handle.write(json.dumps({"cnet_containers": containers}))


def test_a_lost_record_renumbers_and_renames_nothing(make_lab, tmp_path):
    lab = make_lab(1)
    web = {"name": "web", "network": "bridge"}
    api = {"name": "api", "networks": ["bridge", "backend"]}
    inv = inventory(tmp_path, lab, [BRIDGE, OVERLAY], {"h1": [web, api]})
    res = playbook("site.yml", inv)
    assert res.returncode == 0, res.stdout + res.stderr
    before = {"web": addresses(lab, "h1", "web"), "api": addresses(lab, "h1", "api")}
    assert before["web"] == {"eth0": ["172.17.0.2/16"]} and before["api"]["eth0"] == ["172.17.0.3/16"]
    # the record is lost; a new container is listed first, and api leaves its first network
    run_in(lab, "h1", "rm", "/var/lib/cnet/fleet.json")
    write_containers(inv, "h1", [{"name": "new", "network": "bridge"}, web, dict(api, networks=["backend"])])
    res = playbook("site.yml", inv, "--diff")
    assert res.returncode == 0, res.stdout + res.stderr
    assert addresses(lab, "h1", "web") == before["web"]  # kept, though 'new' comes first and .2 looks free
    assert addresses(lab, "h1", "api") == {"eth1": before["api"]["eth1"]}  # still eth1, the same address
    assert addresses(lab, "h1", "new") == {"eth0": ["172.17.0.3/16"]}  # the one api gave up, not web's .2
    record = json.loads(run_in(lab, "h1", "cat", "/var/lib/cnet/fleet.json").stdout)
    assert record["interfaces"]["api"] == {"backend": "eth1"} and "observed" not in record
    # a pin on web's address is refused, naming both, before anything changes
    state = settled(lab, "h1")
    write_containers(inv, "h1", [{"name": "new", "network": "bridge"}, web, dict(api, networks=["backend"]),
                                 {"name": "pinned", "network": "bridge", "ipv4": "172.17.0.2"}])
    res = playbook("site.yml", inv)
    assert res.returncode != 0
    assert "172.17.0.2 is pinned for 'pinned' but is the automatic address of 'web'" in res.stdout, res.stdout
    assert "Traceback" not in res.stdout + res.stderr
    assert hoststate.compare(state, hoststate.snapshot(lab["name"], "h1")) == {}


def test_an_unknown_key_fails_every_host_naming_it(make_lab, tmp_path):
    lab = make_lab(2)
    nets = [dict(BRIDGE, gatway="172.17.0.1")]
    inv = inventory(tmp_path, lab, nets, {"h1": [{"name": "web", "network": "bridge"}],
                                          "h2": [{"name": "db", "network": "bridge", "hostname": "db.example"}]})
    before = dict((h, settled(lab, h)) for h in ("h1", "h2"))
    res = playbook("site.yml", inv)
    assert res.returncode != 0
    assert "cnet_networks[0] (bridge): unknown key 'gatway'; did you mean 'gateway'?" in res.stdout, res.stdout
    recap = res.stdout.split("PLAY RECAP")[-1]
    assert "h1" in recap and "h2" in recap and recap.count("failed=1") == 2, recap
    assert "Traceback" not in res.stdout + res.stderr
    for h in ("h1", "h2"):
        assert hoststate.compare(before[h], hoststate.snapshot(lab["name"], h)) == {}, h
    # fixed network, the container's Docker key is named next
    write_containers(inv, "h1", [{"name": "web", "network": "bridge"}])
    with open(inv[-1].rsplit("/", 1)[0] + "/group_vars/all.yml", "w") as handle:
        handle.write(json.dumps({"cnet_networks": [BRIDGE]}))
    res = playbook("site.yml", inv)
    assert res.returncode != 0
    assert "h2: cnet_containers[0] (db).hostname: Docker's 'hostname' is not supported" in res.stdout, res.stdout


def test_the_overlay_mtu_follows_a_1450_underlay(make_lab, tmp_path):
    lab = make_lab(2, mtu=1450)
    inv = inventory(tmp_path, lab, [OVERLAY, dict(OVERLAY, name="flat", mode="l2", vni=4097, subnet="10.245.0.0/24")],
                    {"h1": [{"name": "a", "networks": ["backend", "flat"]}], "h2": [{"name": "b", "networks": ["backend", "flat"]}]})
    res = playbook("site.yml", inv)
    assert res.returncode == 0, res.stdout + res.stderr
    for host, ctr in (("h1", "a"), ("h2", "b")):
        links = dict((link["ifname"], link["mtu"]) for link in json.loads(run_in(lab, host, "ip", "-j", "link").stdout))
        assert links["eth0"] == 1450 and links["vx4096"] == links["vx4097"] == 1400, links
        inside = json.loads(run_in(lab, host, "ip", "-n", ctr, "-j", "link").stdout)
        inside = dict((link["ifname"], link["mtu"]) for link in inside)
        assert inside["eth0"] == inside["eth1"] == 1400, inside
    # the largest packet that fits crosses the overlay unfragmented; one byte more is refused (DF), no blackhole
    peer = addresses(lab, "h2", "b")["eth1"][0].split("/")[0]
    ok = run_in(lab, "h1", "ip", "netns", "exec", "a", "ping", "-c1", "-W2", "-M", "do", "-s", str(1400 - 28), peer,
                check=False)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    big = run_in(lab, "h1", "ip", "netns", "exec", "a", "ping", "-c1", "-W2", "-M", "do", "-s", str(1400 - 27), peer,
                 check=False)
    assert big.returncode != 0 and "message too long" in (big.stdout + big.stderr).lower(), big.stdout + big.stderr


def test_teardown_leaves_the_host_as_it_was_before_the_first_converge(make_lab, tmp_path):
    lab = make_lab(1)
    # this host had bridge netfilter off; the icc: false network turns it on, forwarding goes on
    run_in(lab, "h1", "sysctl", "-q", "-w", "net.bridge.bridge-nf-call-iptables=0")
    before = settled(lab, "h1")
    inv = inventory(tmp_path, lab, [dict(BRIDGE, icc=False), OVERLAY],
                    {"h1": [{"name": "web", "network": "bridge", "publish": ["2333:22"]},
                            {"name": "api", "networks": ["bridge", "backend"]}]})
    res = playbook("site.yml", inv)
    assert res.returncode == 0, res.stdout + res.stderr
    during = hoststate.snapshot(lab["name"], "h1")
    assert "net.ipv4.ip_forward = 1" in during["sysctls"] and "net.bridge.bridge-nf-call-iptables = 1" in during["sysctls"]
    res = playbook("teardown.yml", inv)
    assert res.returncode == 0, res.stdout + res.stderr
    diff = hoststate.compare(before, hoststate.snapshot(lab["name"], "h1"))
    # what stays on purpose: the state directory with its lock and namespace record (as /var/lib/docker stays)
    assert diff == {"files": {"gone": [], "new": ["/var/lib/cnet/lock", "/var/lib/cnet/netns.json"]}}, diff
    again = playbook("teardown.yml", inv)
    assert again.returncode == 0 and "changed=0" in again.stdout.split("PLAY RECAP")[-1], again.stdout
