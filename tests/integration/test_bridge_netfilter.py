"""host_bridge_netfilter: bridge through the playbooks on a lab host: the collection's bridge carries its own
bridged frames to the rules (nf_call_iptables), the host-wide bridge-nf-call sysctls go off, Docker's isolation
still holds (real connections), drift.yml finds nothing, teardown sets the sysctls back."""

from lab import hoststate

from . import modrun
from .conftest import run_in
from .test_iptables_nat import ask, serve
from .test_playbooks import BRIDGE, inventory, playbook
from .test_trust import addresses, settled

NF = ("net.bridge.bridge-nf-call-iptables", "net.bridge.bridge-nf-call-ip6tables", "net.bridge.bridge-nf-call-arptables")


def test_per_bridge_netfilter_keeps_isolation_and_turns_the_host_wide_switch_off(make_lab, tmp_path):
    lab = make_lab(1)
    before = settled(lab, "h1")
    assert all("%s = 1" % name in before["sysctls"] for name in NF[:1])  # br_netfilter's default in a namespace
    inv = inventory(tmp_path, lab, [dict(BRIDGE, icc=False)],
                    {"h1": [{"name": "web", "network": "bridge", "publish": ["2333:22"]},
                            {"name": "api", "network": "bridge"}]})
    extra = ("-e", "host_bridge_netfilter=bridge")
    res = playbook("site.yml", inv, *extra)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr
    assert [run_in(lab, "h1", "sysctl", "-n", name).stdout.strip() for name in NF] == ["0", "0", "0"]
    data = run_in(lab, "h1", "ip", "-d", "-j", "link", "show", "cnet0").stdout
    assert '"nf_call_iptables":1' in data and '"nf_call_ip6tables":1' in data
    host = modrun.Host(lab, "h1", modrun.PYTHONS["pyroute2-0.9"])
    serve(host, "web", "tcp", 22)
    web = addresses(lab, "h1", "web")["eth0"][0].split("/")[0]
    h1 = lab["hosts"][0]["address"]
    assert ask(host, "api", web, 22) is None                # icc off: bridged, and still refused
    assert ask(host, "api", h1, 2333) == "172.17.0.1"      # the published port from its own bridge (hairpin)
    assert ask(host, None, web, 22) == "172.17.0.1"        # the host reaches its container
    drift = playbook("drift.yml", inv, *extra)
    assert drift.returncode == 0 and "changed=0" in drift.stdout.split("PLAY RECAP")[-1], drift.stdout[-4000:]
    res = playbook("teardown.yml", inv, *extra)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr
    diff = hoststate.compare(before, hoststate.snapshot(lab["name"], "h1"))
    assert diff == {"files": {"gone": [], "new": ["/var/lib/cnet/lock", "/var/lib/cnet/netns.json"]}}, diff
