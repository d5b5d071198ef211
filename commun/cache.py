"""Django's Redis cache, which a Redis outage does not turn into a 500.

The cache only holds rate limits and other conveniences here: when Redis cannot be reached,
a read finds nothing, a write is dropped, and ``add`` and ``incr`` answer as if the key were
new, so that rate limits let people through rather than refusing everyone. Each failure is
logged. (django-redis calls this ``IGNORE_EXCEPTIONS``; Django's own backend has no such
option.)
"""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def _tolerant(methode, repli):
    def appel(self, *args, **kwargs):
        try:
            return methode(self, *args, **kwargs)
        except RedisError as exc:
            logger.warning("Cache unavailable (%s): %s", methode.__name__, exc)
            return repli(*args, **kwargs) if callable(repli) else repli

    appel.__name__ = methode.__name__
    return appel


class RedisCacheTolerante(RedisCache):
    add = _tolerant(RedisCache.add, True)
    get = _tolerant(RedisCache.get, lambda key, default=None, version=None: default)
    set = _tolerant(RedisCache.set, None)
    touch = _tolerant(RedisCache.touch, False)
    delete = _tolerant(RedisCache.delete, False)
    get_many = _tolerant(RedisCache.get_many, {})
    has_key = _tolerant(RedisCache.has_key, False)
    incr = _tolerant(RedisCache.incr, lambda key, delta=1, version=None: delta)
    set_many = _tolerant(RedisCache.set_many, [])
    delete_many = _tolerant(RedisCache.delete_many, None)
    clear = _tolerant(RedisCache.clear, None)
