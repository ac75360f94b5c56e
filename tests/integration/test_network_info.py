"""cnet.linux.network_info on a lab host: the collection's interfaces from the kernel, and the host role's records
(the one read the role makes before planning)."""


def test_interfaces_and_the_records_in_one_read(host, tmp_path):
    host.run("bridge", {"name": "cnet0", "network": "bridge", "addresses": ["172.17.0.1/16"]})
    host.run("netns", {"name": "web"})
    host.run("veth", {"netns": "web", "bridge": "cnet0", "network": "bridge", "addresses": ["172.17.0.2/16"]})
    plain = host.run("network_info", {})
    assert [b["name"] for b in plain["bridges"]] == ["cnet0"] and "records" not in plain
    assert [(p["netns"], p["peer"], p["addresses"]) for p in plain["pairs"]] == [("web", "eth0", ["172.17.0.2/16"])]
    state = str(tmp_path / "state")
    first = host.run("network_info", {"state_dir": state, "interfaces": "without_record"})
    assert first["records"] == {"fleet": None, "host": None} and first["pairs"] == plain["pairs"]  # no record: read
    host.sh("mkdir -p %s && echo '{\"version\": 1, \"host\": \"h1\"}' > %s/fleet.json" % (state, state))
    kept = host.run("network_info", {"state_dir": state, "interfaces": "without_record"})
    assert kept["records"] == {"fleet": {"version": 1, "host": "h1"}, "host": None}
    assert "pairs" not in kept and "bridges" not in kept  # the record is what the plan reads
    assert host.run("network_info", {"state_dir": state})["pairs"] == plain["pairs"]  # always: read anyway
    host.sh("echo '{not json' > %s/host.json" % state)
    failed = host.run("network_info", {"state_dir": state}, expect_fail=True)
    assert "%s/host.json is not a JSON object" % state in failed["msg"] and "move it away" in failed["msg"]
    assert "Traceback" not in failed.get("module_stderr", "") + failed.get("exception", "")
    host.sh("echo '[1, 2]' > %s/host.json" % state)
    assert "host.json is not a JSON object (list)" in host.run("network_info", {"state_dir": state}, expect_fail=True)["msg"]
