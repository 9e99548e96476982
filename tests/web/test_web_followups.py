"""The follow-up queues through the API and in Chromium: a complaint classified and moved on
by a supervisor, a surrender request accepted by policy service, a promise kept; reviewers
read masked text, agents are refused, steps out of order are refused with the reason."""

from __future__ import annotations

from pathlib import Path

from browser_testkit import chromium, served, sign_in_page
from followups_testkit import seed_surrender_call
from playwright.sync_api import expect
from web_testkit import seeded_app, sign_in, web_rig


def test_the_api_works_the_queues_in_order(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        seed_surrender_call(rig.db)
        sign_in(rig.client, "ann")
        assert rig.client.get("/api/followups/complaints").status_code == 403
        token = sign_in(rig.client, "sam")
        headers = {"X-CSRF-Token": token}
        (complaint,) = rig.client.get("/api/followups/complaints").json()
        assert complaint["stage"] == "受理" and complaint["kind"] == "complaint"
        assert [c["name"] for c in complaint["clocks"]] == [
            "acknowledge", "respond", "handle", "feedback"]  # fmt: skip
        skip = rig.client.post(f"/api/followups/complaints/{complaint['id']}", headers=headers,
                               json={"action": "advance", "stage": "调查", "note": "查"})
        assert skip.status_code == 409 and "分类" in skip.json()["detail"]
        handlers = rig.client.get(f"/api/followups/complaints/{complaint['id']}/handlers").json()
        assert "李明" not in [h["username"] for h in handlers]
        rita = next(h for h in handlers if h["username"] == "rita")
        moved = rig.client.post(
            f"/api/followups/complaints/{complaint['id']}", headers=headers,
            json={"action": "advance", "stage": "分类", "note": "销售误导",
                  "category": "销售误导", "handler_id": rita["id"]},
        )  # fmt: skip
        assert moved.status_code == 200, moved.text
        assert moved.json()["handler"] == "rita"
        assert moved.json()["clocks"][0]["state"] == "met"  # classifying acknowledges
        (request,) = rig.client.get("/api/followups/service").json()
        assert request["in_cooling_off"] is True and request["status"] == "received"
        once = rig.client.post(f"/api/followups/service/{request['id']}", headers=headers,
                               json={"action": "material", "note": "缺身份证复印件"})
        assert once.status_code == 200
        twice = rig.client.post(f"/api/followups/service/{request['id']}", headers=headers,
                                json={"action": "material", "note": "还缺银行卡"})
        assert twice.status_code == 409 and "once only" in twice.json()["detail"]
        (promise,) = rig.client.get("/api/followups/promises").json()
        assert "一个工作日内" in promise["promise"]
        audit = rig.client.get("/api/review/audit", params={"entity": "complaint"})
        assert audit.status_code == 200
        assert {e["action"] for e in audit.json()} >= {"complaint.receive", "complaint.classified"}


def test_a_supervisor_works_the_queues_in_chromium(tmp_path: Path) -> None:
    with seeded_app(tmp_path) as (app, db, _calls), served(app) as base, chromium() as browser:
        seed_surrender_call(db)
        page = browser.new_page()
        sign_in_page(page, base, "sam")
        page.click(".app-nav a[href='followups.html']")
        row = page.locator("#complaint-rows tr").first
        expect(row.locator(".stage")).to_have_text("受理")
        expect(row.locator("li[data-clock='acknowledge']")).to_contain_text("进行中")
        form = row.locator("form.complaint-step")
        form.locator("select[name=category]").select_option("销售误导")
        form.locator("select[name=handler_id]").select_option(label="rita")
        form.locator("input[name=note]").fill("转 rita 调查")
        form.locator("button").click()
        expect(row.locator(".stage")).to_have_text("分类", timeout=20_000)
        expect(row.locator("li[data-clock='acknowledge']")).to_contain_text("按时")

        service = page.locator("#service-rows tr").first
        expect(service).to_contain_text("是（全额退费）")
        service.locator("select[name=action]").select_option("accept")
        service.locator("input[name=note]").fill("已受理退保")
        service.locator("button").click()
        expect(page.locator("#service-rows tr").first.locator(".status")).to_have_text(
            "已受理", timeout=20_000)

        promise = page.locator("#promise-rows tr").first
        expect(promise).to_contain_text("一个工作日内与您联系")
        promise.locator("input[name=note]").fill("已回电客户")
        promise.locator("button").click()
        expect(page.locator("#promise-rows tr")).to_have_count(0, timeout=20_000)
