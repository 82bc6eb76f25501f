import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from common.migrations import upgrade

ENV = """
from alembic import context
import sqlalchemy as sa
from common.migrations import run_alembic_env

run_alembic_env(context, sa.MetaData(), "things")
"""

VERSION = '''
"""things"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade():
    op.create_table("things", sa.Column("id", sa.Integer, primary_key=True), sa.Column("old", sa.Text))
    with op.batch_alter_table("things") as batch:
        batch.drop_column("old")
'''


@pytest.fixture
def scripts(tmp_path: Path) -> Path:
    (tmp_path / "versions").mkdir()
    (tmp_path / "env.py").write_text(textwrap.dedent(ENV))
    (tmp_path / "script.py.mako").write_text("")
    (tmp_path / "versions" / "0001_things.py").write_text(VERSION)
    return tmp_path


def test_migrations_run_online_on_sqlite_in_batch_mode(scripts, tmp_path):
    url = f"sqlite:///{tmp_path / 'things.db'}"
    upgrade(scripts, url)
    columns = sa.inspect(sa.create_engine(url)).get_columns("things")
    assert [column["name"] for column in columns] == ["id"]


def test_migrations_write_a_script_offline(scripts, capsys):
    config = Config()
    config.set_main_option("script_location", str(scripts))
    config.set_main_option("sqlalchemy.url", "postgresql://nowhere/things")
    command.upgrade(config, "head", sql=True)
    assert "CREATE TABLE things" in capsys.readouterr().out


def test_a_missing_database_url_names_the_command_to_run(scripts):
    config = Config()
    config.set_main_option("script_location", str(scripts))
    with pytest.raises(RuntimeError, match=r"python -m things\.migrate"):
        command.upgrade(config, "head")
