"""Full-text search on PostgreSQL: a stored tsvector per ticket, kept by a trigger.

The vector covers the subject (weight A) and the body (weight B) in the ticket's
language's text search configuration; PostgreSQL has no Latvian one, so Latvian
(and anything unknown) is read with ``simple``. A trigger, not the ORM, keeps it:
bulk inserts, ``COPY`` and raw UPDATEs are covered too. It recomputes only when
the subject, the body or the language changed, so the many saves that change a
status or an SLA field cost nothing more. A GIN index serves ``@@``.

The requester's e-mail is searched by prefix, case-insensitively
(``UPPER(email) LIKE UPPER('sara@north%')``): an index on the upper-cased
address with ``text_pattern_ops`` serves that LIKE under any collation.

On SQLite the column is added and stays empty; search falls back to icontains
(tickets/search.py).
"""

import django.contrib.postgres.search
from django.conf import settings
from django.db import migrations

FORWARD = """
CREATE FUNCTION tickets_search_config(lang varchar) RETURNS regconfig
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE lang
        WHEN 'en' THEN 'english'::regconfig
        WHEN 'ru' THEN 'russian'::regconfig
        WHEN 'fi' THEN 'finnish'::regconfig
        ELSE 'simple'::regconfig
    END
$$;

CREATE FUNCTION tickets_search_vector(lang varchar, subject varchar, body text)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT setweight(to_tsvector(tickets_search_config(lang), coalesce(subject, '')), 'A')
        || setweight(to_tsvector(tickets_search_config(lang), coalesce(body, '')), 'B')
$$;

CREATE FUNCTION tickets_ticket_search_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- The ORM writes back whatever vector the instance holds (often none):
    -- unless the words changed, the stored one stays.
    IF TG_OP = 'UPDATE'
        AND OLD.search_vector IS NOT NULL
        AND NEW.subject IS NOT DISTINCT FROM OLD.subject
        AND NEW.body IS NOT DISTINCT FROM OLD.body
        AND NEW.language IS NOT DISTINCT FROM OLD.language
    THEN
        NEW.search_vector := OLD.search_vector;
    ELSE
        NEW.search_vector := tickets_search_vector(NEW.language, NEW.subject, NEW.body);
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER tickets_ticket_search BEFORE INSERT OR UPDATE ON tickets_ticket
FOR EACH ROW EXECUTE FUNCTION tickets_ticket_search_update();

UPDATE tickets_ticket SET search_vector = tickets_search_vector(language, subject, body);

CREATE INDEX tickets_ticket_search ON tickets_ticket USING gin (search_vector);

-- Ten times the usual sample of words: a rare word is then known to be rare, and
-- the queue's ORDER BY ... LIMIT reads its few tickets off the GIN index instead
-- of walking the whole order index in the hope of meeting fifty of them.
ALTER TABLE tickets_ticket ALTER COLUMN search_vector SET STATISTICS 1000;

CREATE INDEX auth_user_email_upper ON auth_user (UPPER(email::text) text_pattern_ops);
"""

BACKWARD = """
ALTER TABLE tickets_ticket ALTER COLUMN search_vector SET STATISTICS -1;
DROP INDEX IF EXISTS auth_user_email_upper;
DROP INDEX IF EXISTS tickets_ticket_search;
DROP TRIGGER IF EXISTS tickets_ticket_search ON tickets_ticket;
DROP FUNCTION IF EXISTS tickets_ticket_search_update();
DROP FUNCTION IF EXISTS tickets_search_vector(varchar, varchar, text);
DROP FUNCTION IF EXISTS tickets_search_config(varchar);
"""


def _on_postgresql(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            # No parameters: psycopg sends the statements as one simple query.
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0019_report_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(
                editable=False, null=True, verbose_name="search vector"
            ),
        ),
        migrations.RunPython(_on_postgresql(FORWARD), _on_postgresql(BACKWARD), elidable=False),
    ]
