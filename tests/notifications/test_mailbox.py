"""The development mailbox (/dev/mailbox/, DEBUG only): every email the outbox holds, password resets included."""

from notifications.models import OutboxMessage


def test_the_mailbox_shows_no_flash_banners_above_its_heading(
    network, client, settings, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=True):
        network.refer()
    client.force_login(network.referrer)
    listing = client.get("/dev/mailbox/").content.decode()

    assert "You were referred to Community Food Pantry" in listing
    assert 'class="messages"' not in listing
    assert listing.index("<h1>Dev mailbox</h1>") < listing.index("You were referred to")


def test_a_password_reset_email_is_in_the_mailbox_with_its_link_on_site_url(
    network, client, settings, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    settings.SITE_URL = "http://127.0.0.1:8001"
    settings.ALLOWED_HOSTS = ["testserver", "evil.example"]  # a host the deployment answers on, not SITE_URL
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": network.referrer.email}, HTTP_HOST="evil.example")
    assert response.status_code == 302

    reset = OutboxMessage.objects.get(kind=OutboxMessage.Kind.PASSWORD_RESET)
    assert reset.recipient_email == network.referrer.email and reset.status == OutboxMessage.Status.SENT
    assert "http://127.0.0.1:8001/accounts/password/reset/" in reset.body_text
    assert "evil.example" not in reset.body_text + reset.body_html
    listing = client.get("/dev/mailbox/").content.decode()
    assert "Reset your password for the referral network" in listing
    assert "Password reset (the account holder)" in listing
