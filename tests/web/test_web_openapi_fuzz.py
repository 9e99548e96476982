"""Schemathesis over the published OpenAPI spec: generated requests never get a server error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.core.result import Ok
from web_testkit import WebRig, sign_in, web_rig

# Per operation; enough to reach bad ids, huge numbers, odd strings and wrong bodies.
EXAMPLES = 40


def test_generated_requests_get_no_server_error(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        spec: dict[str, Any] = rig.client.get("/openapi.json").json()
        operations = [
            result.ok() if isinstance(result, Ok) else pytest.fail(f"bad spec: {result.err()}")
            for result in schemathesis.openapi.from_dict(spec).get_all_operations()
        ]
        assert len(operations) >= 5  # login, me, logout, calls, one call
        for signed_in_as in (None, "ann", "sam"):
            if signed_in_as:
                sign_in(rig.client, signed_in_as)
            for operation in operations:
                _fuzz(rig, operation.as_strategy())


def _fuzz(rig: WebRig, cases: Any) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(case=cases)
    def no_server_error(case: Any) -> None:
        kwargs = case.as_transport_kwargs(base_url="http://testserver")
        response = rig.client.request(
            kwargs["method"], kwargs["url"], params=kwargs.get("params"),
            headers=kwargs.get("headers"), json=kwargs.get("json"),
            content=kwargs.get("data"),
        )  # fmt: skip
        assert response.status_code < 500, (case.method, case.formatted_path, response.text)

    no_server_error()
