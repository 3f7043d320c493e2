"""`python -m ops.healthcheck [PATH] [BASE]`: a container's health check (exit 0 when PATH answers 200).

It asks the local server (or BASE, e.g. http://web:8000 from the beat's container) with a Host from
ALLOWED_HOSTS and as if through the TLS proxy, so the host check and the HTTPS redirect of the production
settings answer as they would for a real request.
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
    base = sys.argv[2].rstrip("/") if len(sys.argv) > 2 else f"http://127.0.0.1:{port}"
    request = urllib.request.Request(f"{base}{path}", headers={"Host": host, "X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return 0 if response.status == 200 else 1
    except urllib.error.HTTPError as error:
        print(f"health check failed: HTTP {error.code} {error.read()[:500].decode(errors='replace')}", file=sys.stderr)
        return 1
    except (urllib.error.URLError, OSError) as error:
        print(f"health check failed: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
