"""The repository (for lab, bench) and the collection as Ansible imports it (ansible_collections.cnet.linux...,
which scripts/setup links to this checkout) on the path of every test, unit and integration."""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for path in (ROOT, os.path.join(ROOT, ".collections")):
    if path not in sys.path:
        sys.path.insert(0, path)
