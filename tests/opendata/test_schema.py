"""The API's OpenAPI 3 schema is valid (openapi-spec-validator), and every operation it documents answers as
documented: Schemathesis generates requests from the schema (valid and invalid parameters) and checks each answer
is no 5xx, has a documented status and content type, and matches the documented body. Derandomised like every
property test here (tests/properties.py); `make fuzz` runs it with random seeds and more examples."""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.properties import PROFILE, examples

pytestmark = pytest.mark.django_db

POSITIVE, NEGATIVE = GenerationMode.POSITIVE, GenerationMode.NEGATIVE  # valid parameters, and invalid ones
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_the_schema_is_valid_openapi_3_and_documents_every_endpoint(api):
    response = api.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {
        "/api/v1/cooperatives/",
        "/api/v1/cooperatives/{slug}/",
        "/api/v1/documents/",
        "/api/v1/documents/{slug}/",
        "/api/v1/news/",
        "/api/v1/news/{slug}/",
        "/api/v1/polls/",
        "/api/v1/polls/{slug}/",
        "/api/v1/fund/products/",
        "/api/v1/fund/products/{code}/",
        "/api/v1/fund/figures/",
        "/api/v1/units/",
        "/api/v1/units/{code}/",
        "/api/v1/agencies/",
        "/api/v1/agencies/{id}/",
    }
    assert all(set(operations) == {"get"} for operations in schema["paths"].values())  # read only
    # Every field is described, in Vietnamese, for those who read the documentation rather than the code.
    cooperative = schema["components"]["schemas"]["Cooperative"]["properties"]
    assert "representative_phone" not in cooperative and "representative_id_number" not in cooperative
    assert cooperative["area"]["description"].startswith("Xã, phường hiện nay")


def test_the_documentation_is_served_from_our_own_files(client):
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in text
    assert "cdn" not in text.lower() and "unpkg" not in text.lower() and "jsdelivr" not in text.lower()
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200 and b"/api/v1/schema/" in script.content
    # Its inline styles and data: icons are allowed on that page alone, and no inline script anywhere.
    policy = dict(part.strip().split(" ", 1) for part in page["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self' 'unsafe-inline'"
    assert "unsafe-inline" not in client.get("/du-lieu-mo/")["Content-Security-Policy"]


def in_test_transaction(environ, start_response):
    """Django as a WSGI application that leaves the test's database connection open at the end of each request
    (as the test client does), so Schemathesis's requests read the demo inside the test's transaction."""
    handler = WSGIHandler()
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = handler(environ, start_response)
        body = b"".join(response)
        response.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return [body]


def test_every_documented_operation_answers_as_documented(whole_demo, settings_for_schemathesis):
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", in_test_transaction)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 15
    calls = {}
    for operation in operations:

        @settings(
            max_examples=examples(40),
            derandomize=PROFILE == "ci",
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=st.one_of(operation.as_strategy(POSITIVE), operation.as_strategy(NEGATIVE)))
        def run(case):
            response = case.call()
            calls[case.operation.label] = calls.get(case.operation.label, 0) + 1
            case.validate_response(response, checks=CHECKS)

        run()
    assert len(calls) == 15 and min(calls.values()) >= 1


@pytest.fixture
def settings_for_schemathesis(settings):
    settings.PORTAL_API_REQUESTS_PER_MINUTE = 0  # hundreds of requests from one address
    return settings
