"""The host's record of its desired state (what every real run enters, what cnet-restore replays), without a
kernel: purge and absent forget, the restore rebuilds the calls in build order and skips what it cannot fake."""

import io
import json

import pytest

from ansible_collections.cnet.linux.plugins.module_utils import restore
from ansible_collections.cnet.linux.plugins.module_utils.resources.netns import Netns
from ansible_collections.cnet.linux.plugins.module_utils.resources.veth import Veth


def pairs(network, *names):
    return Veth.from_params({"network": network, "bridge": "br-" + network, "purge": True,
                             "pairs": [{"netns": n} for n in names]})


def test_a_run_records_its_items_and_purge_forgets_only_its_scope():
    record = {}
    assert pairs("a", "web", "api").remember(record) and pairs("b", "db").remember(record)
    assert not pairs("a", "web", "api").remember(record)  # the same run again changes nothing
    assert pairs("a", "web").remember(record)  # api left network a: forgotten; network b's db kept
    assert sorted(e["item"]["netns"] for e in record["kinds"]["veth"].values()) == ["db", "web"]
    assert all(e["options"] == {"purge": False, "network": e["item"]["network"]} for e in record["kinds"]["veth"].values())
    Netns.from_params({"namespaces": [{"name": "web"}, {"name": "db"}], "purge": True}).remember(record)
    Netns.from_params({"name": "db", "state": "absent"}).remember(record)
    assert list(record["kinds"]["netns"]) == ["web"] and record["version"] == 1


def test_a_host_with_no_record_and_nothing_to_record_gets_none():
    record = {}  # no desired.json: a second teardown, or a purge on a host the collection never converged
    assert not pairs("a").remember(record)
    assert not Netns.from_params({"name": "db", "state": "absent"}).remember(record)
    assert "version" not in record
    assert pairs("a", "web").remember(record) and record["version"] == 1


def test_restore_rebuilds_the_calls_in_build_order_and_skips_a_gone_pid(tmp_path):
    record = {}
    Netns.from_params({"namespaces": [{"name": "job", "pid": 2 ** 22 + 1}, {"name": "web"},
                                      {"name": "side", "container": "job"}]}).remember(record)
    pairs("a", "web", "job").remember(record)
    (tmp_path / "desired.json").write_text(json.dumps(record))
    (tmp_path / "host.json").write_text(json.dumps({"version": 1, "sysctls": {"net/ipv4/ip_forward": "1"},
                                                    "modules": ["br_netfilter"]}))
    todo, skipped = restore.resources(str(tmp_path))
    assert [r.KIND for r in todo] == ["host_settings", "netns", "veth"]
    assert [i["name"] for i in todo[1].items] == ["web"] and [i["netns"] for i in todo[2].items] == ["web"]
    assert skipped == ["namespace 'job': pid %d is gone; its runtime must start it again" % (2 ** 22 + 1),
                       "namespace 'side': it shares 'job', which is not restored",
                       "pair '%s': its namespace 'job' is not restored" % pairs("a", "job").items[0]["name"]]


def test_a_record_of_a_newer_format_or_none_at_all_is_refused(tmp_path):
    with pytest.raises(restore.RestoreError, match="no record"):
        restore.resources(str(tmp_path))
    (tmp_path / "desired.json").write_text(json.dumps({"version": 99, "kinds": {}}))
    with pytest.raises(restore.RestoreError, match="format 99 is newer"):
        restore.resources(str(tmp_path))
    out = io.StringIO()
    assert restore.main(["--state-dir", str(tmp_path)], out=out) == 2 and "format 99 is newer" in out.getvalue()
