# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one place modules meet Ansible: parse arguments, converge the resource, report. The only file of
module_utils that imports Ansible; the engine and the layers below run without it."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import importlib.util
import re
import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.cnet.linux.plugins.module_utils.core import inputs
from ansible_collections.cnet.linux.plugins.module_utils.core.context import JOURNAL
from ansible_collections.cnet.linux.plugins.module_utils.core.engine import (DEFAULT_STATE_DIR, DESIRED, EngineError, converge,
                                                                             converge_all, reason)
from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError, ToolError

STATE_DIR_OPTION = {"type": "path", "default": DEFAULT_STATE_DIR}
RECORD_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# what the engine keeps in the state directory itself: its journal, the desired state, host_settings', netns' and
# iptables_nat's (the FORWARD policy before) records; a caller's record may not replace them
ENGINE_RECORDS = tuple(sorted((JOURNAL.rsplit(".", 1)[0], DESIRED, "host", "netns", "forward")))


def _require_pyroute2(module, classes):
    """Fail the module when a plan of these resource classes writes through pyroute2 and it is missing."""
    if any(cls.PYROUTE2 for cls in classes) and importlib.util.find_spec("pyroute2") is None:  # found, not imported
        module.fail_json(msg=missing_required_lib("pyroute2 (Debian/Ubuntu: python3-pyroute2)"),
                         exception="No module named 'pyroute2'")


def _fail(module, exc, name, prefix="", changed=False, suffix=None, **more):
    """The module's failure for an exception of the engine; name: the module or part that raised it (prefix: put
    before the engine's own message; suffix: what the parts before it had done and was undone)."""
    tail = "; the parts before it were undone: %s" % (", ".join(suffix) or "nothing to undo") if suffix else ""
    if suffix:
        more["earlier_rolled_back"] = suffix
    if isinstance(exc, (InputError, ToolError)):
        module.fail_json(msg=prefix + str(exc) + tail, changed=changed, **more)
    if isinstance(exc, EngineError):
        msg = prefix + str(exc)
        if exc.done or exc.undone:
            msg += "; what this run had created was removed again: %s" % (", ".join(exc.undone) or "nothing")
        module.fail_json(msg=msg + tail, changed=changed, applied=exc.done, rolled_back=exc.undone, **more)
    # netlink refusals (netlink.sock.NetlinkError) included
    module.fail_json(msg="%s: %s%s" % (name, reason(exc), tail), exception=traceback.format_exc(), changed=changed,
                     **more)


def _printable(module, skip=()):
    """Fail the module when any string of its arguments (key or value, however deep) holds a control or
    line-separator character: each value the collection renders is one line (core.inputs.plain). skip: options
    checked elsewhere (converge's parts, by their resource's from_params)."""
    for option, value in sorted(module.params.items()):
        if option in skip:
            continue
        try:
            inputs.plain(value, option)
        except InputError as exc:
            module.fail_json(msg=str(exc), changed=False)


def run(resource_cls, argument_spec, **module_kwargs):
    """resource_cls.PYROUTE2: whether the module's plans write through pyroute2 (then it is required)."""
    spec = dict(argument_spec, state_dir=STATE_DIR_OPTION)
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True, **module_kwargs)
    _require_pyroute2(module, [resource_cls])
    try:
        resource = resource_cls.from_params(module.params)
        result = converge(resource, check=module.check_mode, state_dir=module.params["state_dir"],
                          diff=module._diff)  # pylint: disable=protected-access
    except (InputError, ToolError, EngineError, OSError) as exc:
        _fail(module, exc, resource_cls.__name__.lower())
    for warning in result.pop("warnings", []):
        module.warn(warning)
    module.exit_json(**result)


def run_parts(argument_spec, specs, classes, order):
    """cnet.linux.converge: each part (an option named for a module, holding that module's options) checked
    with that module's own argument spec and made into its resource - every part before anything changes -
    then all converged in order in one engine call (one lock, one context, sockets opened once), with the
    records given (records_before, records_after: {kind: document}). The result: 'steps', one module result
    per part (with its 'part'), and their actions, diffs and netlink writes together."""
    spec = dict(argument_spec, state_dir=STATE_DIR_OPTION)
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    _printable(module, skip=order)
    parts, resources = [], []
    for name in order:
        given = module.params.get(name)
        if given is None:
            continue
        part_spec, kwargs = specs[name]
        checked = ArgumentSpecValidator(part_spec, **kwargs).validate(given)
        if checked.error_messages:
            module.fail_json(msg="%s: %s" % (name, "; ".join(checked.error_messages)), changed=False)
        try:
            resources.append(classes[name].from_params(checked.validated_parameters))
        except InputError as exc:
            module.fail_json(msg="%s: %s" % (name, exc), changed=False)
        parts.append(name)
    _require_pyroute2(module, [type(r) for r in resources])
    records = [module.params.get(option) or {} for option in ("records_before", "records_after")]
    for option, given in zip(("records_before", "records_after"), records):
        for kind, document in given.items():
            if not RECORD_NAME.match(kind) or kind in ENGINE_RECORDS:
                module.fail_json(msg="%s: '%s' cannot be a record's name: letters, digits, '_' and '-' only, and not "
                                     "one of the engine's own (%s)" % (option, kind, ", ".join(ENGINE_RECORDS)))
            if not isinstance(document, dict):
                module.fail_json(msg="%s.%s: a record is a JSON object (a dict), not %s" % (
                    option, kind, type(document).__name__))
    try:
        out = converge_all(resources, check=module.check_mode, state_dir=module.params["state_dir"],
                           diff=module._diff, records_before=records[0],  # pylint: disable=protected-access
                           records_after=records[1])
    except (InputError, ToolError, EngineError, OSError) as exc:
        done = [dict(result, part=name) for name, result in zip(parts, getattr(exc, "results", []))]
        # no results: the state directory failed (its lock, or a record that could not be written)
        failed = parts[len(done)] if hasattr(exc, "results") else "state_dir"
        undone = getattr(exc, "earlier_undone", None)
        if undone is None:
            _fail(module, exc, failed, prefix=failed + ": ", steps=done, changed=any(r["changed"] for r in done))
        # the parts before the failing one were undone as well: the host is as before the call
        _fail(module, exc, failed, prefix=failed + ": ", suffix=undone, steps=[dict(r, undone=True) for r in done],
              changed=False)
    steps = [dict(result, part=name) for name, result in zip(parts, out["results"])]
    result = {"changed": out["changed"], "steps": steps, "records": out["records"],
              "actions": [action for step in steps for action in step["actions"]],
              "netlink_writes": sum(step.get("netlink_writes", 0) for step in steps),
              "timing": dict([(step["part"], step["timing"]["total"]) for step in steps]
                             + [("total", round(sum(step["timing"]["total"] for step in steps), 4))])}
    if module._diff:  # pylint: disable=protected-access
        result["diff"] = {"before": {}, "after": {}}
        for step in steps:
            for side in ("before", "after"):
                result["diff"][side].update(step["diff"][side])
    for step in steps:
        for warning in step.pop("warnings", []):
            module.warn("%s: %s" % (step["part"], warning))
    module.exit_json(**result)


def report(observer, argument_spec=None):
    """An _info module: observer(params) read-only, its dict returned with changed=False."""
    module = AnsibleModule(argument_spec=argument_spec or {}, supports_check_mode=True)
    _printable(module)
    try:
        result = observer(module.params)
    except InputError as exc:
        module.fail_json(msg=str(exc))
    except OSError as exc:
        module.fail_json(msg="%s: %s" % (getattr(observer, "__name__", "observe"), reason(exc)),
                         exception=traceback.format_exc())
    module.exit_json(changed=False, **result)
