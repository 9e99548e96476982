"""The special-attention list: its lifecycle, who it matches on which day, and policy flags."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from functools import partial
from pathlib import Path

import pytest
from attention_testkit import MINOR, NOW, TODAY, VERIFIED, Sale, flagged, write_sales
from storage_testkit import GOOD_CSV, fresh_postgres_database, postgres_cluster, sqlite_db

from storage.attention import (
    AttentionError,
    SalesChannel,
    entries,
    entry,
    matching_entries,
    observe_entry,
    policy_flags,
    rectify_entry,
    report_entry,
    revoke_entry,
    status_on,
)
from storage.attention_models import AttentionEntry, AttentionStatus, AttentionSubject
from storage.database import Database, open_database
from storage.phone_changes import import_phone_change_file, stored_phone_changes
from storage.policy_import import import_policy_file
from storage.repository import Repository

SALESPERSON = AttentionSubject.SALESPERSON
TEAM = AttentionSubject.TEAM
BRANCH = AttentionSubject.BRANCH
LI_MING = SalesChannel("李明", "天河一组", "广东分公司")


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = sqlite_db(tmp_path)
    yield database
    database.close()


def _report(
    db: Database,
    subject: AttentionSubject = SALESPERSON,
    name: str = "李明",
    on: date = date(2024, 11, 1),
    within_branch: str = "",
) -> int:
    with db.session() as session:
        found = report_entry(
            session, subject, name, "客户投诉代签名", listing=MINOR, by="质检王芳", on=on,
            within_branch=within_branch, now=NOW,
        )  # fmt: skip
        return found.id


def _matches(db: Database, channel: SalesChannel, on: date) -> list[int]:
    with db.session() as session:
        return [found.id for found in matching_entries(session, channel, on)]


# -- lifecycle -------------------------------------------------------------------------------


def test_an_entry_moves_forward_and_keeps_who_when_and_why(db: Database) -> None:
    entry_id = _report(db)
    with db.session() as session:
        rectify_entry(session, entry_id, "录音属实，责令整改", by="主管陈刚", on=date(2024, 11, 3),
                      now=NOW)  # fmt: skip
        observe_entry(
            session, entry_id, "整改到位，转入观察", by="主管陈刚", on=date(2024, 11, 5), now=NOW
        )
    with db.session() as session:
        revoke_entry(session, entry_id, "整改完成", basis=VERIFIED,
                     by="主管陈刚", on=date(2024, 11, 8), now=NOW)  # fmt: skip
    with db.session() as session:
        found = entry(session, entry_id)
        assert found.status is AttentionStatus.REVOKED
        assert (found.effective_from, found.revoked_on) == (date(2024, 11, 1), date(2024, 11, 8))
        history = [
            (c.from_status, c.to_status, c.effective_on, c.reason, c.changed_by)
            for c in found.changes
        ]
        assert status_on(found, date(2024, 10, 31)) is None
        assert status_on(found, date(2024, 11, 6)) is AttentionStatus.UNDER_OBSERVATION
    assert history == [
        (None, AttentionStatus.REPORTED, date(2024, 11, 1), "客户投诉代签名", "质检王芳"),
        (AttentionStatus.REPORTED, AttentionStatus.RECTIFYING, date(2024, 11, 3),
         "录音属实，责令整改", "主管陈刚"),
        (AttentionStatus.RECTIFYING, AttentionStatus.UNDER_OBSERVATION, date(2024, 11, 5),
         "整改到位，转入观察", "主管陈刚"),
        (AttentionStatus.UNDER_OBSERVATION, AttentionStatus.REVOKED, date(2024, 11, 8),
         "整改完成", "主管陈刚"),
    ]  # fmt: skip


def test_a_groundless_report_is_revoked_without_observation(db: Database) -> None:
    entry_id = _report(db)
    with db.session() as session:
        found = revoke_entry(session, entry_id, "查无实据", basis=VERIFIED, by="主管陈刚", now=NOW)
        assert found.status is AttentionStatus.REVOKED and found.revoked_on == TODAY


@pytest.mark.parametrize(
    ("moves", "illegal"),
    [
        (["revoke"], "rectify"),
        (["revoke"], "revoke"),
        ([], "observe"),  # 整改 comes before observation
        (["rectify", "observe"], "observe"),
    ],
)
def test_illegal_moves_are_refused_and_change_nothing(
    db: Database, moves: list[str], illegal: str
) -> None:
    entry_id = _report(db)
    act: dict[str, Callable[..., AttentionEntry]] = {
        "rectify": rectify_entry, "observe": observe_entry,
        "revoke": partial(revoke_entry, basis=VERIFIED)}  # fmt: skip
    for move in moves:
        with db.session() as session:
            act[move](session, entry_id, "理由", by="主管陈刚", now=NOW)
    with pytest.raises(AttentionError, match=r"cannot move to") as err, db.session() as session:
        act[illegal](session, entry_id, "再来一次", by="主管陈刚", now=NOW)
    assert err.value.code == "illegal_transition"
    with db.session() as session:
        assert len(entry(session, entry_id).changes) == 1 + len(moves)


def test_a_listed_subject_is_refused_until_revoked_then_reported_as_a_new_entry(
    db: Database,
) -> None:
    first = _report(db)
    with pytest.raises(AttentionError, match=rf"already on the list as entry {first}") as err:
        _report(db, on=date(2024, 11, 3))
    assert err.value.code == "already_listed"
    with db.session() as session:
        revoke_entry(session, first, "整改完成", basis=VERIFIED,
                     by="主管陈刚", on=date(2024, 11, 4), now=NOW)  # fmt: skip
    second = _report(db, on=date(2024, 11, 9))
    assert second != first
    with db.session() as session:
        assert [e.status for e in entries(session)] == [
            AttentionStatus.REVOKED,
            AttentionStatus.REPORTED,
        ]
        assert [e.id for e in entries(session, AttentionStatus.REPORTED)] == [second]


def test_the_same_name_in_another_branch_is_another_subject(db: Database) -> None:
    _report(db, within_branch="广东分公司")
    _report(db, within_branch="浙江分公司")
    with db.session() as session:
        assert [e.within_branch for e in entries(session)] == ["广东分公司", "浙江分公司"]


@pytest.mark.parametrize(
    ("change", "code", "message"),
    [
        ({"reason": "  "}, "empty_reason", "a reason is required"),
        ({"name": " \u3000"}, "bad_name", "empty name"),
        ({"on": date(2024, 11, 11)}, "future_date", "2024-11-11 is in the future"),
        ({"subject": BRANCH, "within_branch": "广东分公司"}, "bad_name", "salesperson or team"),
        ({"by": ""}, "bad_actor", "who made the change"),
    ],
)
def test_bad_reports_are_refused_clearly(
    db: Database, change: dict[str, object], code: str, message: str
) -> None:
    request: dict[str, object] = {
        "subject": SALESPERSON, "name": "李明", "reason": "投诉", "by": "质检王芳",
        "on": date(2024, 11, 1), "listing": MINOR,
    }  # fmt: skip
    request.update(change)
    with pytest.raises(AttentionError, match=message) as err, db.session() as session:
        report_entry(session, **request, now=NOW)  # type: ignore[arg-type]
    assert err.value.code == code
    with db.session() as session:
        assert entries(session) == []


def test_a_move_dated_before_the_last_change_or_of_an_unknown_entry_is_refused(
    db: Database,
) -> None:
    entry_id = _report(db, on=date(2024, 11, 5))
    with (
        pytest.raises(AttentionError, match=r"before the entry's last change") as err,
        db.session() as session,
    ):
        rectify_entry(session, entry_id, "核实", by="主管", on=date(2024, 11, 4), now=NOW)
    assert err.value.code == "date_order"
    with (
        pytest.raises(AttentionError, match=r"no special-attention entry 99") as err,
        db.session() as session,
    ):
        revoke_entry(session, 99, "核实", basis=VERIFIED, by="主管", now=NOW)
    assert err.value.code == "not_found"


# -- matching --------------------------------------------------------------------------------


def test_salesperson_team_and_branch_entries_match_their_policies(db: Database) -> None:
    seller = _report(db, SALESPERSON, "李明")
    team = _report(db, TEAM, "西湖三组")
    branch = _report(db, BRANCH, "四川分公司")
    day = date(2024, 11, 6)
    assert _matches(db, LI_MING, day) == [seller]
    assert _matches(db, SalesChannel("赵磊", "西湖三组", "浙江分公司"), day) == [team]
    assert _matches(db, SalesChannel("孙芳", "武侯一组", "四川分公司"), day) == [branch]
    assert _matches(db, SalesChannel("张伟", "天河二组", "广东分公司"), day) == []
    # One policy may fall under several entries: its seller and its branch.
    both = _report(db, BRANCH, "广东分公司")
    assert _matches(db, LI_MING, day) == [seller, both]


def test_within_branch_tells_apart_salespeople_of_the_same_name(db: Database) -> None:
    entry_id = _report(db, within_branch="广东分公司")
    assert _matches(db, LI_MING, date(2024, 11, 6)) == [entry_id]
    assert _matches(db, SalesChannel("李明", "西湖三组", "浙江分公司"), date(2024, 11, 6)) == []


def test_names_are_compared_after_width_and_space_normalising(db: Database) -> None:
    entry_id = _report(db, TEAM, " 天河\u3000一组 ")
    assert _matches(db, SalesChannel("李明", "天河 一组", "广东分公司"), date(2024, 11, 6)) == [
        entry_id
    ]
    assert _matches(db, LI_MING, date(2024, 11, 6)) == []  # 天河一组 has no space: another team


def test_an_entry_matches_from_its_report_until_the_day_before_revocation(db: Database) -> None:
    entry_id = _report(db, on=date(2024, 11, 3))
    with db.session() as session:
        rectify_entry(session, entry_id, "核实", by="主管", on=date(2024, 11, 4), now=NOW)
        observe_entry(session, entry_id, "整改", by="主管", on=date(2024, 11, 5), now=NOW)
        revoke_entry(session, entry_id, "整改", basis=VERIFIED,
                     by="主管", on=date(2024, 11, 8), now=NOW)  # fmt: skip
    on_list = {day: bool(_matches(db, LI_MING, date(2024, 11, day))) for day in range(2, 10)}
    assert on_list == {2: False, 3: True, 4: True, 5: True, 6: True, 7: True, 8: False, 9: False}


# -- flags on policies -----------------------------------------------------------------------


def test_import_flags_the_policies_sold_while_their_seller_was_listed(db: Database) -> None:
    seller = _report(db, SALESPERSON, "李明", on=date(2024, 11, 2))
    team = _report(db, TEAM, "天河二组", on=date(2024, 11, 1))
    report = import_policy_file(db, GOOD_CSV, now=NOW)
    # 0001 was signed on 11-01, before 李明 was listed; 0002 on 11-02; 0003 by 天河二组.
    assert flagged(db) == {"8644012024110002": [seller], "8644012024110003": [team]}
    assert report.flagged == 2
    again = import_policy_file(db, GOOD_CSV, now=NOW)
    assert again.flagged == 0 and again.unchanged == 6
    assert flagged(db) == {"8644012024110002": [seller], "8644012024110003": [team]}


def test_the_flag_tells_who_is_listed_since_when_and_why(db: Database) -> None:
    _report(db, SALESPERSON, "李明", on=date(2024, 11, 1), within_branch="广东分公司")
    import_policy_file(db, GOOD_CSV, now=NOW)
    with db.session() as session:
        policy = Repository(session).policy("8644012024110001")
        assert policy is not None
        [flag] = policy_flags(session, policy)
        assert (
            flag.reason == "业务员李明（广东分公司）自2024-11-01起列入特别关注名单：客户投诉代签名"
        )
        assert flag.raised_at == NOW


def test_listing_flags_the_imported_policies_still_in_their_cooling_off_period(
    db: Database, tmp_path: Path
) -> None:
    sales = [
        Sale("P-OCT-01", date(2024, 10, 1)),  # before the entry's date
        Sale("P-OCT-20", date(2024, 10, 20)),  # after it, but its 犹豫期 ended on 11-07
        Sale("P-NOV-01", date(2024, 11, 1)),  # after it and still open (deadline 11-19)
        Sale("P-NOV-02", date(2024, 11, 2), salesperson="张伟", team="天河二组"),
    ]
    import_policy_file(db, write_sales(tmp_path / "sales.csv", sales), now=NOW)
    assert flagged(db) == {}
    entry_id = _report(db, SALESPERSON, "李明", on=date(2024, 10, 15))
    assert flagged(db) == {"P-NOV-01": [entry_id]}
    with db.session() as session:
        rectify_entry(session, entry_id, "核实", by="主管", now=NOW)
        observe_entry(session, entry_id, "整改", by="主管", now=NOW)
    assert flagged(db) == {"P-NOV-01": [entry_id]}, "moving on must not flag twice"
    team = _report(db, TEAM, "天河二组", on=date(2024, 11, 1))
    assert flagged(db) == {"P-NOV-01": [entry_id], "P-NOV-02": [team]}


def test_after_revocation_new_sales_are_not_flagged_and_old_flags_stay(
    db: Database, tmp_path: Path
) -> None:
    entry_id = _report(db, on=date(2024, 11, 1))
    with db.session() as session:
        revoke_entry(session, entry_id, "整改完成", basis=VERIFIED,
                     by="主管", on=date(2024, 11, 5), now=NOW)  # fmt: skip
    sales = [Sale("P-1104", date(2024, 11, 4)), Sale("P-1105", date(2024, 11, 5))]
    import_policy_file(db, write_sales(tmp_path / "sales.csv", sales), now=NOW)
    assert flagged(db) == {"P-1104": [entry_id]}
    with db.session() as session:
        assert entry(session, entry_id).status is AttentionStatus.REVOKED


# -- PostgreSQL ------------------------------------------------------------------------------


def test_report_match_flag_and_phone_changes_on_postgresql(tmp_path: Path) -> None:
    with postgres_cluster() as admin:
        pg = open_database(fresh_postgres_database(admin))
        try:
            seller = _report(pg, SALESPERSON, "李明", on=date(2024, 11, 2))
            import_policy_file(pg, GOOD_CSV, now=NOW)
            assert flagged(pg) == {"8644012024110002": [seller]}
            with pg.session() as session:
                revoke_entry(session, seller, "整改", basis=VERIFIED,
                             by="主管", on=date(2024, 11, 6), now=NOW)  # fmt: skip
            assert _matches(pg, LI_MING, date(2024, 11, 5)) == [seller]
            assert _matches(pg, LI_MING, date(2024, 11, 6)) == []
            # Phone changes: timestamptz keys compare equal, so re-importing stores nothing new.
            changes = tmp_path / "changes.csv"
            changes.write_text(
                "保单号,原号码,新号码,变更时间\n"
                "8644012024110002,13923456789,15118886420,2024-11-06T10:30\n",
                encoding="utf-8",
            )
            assert import_phone_change_file(pg, changes, now=NOW).imported == 1
            again = import_phone_change_file(pg, changes, now=NOW)
            assert (again.imported, again.unchanged) == (0, 1)
            with pg.session() as session:
                [stored] = stored_phone_changes(session, ["8644012024110002"])
            assert stored.changed_at == datetime(2024, 11, 6, 10, 30)
        finally:
            pg.close()
