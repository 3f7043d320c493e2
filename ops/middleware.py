import logging
import time

from core.client import client_address

from . import request_id

logger = logging.getLogger("ops.requests")


class RequestIdMiddleware:
    """Gives every request an id (the proxy's X-Request-ID when acceptable, else a new one).

    The id is on ``request.request_id``, in every log line written while the request is served (see
    ops.logging.RequestIdFilter), in the X-Request-ID response header, and in the tasks the request queues.
    One log line per request records method, path, status and duration.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rid = request_id.from_header(request.headers.get(request_id.HEADER))
        request.request_id = rid
        token = request_id.activate(rid)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[request_id.HEADER] = rid
            logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "request_id": rid,
                    "method": request.method,
                    "path": request.path,
                    "status_code": response.status_code,
                    "client": client_address(request),
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return response
        finally:
            request_id.reset(token)
