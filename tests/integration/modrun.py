"""Run the collection's modules on a lab host the way Ansible's module runner does (arguments as JSON,
result as JSON), under either Python of the managed-host matrix, and read kernel state with ip -j."""

import json
import os
import shlex
import subprocess
import tempfile

from lab import fleet

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# The managed-host matrix: Debian's python3-pyroute2 (0.7.x) and PyPI's (0.9.x, in the project venv).
PYTHONS = {
    "pyroute2-0.7": "/usr/bin/python3",
    "pyroute2-0.9": os.path.join(REPO, ".venv", "bin", "python"),
}

_shim = None


def shim():
    """A PYTHONPATH holding only ansible (for module_utils.basic) and this collection, so the host
    Python's own pyroute2 is the one imported."""
    global _shim
    if _shim is None:
        _shim = tempfile.mkdtemp(prefix="cnet-shim-")
        lib = subprocess.run([PYTHONS["pyroute2-0.9"], "-c", "import ansible, os; print(os.path.dirname(ansible.__file__))"],
                             capture_output=True, text=True, check=True).stdout.strip()
        os.symlink(lib, os.path.join(_shim, "ansible"))
        os.symlink(os.path.join(REPO, ".collections", "ansible_collections"), os.path.join(_shim, "ansible_collections"))
    return _shim


class Host:
    """One lab host and the Python the modules run under."""

    def __init__(self, lab, name, python):
        self.lab, self.name, self.python = lab, name, python

    def sh(self, script, check=True, timeout=60):
        res = subprocess.run(fleet.exec_argv(self.lab["name"], self.name, ["sh", "-c", script]),
                             capture_output=True, text=True, timeout=timeout, check=False)
        if check and res.returncode != 0:
            raise AssertionError("%s on %s failed (%d): %s" % (script, self.name, res.returncode, res.stderr or res.stdout))
        return res

    def ipj(self, *args):
        """ip -j ... parsed (the namespace form: ipj('-n', 'web', 'addr'))."""
        out = self.sh("ip -j " + " ".join(shlex.quote(a) for a in args)).stdout
        return json.loads(out) if out.strip() else []

    def run(self, module, args, check=False, diff=True, expect_fail=False):
        """The module's result dict; a failure is an AssertionError unless expect_fail."""
        payload = dict(args, _ansible_check_mode=check, _ansible_diff=diff, _ansible_tmpdir=None,
                       _ansible_remote_tmp="/tmp", _ansible_keep_remote_files=False)
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            json.dump({"ANSIBLE_MODULE_ARGS": payload}, handle)
        try:
            argv = ["env", "PYTHONPATH=" + shim(), self.python, "-m",
                    "ansible_collections.cnet.linux.plugins.modules." + module, handle.name]
            res = subprocess.run(fleet.exec_argv(self.lab["name"], self.name, argv), capture_output=True, text=True,
                                 timeout=300, check=False)
        finally:
            os.unlink(handle.name)
        try:
            result = json.loads(res.stdout)
        except ValueError:
            raise AssertionError("%s printed no JSON (rc %d): %s %s" % (module, res.returncode, res.stdout, res.stderr))
        if result.get("failed") and not expect_fail:
            raise AssertionError("%s failed: %s" % (module, result.get("msg")))
        if expect_fail and not result.get("failed"):
            raise AssertionError("%s was expected to fail: %s" % (module, result))
        return result

    def converge(self, module, args):
        """check run, real run, check run: the check predicts the real run's actions exactly, and after it
        there is nothing left to do. Returns the real run's result."""
        predicted = self.run(module, args, check=True)
        real = self.run(module, args)
        assert predicted["actions"] == real["actions"], (predicted["actions"], real["actions"])
        assert predicted["diff"] == real["diff"]
        again = self.run(module, args, check=True)
        assert again["changed"] is False and again["actions"] == [], again["actions"]
        return real
