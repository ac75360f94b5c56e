"""cnet-lab command line: up, down, status, clean, exec, matrix."""

import argparse
import json
import os
import sys

from . import fleet, hoststate, matrix, rootnet, topology, vm


def cmd_up(args):
    state = fleet.up(args.name, args.hosts, routed=args.routed, owner=args.owner, python=args.python,
                     guests=args.vm, mtu=args.mtu)
    kind = " (routed underlay)" if state["routed"] else ""
    if state.get("vm"):
        kind = " (QEMU guests, %s, booted in %.0f s)" % (state["vm"]["accel"].upper(), state["vm"]["boot_seconds"])
    print("lab %s: %d hosts up in %.2f s%s" % (state["name"], len(state["hosts"]), state["up_seconds"], kind))
    print("inventory: %s" % state["inventory"])
    return 0


def cmd_down(args):
    for name in args.names or fleet.names():
        fleet.down(name)
        print("lab %s: down" % name)
    return 0


def cmd_status(args):
    labs = args.names or fleet.names()
    if not labs:
        print("no labs")
    for name in labs:
        state, members = fleet.health(name)
        if state is None:
            print("lab %s: no state (run 'cnet-lab clean')" % name)
            continue
        stale = fleet.is_stale(name)
        print("lab %s: %s, %d hosts, %s underlay, inventory %s" % (
            name, "STALE" if stale else "up", len(state["hosts"]), "routed" if state["routed"] else "flat",
            state["inventory"]))
        for host in state["hosts"]:
            pid = state["pids"].get(host["name"], [None])[0]
            running = "running" if members.get(host["name"]) else "GONE"
            print("  %-6s %-15s segment %s  pid %-7s %s" % (host["name"], host["address"], host["segment"], pid, running))
    return 0


def cmd_clean(args):
    removed = fleet.clean(everything=args.all)
    print("removed: %s" % (", ".join(removed) if removed else "nothing"))
    return 0


def cmd_exec(args):
    argv = fleet.exec_argv(args.name, args.member, args.command)
    os.execvp(argv[0], argv)


def cmd_matrix(args):
    columns, result = matrix.underlay(args.name)
    text, bad = matrix.render(columns, result, "lab %s: ping over the underlay" % args.name)
    print(text)
    if args.containers:
        columns, result = matrix.containers(args.name)
        print()
        print(matrix.render_containers(columns, result, "lab %s: what each namespace reaches (real pings)" % args.name))
    if args.publish:
        host, netns, port, host_port, ehost, ens = args.publish.split(":")
        print()
        print("\n".join(matrix.published(args.name, host, netns, int(port), int(host_port), (ehost, ens))))
    return 1 if bad else 0


def cmd_reboot(args):
    for host in args.hosts:
        booted = fleet.reboot(args.name, host)
        state = fleet.load(args.name) or {}
        print("%s: rebooted%s" % (host, "" if state.get("vm") else
                                  " (namespaces, links but the underlay, iptables, conntrack, forwarding gone)"))
        sys.stdout.write("".join("  %s\n" % line for line in booted.splitlines()))
    return 0


def cmd_root_snapshot(args):
    snap = rootnet.snapshot()
    if args.compare:
        with open(args.compare) as f:
            changed = rootnet.changed(json.load(f), snap)
        if changed:
            print("this machine's own network changed: %s" % ", ".join(changed), file=sys.stderr)
            return 1
        print("this machine's own network is as before")
        return 0
    print(rootnet.dumps(snap))
    return 0


def cmd_host_state(args):
    snap = hoststate.snapshot(args.name, args.host)
    if args.compare:
        with open(args.compare) as f:
            diff = hoststate.compare(json.load(f), snap)
        print(json.dumps(diff, indent=1, sort_keys=True))
        return 0
    print(json.dumps(snap, indent=1, sort_keys=True))
    return 0


def cmd_vm_check(_args):
    reason = vm.cannot_boot()
    if reason:
        print("this machine cannot boot VM lab guests: %s" % reason)
        return 1
    print("this machine can boot VM lab guests (accelerators to try: %s)" % ", ".join(vm.accel_choices()))
    return 0


def cmd_reap(args):
    fleet.reap(args.name)
    return 0


def parser():
    p = argparse.ArgumentParser(prog="cnet-lab", description=__doc__)
    sub = p.add_subparsers(dest="cmd", required=True)
    up = sub.add_parser("up", help="start N hosts (replaces a lab of the same name)")
    up.add_argument("hosts", type=int)
    up.add_argument("--name", default="lab")
    up.add_argument("--routed", action="store_true", help="two underlay subnets joined by a router namespace")
    up.add_argument("--owner", type=int, help="take the lab down when this process ends")
    up.add_argument("--python", default="/usr/bin/python3", help="managed hosts' Python interpreter")
    up.add_argument("--underlay-mtu", type=int, default=1500, dest="mtu",
                    help="the underlay's MTU (e.g. 1450, as on many clouds): the fabric's links and every host's eth0")
    up.add_argument("--vm", action="store_true",
                    help="the hosts are Debian 12 QEMU guests (the image is built and cached on first use)")
    up.set_defaults(func=cmd_up)
    down = sub.add_parser("down", help="remove labs (default: all)")
    down.add_argument("names", nargs="*")
    down.set_defaults(func=cmd_down)
    status = sub.add_parser("status", help="show labs and their hosts")
    status.add_argument("names", nargs="*")
    status.set_defaults(func=cmd_status)
    clean = sub.add_parser("clean", help="remove what crashed runs left (stale labs)")
    clean.add_argument("--all", action="store_true", help="remove every lab, stale or not")
    clean.set_defaults(func=cmd_clean)
    ex = sub.add_parser("exec", help="run a command inside a lab member (host, fabric or router)")
    ex.add_argument("name")
    ex.add_argument("member")
    ex.add_argument("command", nargs=argparse.REMAINDER)
    ex.set_defaults(func=cmd_exec)
    mx = sub.add_parser("matrix", help="ping every host from every host and print the table")
    mx.add_argument("name")
    mx.add_argument("--containers", action="store_true", help="also every namespace against every container address")
    mx.add_argument("--publish", metavar="HOST:NETNS:PORT:HOST_PORT:EGRESS_HOST:EGRESS_NETNS",
                    help="also a published port from the fabric and egress masquerade seen from the outside")
    mx.set_defaults(func=cmd_matrix)
    rb = sub.add_parser("reboot", help="wipe what a reboot loses on hosts (their files stay), then run their enabled units")
    rb.add_argument("name")
    rb.add_argument("hosts", nargs="+")
    rb.set_defaults(func=cmd_reboot)
    snap = sub.add_parser("root-snapshot", help="print the root namespace's network state, or compare with a saved one")
    snap.add_argument("--compare", metavar="FILE", help="a snapshot printed earlier; exit 1 if anything differs")
    snap.set_defaults(func=cmd_root_snapshot)
    hs = sub.add_parser("host-state", help="a host's links, addresses, routes, rules, sysctls and the collection's files")
    hs.add_argument("name")
    hs.add_argument("host")
    hs.add_argument("--compare", metavar="FILE", help="a snapshot printed earlier: print what differs (JSON)")
    hs.set_defaults(func=cmd_host_state)
    vc = sub.add_parser("vm-check", help="whether this machine can boot the VM lab's guests, and why not")
    vc.set_defaults(func=cmd_vm_check)
    reap = sub.add_parser("_reap")
    reap.add_argument("name")
    reap.set_defaults(func=cmd_reap)
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    if getattr(args, "command", None) and args.command[:1] == ["--"]:
        args.command = args.command[1:]
    try:
        return args.func(args)
    except (fleet.LabError, topology.TopologyError, vm.VmError) as exc:
        print("cnet-lab: %s" % exc, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
