"""playbooks/inspect.yml on lab hosts: the fleet's networks and containers as they are (addresses, MACs,
published ports, overlay peers and leases), what drifted marked, as JSON and as a Graphviz topology."""

import json
import os
import shutil

import pytest

from .conftest import run_in
from .test_playbooks import inventory, playbook

NETS = [{"name": "bridge", "driver": "bridge", "bridge": "cnet0", "subnet": "172.17.0.0/16"},
        {"name": "backend", "driver": "overlay", "mode": "l3", "vni": 4096, "subnet": "10.244.0.0/16"},
        {"name": "lan", "driver": "macvlan", "parent": "eth0", "subnet": "192.0.2.0/24", "gateway": "192.0.2.1",
         "ip_range": "192.0.2.128/25", "host_access": True}]
CONTAINERS = {"h1": [{"name": "web", "networks": ["bridge", "backend"], "publish": ["2333:22"]},
                     {"name": "side", "network": "container:web"}],
              "h2": [{"name": "db", "networks": [{"name": "backend", "aliases": ["postgres"]}, "lan"]}]}


def test_inspect_yml_writes_the_fleet_as_json_and_a_picture_with_drift_in_red(make_lab, tmp_path):
    if not shutil.which("dot"):
        pytest.skip("Graphviz's dot is not installed (scripts/setup installs it)")
    lab = make_lab(2)
    inv = inventory(tmp_path, lab, NETS, CONTAINERS)
    res = playbook("site.yml", inv)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-2000:]
    # drift: web's pair on the bridge network goes
    web = json.loads(run_in(lab, "h1", "ip", "-j", "-n", "web", "link", "show", "eth0").stdout)[0]
    run_in(lab, "h1", "ip", "-n", "web", "link", "del", "eth0")
    out, pictures = tmp_path / "inspect.json", tmp_path / "pictures"
    res = playbook("inspect.yml", inv, "-e", "cnet_inspect_out=%s" % out, "-e", "cnet_inspect_dir=%s" % pictures)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-2000:]
    assert "topology: %s/topology.svg and topology.png" % pictures in res.stdout
    doc = json.loads(out.read_text())
    assert doc["drifted"] == ["h1"]
    h1, h2 = doc["hosts"]["h1"], doc["hosts"]["h2"]
    web_doc = h1["containers"]["web"]
    assert web_doc["missing"] == ["bridge"] and web_doc["networks"]["bridge"]["seen"] is None
    assert web_doc["networks"]["bridge"]["mac"] == web["address"]  # what it should have, as it had
    assert any(obj.startswith("veth ") for obj in web_doc["drift"]), web_doc
    assert web_doc["published"] == [{"spec": "2333:22", "allow": None}]
    assert h1["containers"]["side"]["mode"] == "container" and h1["containers"]["side"]["target"] == "web"
    db = h2["containers"]["db"]
    assert db["drift"] == [] and db["networks"]["lan"]["seen"]["addresses"] == [db["networks"]["lan"]["ipv4"] + "/24"]
    assert db["networks"]["backend"]["aliases"] == ["postgres"]
    assert db["networks"]["backend"]["seen"]["mac"] == db["networks"]["backend"]["mac"]
    backend = doc["networks"]["backend"]
    lease1, lease2 = backend["hosts"]["h1"]["lease"], backend["hosts"]["h2"]["lease"]
    assert backend["hosts"]["h1"]["peers"] == [{"host": "h2", "address": "192.0.2.12", "lease": lease2}]
    assert lease1 != lease2 and backend["driver"] == "overlay" and backend["vni"] == 4096
    assert h2["networks"]["lan"]["shim_seen"]["addresses"][0].endswith("/32")
    svg = (pictures / "topology.svg").read_text()
    assert "web" in svg and "2333:22" in svg and "#c62828" in svg  # drift in red
    assert (pictures / "topology.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert os.path.getsize(pictures / "topology.png") > 10000
    # repaired: nothing is red any more
    assert playbook("site.yml", inv).returncode == 0
    res = playbook("inspect.yml", inv, "-e", "cnet_inspect_out=%s" % out, "-e", "cnet_inspect_dir=%s" % pictures)
    assert res.returncode == 0 and json.loads(out.read_text())["drifted"] == []
    assert "#c62828" not in (pictures / "topology.svg").read_text()
