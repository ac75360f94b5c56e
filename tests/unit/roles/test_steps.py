"""The roles' shape, read from their files: every call of an engine module passes the state directory on and
joins cnet_steps (the one list drift.yml reports from), so no step can fall out of the drift report; and the
report refuses an entry that is not a module result instead of skipping it."""

import glob
import os
import re

import pytest
import yaml

from ansible.errors import AnsibleFilterError

from ansible_collections.cnet.linux.plugins.filter.drift_report import drift_report
from ansible_collections.cnet.linux.plugins.module_utils.resources import registry

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
# every resource kind the engine has (a module and a converge part each), and the host's settings
ENGINE_MODULES = tuple(registry.KINDS) + ("host_settings",)
CALLS = ENGINE_MODULES + ("converge",)
FILES = sorted(glob.glob(os.path.join(ROOT, "roles", "*", "tasks", "*.yml")))


def tasks(path):
    with open(path) as handle:
        return yaml.safe_load(handle) or []


def engine_calls(path):
    for task in tasks(path):
        for module in CALLS:
            if "cnet.linux." + module in task:
                yield task, task["cnet.linux." + module]


def collected(path):
    """The register names a set_fact of cnet_steps in this file appends."""
    names = set()
    for task in tasks(path):
        value = (task.get("ansible.builtin.set_fact") or {}).get("cnet_steps")
        if value:
            names.update(re.findall(r"\b\w+_step_\w+\b", str(value)))
    return names


def test_the_roles_reach_every_engine_module():
    """Directly or as a part of a cnet.linux.converge call (a part is named for its module)."""
    reached = set()
    for path in FILES:
        for task, args in engine_calls(path):
            module = [m for m in CALLS if "cnet.linux." + m in task][0]
            reached.update(set(args) & set(ENGINE_MODULES) if module == "converge" else {module})
    assert reached == set(ENGINE_MODULES)


def test_the_host_roles_converge_call_passes_every_kind_of_the_plan_through():
    """One entry point converges a host: its one converge call has a part for every kind, each taken from the
    plan's converge arguments under the same name."""
    calls = [args for task, args in engine_calls(os.path.join(ROOT, "roles", "host", "tasks", "networks.yml"))]
    assert len(calls) == 1
    for kind in registry.KINDS:
        assert "host_parts.%s" % kind in str(calls[0].get(kind)), "%s is not passed through" % kind


@pytest.mark.parametrize("path", FILES, ids=lambda p: os.path.relpath(p, ROOT))
def test_every_engine_call_passes_the_state_dir_and_joins_the_steps(path):
    for task, args in engine_calls(path):
        assert "state_dir" in args, "%s: '%s' does not pass state_dir" % (path, task["name"])
        assert "_step_" in task.get("register", ""), \
            "%s: '%s' registers no <role>_step_<what> result" % (path, task["name"])
        role_files = glob.glob(os.path.join(os.path.dirname(path), "*.yml"))
        assert task["register"] in set().union(*(collected(other) for other in role_files)), \
            "%s: '%s' registers %s, which no set_fact of cnet_steps in the role appends" % (
                path, task["name"], task["register"])


def test_drift_report_names_the_objects_and_refuses_what_is_not_a_result():
    changed = {"changed": True, "actions": ["ip link set cnet0 mtu 1500"],
               "diff": {"before": {"bridge cnet0": {"mtu": 1400}}, "after": {"bridge cnet0": {"mtu": 1500}}}}
    loop = {"results": [{"changed": False, "actions": []}, dict(changed, diff={"before": {}, "after": {"veth v": {}}})]}
    report = drift_report([changed, {"skipped": True}, loop])
    assert report["objects"] == ["bridge cnet0", "veth v"]
    # a step an earlier call planned word for word is what the real run makes once, in that call
    assert report["actions"] == ["ip link set cnet0 mtu 1500"]
    # within one call a repeated step stays (two copies of a rule, each removed)
    twice = {"changed": True, "actions": ["iptables -t filter -D INPUT -p udp -j CNET-VXLAN"] * 2, "diff": {}}
    assert drift_report([twice])["actions"] == twice["actions"]
    for bad in ([changed, "AnsibleUndefined"], "cnet_steps", [None]):
        with pytest.raises(AnsibleFilterError):
            drift_report(bad)
