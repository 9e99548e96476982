"""The KPI API: figures with their definitions, grouping, the sharp-change mark, the CSV export,
bad ranges refused, and who may read it (agents may not)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from kpi_page_testkit import record_outcomes
from web_testkit import sign_in, web_rig

W45 = {"period": "week", "date_from": "2024-11-04", "date_to": "2024-11-10"}


def _figure(report: dict[str, Any], period: str, group: str, key: str) -> dict[str, Any]:
    (row,) = [r for r in report["rows"] if r["period"] == period and r["group"] == group]
    (figure,) = [f for f in row["figures"] if f["key"] == key]
    found: dict[str, Any] = figure
    return found


def test_a_supervisor_reads_the_figures_with_their_definitions(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        record_outcomes(rig.db, rig.call_of)
        sign_in(rig.client, "sam")
        response = rig.client.get("/api/kpis", params=W45)
        assert response.status_code == 200, response.text
        report = response.json()
        assert report["periods"] == ["2024-W45"] and report["groups"] == ["全部"]
        # Six policies received in the week; only …0001 was called back (ann's call).
        success = _figure(report, "2024-W45", "全部", "success_rate")
        assert (success["numerator"], success["denominator"]) == (1, 6)
        assert success["value"] == round(100 / 6, 2)
        # First callback a success: …0001 only, over all six to be called back.
        first = _figure(report, "2024-W45", "全部", "first_attempt_success_rate")
        assert (first["numerator"], first["denominator"]) == (1, 6)
        # Dialled: …0001 (a success at once) and …0002 (an invalid number).
        invalid = _figure(report, "2024-W45", "全部", "invalid_number_rate")
        assert (invalid["numerator"], invalid["denominator"]) == (1, 2)
        definitions = {d["key"]: d for d in report["definitions"]}
        assert len(definitions) == 9
        assert "应回访保单数" in definitions["success_rate"]["denominator"]
        assert "receipt_date" in definitions["success_rate"]["bucketed_by"]
        assert rig.client.get("/api/kpis/definitions").json() == report["definitions"]
        by_seller = rig.client.get("/api/kpis", params={**W45, "by": "salesperson"}).json()
        assert by_seller["groups"] == ["孙芳", "张伟", "李明", "赵磊"]  # by code point
        mine = _figure(by_seller, "2024-W45", "李明", "success_rate")
        assert (mine["numerator"], mine["denominator"]) == (1, 2)


def test_a_sharp_drop_is_marked_once_the_denominator_is_enough(tmp_path: Path) -> None:
    days = {"period": "day", "date_from": "2024-11-04", "date_to": "2024-11-05"}
    with web_rig(tmp_path, kpi_min_denominator=1) as rig:
        record_outcomes(rig.db, rig.call_of)
        sign_in(rig.client, "sam")
        report = rig.client.get("/api/kpis", params=days).json()
        drop = _figure(report, "2024-11-05", "全部", "success_rate")
        assert (drop["value"], drop["previous"], drop["change"]) == (0, 100, -100)
        assert drop["sharp"] is True
        assert _figure(report, "2024-11-04", "全部", "success_rate")["sharp"] is False
        assert report["sharp_rule"]["min_denominator"] == 1
    with web_rig(tmp_path / "default") as rig:
        record_outcomes(rig.db, rig.call_of)
        sign_in(rig.client, "sam")
        report = rig.client.get("/api/kpis", params=days).json()
        assert _figure(report, "2024-11-05", "全部", "success_rate")["sharp"] is False


def test_the_table_exports_as_csv(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        record_outcomes(rig.db, rig.call_of)
        sign_in(rig.client, "rita")  # reviewers read the figures too
        response = rig.client.get("/api/kpis/export", params={**W45, "format": "csv"})
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/csv")
        lines = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert len(lines) == 9  # one period, one group, nine figures
        success = next(line for line in lines if line["指标"] == "回访成功率")
        assert (success["期间"], success["分组"], success["分子"], success["分母"]) == (
            "2024-W45", "全部", "1.0", "6")
        assert success["数值"] == str(round(100 / 6, 2))
        xlsx = rig.client.get("/api/kpis/export", params={**W45, "format": "xlsx"})
        assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_a_reversed_or_endless_range_is_refused(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        sign_in(rig.client, "ada")
        reversed_range = {"date_from": "2024-11-10", "date_to": "2024-11-01"}
        response = rig.client.get("/api/kpis", params=reversed_range)
        assert response.status_code == 422
        assert "before it starts" in response.json()["detail"]
        endless = {"period": "day", "date_from": "2000-01-01", "date_to": "2099-12-31"}
        assert rig.client.get("/api/kpis/export", params=endless).status_code == 422
        # Without dates: the last eight weeks up to today.
        assert len(rig.client.get("/api/kpis").json()["periods"]) == 8


def test_agents_and_strangers_are_refused(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        for path in ("/api/kpis", "/api/kpis/definitions", "/api/kpis/export"):
            assert rig.client.get(path).status_code == 401
        sign_in(rig.client, "ann")
        for path in ("/api/kpis", "/api/kpis/definitions", "/api/kpis/export"):
            response = rig.client.get(path, params=W45 if path != "/api/kpis/definitions" else {})
            assert response.status_code == 403, (path, response.text)
