#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds energy.json (synthetic) from jobs.json (a real `sacct --json` answer of the test
# cluster, whose nodes have no energy plugin): the same records, re-timed and re-sized, with
# each job's steps given the energy of known hardware plus a fixed +-4 % "meter noise":
#   debug: 15 W a core + 60 W a node;  gpu: 9 W a core + 280 W a GPU + 110 W a node.
# Two jobs keep no reading (as on a node without acct_gather_energy). Deterministic:
#   python3 make_energy_json.py > energy.json
import copy, json, os

here = os.path.dirname(os.path.abspath(__file__))
base = json.load(open(os.path.join(here, "jobs.json")))
template = next(j for j in base["jobs"] if j["steps"] and j["time"]["start"] > 0)

WATTS = {"debug": (15.0, 0.0, 60.0), "gpu": (9.0, 280.0, 110.0)}
NOISE = [1.04, 0.97, 1.0, 1.02, 0.96, 1.03, 0.99, 1.01]
# partition, cores, GPUs, nodes, minutes, measured
SIZES = [("debug", 1, 0, 1, 30, True), ("debug", 4, 0, 1, 90, True), ("debug", 8, 0, 1, 45, True),
         ("debug", 16, 0, 2, 120, True), ("debug", 32, 0, 2, 60, True), ("debug", 2, 0, 1, 10, True),
         ("debug", 64, 0, 4, 240, True), ("debug", 4, 0, 1, 30, False),
         ("gpu", 8, 1, 1, 60, True), ("gpu", 16, 2, 1, 120, True), ("gpu", 32, 4, 1, 180, True),
         ("gpu", 8, 2, 1, 30, True), ("gpu", 64, 8, 2, 240, True), ("gpu", 16, 4, 2, 90, True),
         ("gpu", 8, 1, 1, 15, False)]


def tres(kind, count, name=None):
    ids = {"cpu": 1, "mem": 2, "energy": 3, "node": 4, "billing": 5, "gres": 1001}
    return {"type": kind, "name": name, "id": ids[kind], "count": count}


jobs = []
start = 1796600000
for i, (part, cores, gpus, nodes, minutes, measured) in enumerate(SIZES):
    j = copy.deepcopy(template)
    j["job_id"] = 500 + i
    j["name"] = "calib-%d" % i
    j["partition"] = part
    j["comment"]["administrator"] = None
    secs = minutes * 60
    j["time"].update({"submission": start - 60, "eligible": start - 60, "start": start,
                      "end": start + secs, "elapsed": secs, "limit": minutes * 2})
    alloc = [tres("cpu", cores), tres("mem", 1000 * cores), tres("energy", None),
             tres("node", nodes), tres("billing", cores)]
    if gpus:
        alloc.append(tres("gres", gpus, "gpu"))
    j["tres"]["allocated"] = alloc
    wc, wg, wn = WATTS[part]
    joules = round((wc * cores + wg * gpus + wn * nodes) * secs * NOISE[i % len(NOISE)]) if measured else 0
    step = j["steps"][0]
    step["time"].update({"start": start, "end": start + secs, "elapsed": secs})
    for kind in ("average", "total"):
        step["tres"]["consumed"][kind] = [tres("energy", joules)]
    jobs.append(j)
    start += secs + 600

base["jobs"] = jobs
print(json.dumps(base, indent=2))
