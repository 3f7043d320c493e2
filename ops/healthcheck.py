"""`python -m ops.healthcheck`: the container's own health check (exit 0 when /healthz answers 200).

It asks the local server with a Host from ALLOWED_HOSTS and as if through the TLS proxy, so the host check
and the HTTPS redirect of the production settings answer as they would for a real request.
"""

import os
import sys
import urllib.error
import urllib.request


def main() -> int:
    hosts = [h.strip().lstrip(".") for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
    host = next((h for h in hosts if h != "*"), "localhost")
    port = os.environ.get("PORT", "8000")
    path = sys.argv[1] if len(sys.argv) > 1 else "/healthz"
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}",
                                     headers={"Host": host, "X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return 0 if response.status == 200 else 1
    except (urllib.error.URLError, OSError) as error:
        print(f"health check failed: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
