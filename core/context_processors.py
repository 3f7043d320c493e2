"""Context processors of both template backends (referrals_site/settings/base.py, CONTEXT_PROCESSORS)."""

from django.middleware.csrf import get_token
from django.utils.functional import SimpleLazyObject
from django.utils.html import format_html


def csrf_once(request):
    """The CSRF token, masked once per page (issue 18).

    Django's own context gives a lazy token that is computed again wherever it is printed: a new random mask
    for every form, ~30 µs each. Inbound Referrals prints ~200 forms (each row's next steps and assignment),
    6 ms a page. One masked token serves every form of a response as well (the mask only stops a response's
    compressed length from revealing the secret across responses); this one is computed on first use, then kept.
    """
    token = SimpleLazyObject(lambda: get_token(request))
    return {
        "csrf_token": token,
        "csrf_input": SimpleLazyObject(
            lambda: format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', str(token))
        ),
    }
