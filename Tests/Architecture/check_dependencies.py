#!/usr/bin/env python3
"""Checks the module architecture from `swift package describe --type json` (read on stdin):

- the MPI-free training core (TrainingCore, its tests, and the fuzz targets ddk-fuzz) has no
  MPI target in its dependency closure;
- only Runtime and the command-line tool (plus MPI's own tests and checks) depend on MPI
  directly;
- the Engine depends on nothing but OpenBLAS and the memory-mapped file reader;
- the SVG charts (Plots) depend on no other target.

Prints one PASS/FAIL line per check and exits non-zero on a failure.
"""
import json
import sys

MPI_TARGETS = {"MPI", "CMPI"}
MAY_USE_MPI = {"MPI", "Runtime", "ddk", "MPITests", "RuntimeTests", "mpi-checks"}

package = json.load(sys.stdin)
dependencies = {t["name"]: set(t.get("target_dependencies") or []) for t in package["targets"]}


def closure(name):
    seen, todo = set(), [name]
    while todo:
        for dependency in dependencies.get(todo.pop(), ()):
            if dependency not in seen:
                seen.add(dependency)
                todo.append(dependency)
    return seen


failures = 0


def check(ok, message):
    global failures
    print(("PASS " if ok else "FAIL ") + message)
    failures += 0 if ok else 1


for core in ("TrainingCore", "TrainingCoreTests", "ddk-fuzz"):
    if core not in dependencies:
        check(False, f"{core}: no such target")
        continue
    reached = closure(core)
    check(not (reached & MPI_TARGETS),
          f"{core}'s dependency closure has no MPI target ({', '.join(sorted(reached)) or 'nothing'})")

direct = sorted(name for name, deps in dependencies.items() if deps & MPI_TARGETS and name not in MAY_USE_MPI)
check(not direct, "only Runtime, ddk and MPI's own tests depend on MPI" + (f" (also: {', '.join(direct)})" if direct else ""))

engine = dependencies.get("Engine", set())
check(engine <= {"COpenBLAS", "MappedFiles"}, f"Engine depends only on COpenBLAS and MappedFiles ({', '.join(sorted(engine))})")
plots = dependencies.get("Plots")
check(plots == set(), f"Plots depends on no other target ({', '.join(sorted(plots or [])) or 'nothing' if plots is not None else 'no such target'})")
sys.exit(1 if failures else 0)
