"""The store of the rate-limit counters when there is no Redis: Django's database cache, which every
worker and host shares through PostgreSQL.

Django's DatabaseCache increments by reading and writing the value in two steps (two workers may
both read 4 and write 5) and resets the entry's expiry when it does; `incr` here does it under the
row's lock and keeps the expiry, as Redis's INCR does."""

import base64
import pickle

from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction
from django.utils import timezone


class SharedCounterCache(DatabaseCache):
    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        table = connections[db].ops.quote_name(self._table)
        with transaction.atomic(using=db), connections[db].cursor() as cursor:
            cursor.execute(f"SELECT value, expires FROM {table} WHERE cache_key = %s FOR UPDATE", [key])
            row = cursor.fetchone()
            if row is None or row[1] < timezone.now():
                raise ValueError(f"Key '{key}' not found")
            value = pickle.loads(base64.b64decode(row[0].encode())) + delta
            encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            cursor.execute(f"UPDATE {table} SET value = %s WHERE cache_key = %s", [encoded, key])
        return value

    def delete_expired(self) -> int:
        """Rows whose time is over (Django culls them only once the table passes MAX_ENTRIES)."""
        db = router.db_for_write(self.cache_model_class)
        table = connections[db].ops.quote_name(self._table)
        with connections[db].cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE expires < %s", [timezone.now()])
            return cursor.rowcount
