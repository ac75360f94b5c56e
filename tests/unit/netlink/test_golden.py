"""The collection's own netlink messages, byte for byte, against pyroute2's message classes (golden.py): the
requests it encodes and the dump messages it parses, without root or a kernel; under the venv's pyroute2
(0.9) in-process, and under Debian's python3-pyroute2 (0.7) through /usr/bin/python3."""

import json
import os
import subprocess

import pytest

from . import golden

DEBIAN_PYTHON = "/usr/bin/python3"


CASES = golden.cases()


@pytest.mark.parametrize("name, ours, reference", CASES, ids=[case[0] for case in CASES])
def test_the_same_as_pyroute2(name, ours, reference):
    assert ours == reference, name


def test_every_encoder_is_covered():
    """A new request builder in netlink.encode needs its golden case here."""
    from ansible_collections.cnet.linux.plugins.module_utils.netlink import decode, encode
    names = [name for name, _o, _r in CASES]
    for module, prefix in ((encode, "request "), (decode, "dump ")):
        public = [n for n in dir(module) if callable(getattr(module, n)) and not n.startswith("_")
                  and getattr(getattr(module, n), "__module__", "") == module.__name__ and n not in ("attr", "attrs")]
        for fn in public:
            word = {"extack": "error reason"}.get(fn, fn.replace("parse_", ""))
            assert any(name.startswith(prefix + word) for name in names), "%s.%s has no golden case" % (module.__name__, fn)


def test_the_same_under_debians_pyroute2():
    probe = subprocess.run([DEBIAN_PYTHON, "-c", "import pyroute2"], capture_output=True, check=False) \
        if os.path.exists(DEBIAN_PYTHON) else None
    if probe is None or probe.returncode != 0:
        pytest.skip("no %s with python3-pyroute2 (scripts/setup installs it)" % DEBIAN_PYTHON)
    out = subprocess.run([DEBIAN_PYTHON, golden.__file__], capture_output=True, text=True, check=True, timeout=60)
    result = json.loads(out.stdout)
    assert result["cases"] == len(CASES) and result["mismatches"] == []
