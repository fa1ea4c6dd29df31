"""The Celery worker's consumer, surviving a broker that is still away when it cleans up.

After a lost Redis connection Celery collects the connection (which drops the transport's
broker address) and then closes it; closing the default channel tries to hand unacknowledged
messages back, asks for a new Redis client, and reads the address from the dropped transport:
``AttributeError: 'NoneType' object has no attribute 'hostname'``. Celery ignores only
connection errors there, so the worker process exited ("Unrecoverable error") and jobs waited
for someone to start it again. The close is best effort anyway: the messages stay in Redis's
unacknowledged set and are handed back by the next connection.
"""

from __future__ import annotations

import logging

from celery.worker.consumer import Consumer as CeleryConsumer

logger = logging.getLogger(__name__)


class Consumer(CeleryConsumer):
    def on_connection_error_after_connected(self, exc: Exception) -> None:
        connection = self.connection
        if connection is not None:
            close = connection.close

            def close_what_is_left() -> None:
                try:
                    close()
                except AttributeError:
                    logger.warning(
                        "The lost broker connection could not be closed cleanly; reconnecting.",
                        exc_info=True,
                    )

            connection.close = close_what_is_left  # type: ignore[method-assign]
        super().on_connection_error_after_connected(exc)
