"""Creating the project's own tables when several processes start at once."""
import sqlalchemy as sa


def create_all(metadata: sa.MetaData, engine: sa.engine.Engine) -> None:
    """``metadata.create_all``, tolerating another process creating the same tables at the same moment.

    Several Rasa processes (SANIC_WORKERS) or instances starting together against a new database
    all see a table missing and all create it; all but one get "already exists". Rasa's own store
    tolerates this for its events table; the second pass here finds the tables and creates nothing.
    """
    try:
        metadata.create_all(engine)
    except (sa.exc.OperationalError, sa.exc.ProgrammingError, sa.exc.IntegrityError):
        metadata.create_all(engine)
