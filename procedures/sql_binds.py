"""The statements a Wallmonitor procedure runs, as lib/sql embeds them: each statement's text and
the names of its binds in the order of its `?`s (RenderedSql.binds, declared in the SQL as
`{{bind name}}`), and the named groups of statement names the catalog generates (the rollup
steps, the alert rules). A handler passes values by name; `run` orders them, so no call site
counts positions.

A procedure body is one module, so lib/sql/procedures.ts deploys this file's text in place of
the handler's `from sql_binds import ...` line; the tests import it from procedures/.
"""

from collections.abc import Mapping


class BindError(ValueError):
    """Values that do not match a statement's declared binds: a defect in the handler, raised
    before the statement runs."""


class Statements(Mapping):
    """Statement text by name, with each statement's bind names and the generated name groups."""

    def __init__(self, texts, binds, names=None):
        self._texts = texts
        self._binds = binds
        self.names = {} if names is None else names

    def _known(self, name):
        if name not in self._texts:
            raise KeyError(f"no statement {name!r} is embedded; lib/sql renders {', '.join(sorted(self._texts))}")
        return name

    def __getitem__(self, name):
        return self._texts[self._known(name)]

    def __iter__(self):
        return iter(self._texts)

    def __len__(self):
        return len(self._texts)

    def binds(self, name):
        """The statement's bind names, one per `?` in order (a name used twice is listed twice)."""
        if self._known(name) not in self._binds:
            raise BindError(f"statement {name}: no bind names are embedded for it")
        return tuple(self._binds[name])

    def params(self, name, values=None):
        """``values`` (bind name -> value) as the positional list the statement's `?`s take."""
        declared = self.binds(name)
        given = dict(values or {})
        missing = [bind for bind in dict.fromkeys(declared) if bind not in given]
        extra = sorted(set(given) - set(declared))
        if missing or extra:
            problems = ([f"no value for {', '.join(missing)}"] if missing else []) + \
                       ([f"{', '.join(extra)} not among its binds"] if extra else [])
            raise BindError(f"statement {name}: {'; '.join(problems)} (it binds {', '.join(dict.fromkeys(declared)) or 'nothing'})")
        return [given[bind] for bind in declared]


def run(session, statements, name, values=None):
    """Runs one statement with its binds taken from ``values`` by name; returns the rows."""
    return session.sql(statements[name], params=statements.params(name, values)).collect()
