"""What each module ships to the managed host: the collection's files in its AnsiballZ payload (Ansible's own
dependency finder, as ansible-playbook builds it), their count and size, and the whole payload zipped.

  .venv/bin/python bench/payload.py [--json]
"""

import datetime
import io
import json
import os
import sys
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODULES = ("netns", "veth", "bridge", "iptables_nat", "vxlan_overlay")


def payload(name):
    from ansible.executor import module_common  # pylint: disable=import-outside-toplevel
    from ansible._internal._ansiballz import _builder  # pylint: disable=import-outside-toplevel
    path = os.path.join(ROOT, "plugins", "modules", name + ".py")
    with open(path, "rb") as handle:
        data = handle.read()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        module_common.recursive_finder(name, "ansible_collections.cnet.linux.plugins.modules." + name, data, zf,
                                       datetime.datetime(2020, 1, 1), _builder.ExtensionManager())
        ours = [(i.filename, i.file_size) for i in zf.infolist() if i.filename.startswith("ansible_collections/")]
    return {"module": name, "collection_files": len([f for f, s in ours if not f.endswith("__init__.py")]),
            "collection_bytes": sum(s for _f, s in ours) + len(data), "zip_bytes": len(buf.getvalue()),
            "files": sorted(f.split("module_utils/", 1)[-1] for f, _s in ours if "module_utils/" in f)}


def main():
    os.environ.setdefault("ANSIBLE_COLLECTIONS_PATH", os.path.join(ROOT, ".collections"))
    from ansible.plugins.loader import init_plugin_loader  # pylint: disable=import-outside-toplevel
    init_plugin_loader([os.environ["ANSIBLE_COLLECTIONS_PATH"]])
    rows = [payload(name) for name in MODULES]
    if "--json" in sys.argv:
        print(json.dumps(rows, indent=1))
        return
    print("| module | collection files | collection bytes | payload zip bytes |")
    print("|---|---:|---:|---:|")
    for row in rows:
        print("| %s | %d | %d | %d |" % (row["module"], row["collection_files"], row["collection_bytes"], row["zip_bytes"]))


if __name__ == "__main__":
    main()
