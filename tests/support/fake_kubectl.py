#!/usr/bin/env python3
"""A stand-in for kubectl, for the kind backend's orchestration tests only (no cluster here).

It keeps a tiny cluster in a JSON file next to $KUBECONFIG and answers the commands the kind
backend sends: get nodes/pods/services, apply of a JSON List from stdin, delete, and exec of the
probe script (every probe connects, except destinations listed in $KUBECONFIG.blocked). Every argv
is appended to $KUBECONFIG.log, one JSON array per line.
"""
import fcntl
import json
import os
import re
import sys

base = os.environ.get("KUBECONFIG", "")
if not base:
    sys.stderr.write("fake kubectl: KUBECONFIG is not set\n")
    sys.exit(1)
state_path, log_path, blocked_path = base + ".state.json", base + ".log", base + ".blocked"

args = sys.argv[1:]
with open(log_path, "a") as log:
    fcntl.flock(log, fcntl.LOCK_EX)
    log.write(json.dumps(args) + "\n")
if len(args) >= 2 and args[0] == "--context":
    args = args[2:]

lock = open(base + ".lock", "a")
fcntl.flock(lock, fcntl.LOCK_EX)
state = {"objects": {}, "next_pod": 10, "next_svc": 10}
if os.path.exists(state_path):
    with open(state_path) as f:
        state = json.load(f)
objects = state["objects"]


def save():
    with open(state_path + ".tmp", "w") as f:
        json.dump(state, f)
    os.replace(state_path + ".tmp", state_path)


def listing(kind):
    return json.dumps({"items": [o for k, o in sorted(objects.items()) if k.startswith(kind + " ")]})


NODES = [("kind-control-plane", "172.18.0.2", True), ("kind-worker", "172.18.0.3", False),
         ("kind-worker2", "172.18.0.4", False)]

if args[:2] == ["get", "nodes"]:
    if "name" in args:
        print("\n".join("node/" + n for n, _, _ in NODES))
    else:
        items = []
        for name, ip, control in NODES:
            labels = {"node-role.kubernetes.io/control-plane": ""} if control else {}
            items.append({"metadata": {"name": name, "labels": labels},
                          "status": {"addresses": [{"type": "InternalIP", "address": ip}]}})
        print(json.dumps({"items": items}))
elif args[:1] == ["apply"]:
    doc = json.load(sys.stdin)
    for o in doc.get("items", [doc]):
        kind, meta = o["kind"], o["metadata"]
        key = "%s %s/%s" % (kind, meta.get("namespace", ""), meta["name"])
        if kind == "Pod":
            old = objects.get(key)
            ip = old["status"]["podIP"] if old else "10.244.%d.%d" % divmod(state["next_pod"], 250)
            if not old:
                state["next_pod"] += 1
            o["status"] = {"phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}],
                           "containerStatuses": [{"ready": True}]}
        if kind == "Service":
            old = objects.get(key)
            ip = old["spec"]["clusterIP"] if old else "10.96.0.%d" % state["next_svc"]
            if not old:
                state["next_svc"] += 1
            o["spec"]["clusterIP"] = ip
        objects[key] = o
        print("%s/%s configured" % (kind.lower(), meta["name"]))
    save()
elif args[:2] == ["get", "pods"]:
    print(listing("Pod"))
elif args[:2] == ["get", "services"]:
    print(listing("Service"))
elif args[:1] == ["delete"]:
    kinds = {"pod": "Pod", "service": "Service", "networkpolicy": "NetworkPolicy", "namespace": "Namespace"}
    if args[1] == "namespace" and args[2] == "--selector":
        run = args[3].split("=", 1)[1]
        gone = {o["metadata"]["name"] for o in objects.values()
                if o["kind"] == "Namespace" and o["metadata"].get("labels", {}).get("netpolfuzz.io/run") == run}
        for k in list(objects):
            o = objects[k]
            if o["metadata"].get("namespace") in gone or (o["kind"] == "Namespace" and o["metadata"]["name"] in gone):
                del objects[k]
    elif args[2] == "--namespace":
        objects.pop("%s %s/%s" % (kinds[args[1]], args[3], args[4]), None)
    else:
        objects.pop("%s /%s" % (kinds[args[1]], args[2]), None)
    save()
elif args[:1] == ["exec"]:
    ns, pod = args[2], args[3]
    if "Pod %s/%s" % (ns, pod) not in objects:
        sys.stderr.write('Error from server (NotFound): pods "%s" not found\n' % pod)
        sys.exit(1)
    blocked = set(open(blocked_path).read().split()) if os.path.exists(blocked_path) else set()
    script = args[-1]
    out = ["NPF-BEGIN"]
    for k, dest in re.findall(r"^p (\d+) (\S+) \d+ms (?:tcp|udp|sctp) &$", script, re.M):
        out.append("NPF-R %s 1   TIMEOUT" % k if dest in blocked else "NPF-R %s 0  " % k)
    out.append("NPF-END")
    print("\n".join(out))
else:
    sys.stderr.write("fake kubectl: unexpected command %s\n" % args)
    sys.exit(1)
