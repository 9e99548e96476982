// The audit trail, newest first (supervisors and admins).
"use strict";

const ui = huifangConsole;
// Which vocabulary a snapshot field's values come from (status depends on what changed).
const FIELD_VALUES = {
  kind: "problemKind", reason: "caseReason", decision: "decision", subject: "attentionSubject",
  state: "itemState", role: "role", outcome: "signInOutcome",
};
const STATUS_OF = { problem_case: "caseStatus", attention_entry: "attentionStatus" };

// A before/after snapshot as "字段：值" lines, coded values in Chinese.
function snapshot(values, entity) {
  if (!values) return "";
  return Object.entries(values).map(([key, value]) => {
    const vocabulary = key === "status" ? STATUS_OF[entity] : FIELD_VALUES[key];
    let shown = value === null || value === "" ? "—" : String(value);
    if (typeof value === "boolean") shown = value ? "是" : "否";
    else if (value !== null && typeof value === "object") shown = JSON.stringify(value);
    if (vocabulary && value) shown = ui.label(vocabulary, value);
    else if (/^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(shown)) shown = ui.localTime(shown);
    return `${ui.label("auditField", key)}：${shown}`;
  }).join("\n");
}

async function start() {
  await huifangConsole.start();
  try {
    const rows = document.getElementById("audit-rows");
    for (const entry of await huifangApi.request("GET", "/api/review/audit?limit=500")) {
      const row = document.createElement("tr");
      ui.cell(row, ui.localTime(entry.at), "nowrap");
      ui.cell(row, entry.actor_id === null ? "系统" : entry.actor);
      ui.cell(row, ui.label("auditAction", entry.action));
      ui.cell(row, `${ui.label("auditEntity", entry.entity)} #${entry.entity_id}`, "nowrap");
      ui.cell(row, "").appendChild(ui.text("pre", snapshot(entry.before, entry.entity)));
      ui.cell(row, "").appendChild(ui.text("pre", snapshot(entry.after, entry.entity)));
      rows.appendChild(row);
    }
  } catch (err) {
    ui.showError("audit-error", err);
  }
}

start();
