"""What the benchmarks share: the repository's Ansible commands, timed; medians; the rows as JSON."""

import json
import os
import statistics
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if REPO not in sys.path:
    sys.path.insert(0, REPO)
VENV_BIN = os.path.join(REPO, ".venv", "bin")


def ansible_env(**extra):
    """The environment the repository's Ansible commands run with: its ansible.cfg and collection."""
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, ".collections"))
    env.update(extra)
    return env


def profile_env(path):
    """The Ansible environment with bench/callback_plugins/cnet_task_times writing each task's time to path."""
    return ansible_env(ANSIBLE_CALLBACK_PLUGINS=os.path.join(REPO, "bench", "callback_plugins"),
                       ANSIBLE_CALLBACKS_ENABLED="cnet_task_times", CNET_TASK_TIMES=path)


def timed(argv, env=None, cwd=REPO, check=True, timeout=3600):
    """(seconds, CompletedProcess) of one command; check: a failure ends the benchmark with its output."""
    start = time.monotonic()
    res = subprocess.run(argv, env=env or ansible_env(), cwd=cwd, capture_output=True, text=True, timeout=timeout,
                         check=False)
    took = time.monotonic() - start
    if check and res.returncode != 0:
        said = (res.stdout[-4000:], res.stderr[-3000:])
        raise SystemExit("%s failed (%d):\n%s\n%s" % ((" ".join(argv[:4]), res.returncode) + said))
    return took, res


def playbook(name, inventories, *extra, **kwargs):
    argv = [os.path.join(VENV_BIN, "ansible-playbook")]
    for inv in inventories:
        argv += ["-i", inv]
    return timed(argv + [os.path.join(REPO, "playbooks", name)] + list(extra), **kwargs)


def recap(stdout):
    """{host: {ok, changed, failed, ...}} from a playbook's PLAY RECAP."""
    out = {}
    for line in stdout.split("PLAY RECAP")[-1].splitlines():
        parts = line.split()
        if len(parts) > 2 and parts[1] == ":":
            out[parts[0]] = dict((k, int(v)) for k, v in (p.split("=") for p in parts[2:]))
    return out


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def write_json(path, rows):
    if path:
        with open(path, "w") as handle:
            json.dump(rows, handle, indent=1, sort_keys=True)
