"""cnet.linux.host_settings on a lab host: real sysctls, and the record cnet-restore and teardown read."""

import json

ARGS = {"sysctls": {"net.ipv4.ip_forward": 1}, "record": True, "state_dir": "/var/lib/cnet",
        "remember": ["net.ipv4.ip_forward", "net.ipv4.conf.all.route_localnet", "net.bridge.no-such-setting"]}


def record(host):
    res = host.sh("cat /var/lib/cnet/host.json", check=False)
    return json.loads(res.stdout) if res.returncode == 0 else None


def test_the_record_keeps_the_settings_and_how_the_host_was_before_the_first_run(host):
    host.sh("sysctl -qw net.ipv4.ip_forward=0 net.ipv4.conf.all.route_localnet=0")
    check = host.run("host_settings", ARGS, check=True)
    assert check["actions"] == ["sysctl -w net.ipv4.ip_forward=1"]
    assert record(host) is None  # a check run writes no record
    done = host.converge("host_settings", ARGS)
    assert done["actions"] == check["actions"]
    assert host.sh("sysctl -n net.ipv4.ip_forward").stdout.strip() == "1"
    first = record(host)
    # what cnet-restore sets at boot; what teardown sets back (a sysctl that does not exist is left out)
    assert first == {"version": 1, "modules": [], "sysctls": {"net/ipv4/ip_forward": "1"},
                     "before": {"sysctls": {"net/ipv4/ip_forward": "0", "net/ipv4/conf/all/route_localnet": "0"},
                                "modules_loaded": []}}
    stamp = host.sh("stat -c %Y.%i /var/lib/cnet/host.json").stdout
    # later runs keep 'before' as the first run found it, and do not rewrite an unchanged record
    host.sh("sysctl -qw net.ipv4.conf.all.route_localnet=1")
    again = host.run("host_settings", ARGS)
    assert again["changed"] is False and record(host) == first
    assert host.sh("stat -c %Y.%i /var/lib/cnet/host.json").stdout == stamp
    # new settings are recorded, 'before' still the first run's
    more = dict(ARGS, sysctls={"net.ipv4.ip_forward": 1, "net.ipv4.conf.all.route_localnet": 0})
    host.run("host_settings", more)
    assert record(host) == dict(first, sysctls={"net/ipv4/ip_forward": "1", "net/ipv4/conf/all/route_localnet": "0"})
    assert host.sh("sysctl -n net.ipv4.conf.all.route_localnet").stdout.strip() == "0"


def test_a_remembered_name_that_is_not_a_net_sysctl_is_refused_before_anything_changes(host):
    host.sh("sysctl -qw net.ipv4.ip_forward=0")
    for name in ("kernel.hostname", "net/../kernel/hostname", ""):
        res = host.run("host_settings", dict(ARGS, remember=[name]), expect_fail=True)
        assert "remember[0]" in res["msg"] and "Traceback" not in res["msg"], res
    assert host.sh("sysctl -n net.ipv4.ip_forward").stdout.strip() == "0" and record(host) is None
