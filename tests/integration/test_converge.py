"""cnet.linux.converge on a lab host: one call does what the separate modules do (each of them, run afterwards
with the same options, finds nothing to change), every part is checked before anything changes, a failure in
a part names it and undoes the parts before it (the host as before the call), and the caller's records are
written only where they differ.
And network_info's host_facts, which the host role reads instead of gathering facts."""

import hashlib
import json

STATE = "/var/lib/cnet"
PARTS = {
    "host_settings": {"sysctls": {"net.ipv4.ip_forward": 1}},
    "netns": {"namespaces": [{"name": "web"}, {"name": "api"}]},
    "bridge": {"bridges": [{"name": "cnet0", "addresses": ["172.17.0.1/16"], "network": "bridge"}]},
    "veth": {"pairs": [{"netns": "web", "bridge": "cnet0", "network": "bridge", "addresses": ["172.17.0.2/16"],
                        "gateway": "172.17.0.1", "hairpin": True},
                       {"netns": "api", "bridge": "cnet0", "network": "bridge", "addresses": ["172.17.0.3/16"],
                        "gateway": "172.17.0.1"}]},
    "iptables_nat": {"networks": [{"bridge": "cnet0", "subnet": "172.17.0.0/16",
                                   "publish": [{"address": "172.17.0.2", "ports": ["2333:22"]}]}]},
}


def test_one_call_does_what_the_separate_modules_do(host):
    host.sh("sysctl -qw net.ipv4.ip_forward=0")
    predicted = host.run("converge", PARTS, check=True)
    done = host.run("converge", PARTS)
    # the check predicts the real run's actions and objects; a value 'before' may differ where an earlier part
    # makes the object (a check run's NAT part cannot read the sysctl of a bridge not made yet), as with
    # separate module calls in check mode
    assert predicted["actions"] == done["actions"] and sorted(predicted["diff"]["after"]) == sorted(done["diff"]["after"])
    again = host.run("converge", PARTS, check=True)
    assert again["changed"] is False and again["actions"] == [], again["actions"]
    assert [step["part"] for step in done["steps"]] == list(PARTS)
    assert done["actions"] == [a for step in done["steps"] for a in step["actions"]]
    assert "ip netns add web" in done["actions"] and "sysctl -w net.ipv4.ip_forward=1" in done["actions"]
    # the kernel holds it all
    assert host.sh("sysctl -n net.ipv4.ip_forward").stdout.strip() == "1"
    addr = [a["local"] for link in host.ipj("-n", "web", "addr") if link["ifname"] == "eth0" for a in link["addr_info"]
            if a["family"] == "inet"]
    assert addr == ["172.17.0.2"]
    assert [r.get("gateway") for r in host.ipj("-n", "api", "route", "show", "default")] == ["172.17.0.1"]
    assert "--dport 2333 -j DNAT --to-destination 172.17.0.2:22" in host.sh("iptables-save -t nat").stdout
    # each module alone, with the same options, agrees that nothing is left to do
    for module, args in PARTS.items():
        alone = host.run(module, dict(args, state_dir=STATE), check=True)
        assert alone["changed"] is False and alone["actions"] == [], (module, alone["actions"])
    # the record cnet-restore replays has every kind
    desired = json.loads(host.sh("cat %s/desired.json" % STATE).stdout)
    assert sorted(desired["kinds"]) == ["bridge", "iptables_nat", "netns", "veth"]


def test_a_mistake_in_any_part_fails_naming_it_before_anything_changes(host):
    def state():
        out = host.sh("ip -o link; ip netns list; sysctl net.ipv4.ip_forward; iptables-save").stdout
        return [line for line in out.splitlines() if not line.startswith("#")]

    before = state()
    cases = [
        (dict(PARTS, bridge={"bridges": [{"name": "cnet0", "adresses": ["172.17.0.1/16"]}]}), "bridge: ", "adresses"),
        (dict(PARTS, veth={"pairs": [{"netns": "web", "addresses": ["300.1.1.1/16"]}]}), "veth: ", "300.1.1.1/16"),
        (dict(PARTS, netns={"namespaces": [{"name": "a", "pid": 1, "host": True}]}), "netns: ", "mutually exclusive"),
        (dict(PARTS, records_before={"desired": {}}), "records_before: 'desired' cannot be a record's name", ""),
        (dict(PARTS, records_after={"fleet": [1]}), "records_after.fleet: a record is a JSON object", ""),
    ]
    for args, start, named in cases:
        res = host.run("converge", args, expect_fail=True)
        assert res["msg"].startswith(start) and named in res["msg"], res["msg"]
        assert "Traceback" not in res.get("module_stderr", "") + res.get("exception", ""), res
    assert state() == before


def footprint(host):
    """Namespaces, name files, records (the state directory's lock aside: a run makes it) and links."""
    return host.sh("ip netns list; ls /etc/netns; ls %s | grep -v '^lock$'; ip -br link" % STATE, check=False).stdout


def test_a_failing_part_is_named_and_the_parts_before_it_are_undone(host):
    host.sh("ip link add cnet0 type bridge")  # someone else's bridge of that name
    before = footprint(host)
    res = host.run("converge", {"netns": dict(PARTS["netns"], namespaces=[
        {"name": "web", "hosts": [{"address": "172.17.0.2", "names": ["web"]}]}, {"name": "api"}]),
        "bridge": PARTS["bridge"], "veth": PARTS["veth"]}, expect_fail=True)
    assert res["msg"].startswith("bridge: ") and "'cnet0' exists and was not created by cnet.linux" in res["msg"]
    assert "the parts before it were undone: " in res["msg"] and "ip netns delete web" in res["msg"], res["msg"]
    assert res["changed"] is False and [step["part"] for step in res["steps"]] == ["netns"]
    assert res["steps"][0]["undone"] is True and "ip netns add web" in res["steps"][0]["actions"]
    # the namespaces, their name files and the record of them are gone again: the host is as before the call
    assert footprint(host) == before
    assert "alias" not in host.sh("ip -d link show cnet0").stdout  # the foreign bridge is left as it was


def test_a_pid_in_the_hosts_own_namespace_is_refused_before_anything_changes(host):
    """A process of the host's own namespace (here this lab host's sshd's shell) is no container to adopt: the
    call names it and suggests network: host; the namespace bound by an earlier version of such a call, its name
    files and the pair would collide with the host's eth0."""
    pid = int(host.sh("sleep 60 >/dev/null 2>&1 & echo $!").stdout.strip())
    before = footprint(host)
    job = {"name": "job", "pid": pid, "hosts": [{"address": "10.9.0.2", "names": ["job"]}]}
    res = host.run("converge", {"netns": {"namespaces": [{"name": "web"}, job]},
                                "veth": {"pairs": [{"netns": "job", "addresses": ["10.9.0.2/30"]}]}}, expect_fail=True)
    assert res["msg"].startswith("netns: namespaces: 'job': pid %d runs in the host's own network namespace" % pid)
    assert "network: host" in res["msg"] and res["changed"] is False
    assert footprint(host) == before
    host.sh("kill %d" % pid)


def test_a_name_folder_that_is_a_link_is_not_followed(host):
    host.sh("mkdir -p /etc/netns /tmp/cnet-elsewhere && ln -sfn /tmp/cnet-elsewhere /etc/netns/web")
    res = host.run("netns", {"name": "web", "hosts": [{"address": "10.9.0.2", "names": ["web"]}],
                             "state_dir": STATE}, expect_fail=True)
    assert "/etc/netns/web is a symbolic link or no folder; cnet.linux makes no file where a link points" in res["msg"]
    assert host.sh("ls -A /tmp/cnet-elsewhere").stdout == ""  # nothing made where the link points
    assert "web" not in host.sh("ip netns list").stdout.split()  # rolled back with the failed file
    host.sh("rm -f /etc/netns/web && rm -rf /tmp/cnet-elsewhere")


def test_records_are_written_under_the_lock_only_where_they_differ(host):
    fleet = {"version": 1, "host": "h1", "addresses": {"bridge": {"web": "172.17.0.2"}}}
    pending = dict(fleet, pending=True)
    check = host.run("converge", {"netns": PARTS["netns"], "records_before": {"fleet": pending},
                                  "records_after": {"fleet": fleet}}, check=True)
    assert check["changed"] is True and host.sh("test -e %s/fleet.json" % STATE, check=False).returncode != 0
    done = host.run("converge", {"netns": PARTS["netns"], "records_before": {"fleet": pending},
                                 "records_after": {"fleet": fleet}})
    assert done["records"] == ["fleet"]
    assert json.loads(host.sh("cat %s/fleet.json" % STATE).stdout) == fleet
    stamp = host.sh("stat -c %%Y.%%i %s/fleet.json" % STATE).stdout
    again = host.run("converge", {"netns": PARTS["netns"], "records_after": {"fleet": fleet}})
    assert again["changed"] is False and again["records"] == []
    assert host.sh("stat -c %%Y.%%i %s/fleet.json" % STATE).stdout == stamp
    # a part that fails leaves the after-record unwritten, and the before-record is put back as it was: the
    # call changed nothing
    host.sh("ip link add cnet0 type bridge")
    failed = host.run("converge", {"bridge": PARTS["bridge"], "records_before": {"fleet": dict(fleet, other=1)},
                                   "records_after": {"fleet": fleet}}, expect_fail=True)
    assert failed["msg"].startswith("bridge: ")
    assert json.loads(host.sh("cat %s/fleet.json" % STATE).stdout) == fleet


def test_host_facts_tell_the_underlay_packages_and_files_without_gathering_facts(host):
    host.sh("mkdir -p /var/lib/cnet/facts && printf 'abc' > /var/lib/cnet/facts/f && ln -sf f /var/lib/cnet/facts/l")
    res = host.run("network_info", {"state_dir": STATE, "interfaces": "without_record", "host_facts": True,
                                    "packages": ["iproute2", "cnet-no-such-package"],
                                    "files": ["/var/lib/cnet/facts/f", "/var/lib/cnet/facts/l", "/var/lib/cnet/facts/missing"]})
    facts = res["host_facts"]
    route = host.ipj("-4", "route", "show", "default")[0]
    eth = [a for link in host.ipj("-4", "addr", "show", "dev", route["dev"]) for a in link["addr_info"]][0]
    mtu = host.ipj("link", "show", route["dev"])[0]["mtu"]
    assert facts["default_ipv4"] == {"address": eth["local"], "device": route["dev"], "mtu": mtu,
                                     "gateway": route.get("gateway")}
    assert {"address": eth["local"], "prefix": eth["prefixlen"], "device": route["dev"], "mtu": mtu} in facts["ipv4"]
    assert facts["packages"] == {"iproute2": True, "cnet-no-such-package": False}
    assert facts["files"] == {"/var/lib/cnet/facts/f": hashlib.sha1(b"abc").hexdigest(), "/var/lib/cnet/facts/l": "link"}
    assert facts["python"] == host.python
    fresh = host.run("network_info", {"state_dir": "/var/lib/cnet/facts/state", "host_facts": True})
    assert fresh["host_facts"]["state_dir"] is None and fresh["records"] == {"fleet": None, "host": None}
    host.sh("mkdir -p /var/lib/cnet/facts/state && chmod 0750 /var/lib/cnet/facts/state")
    again = host.run("network_info", {"state_dir": "/var/lib/cnet/facts/state", "host_facts": True})["host_facts"]
    assert again["state_dir"] == {"mode": "0750", "uid": 0, "gid": 0}
    assert res["records"] == {"fleet": None, "host": None} and "pairs" in res  # no record: the interfaces too
    bad = host.run("network_info", {"host_facts": True, "files": ["relative/path"]}, expect_fail=True)
    assert "files: 'relative/path' is not an absolute path" in bad["msg"]
