"""The procedures' session on the emulator, as the owner role with exactly the grants the plan
declares: a stand-in for Snowflake's privilege checks, which fakesnow does not make.

`scripts/privileges.ts --json` exports, for a stack, every statement the procedures run, the
privileges the model (privileges/model.json) says each needs and whether the declared grants,
ownership and role hierarchy cover them, and the agents each role holds privileges on. This
wrapper checks each statement a handler executes against that export and refuses as Snowflake
does:

* a statement the export does not know: refused (the privilege model has not seen it);
* a requirement the grants do not cover: SQL access control error 003001, naming the statement
  and the missing privilege;
* GET_AI_OBSERVABILITY_EVENTS for an agent (bound as its database, schema and name) the role
  holds neither MONITOR nor OWNERSHIP on: 002003 "does not exist or not authorized";
* SHOW AGENTS: only the agents the role holds OWNERSHIP, USAGE, MODIFY or MONITOR on, with no
  error (https://docs.snowflake.com/en/sql-reference/sql/show-agents).

An ALL or a FUTURE grant on agents in a schema or database covers every emulated agent there
(the emulator has no creation order to tell them apart).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import snowflake.connector

ROOT = Path(__file__).resolve().parents[2]
VISIBLE = {"OWNERSHIP", "USAGE", "MODIFY", "MONITOR"}
READ_EVENTS = {"OWNERSHIP", "MONITOR"}


def export_privileges(stack: str = "dev", without: str | None = None) -> dict:
    """The stack's privilege export, from the same TypeScript check the mocha tests run;
    ``without`` leaves one declared grant (by id) out."""
    args = [str(ROOT / "node_modules" / ".bin" / "ts-node"), "--transpile-only", "scripts/privileges.ts", "--json",
            "--stack", stack, *(["--without", without] if without else [])]
    output = subprocess.run(args, cwd=ROOT, check=True, capture_output=True, text=True,
                            env={**os.environ, "TS_NODE_PROJECT": str(ROOT / "tsconfig.json")}).stdout
    return json.loads(output)


def normalize(text: str) -> str:
    """privileges/classify.ts normalize(): no comments, plain identifiers unquoted, one space."""
    code = " ".join(re.sub(r"--.*$", "", line) for line in text.split("\n"))
    code = re.sub(r'"([A-Za-z_][A-Za-z0-9_$]*)"',
                  lambda match: match.group(1) if match.group(1) == match.group(1).upper() else match.group(0), code)
    return re.sub(r";\s*$", "", re.sub(r"\s+", " ", code)).strip()


def _describe(alternative: dict) -> str:
    if "role" in alternative:
        return f"role {alternative['role']}"
    on = alternative["on"]
    where = "the account" if on["type"] == "ACCOUNT" else f"{on['type']} {on['name']}"
    return f"{alternative['privilege']} on {where}"


def _covers(grant_on: dict, agent: str) -> bool:
    if grant_on["kind"] == "object":
        return grant_on["object"]["type"] == "AGENT" and grant_on["object"]["name"] == agent
    return agent.startswith(grant_on["in"]["name"] + ".")


@dataclass
class Refusal:
    statement: str
    code: str
    message: str


@dataclass
class PrivilegedSession:
    """`session.sql(text, params)` as ``role``, over ``session`` (the emulator's adapter)."""
    session: object
    export: dict
    role: str
    refusals: list[Refusal] = field(default_factory=list)

    def __post_init__(self):
        self.known = {(entry["role"], entry["code"]): entry for entry in self.export["statements"]}

    def _agent_privileges(self, agent: str) -> set[str]:
        held: set[str] = set()
        for grant in self.export["roles"].get(self.role, {}).get("agentGrants", []):
            if _covers(grant["on"], agent):
                held.update(grant["privileges"])
        return held

    def _refuse(self, code: str, errno: int, sqlstate: str, message: str, statement: str):
        self.refusals.append(Refusal(statement, code, message))
        raise snowflake.connector.errors.ProgrammingError(msg=message, errno=errno, sqlstate=sqlstate)

    def sql(self, text, params=None):
        code = normalize(text)
        entry = self.known.get((self.role, code))
        if entry is None:
            self._refuse("000000", 0, "XX000", f"not in the privilege export for role {self.role} (add it to the model): "
                         f"{code[:160]}", code)
        for requirement in entry["requirements"]:
            if not requirement["satisfied"]:
                needs = " or ".join(_describe(alternative) for alternative in requirement["needs"])
                self._refuse("003001", 3001, "42501", f"SQL access control error: Insufficient privileges: {entry['source']} "
                             f"as role {self.role} needs {needs} ({requirement['url']})", code)
        if entry["agents"] == "bind":
            agent = ".".join(str(value).upper() for value in list(params or [])[:3])
            if not self._agent_privileges(agent) & READ_EVENTS:
                self._refuse("002003", 2003, "02000", f"SQL compilation error: Agent '{agent}' does not exist or not "
                             f"authorized (role {self.role} holds no MONITOR on it).", code)
        result = self.session.sql(text, params)
        if entry["agents"] == "visible":
            rows = [row for row in result.collect() if self._agent_privileges(
                f"{row.as_dict()['database_name']}.{row.as_dict()['schema_name']}.{row.as_dict()['name']}".upper()) & VISIBLE]
            return _Rows(rows)
        return result


class _Rows:
    def __init__(self, rows):
        self._rows = rows

    def collect(self):
        return self._rows


def owner_role(export: dict) -> str:
    """The role the procedures run as (EXECUTE AS OWNER): the owner of every exported procedure statement."""
    roles = {entry["role"] for entry in export["statements"]}
    assert len(roles) == 1, f"procedure statements run as one role, not {sorted(roles)}"
    return roles.pop()
