"""Mutation testing of the core's security modules with mutmut, one module at a time.

    .venv/bin/python tools/mutate.py [--max-children 2] [--floor 95] [MODULE ...]

The modules are ``[tool.mutmut] only_mutate`` in pyproject.toml (``MODULE`` picks some, as
dotted names or paths); each mutant runs only the tests of ``pytest_add_cli_args_test_selection``
that call the function it mutates. Survivors listed in ``tests/mutation_equivalents.toml``
(mutants that cannot change behaviour, each with its reason) are counted apart; every other
survivor is printed with its diff, and with an entry to paste into that file once it is shown
to be equivalent. Exit status 1 when a module's kill rate (killed over mutants that are not
listed equivalents) is under the floor, or when a listed equivalent no longer matches a
survivor (the code changed: the list must follow). Starts from an empty ``mutants/``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENTS = ROOT / "tests" / "mutation_equivalents.toml"
MUTMUT = str(Path(sys.executable).with_name("mutmut"))
#: mutmut's verdicts that count as killed (a timeout is a mutant the tests stopped).
KILLED = {"killed", "timeout", "caught by type check", "segfault"}


@dataclass(frozen=True)
class Mutation:
    """A mutant as its diff shows it: the function, the original and the mutated line."""

    function: str
    original: str
    mutant: str


@dataclass
class ModuleResult:
    module: str
    total: int = 0
    killed: int = 0
    equivalent: int = 0
    survivors: list[tuple[str, Mutation]] = field(default_factory=list)

    @property
    def rate(self) -> float:
        judged = self.total - self.equivalent
        return 100.0 if judged == 0 else 100.0 * self.killed / judged


def configured_modules() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["mutmut"]
    return [path.removesuffix(".py").replace("/", ".") for path in config["only_mutate"]]


def load_equivalents() -> dict[Mutation, str]:
    if not EQUIVALENTS.exists():
        return {}
    entries = tomllib.loads(EQUIVALENTS.read_text("utf-8")).get("equivalent", [])
    return {
        Mutation(entry["function"], entry["original"], entry["mutant"]): entry["reason"]
        for entry in entries
    }


def function_of(mutant_name: str) -> str:
    """``pkg.mod.x_func__mutmut_3`` -> ``pkg.mod.func``; ``pkg.mod.xǁClsǁm__mutmut_1`` ->
    ``pkg.mod.Cls.m``."""
    module, _, name = mutant_name.rpartition(".")
    name = name.rpartition("__mutmut_")[0].removeprefix("x")
    name = name.removeprefix("_") if not name.startswith("ǁ") else name
    return module + "." + ".".join(part for part in name.split("ǁ") if part)


def mutmut(*args: str, capture: bool = True) -> str:
    result = subprocess.run(  # the same interpreter's mutmut, from the project root
        [MUTMUT, *args], cwd=ROOT, capture_output=capture, text=True, check=False
    )
    if result.returncode != 0:
        output = (result.stdout or "") + (result.stderr or "") if capture else ""
        raise SystemExit(f"mutmut {' '.join(args)} failed ({result.returncode})\n{output}")
    return result.stdout or ""


def describe(mutant_name: str) -> tuple[Mutation, str]:
    diff = mutmut("show", mutant_name)
    removed = [line[1:].strip() for line in diff.splitlines() if line.startswith("-")]
    added = [line[1:].strip() for line in diff.splitlines() if line.startswith("+")]
    removed = [line for line in removed if not line.startswith("--")]
    added = [line for line in added if not line.startswith("++")]
    return Mutation(function_of(mutant_name), " ".join(removed), " ".join(added)), diff


def statuses() -> dict[str, str]:
    found: dict[str, str] = {}
    for line in mutmut("results", "--all", "true").splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and "__mutmut_" in name:
            found[name] = status
    return found


def toml_entry(mutation: Mutation) -> str:
    return (
        "[[equivalent]]\n"
        f"function = {json.dumps(mutation.function, ensure_ascii=False)}\n"
        f"original = {json.dumps(mutation.original, ensure_ascii=False)}\n"
        f"mutant = {json.dumps(mutation.mutant, ensure_ascii=False)}\n"
        'reason = ""\n'
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help="dotted names or paths (default: all)")
    parser.add_argument("--max-children", type=int, default=2)
    parser.add_argument("--floor", type=float, default=95.0, help="lowest kill rate, in %%")
    args = parser.parse_args()
    modules = configured_modules()
    if args.modules:
        wanted = [m.removesuffix(".py").replace("/", ".") for m in args.modules]
        unknown = sorted(set(wanted) - set(modules))
        if unknown:
            parser.error(f"not in [tool.mutmut] only_mutate: {', '.join(unknown)}")
        modules = wanted
    equivalents = load_equivalents()
    shutil.rmtree(ROOT / "mutants", ignore_errors=True)

    results: list[ModuleResult] = []
    matched: set[Mutation] = set()
    for module in modules:
        print(f"== {module}", flush=True)
        mutmut("run", "--max-children", str(args.max_children), f"{module}.*", capture=True)
        result = ModuleResult(module)
        for name, status in statuses().items():
            if not name.startswith(module + ".") or "." in name[len(module) + 1 :]:
                continue
            result.total += 1
            if status in KILLED:
                result.killed += 1
                continue
            mutation, diff = describe(name)
            if mutation in equivalents:
                result.equivalent += 1
                matched.add(mutation)
            else:
                result.survivors.append((f"{name}: {status}", mutation))
                print(diff.rstrip(), flush=True)
        results.append(result)

    stale = [
        m
        for m in equivalents
        if any(m.function.startswith(module + ".") for module in modules) and m not in matched
    ]
    header = "| module | mutants | killed | surviving | equivalent (listed) | kill rate |"
    print("\n" + header + "\n|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| `{r.module}` | {r.total} | {r.killed} | {len(r.survivors)} | {r.equivalent} "
            f"| {r.rate:.1f} % |"
        )
    new = [item for r in results for item in r.survivors]
    if new:
        print(f"\n{len(new)} surviving mutant(s) not listed as equivalent (diffs above):")
        for name, _ in new:
            print("  " + name)
        print(f"\nOnce shown to be equivalent, list them in {EQUIVALENTS.relative_to(ROOT)}:\n")
        print("\n".join(toml_entry(mutation) for _, mutation in new))
    if stale:
        print(f"\n{len(stale)} listed equivalent(s) match no survivor (killed now, or changed):")
        for mutation in stale:
            print(f"  {mutation.function}: {mutation.mutant}")
    low = [r.module for r in results if r.rate < args.floor]
    if low:
        print(f"\nUnder the {args.floor:g} % floor: {', '.join(low)}")
    return 1 if low or stale else 0


if __name__ == "__main__":
    sys.exit(main())
