"""The vendored HSDS schemas are Open Referral's files, and the validator built from them is strict."""

import gzip
import hashlib

from tests.programs import hsds_standard

# As listed in programs/hsds/schema/SOURCE.md (the upstream files, uncompressed).
UPSTREAM_SHA256 = {
    "openapi.json": "3c473df56617f5e642f86e0a9ed7ee182a22eecf6f94dd1b91c50511fbbba34d",
    "taxonomy.json": "80d89f6e83d84d9fe961a4e0b6ca4014ee56063d513f4291f148270fc51aeb11",
    "taxonomy_term.json": "4421eb56469f8f45cdddb5421f00fbd3ccda4efe53bf1b80c3b4f6dcbcbec237",
    "metadata.json": "cf62a24f83fb93a93a93cded762869bf561d4d176436e326b4170ef5f194fcdd",
    "compiled/service.json": "5cd7c2ecb5776947e437a4d5b9656f9a80db56bef3ad49f5bb142d49dbe66156",
    "compiled/organization.json": "e429ffe3b585da12da10b75cf30dfc0a67ef96b34f5e1b21141a2b627ca28119",
    "compiled/service_at_location.json": "2327ab495f61e4f8a25f8f13bc65427788849afb7b8be6ee455f799b412d2ffe",
    "compiled/service_list.json": "251cc879b756b1a444c5c95ff45887e09363e3fd7ad9d8691a1131b3ecd4ff4e",
    "compiled/organization_list.json": "0305c7ef394a29c91ac2dae1725ac0d31140343c2241417a482c5eb0f831dbeb",
    "compiled/service_at_location_list.json": "03655d6ddd2c42b460ac6d9e82884a47711dfb6717820f6a0c44fa8ad1796fdb",
}


def test_the_vendored_schemas_are_the_upstream_files():
    for name, expected in UPSTREAM_SHA256.items():
        path = hsds_standard.SCHEMA_DIR / name
        content = (
            path.read_bytes() if path.exists() else gzip.decompress(path.with_name(path.name + ".gz").read_bytes())
        )
        assert hashlib.sha256(content).hexdigest() == expected, name


def test_the_validator_refuses_what_the_old_export_wrote():
    """null where a string or number belongs, an organization without description, ids that are not UUIDs,
    a malformed email: each is an error, so a clean result means something."""
    service = {
        "id": "c89eb05c-62dd-4b64-b494-0cc347b6ea7f",
        "name": "Helpline",
        "status": "active",
        "url": None,
        "minimum_age": None,
        "organization": {"id": "1899600a-649c-11e6-8b77-86f30ca893d3", "name": "Sanctuary"},
    }
    found = hsds_standard.errors(service, "compiled/service.json")
    assert "url: None is not of type 'string'" in found
    assert "minimum_age: None is not of type 'number'" in found
    assert "organization: 'description' is a required property" in found
    assert hsds_standard.errors({"id": "42", "name": "A", "status": "active"}, "compiled/service.json") == [
        "id: '42' is not a 'uuid'"
    ]
    assert hsds_standard.errors(
        {"id": "c89eb05c-62dd-4b64-b494-0cc347b6ea7f", "name": "A", "status": "open", "email": "nobody"},
        "compiled/service.json",
    ) == [
        "email: 'nobody' is not a 'email'",
        "status: 'open' is not one of ['active', 'inactive', 'defunct', 'temporarily closed']",
    ]
    assert (
        hsds_standard.errors(
            service
            | {
                "url": "https://x.example",
                "minimum_age": 3,
                "organization": service["organization"] | {"description": ""},
            },
            "compiled/service.json",
        )
        == []
    )
