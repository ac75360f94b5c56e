"""inspect.yml's document and picture from a plan summary, a kernel view and a drift report (no hosts)."""

import shutil
import subprocess

import pytest

from ansible_collections.cnet.linux.plugins.filter.inspect_dot import inspect_dot
from ansible_collections.cnet.linux.plugins.filter.inspect_report import inspect_report
from ansible_collections.cnet.linux.plugins.plugin_utils.fleet import plan as fleet_plan

NETS = [{"name": "bridge", "driver": "bridge", "bridge": "cnet0", "subnet": "172.17.0.0/16"},
        {"name": "backend", "driver": "overlay", "mode": "l3", "vni": 4096, "subnet": "10.244.0.0/16"}]


def per_host(drift):
    hosts = dict(("h%d" % i, {"underlay": "192.0.2.1%d" % i, "containers": []}) for i in (1, 2))
    hosts["h1"]["containers"] = [{"name": "web", "networks": ["bridge", "backend"], "publish": ["2333:22"]},
                                 {"name": "side", "network": "container:web"}]
    plans = fleet_plan.build_all(NETS, hosts, ["h1", "h2"])
    seen = {"pairs": [{"network": "backend", "container": "web", "netns": "web", "peer": "eth1", "host_end": "cvx",
                       "mac": "02:42:0a:f4:01:02", "addresses": ["10.244.1.2/24"]}]}
    return dict((h, {"summary": plans[h]["summary"], "observed": seen if h == "h1" else {},
                     "drift": {"objects": drift if h == "h1" else []}}) for h in plans)


def test_drift_objects_go_to_their_container_and_network_the_rest_to_the_host():
    drift = ["veth cvx", "bridge cnet0", "iptables filter CNET-F-cnet0", "netns web", "peer vx4096 192.0.2.12",
             "file /etc/netns/web/hosts", "sysctl net/ipv4/ip_forward"]
    doc = inspect_report(per_host(drift))
    h1 = doc["hosts"]["h1"]
    assert h1["containers"]["web"]["drift"] == ["file /etc/netns/web/hosts", "netns web", "veth cvx"]
    assert h1["containers"]["web"]["missing"] == ["bridge"]  # the kernel shows no pair of web on bridge
    assert h1["networks"]["bridge"]["drift"] == ["bridge cnet0", "iptables filter CNET-F-cnet0"]
    assert h1["networks"]["backend"]["drift"] == ["peer vx4096 192.0.2.12"]
    assert h1["other_drift"] == ["sysctl net/ipv4/ip_forward"] and doc["drifted"] == ["h1"]
    assert doc["networks"]["backend"]["hosts"]["h1"]["peers"][0]["host"] == "h2"
    assert h1["containers"]["side"]["target"] == "web"


def test_the_picture_is_valid_graphviz_with_drift_in_red():
    dot = inspect_dot(inspect_report(per_host(["netns web"])))
    assert dot.startswith("graph cnet {") and "#c62828" in dot and "publish 2333:22" in dot
    quiet = per_host([])
    quiet["h1"]["observed"]["pairs"].append({"network": "bridge", "container": "web", "netns": "web", "peer": "eth0",
                                             "mac": "02:42:ac:11:00:02", "addresses": ["172.17.0.2/16"]})
    assert "#c62828" not in inspect_dot(inspect_report(quiet))  # nothing drifted, nothing missing: nothing red
    if not shutil.which("dot"):
        pytest.skip("Graphviz's dot is not installed (scripts/setup installs it)")
    svg = subprocess.run(["dot", "-Tsvg"], input=dot, capture_output=True, text=True, check=True).stdout
    assert "<svg" in svg and "web" in svg and "192.0.2.11" in svg
