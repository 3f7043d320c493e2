from accounts.models import User
from privacy.services import access_record
from tests.factories import PASSWORD


def test_network_admins_read_access_records_and_cannot_change_them(client, network):
    record = access_record(user=network.referrer, seeker=network.seeker)
    admin = User.objects.create_superuser(
        email="root@network.example", password=PASSWORD, first_name="R", last_name="Oot"
    )
    client.force_login(admin)
    listing = client.get("/admin/privacy/accessrecord/")
    assert listing.status_code == 200 and "Maria G." in listing.content.decode()
    assert client.get(f"/admin/privacy/accessrecord/{record.pk}/delete/").status_code == 403
    assert client.get("/admin/privacy/accessrecord/add/").status_code == 403
