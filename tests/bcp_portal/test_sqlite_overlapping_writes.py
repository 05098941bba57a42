"""Issue #8, item 9: on SQLite (`make run`) two writes that overlap wait for each other.

SQLite lets one connection write at a time. A transaction that begins by reading and then
writes (Django's default, deferred) while another connection already writes cannot wait
for it, or the two would wait for each other for ever: SQLite answers "database is locked"
at once, whatever the busy timeout, and the page answered 500. With
`transaction_mode: IMMEDIATE` each transaction takes the write lock when it begins, so the
second waits (up to the busy timeout) for the first to commit.

The settings are read in a child process with DATABASE_URL naming a SQLite file, exactly as
a newcomer's `make run` reads them; two threads then overlap two transactions of the shape
every service has (read, then write).
"""

import os
import subprocess
import sys
import textwrap

from django.conf import settings

OVERLAP = textwrap.dedent(
    """
    import os, threading, time
    import django
    django.setup()
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE visit (id integer primary key, who text)")
    connection.close()
    failures = []

    def write(who, pause_after_read, start_after):
        time.sleep(start_after)
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SELECT count(*) FROM visit")
                    time.sleep(pause_after_read)
                    cursor.execute("INSERT INTO visit (who) VALUES (%s)", [who])
        except Exception as exc:
            failures.append(f"{who}: {exc}")
        finally:
            connection.close()

    # The first reads, then pauses; the second starts during the pause and writes.
    threads = [
        threading.Thread(target=write, args=("first", 0.5, 0)),
        threading.Thread(target=write, args=("second", 0, 0.1)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM visit")
        rows = cursor.fetchone()[0]
    print(f"rows={rows} failures={failures}")
    """
)


def test_two_overlapping_transactions_on_sqlite_both_commit(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "bcp_portal.settings",
        "READ_DOT_ENV": "false",
    }
    env.pop("CELERY_BROKER_URL", None)

    result = subprocess.run(
        [sys.executable, "-c", OVERLAP],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "rows=2 failures=[]"
