# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A benchmark's profile: how long each task of a playbook took (from its start to the next task's start,
all hosts together), written as JSON to $CNET_TASK_TIMES. Enable with ANSIBLE_CALLBACKS_ENABLED=cnet_task_times
and ANSIBLE_CALLBACK_PLUGINS=bench/callback_plugins."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: cnet_task_times
type: aggregate
short_description: each task's wall time, as JSON, for the benchmarks
description: Writes [{task, seconds}] to the file named by CNET_TASK_TIMES when the playbook ends.
'''

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "cnet_task_times"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super(CallbackModule, self).__init__()
        self._times, self._current, self._start = [], None, None

    def _close(self):
        if self._current is not None:
            self._times.append({"task": self._current, "seconds": time.monotonic() - self._start})
        self._current = None

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._close()
        self._current, self._start = task.get_name(), time.monotonic()

    def v2_playbook_on_handler_task_start(self, task):
        self.v2_playbook_on_task_start(task, False)

    def v2_playbook_on_stats(self, stats):
        self._close()
        path = os.environ.get("CNET_TASK_TIMES")
        if path:
            with open(path, "w") as handle:
                json.dump(self._times, handle, indent=1)
