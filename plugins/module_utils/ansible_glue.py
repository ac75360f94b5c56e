# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one place modules meet Ansible: parse arguments, converge the resource, report. The only file of
module_utils that imports Ansible; the engine and the layers below run without it."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import importlib.util
import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.cnet.linux.plugins.module_utils.core.engine import DEFAULT_STATE_DIR, EngineError, converge, reason
from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError, ToolError

STATE_DIR_OPTION = {"type": "path", "default": DEFAULT_STATE_DIR}


def run(resource_cls, argument_spec, **module_kwargs):
    """resource_cls.PYROUTE2: whether the module's plans write through pyroute2 (then it is required)."""
    spec = dict(argument_spec, state_dir=STATE_DIR_OPTION)
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True, **module_kwargs)
    if resource_cls.PYROUTE2 and importlib.util.find_spec("pyroute2") is None:  # found without importing it
        module.fail_json(msg=missing_required_lib("pyroute2 (Debian/Ubuntu: python3-pyroute2)"),
                         exception="No module named 'pyroute2'")
    try:
        resource = resource_cls.from_params(module.params)
        result = converge(resource, check=module.check_mode, state_dir=module.params["state_dir"],
                          diff=module._diff)  # pylint: disable=protected-access
    except (InputError, ToolError) as exc:
        module.fail_json(msg=str(exc), changed=False)
    except EngineError as exc:
        msg = str(exc)
        if exc.done or exc.undone:
            msg += "; what this run had created was removed again: %s" % (", ".join(exc.undone) or "nothing")
        module.fail_json(msg=msg, changed=False, applied=exc.done, rolled_back=exc.undone)
    except OSError as exc:  # netlink refusals (netlink.sock.NetlinkError) included
        module.fail_json(msg="%s: %s" % (resource_cls.__name__.lower(), reason(exc)), exception=traceback.format_exc())
    for warning in result.pop("warnings", []):
        module.warn(warning)
    module.exit_json(**result)


def report(observer, argument_spec=None):
    """An _info module: observer(params) read-only, its dict returned with changed=False."""
    module = AnsibleModule(argument_spec=argument_spec or {}, supports_check_mode=True)
    try:
        result = observer(module.params)
    except InputError as exc:
        module.fail_json(msg=str(exc))
    except OSError as exc:
        module.fail_json(msg="%s: %s" % (getattr(observer, "__name__", "observe"), reason(exc)),
                         exception=traceback.format_exc())
    module.exit_json(changed=False, **result)
