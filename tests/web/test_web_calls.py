"""The calls API: agents see only their own calls; numbers masked for roles without the right."""

from __future__ import annotations

from pathlib import Path

from web_testkit import SPOKEN_ID, sign_in, web_rig


def test_an_agent_lists_only_their_own_calls(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        sign_in(rig.client, "ann")
        calls = rig.client.get("/api/calls").json()
        assert [call["id"] for call in calls] == [rig.call_of["ann"]]
        assert calls[0]["agent"] == "ann" and calls[0]["holder_name"] == "王秀英"


def test_an_agent_cannot_read_another_agents_call(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        sign_in(rig.client, "ann")
        assert rig.client.get(f"/api/calls/{rig.call_of['ann']}").status_code == 200
        theirs = rig.client.get(f"/api/calls/{rig.call_of['bob']}")
        missing = rig.client.get("/api/calls/999999")
        # Same answer as for a call that does not exist: nothing tells the two apart.
        assert theirs.status_code == missing.status_code == 404
        assert theirs.json() == missing.json()


def test_reviewers_see_every_call(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        sign_in(rig.client, "rita")
        ids = {call["id"] for call in rig.client.get("/api/calls").json()}
        assert ids == set(rig.call_of.values())
        assert rig.client.get(f"/api/calls/{rig.call_of['bob']}").status_code == 200


def test_agents_and_reviewers_get_masked_numbers(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        for name in ("ann", "rita"):
            sign_in(rig.client, name)
            call = rig.client.get(f"/api/calls/{rig.call_of['ann']}").json()
            assert call["masked"] is True
            assert call["policy"]["phone"] == "138****5678"
            assert call["policy"]["holder_id_last4"].endswith("402X")
            assert call["sip_uri"] == "sip:138****5678@pbx"
            spoken = call["answers"][0]["evidence"][0]["text"]
            assert spoken == "身份证号**************1234"
            assert len(spoken) == len(SPOKEN_ID)  # spans into the text still fit


def test_supervisors_and_admins_see_the_numbers(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        for name in ("sam", "ada"):
            sign_in(rig.client, name)
            call = rig.client.get(f"/api/calls/{rig.call_of['ann']}").json()
            assert call["masked"] is False
            assert call["policy"]["phone"] == "13812345678"
            assert call["sip_uri"] == "sip:13812345678@pbx"
            assert call["answers"][0]["evidence"][0]["text"] == SPOKEN_ID


def test_out_of_range_ids_and_paging_are_refused_not_crashed(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        sign_in(rig.client, "sam")
        assert rig.client.get(f"/api/calls/{2**63}").status_code == 422
        assert rig.client.get("/api/calls?limit=0").status_code == 422
        assert len(rig.client.get("/api/calls?limit=1").json()) == 1
        assert rig.client.get("/api/calls?offset=5").json() == []
