"""Benchmark: how fast the simulated fleet comes up and goes down, and how fast Ansible reaches it.

Run as root from the repository: .venv/bin/python bench/lab_up.py [--sizes 3 8 32] [--repeat 3]
Goal (issue 2): 8 hosts up in under 10 s. Prints a table; the numbers are medians.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from lab import fleet  # noqa: E402  pylint: disable=wrong-import-position


def measure(size, repeat, ansible):
    ups, downs, pings = [], [], []
    name = "bench-%d" % size
    for round_ in range(repeat):  # pylint: disable=unused-variable
        start = time.monotonic()
        state = fleet.up(name, size, owner=os.getpid())
        ups.append(time.monotonic() - start)
        if ansible:
            start = time.monotonic()
            res = subprocess.run([ansible, "-i", state["inventory"], "all", "-m", "ansible.builtin.ping", "-o",
                                  "-f", str(max(size, 5))], capture_output=True, text=True, check=False)
            pings.append(time.monotonic() - start)
            if res.returncode != 0:
                raise SystemExit("ansible ping failed:\n" + res.stdout + res.stderr)
        start = time.monotonic()
        fleet.down(name)
        downs.append(time.monotonic() - start)
    return statistics.median(ups), statistics.median(downs), "%.2f" % statistics.median(pings) if pings else "n/a"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[3, 8, 32])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    venv_ansible = os.path.join(os.path.dirname(sys.executable), "ansible")
    ansible = venv_ansible if os.path.exists(venv_ansible) else None
    print("| hosts | up (s) | down (s) | ansible -m ping, all hosts (s) |")
    print("|---:|---:|---:|---:|")
    for size in args.sizes:
        up, down, ping = measure(size, args.repeat, ansible)
        print("| %d | %.2f | %.2f | %s |" % (size, up, down, ping))


if __name__ == "__main__":
    main()
