"""Every module's arguments, property-based (hypothesis, 500 cases each) on a real lab host: never a traceback,
an InputError names a field of the call, and a call that fails leaves the host exactly as it was
(tests/integration/bad_args.py holds the cases and the checks and runs inside the lab host)."""

import json
import os

import pytest

from ansible_collections.cnet.linux.plugins.module_utils.resources import registry

from .conftest import run_in, venv_bin

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
# every engine kind's module (the registry's), and the two beside them
MODULES = tuple(registry.KINDS) + ("wireguard_key", "host_settings")
EXAMPLES = 500


@pytest.mark.parametrize("module", MODULES)
def test_bad_arguments_fail_cleanly_and_leave_nothing(make_lab, module):
    pytest.importorskip("hypothesis")
    lab = make_lab(1)
    res = run_in(lab, "h1", "env", "PYTHONPATH=%s:%s" % (os.path.join(REPO, ".collections"), REPO),
                 venv_bin("python"), os.path.join(HERE, "bad_args.py"), module, str(EXAMPLES), check=False, timeout=900)
    assert res.stdout.strip(), res.stderr
    report = json.loads(res.stdout.strip().splitlines()[-1])
    assert res.returncode == 0 and not report["findings"], report
    counts = report["counts"]
    assert counts["cases"] >= EXAMPLES, counts
    # the cases reach the engine, not only the argument spec: both outcomes are seen many times (a kernel without
    # WireGuard, as this machine's, refuses every valid tunnel: that refusal, which must leave nothing, is the
    # engine's outcome there)
    reached = counts["converged"] + (counts["failed and rolled back"] if module == "wireguard" else 0)
    assert counts["refused (InputError)"] >= 50 and reached >= 20, counts
