"""The Organisation page and the account filter, run by AppTest on the emulated organisation of
test/sql/test_org.py (two members and the central account): each account's figures are the
ones computed from its generated events; a member or standalone deployment shows neither."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

# apptest first: it puts test/sql and streamlit/ on sys.path.
from apptest import APP, no_exception, no_injected_session_left  # noqa: F401 (autouse fixture)
import oracle
import test_org
from dashboard import fmt, org, queries, session

ORGANISATION = "pages/9_Organisation.py"


@pytest.fixture(scope="module")
def organisation():
    with test_org.organisation() as accounts:
        yield accounts


class RecordingSession:
    """The emulator's session, keeping every statement's text."""

    def __init__(self, inner):
        self.inner, self.statements = inner, []

    def sql(self, text, params=None):
        self.statements.append(text)
        return self.inner.sql(text, params=params)


def run(account, page: str, accounts=None, session_object=None) -> AppTest:
    emulator = account.emulator
    session.use_local(session_object or emulator.session, emulator.database, emulator.schema)
    app = AppTest.from_file(str(APP / page), default_timeout=60)
    if accounts is not None:
        app.session_state["wm_accounts"] = list(accounts)
    return app.run()


def metric(app, label: str) -> str:
    return next(m.value for m in app.metric if m.label == label)


def expected_totals(accounts) -> dict:
    out = {}
    for account in accounts:
        turns = [e for e in account.expected if e.category == "AGENT_RUN"]
        out[account.source] = {
            "TURNS": len(turns),
            "FAILED_TURNS": sum(e.status == "ERROR" for e in turns),
            "EVENTS": len(account.expected),
            "AGENTS": len({e.agent for e in account.expected}),
            "USERS": oracle.distinct_estimate(e.user for e in account.expected),
        }
    return out


def test_the_central_page_shows_every_account_and_the_total(organisation):
    app = run(organisation["central"], ORGANISATION)
    no_exception(app)
    table = app.dataframe[0].value
    shown = {row["SOURCE_ACCOUNT"]: {key: row[key] for key in ("TURNS", "FAILED_TURNS", "EVENTS", "AGENTS", "USERS")}
             for row in table.to_dict("records")}
    expected = expected_totals(organisation.values())
    assert shown == expected
    assert metric(app, "Accounts") == "3"
    assert metric(app, "Turns") == fmt.number(sum(account["TURNS"] for account in expected.values()))
    # The total is the sum of the accounts' estimates, each within its tolerance.
    exact, allowed = (sum(getattr(account["USERS"], part) for account in expected.values()) for part in ("exact", "allowed"))
    assert metric(app, "Users") in {fmt.number(n) for n in range(exact - allowed, exact + allowed + 1)}
    agents = app.dataframe[1].value
    assert set(zip(agents["SOURCE_ACCOUNT"], agents["AGENT_FULL_NAME"])) == {
        (account.source, agent) for account in organisation.values() for agent in {e.agent for e in account.expected}}


def test_the_account_filter_narrows_the_page_to_the_chosen_accounts(organisation):
    app = run(organisation["central"], ORGANISATION, accounts=["ACME.APPS_EU"])
    no_exception(app)
    assert list(app.dataframe[0].value["SOURCE_ACCOUNT"]) == ["ACME.APPS_EU"]
    assert metric(app, "Turns") == fmt.number(expected_totals([organisation["member-apps"]])["ACME.APPS_EU"]["TURNS"])
    assert set(app.dataframe[1].value["SOURCE_ACCOUNT"]) == {"ACME.APPS_EU"}


def test_a_hostile_account_value_is_only_a_filter(organisation):
    app = run(organisation["central"], ORGANISATION, accounts=["ACME.X'; DROP VIEW ORG_ACCOUNT_DAILY; --"])
    no_exception(app)
    assert "No rollups" in app.info[0].value
    assert run(organisation["central"], ORGANISATION).dataframe[0].value.shape[0] == 3


@pytest.mark.parametrize("page", ["streamlit_app.py", "pages/3_Users.py", ORGANISATION])
def test_every_page_of_a_central_deployment_offers_the_account_filter(organisation, page):
    app = run(organisation["central"], page)
    no_exception(app)
    accounts = next(widget for widget in app.multiselect if widget.label == "Accounts")
    assert set(accounts.options) == {"ACME.ANALYTICS_EU", "ACME.APPS_EU", "ACME.CENTRAL"}


def test_a_member_deployment_has_no_account_filter_and_says_what_the_page_needs(organisation):
    app = run(organisation["member-eu"], ORGANISATION)
    no_exception(app)
    assert "not the organisation's central account" in app.info[0].value
    assert "Accounts" not in [widget.label for widget in app.multiselect]
    assert not app.dataframe


def test_the_page_reads_only_views_the_viewer_role_may_read(organisation):
    central = organisation["central"]
    recorder = RecordingSession(central.emulator.session)
    no_exception(run(central, ORGANISATION, accounts=["ACME.CENTRAL"], session_object=recorder))
    schema = f"{central.emulator.database}.{central.emulator.schema}"
    named = set(re.findall(r"\b(?:FROM|JOIN)\s+([A-Z0-9_$.]+)", "\n".join(recorder.statements)))
    allowed = {f"{schema}.{view}" for view in {org.ACCOUNT_DAILY, org.AGENT_ROLLUP} | queries.VIEWS}
    assert {f"{schema}.{org.ACCOUNT_DAILY}", f"{schema}.{org.AGENT_ROLLUP}"} <= named <= allowed
    assert not any("ACME.CENTRAL" in text for text in recorder.statements), "a chosen account is only ever bound"
