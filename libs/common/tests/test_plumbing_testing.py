from urllib.request import urlopen

from flask import Flask
from sqlalchemy import text

from common.db import make_engine
from common.testing import migrated_database, table_snapshot, truncate
from common.testing_http import serve_in_thread


def make_things(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE things (id serial PRIMARY KEY, name text)"))
    engine.dispose()


def test_a_migrated_database_is_emptied_and_snapshotted_in_a_stable_order():
    with migrated_database(make_things, "helpers") as url:
        engine = make_engine(url)
        try:
            with engine.begin() as connection:
                connection.execute(text("INSERT INTO things (name) VALUES ('b'), ('a')"))
            assert table_snapshot(engine, ["things"]) == {"things": [(1, "b"), (2, "a")]}
            truncate(engine, ["things"])
            with engine.begin() as connection:
                connection.execute(text("INSERT INTO things (name) VALUES ('c')"))
            assert table_snapshot(engine, ["things"]) == {"things": [(1, "c")]}  # ids restart
        finally:
            engine.dispose()


def test_an_app_served_in_a_thread_answers_over_http_until_stopped():
    app = Flask("hello")
    app.add_url_rule("/", "hello", lambda: "hello")
    url, stop = serve_in_thread(app)
    try:
        with urlopen(url, timeout=5) as answer:  # noqa: S310 - our own http:// server
            assert answer.read() == b"hello"
    finally:
        stop()
