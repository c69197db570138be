"""Alembic environment of SRADAR Desktop.

The app runs migrations from code (``sradar_desktop.db.migrate``) and hands over a connection
already inside its transaction; the ``alembic`` command line (for developers writing a new
revision) uses the URL of ``alembic.ini`` at the project root.
"""

from alembic import context
from sqlalchemy import engine_from_config, pool

from sradar_desktop.db.models import Base

config = context.config


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with engine.connect() as developer_connection:
        _run(developer_connection)
