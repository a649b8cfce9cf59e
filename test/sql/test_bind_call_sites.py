"""The handlers' call sites against what lib/sql embeds, read from the source without running it,
so a path no emulator test takes is checked too: every statement name a handler writes is
embedded, every mapping of values it passes names exactly the statement's binds, and every
embedded statement is run (by name, or through a generated group such as the rollup steps)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PROCEDURES = Path(__file__).resolve().parents[2] / "procedures"


def _embedding(catalog, handler):
    return catalog["ingestionEmbedding"] if handler == "ingestion.py" else catalog["alerts"]["embedding"]


def _dict_returns(tree):
    """Module functions that return (or yield) one dict literal: name -> that literal."""
    found = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            literals = [inner.value for inner in ast.walk(node)
                        if isinstance(inner, (ast.Return, ast.Yield)) and isinstance(inner.value, ast.Dict)]
            if len(literals) == 1:
                found[node.name] = literals[0]
    return found


def _keys(node, functions, local):
    """The keys a values expression holds, or None when they cannot be read from the source."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in functions:
        return _keys(functions[node.func.id], functions, local)
    if isinstance(node, ast.Name) and node.id in local:
        return _keys(local[node.id], functions, local)
    if not isinstance(node, ast.Dict):
        return None
    keys = set()
    for key, value in zip(node.keys, node.values):
        if key is None:
            spread = _keys(value, functions, local)
            if spread is None:
                return None
            keys |= spread
        elif isinstance(key, ast.Constant) and isinstance(key.value, str):
            keys.add(key.value)
        else:
            return None
    return keys


def _call_sites(handler):
    """(line, whether run() itself, statement name or None, values node or None, dict-returning functions,
    the enclosing function's single assignments)."""
    tree = ast.parse((PROCEDURES / handler).read_text())
    functions = _dict_returns(tree)
    sites = []
    for function in (node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)):
        assigned = [target.id for node in ast.walk(function) if isinstance(node, ast.Assign)
                    for target in node.targets if isinstance(target, ast.Name)]
        local = {node.targets[0].id: node.value for node in ast.walk(function)
                 if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                 and assigned.count(node.targets[0].id) == 1}
        for node in ast.walk(function):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "run":
                is_run, name, values = True, node.args[2], (node.args[3] if len(node.args) > 3 else None)
            elif isinstance(node, ast.Tuple) and len(node.elts) == 2 and isinstance(node.elts[0], ast.Constant):
                # A write queued as (statement, values) and run later in one transaction (alerting.py).
                is_run, (name, values) = False, node.elts
            else:
                continue
            literal = name.value if isinstance(name, ast.Constant) and isinstance(name.value, str) else None
            sites.append((node.lineno, is_run, literal, values, functions, local))
    return sites


@pytest.mark.parametrize("handler", ["ingestion.py", "alerting.py"])
def test_every_call_site_names_an_embedded_statement_and_passes_exactly_its_binds(catalog, handler):
    embedding = _embedding(catalog, handler)
    checked, problems = 0, []
    for line, is_run, name, values, functions, local in _call_sites(handler):
        if name is None or (not is_run and name not in embedding["statements"]):
            continue
        if name not in embedding["statements"]:
            problems.append(f"{handler}:{line}: no statement {name!r} is embedded")
            continue
        keys = set() if values is None else _keys(values, functions, local)
        if keys is not None:
            checked += 1
            if keys != set(embedding["binds"][name]):
                problems.append(f"{handler}:{line}: {name} passes {sorted(keys)}, binds {sorted(set(embedding['binds'][name]))}")
    assert problems == []
    assert checked >= 10, f"only {checked} call sites of {handler} could be read; the check has stopped reading them"


def _group_names(value):
    if isinstance(value, str):
        return {value}
    items = value.values() if isinstance(value, dict) else value
    return set().union(*(_group_names(item) for item in items))


@pytest.mark.parametrize("handler", ["ingestion.py", "alerting.py"])
def test_every_embedded_statement_is_run_by_its_handler(catalog, handler):
    embedding = _embedding(catalog, handler)
    named = {name for _line, _is_run, name, *_rest in _call_sites(handler) if name is not None}
    # The alert rules' statements are run through the rules' settings (SETTINGS.ruleInfo).
    by_rule = {info["statement"] for info in catalog["alerts"]["settings"]["ruleInfo"].values()} if handler == "alerting.py" else set()
    assert set(embedding["statements"]) - named - _group_names(embedding["names"]) - by_rule == set()


def test_the_generated_groups_bind_what_their_call_sites_pass(catalog):
    """The rollup steps and alert rules are run through their groups: each kind binds the same names."""
    ingestion, alerts = catalog["ingestionEmbedding"], catalog["alerts"]["embedding"]
    steps = ingestion["names"]["rollupSteps"]
    assert [step["expire"] for step in steps] == [f"rollup_expire_{s}" for s in ("agent", "user", "model", "tool", "latency")]
    assert {tuple(ingestion["binds"][step["expire"]]) for step in steps} == {("rollup_retention_days",)}
    assert {tuple(ingestion["binds"][step[kind]]) for step in steps for kind in ("delete", "insert")} == {()}
    rule_statements = {rule: info["statement"] for rule, info in catalog["alerts"]["settings"]["ruleInfo"].items()}
    assert set(rule_statements) == set(catalog["alerts"]["settings"]["rules"]["defaults"])
    # A rule binds AS_OF alone, maybe more than once (the start of its read of production history repeats it).
    assert {tuple(dict.fromkeys(alerts["binds"][statement])) for statement in rule_statements.values()} == {("as_of",)}
