from tests import factories
from tests.factories import PASSWORD


def test_sign_in_page_has_labelled_fields(client, db):
    page = client.get("/accounts/login/").content.decode()
    assert '<label for="id_username">Email</label>' in page
    assert '<label for="id_password">Password</label>' in page
    assert ">Sign in</button>" in page


def test_sign_in_with_email_and_password(client, network):
    response = client.post("/accounts/login/", {"username": network.referrer.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code in (200, 302)


def test_wrong_password_gets_a_clear_message(client, network):
    response = client.post("/accounts/login/", {"username": network.referrer.email, "password": "nope"})
    assert response.status_code == 200
    assert "do not match an account" in response.content.decode()


def test_pages_require_sign_in(client, db):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_password_reset_sends_a_link(client, network, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # through the outbox, sent after the commit
        response = client.post("/accounts/password/reset/", {"email": network.referrer.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1 and "/accounts/password/reset/" in mailoutbox[0].body


def test_someone_who_never_chose_a_password_can_ask_for_a_link(
    client, network, mailoutbox, django_capture_on_commit_callbacks
):
    invited = factories.UserFactory(email="new.colleague@northside.example")
    invited.set_unusable_password()
    invited.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": "New.Colleague@northside.example"})
    assert response.status_code == 302
    assert [message.to for message in mailoutbox] == [["new.colleague@northside.example"]]


def test_a_switched_off_account_gets_no_link(client, network, mailoutbox, django_capture_on_commit_callbacks):
    network.referrer.is_active = False
    network.referrer.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": network.referrer.email})
    assert mailoutbox == []
