// The audit trail, newest first (supervisors and admins).
"use strict";

const ACTIONS = {
  "flag.confirm": "确认标记", "flag.dismiss": "排除标记", "case.open": "开立问题件",
  "case.assign": "分类分派", "case.resolve": "结案", "case.remind": "期限提醒", "case.overdue": "逾期标记",
  "attention.report": "报告特别关注", "attention.observe": "转为观察", "attention.revoke": "撤销特别关注",
  "attention.rectify": "转入整改", "attention.propose": "特别关注提议", "attention.accept": "采纳提议",
  "attention.dismiss": "驳回提议", "complaint.receive": "受理投诉", "complaint.acknowledge": "投诉受理确认",
  "complaint.respond": "投诉答复", "complaint.classified": "投诉分类", "complaint.investigating": "投诉调查",
  "complaint.handled": "投诉处理", "complaint.fed_back": "投诉反馈", "complaint.reviewed": "投诉复核",
  "complaint.archived": "投诉归档", "complaint.remind": "投诉时限提醒", "complaint.escalate": "投诉超时升级",
  "service.receive": "转保全", "service.overdue": "保全逾期", "promise.keep": "兑现承诺",
  "promise.overdue": "承诺逾期", "letter.print": "打印信函", "letter.assign": "指派上门",
  "letter.result": "录入信函/上门结果", "qa.sample": "抽检", "qa.review": "抽检复核",
};

async function start() {
  await huifangConsole.start();
  const ui = huifangConsole;
  try {
    const rows = document.getElementById("audit-rows");
    for (const entry of await huifangApi.request("GET", "/api/review/audit?limit=500")) {
      const row = document.createElement("tr");
      ui.cell(row, ui.localTime(entry.at));
      ui.cell(row, entry.actor);
      ui.cell(row, ACTIONS[entry.action] || entry.action);
      ui.cell(row, `${entry.entity} #${entry.entity_id}`);
      ui.cell(row, "").appendChild(ui.text("pre", entry.before ? JSON.stringify(entry.before, null, 1) : ""));
      ui.cell(row, "").appendChild(ui.text("pre", entry.after ? JSON.stringify(entry.after, null, 1) : ""));
      rows.appendChild(row);
    }
  } catch (err) {
    ui.showError("audit-error", err);
  }
}

start();
