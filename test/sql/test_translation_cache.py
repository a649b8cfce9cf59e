"""The emulator tests' translation cache (translation_cache.py) changes no answer: a kept
translation is reused only where nothing but the text and the current schema decides it."""

from __future__ import annotations

import fakesnow
import pytest
import snowflake.connector

import translation_cache


@pytest.fixture
def cursor():
    translation_cache.install()
    with fakesnow.patch():
        conn = snowflake.connector.connect(database="CACHE_DB", schema="ONE", paramstyle="qmark")
        cur = conn.cursor()
        for statement in ("CREATE DATABASE IF NOT EXISTS CACHE_DB", "CREATE SCHEMA IF NOT EXISTS CACHE_DB.ONE",
                          "CREATE SCHEMA IF NOT EXISTS CACHE_DB.TWO",
                          "CREATE TABLE CACHE_DB.ONE.T (N INTEGER)", "CREATE TABLE CACHE_DB.TWO.T (N INTEGER)",
                          "INSERT INTO CACHE_DB.ONE.T VALUES (1), (2)", "INSERT INTO CACHE_DB.TWO.T VALUES (20)",
                          # CREATE SCHEMA made TWO the current schema, as in Snowflake
                          "USE SCHEMA CACHE_DB.ONE"):
            cur.execute(statement)
        yield cur
        conn.close()


def test_each_run_of_a_kept_statement_takes_its_own_binds(cursor):
    text = "SELECT COUNT(*) FROM T WHERE N >= ?"
    assert [cursor.execute(text, [bound]).fetchone()[0] for bound in (1, 2, 3)] == [2, 1, 0]


def test_an_unqualified_name_follows_the_current_schema(cursor):
    text = "SELECT SUM(N) FROM T"
    assert cursor.execute(text).fetchone()[0] == 3
    cursor.execute("USE SCHEMA CACHE_DB.TWO")
    assert cursor.execute(text).fetchone()[0] == 20


def test_identifier_binds_are_translated_every_time(cursor):
    text = "SELECT SUM(N) FROM IDENTIFIER(?)"
    assert [cursor.execute(text, [name]).fetchone()[0] for name in ("CACHE_DB.ONE.T", "CACHE_DB.TWO.T")] == [3, 20]


def test_writes_run_every_time_they_are_sent(cursor):
    for _ in range(3):
        cursor.execute("INSERT INTO T (N) SELECT MAX(N) + 1 FROM T")
    assert cursor.execute("SELECT LISTAGG(N, ',') WITHIN GROUP (ORDER BY N) FROM T").fetchone()[0] == "1,2,3,4,5"


def test_a_refused_statement_is_refused_again(cursor):
    for _ in range(2):
        with pytest.raises(snowflake.connector.errors.ProgrammingError):
            cursor.execute("SELECT NO_SUCH_COLUMN FROM T")


def test_result_columns_follow_the_table_as_it_is_now(cursor):
    # The parse of fakesnow's DESCRIBE is kept; the DESCRIBE itself must still run every time.
    text = "SELECT * FROM T"
    assert [(c.name, c.type_code) for c in cursor.execute(text).description] == [("N", 0)]
    cursor.execute("ALTER TABLE T ADD COLUMN LABEL VARCHAR")
    assert [c.name for c in cursor.execute(text).description] == ["N", "LABEL"]
    assert [c.name for c in cursor.execute(text).description] == ["N", "LABEL"]
