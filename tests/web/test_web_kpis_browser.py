"""In a real browser: a supervisor opens the KPI page, sees the figures per day with their
definitions, the sharp drop marked in the table and the chart, and exports the table; an
agent is turned away."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from browser_testkit import ARTIFACTS, chromium, served, sign_in_page
from kpi_page_testkit import record_outcomes
from playwright.sync_api import Page, expect
from web_testkit import seeded_app

DAYS = "period=day&date_from=2024-11-04&date_to=2024-11-09"


def test_a_supervisor_sees_the_figures_their_definitions_and_the_sharp_drop(
    tmp_path: Path,
) -> None:
    with seeded_app(tmp_path, kpi_min_denominator=1) as (app, db, call_of), served(app) as base, \
            chromium() as browser:  # fmt: skip
        record_outcomes(db, call_of)
        page = browser.new_page(accept_downloads=True)
        sign_in_page(page, base, "sam")
        page.click(".app-nav a[href='kpis.html']")
        expect(page.locator("#kpi-rows tr")).to_have_count(8)  # the default: eight weeks
        page.goto(f"{base}/app/kpis.html?{DAYS}")
        rows = page.locator("#kpi-rows tr")
        expect(rows).to_have_count(6)  # 11-04 .. 11-09, overall
        monday = page.locator("tr[data-period='2024-11-04'] td[data-kpi='success_rate']")
        expect(monday.locator(".value")).to_have_text("100.0%")
        expect(monday.locator(".counts")).to_have_text(" 1/1")
        tuesday = page.locator("tr[data-period='2024-11-05'] td[data-kpi='success_rate']")
        expect(tuesday.locator(".value")).to_have_text("0.0%")
        expect(tuesday).to_have_class("figure sharp worse below-target")
        expect(tuesday.locator(".sharp-mark")).to_have_text(" ▼")
        invalid = page.locator("tr[data-period='2024-11-05'] td[data-kpi='invalid_number_rate']")
        expect(invalid.locator(".value")).to_have_text("100.0%")
        # Against the default targets (≥ 95 %, ≤ 5 %): both fall short, marked 不达标.
        expect(tuesday.locator(".target-mark")).to_have_text(" 不达标")
        expect(invalid).to_have_class(re.compile(r"\bbelow-target\b"))
        expect(monday.locator(".target-mark")).to_have_count(0)
        # The definitions beside the figures: in the header's title and the list below.
        header = page.locator("#kpi-head th[data-kpi='success_rate']")
        title = header.get_attribute("title") or ""
        assert title.startswith("分子：回访成功的保单数\n分母：应回访保单数")
        expect(page.locator("#definitions")).to_contain_text("分母：至少拨打过一次的应回访保单数")
        expect(page.locator("#definitions")).to_contain_text("目标：≥ 95%")
        expect(page.locator("#definitions dt")).to_have_count(9)
        # The chart: a point for each day the table has a value for, the drop ringed.
        values = page.locator("td[data-kpi='success_rate'] .value").all_inner_texts()
        expect(page.locator("#kpi-chart circle.point")).to_have_count(
            len([v for v in values if v != "—"]))
        expect(page.locator("#kpi-chart circle.sharp")).to_have_count(1)
        expect(page.locator("#chart-definition")).to_contain_text("应回访保单数")
        # Every KPI at once, each with its target dashed; the days below target in red.
        expect(page.locator("#kpi-charts figure")).to_have_count(9)
        expect(page.locator("#kpi-charts line.target")).to_have_count(9)
        success = page.locator("#kpi-charts figure[data-kpi='success_rate']")
        expect(success.locator("circle.missed")).to_have_count(
            len([v for v in values if v not in ("—", "100.0%")]))
        expect(page.locator("#kpi-chart line.target")).to_have_count(1)
        _save_screenshot(page, tmp_path, "kpis.png")

        page.select_option("select[name=by]", "salesperson")
        page.click("#kpi-form button[type=submit]")
        expect(page.locator("tr[data-group='李明']")).to_have_count(6)
        with page.expect_download() as download:
            page.click("#export-kpi-csv")
        path = tmp_path / "kpis.csv"
        download.value.save_as(path)
        lines = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
        wanted = [(line["分子"], line["分母"], line["突变"]) for line in lines
                  if line["期间"] == "2024-11-05" and line["分组"] == "李明"
                  and line["指标"] == "回访成功率"]  # fmt: skip
        assert wanted == [("0.0", "1", "是")]


def test_an_agent_opening_the_kpi_page_is_turned_away(tmp_path: Path) -> None:
    with seeded_app(tmp_path) as (app, db, call_of), served(app) as base, chromium() as browser:
        record_outcomes(db, call_of)
        page = browser.new_page()
        sign_in_page(page, base, "ann")
        page.goto(f"{base}/app/kpis.html")
        expect(page.locator("body")).to_contain_text("质检台仅供质检、主管和管理员使用")
        expect(page.locator("#kpi-rows")).to_have_count(0)


def _save_screenshot(page: Page, tmp_path: Path, name: str) -> None:
    page.screenshot(path=str(tmp_path / name), full_page=True)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)
