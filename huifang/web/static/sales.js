// Feedback to the sales side: the day's cases by seller, the risk analysis, failed callbacks.
"use strict";

const sf = huifangConsole;
const RISKS = ["欺骗", "隐瞒", "诱导", "流程违规", "身份存疑"];

function fill(id, lines, cells) {
  const rows = document.getElementById(id);
  rows.replaceChildren();
  for (const line of lines) {
    const row = document.createElement("tr");
    for (const value of cells(line)) sf.cell(row, value);
    rows.appendChild(row);
  }
}

async function showDaily() {
  const params = sf.query(document.getElementById("daily-form"));
  for (const format of ["xlsx", "csv"]) {
    const exportParams = new URLSearchParams(params);
    exportParams.set("format", format);
    document.getElementById(`daily-${format}`).href = `/api/sales/daily/export?${exportParams}`;
  }
  const lines = await huifangApi.request("GET", `/api/sales/daily?${params}`);
  fill("daily-rows", lines, (c) => [c.branch, c.team, c.salesperson, c.policy_no, c.kind, c.category, c.detail]);
}

async function showRisk() {
  const params = sf.query(document.getElementById("risk-form"));
  const exportParams = new URLSearchParams(params);
  exportParams.set("format", "xlsx");
  document.getElementById("risk-xlsx").href = `/api/sales/risk/export?${exportParams}`;
  const head = document.getElementById("risk-head");
  head.replaceChildren(...["分组", ...RISKS, "合计"].map((text) => sf.text("th", text)));
  const lines = await huifangApi.request("GET", `/api/sales/risk?${params}`);
  fill("risk-rows", lines, (r) => [r.group, ...RISKS.map((k) => r.counts[k] || 0), r.total]);
}

async function showFailed() {
  const params = sf.query(document.getElementById("failed-form"));
  for (const format of ["csv", "xlsx"]) {
    const exportParams = new URLSearchParams(params);
    exportParams.set("format", format);
    document.getElementById(`failed-${format}`).href = `/api/sales/failed/export?${exportParams}`;
  }
  const lines = await huifangApi.request("GET", `/api/sales/failed?${params}`);
  fill("failed-rows", lines, (f) => [f.policy_no, f.branch, f.team, f.salesperson, f.deadline, f.reason]);
}

async function showAll() {
  try {
    sf.showError("sales-error", null);
    await Promise.all([showDaily(), showRisk(), showFailed()]);
  } catch (err) {
    sf.showError("sales-error", err);
  }
}

for (const id of ["daily-form", "risk-form", "failed-form"]) {
  document.getElementById(id).addEventListener("submit", (event) => {
    event.preventDefault();
    showAll();
  });
}

sf.start().then(() => {
  const form = document.getElementById("daily-form");
  for (const [key, value] of new URLSearchParams(location.search)) {
    if (form.elements[key]) form.elements[key].value = value;
  }
  return showAll();
});
