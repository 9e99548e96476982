// The audit trail, newest first (supervisors and admins).
"use strict";

const ACTIONS = {
  "flag.confirm": "确认标记", "flag.dismiss": "排除标记", "case.open": "开立问题件",
  "case.assign": "分类分派", "case.resolve": "结案", "case.remind": "期限提醒", "case.overdue": "逾期标记",
  "attention.report": "报告特别关注", "attention.observe": "转为观察", "attention.revoke": "撤销特别关注",
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
