"""Issue 17 item 3 in FHIR: a program's intake questions as a Questionnaire, a referral's answers as a
QuestionnaireResponse referenced from its ServiceRequest's supportingInfo. Every resource is validated with
fhir.resources (R4B)."""

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from fhir.resources.R4B.servicerequest import ServiceRequest

from privacy.services import seeker_erase
from programs.services import program_set_questions

FHIR_JSON = "application/fhir+json"


def fhir(response, model, status=200):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(FHIR_JSON)
    body = response.json()
    model.model_validate(body)
    return body


@pytest.fixture
def questions(network):
    return program_set_questions(
        actor=network.claimer,
        program=network.program,
        questions=[
            {
                "kind": "one_choice",
                "text": "Do you rent or own?",
                "text_es": "¿Alquila o es dueño?",
                "help": "Where the household lives now",
                "help_es": "Donde vive el hogar ahora",
                "required": True,
                "choices": ["Rent", "Own"],
                "choices_es": ["Alquilo", "Soy dueño"],
            },
            {"kind": "several_choices", "text": "Needs", "choices": ["Food", "Rent", "Power"]},
            {"kind": "yes_no", "text": "Has a photo ID?"},
            {"kind": "number", "text": "How many children?"},
            {"kind": "date", "text": "Move-out date"},
            {"kind": "short_text", "text": "School"},
            {"kind": "long_text", "text": "Anything else"},
        ],
    )


@pytest.fixture
def answered(network, questions):
    ids = [str(question.public_id) for question in questions]
    return network.refer(
        answers={
            ids[0]: "Rent",
            ids[1]: ["Power", "Food"],
            ids[2]: "no",
            ids[3]: "2.5",
            ids[4]: "2027-01-31",
            ids[5]: "Lincoln",
        }
    )


def test_the_questionnaire_of_a_program(client, network, questions):
    client.force_login(network.outsider)  # the directory is shared: any signed-in caller reads it
    body = fhir(client.get(f"/fhir/Questionnaire/{network.program.public_id}"), Questionnaire)
    assert body["id"] == str(network.program.public_id)
    assert body["url"].endswith(f"/fhir/Questionnaire/{network.program.public_id}")
    assert body["useContext"][0]["valueReference"]["reference"] == f"HealthcareService/{network.program.public_id}"
    items = body["item"]
    assert [(item["linkId"], item["type"], item["required"]) for item in items] == [
        (str(questions[0].public_id), "choice", True),
        (str(questions[1].public_id), "choice", False),
        (str(questions[2].public_id), "boolean", False),
        (str(questions[3].public_id), "decimal", False),
        (str(questions[4].public_id), "date", False),
        (str(questions[5].public_id), "string", False),
        (str(questions[6].public_id), "text", False),
    ]
    first = items[0]
    assert first["_text"]["extension"][0]["extension"][1]["valueString"] == "¿Alquila o es dueño?"
    assert [option["valueCoding"]["code"] for option in first["answerOption"]] == ["Rent", "Own"]
    assert first["answerOption"][1]["valueCoding"]["_display"]["extension"][0]["extension"][1]["valueString"] == (
        "Soy dueño"
    )
    assert first["item"][0]["type"] == "display" and first["item"][0]["text"] == "Where the household lives now"
    assert items[1]["repeats"] is True


def test_searching_questionnaires_by_program(client, network, questions):
    client.force_login(network.referrer)
    for query in (
        f"program={network.program.public_id}",
        f"program=HealthcareService/{network.program.public_id}",
        f"_id={network.program.public_id}",
    ):
        bundle = fhir(client.get(f"/fhir/Questionnaire?{query}"), Bundle)
        assert bundle["total"] == 1 and bundle["entry"][0]["resource"]["id"] == str(network.program.public_id)
    empty = fhir(client.get("/fhir/Questionnaire?program=00000000-0000-0000-0000-000000000000"), Bundle)
    assert empty["total"] == 0
    for query in ("", "program=", f"program={network.program.public_id}&_id={network.program.public_id}"):
        fhir(client.get(f"/fhir/Questionnaire?{query}"), OperationOutcome, 400)


@pytest.mark.parametrize("resource_id", ["00000000-0000-0000-0000-000000000000", "not-a-uuid"])
def test_an_unknown_program_has_no_questionnaire(client, network, resource_id):
    client.force_login(network.referrer)
    fhir(client.get(f"/fhir/Questionnaire/{resource_id}"), OperationOutcome, 404)


def test_signing_in_is_required(client, network, answered):
    assert client.get(f"/fhir/Questionnaire/{network.program.public_id}").status_code == 401
    assert client.get(f"/fhir/QuestionnaireResponse/{answered.public_id}").status_code == 401


@pytest.mark.parametrize("who", ["claimer", "referrer", "provider_admin"])
def test_the_answers_as_a_questionnaire_response_from_the_service_request(client, network, answered, questions, who):
    client.force_login(getattr(network, who))
    request = fhir(client.get(f"/fhir/ServiceRequest/{answered.public_id}"), ServiceRequest)
    [info] = request["supportingInfo"]
    assert info["reference"] == f"QuestionnaireResponse/{answered.public_id}"
    body = fhir(client.get(f"/fhir/{info['reference']}"), QuestionnaireResponse)
    assert body["questionnaire"].endswith(f"/fhir/Questionnaire/{network.program.public_id}")
    assert body["basedOn"] == [{"reference": f"ServiceRequest/{answered.public_id}"}]
    assert body["status"] == "completed" and body["subject"]["reference"] == "#patient"
    answers = {item["linkId"]: item.get("answer") for item in body["item"]}
    ids = [str(question.public_id) for question in questions]
    assert answers[ids[0]] == [
        {
            "valueCoding": {
                "system": "http://referrals.example/fhir/CodeSystem/intake-choice",
                "code": "Rent",
                "display": "Rent",
                "_display": answers[ids[0]][0]["valueCoding"]["_display"],
            }
        }
    ]
    assert [value["valueCoding"]["code"] for value in answers[ids[1]]] == ["Food", "Power"]
    assert answers[ids[2]] == [{"valueBoolean": False}]
    assert answers[ids[3]] == [{"valueDecimal": 2.5}]
    assert answers[ids[4]] == [{"valueDate": "2027-01-31"}]
    assert answers[ids[5]] == [{"valueString": "Lincoln"}]
    assert answers[ids[6]] is None  # asked, not answered


def test_the_response_keeps_the_questions_as_asked(client, network, answered, questions):
    program_set_questions(actor=network.claimer, program=network.program, questions=[])
    client.force_login(network.claimer)
    body = fhir(client.get(f"/fhir/QuestionnaireResponse/{answered.public_id}"), QuestionnaireResponse)
    assert body["item"][0]["text"] == "Do you rent or own?"
    assert "item" not in fhir(client.get(f"/fhir/Questionnaire/{network.program.public_id}"), Questionnaire)


@pytest.mark.parametrize("who", ["outsider", "outsider_admin", "other_claimer", "private_worker"])
def test_other_tenants_and_people_without_access_get_404(client, network, answered, who):
    client.force_login(getattr(network, who))
    issue = fhir(client.get(f"/fhir/QuestionnaireResponse/{answered.public_id}"), OperationOutcome, 404)
    assert "Hernandez" not in str(issue) and "Rent" not in str(issue)


def test_no_answers_no_response(client, network, answered):
    plain = network.refer(program=network.other_program)
    client.force_login(network.referrer)
    assert "supportingInfo" not in fhir(client.get(f"/fhir/ServiceRequest/{plain.public_id}"), ServiceRequest)
    fhir(client.get(f"/fhir/QuestionnaireResponse/{plain.public_id}"), OperationOutcome, 404)
    fhir(client.get("/fhir/QuestionnaireResponse/not-a-uuid"), OperationOutcome, 404)
    seeker_erase(actor=network.site_admin, seeker=network.seeker)
    fhir(client.get(f"/fhir/QuestionnaireResponse/{answered.public_id}"), OperationOutcome, 404)
    assert "supportingInfo" not in fhir(client.get(f"/fhir/ServiceRequest/{answered.public_id}"), ServiceRequest)


def test_the_capability_statement_lists_them(client, db):
    body = fhir(client.get("/fhir/metadata"), CapabilityStatement)
    types = {resource["type"]: resource for resource in body["rest"][0]["resource"]}
    assert [i["code"] for i in types["Questionnaire"]["interaction"]] == ["read", "search-type"]
    assert {param["name"] for param in types["Questionnaire"]["searchParam"]} == {"program", "_id"}
    assert [i["code"] for i in types["QuestionnaireResponse"]["interaction"]] == ["read"]


# ---- answers sent with a referral Bundle ----------------------------------------------------------------


def _bundle_with_answers(program, items):
    from tests.fhir_api.test_referral_in import referral_bundle

    bundle = referral_bundle(program)
    bundle["entry"].append(
        {
            "fullUrl": "urn:uuid:8a5e0a26-0d0b-4b5e-9b53-0d2c1b1f0009",
            "request": {"method": "POST", "url": "QuestionnaireResponse"},
            "resource": {
                "resourceType": "QuestionnaireResponse",
                "status": "completed",
                "questionnaire": f"Questionnaire/{program.public_id}",
                "subject": {"reference": "urn:uuid:8a5e0a26-0d0b-4b5e-9b53-0d2c1b1f0001"},
                "item": items,
            },
        }
    )
    return bundle


def test_a_referral_bundle_carries_the_answers_in_a_questionnaire_response(network, questions):
    from tests.fhir_api.test_referral_in import post, token_client

    ids = [str(question.public_id) for question in questions]
    bundle = _bundle_with_answers(
        network.program,
        [
            {"linkId": ids[0], "answer": [{"valueCoding": {"code": "Own"}}]},
            {"linkId": ids[1], "answer": [{"valueCoding": {"code": "Food"}}, {"valueCoding": {"code": "Rent"}}]},
            {"linkId": ids[2], "answer": [{"valueBoolean": True}]},
            {"linkId": ids[3], "answer": [{"valueInteger": 4}]},
            {"linkId": ids[4], "answer": [{"valueDate": "2027-02-01"}]},
            {"linkId": ids[6]},
        ],
    )
    response = post(token_client(network.referrer), bundle)
    assert response.status_code == 201, response.content
    answer = fhir(response, Bundle, 201)
    from referrals.models import Referral

    referral = Referral.objects_across_tenants.get(program=network.program)
    assert answer["entry"][-1]["response"]["location"] == f"QuestionnaireResponse/{referral.public_id}"
    assert [item["answer"] for item in referral.intake_answers] == [
        "Own",
        ["Food", "Rent"],
        True,
        4,
        "2027-02-01",
        None,
        None,
    ]


@pytest.mark.parametrize(
    "items, index, words",
    [
        ([], 0, "Answer this question"),
        ([{"linkId": "Q0", "answer": [{"valueCoding": {"code": "Castle"}}]}], 0, "choices offered"),
        (
            [{"linkId": "Q0", "answer": [{"valueString": "Rent"}]}, {"linkId": "Q3", "answer": [{"valueString": "x"}]}],
            3,
            "number",
        ),
        (
            [
                {"linkId": "Q0", "answer": [{"valueString": "Rent"}]},
                {"linkId": "nope", "answer": [{"valueString": "x"}]},
            ],
            None,
            "no such question",
        ),
    ],
)
def test_wrong_answers_in_the_bundle_are_a_422_naming_the_question_and_change_nothing(
    network, questions, items, index, words
):
    from tests.fhir_api.test_referral_in import fingerprint, post, refused, token_client

    ids = [str(question.public_id) for question in questions]
    for item in items:
        if item["linkId"].startswith("Q"):
            item["linkId"] = ids[int(item["linkId"][1:])]
    before = fingerprint()
    issues = refused(post(token_client(network.referrer), _bundle_with_answers(network.program, items)), 422)
    assert words in " ".join(issue["diagnostics"] for issue in issues)
    if index is not None:
        assert any(ids[index] in issue.get("expression", [""])[0] for issue in issues)
        assert any(questions[index].text in issue["diagnostics"] for issue in issues)
    assert fingerprint() == before


def test_a_bundle_without_answers_to_a_program_with_required_questions_says_where_they_go(network, questions):
    from tests.fhir_api.test_referral_in import fingerprint, post, referral_bundle, refused, token_client

    before = fingerprint()
    issues = refused(post(token_client(network.referrer), referral_bundle(network.program)), 422)
    assert "Do you rent or own?" in issues[0]["diagnostics"]
    assert f"Questionnaire/{network.program.public_id}" in issues[0]["diagnostics"]
    assert fingerprint() == before


@pytest.mark.parametrize(
    "item, words",
    [
        ({"linkId": "x", "answer": [{"valueAttachment": {"url": "http://a.example"}}]}, "valueString"),
    ],
)
def test_an_answer_we_cannot_read_is_refused(network, questions, item, words):
    from tests.fhir_api.test_referral_in import post, refused, token_client

    issues = refused(post(token_client(network.referrer), _bundle_with_answers(network.program, [item])), 422)
    assert words in issues[0]["diagnostics"]
