"""The collection is imported as Ansible imports it: ansible_collections.cnet.linux.... (scripts/setup links
this checkout there)."""

import os
import sys

COLLECTIONS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), ".collections")
if COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)
