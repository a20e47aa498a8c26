"""The session store (SESSION_ENGINE): Django's cached_db, which goes on in the cache alone while
the database refuses writes (core.dbfaults), so that pages that only read keep working for those
signed in. Its writes reach the database again with the session's next change."""

import logging

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.db import DatabaseError

from core.dbfaults import write_refused

logger = logging.getLogger(__name__)


class SessionStore(CachedDBStore):
    def save(self, must_create=False):
        try:
            super().save(must_create=must_create)
        except (DatabaseError, UpdateError) as error:
            # Django turns a failed UPDATE of the session row into UpdateError (from the error).
            cause = error if isinstance(error, DatabaseError) else error.__context__
            if not write_refused(cause) or self.session_key is None:
                raise
            logger.warning("The database refuses writes: session kept in the cache only (%s).", error)
            self._cache.set(self.cache_key, self._session, self.get_expiry_age())
