// The problem-case ledger (问题件台账): deadlines, overdue marks, assigning and resolving a
// case, CSV/XLSX exports; and the daily summary for sales management.
"use strict";

const ui = huifangConsole;
const PAGE_SIZE = 50;
let shownFrom = 0;
let hasMore = false;

function label(text, field) {
  const wrapper = ui.text("label", `${text} `);
  wrapper.appendChild(field);
  return wrapper;
}

async function act(event, path, body) {
  event.preventDefault();
  const error = event.target.querySelector(".error");
  try {
    await huifangApi.request("POST", path, body);
    await showCases();
  } catch (err) {
    error.textContent = err.message;
  }
}

function resolveForm(line) {
  const form = ui.text("form", "", "resolve");
  const text = ui.text("textarea", "");
  text.name = "resolution";
  text.required = true;
  text.rows = 2;
  text.placeholder = "处理结果";
  form.append(text, ui.text("button", "结案"), ui.text("span", "", "error"));
  form.addEventListener("submit", (event) =>
    act(event, `/api/review/cases/${line.case_id}/resolve`, { resolution: text.value }));
  return form;
}

async function assignForm(line) {
  const form = ui.text("form", "", "assign");
  const classes = ui.text("select", "");
  classes.name = "classification";
  for (const name of CASE_CLASSES) classes.appendChild(ui.text("option", name));
  if (line.classification) classes.value = line.classification;
  const handler = ui.text("select", "");
  handler.name = "handler_id";
  for (const person of await huifangApi.request("GET", `/api/review/cases/${line.case_id}/handlers`)) {
    const option = ui.text("option", person.username);
    option.value = person.id;
    option.selected = person.username === line.handler;
    handler.appendChild(option);
  }
  form.append(label("分类", classes), label("处理人", handler),
              ui.text("button", line.handler ? "改派" : "分派"), ui.text("span", "", "error"));
  form.addEventListener("submit", (event) => act(event, `/api/review/cases/${line.case_id}/assign`,
    { classification: classes.value, handler_id: Number(handler.value) }));
  return form;
}

function setExportLinks(prefix, path, params) {
  for (const format of ["csv", "xlsx"]) {
    const query = new URLSearchParams(params);
    query.set("format", format);
    document.getElementById(`${prefix}-${format}`).href = `${path}?${query}`;
  }
}

// The work cell: the forms open on demand (a handler list is one request per case, so a
// ledger of hundreds of cases does not make hundreds of them just to be shown).
function workCell(cell, line) {
  const open = async (button, makeForm) => {
    button.disabled = true;
    try {
      cell.replaceChildren(await makeForm(line));
      cell.querySelector("select, textarea")?.focus();
    } catch (err) {
      button.disabled = false;
      ui.showError("cases-error", err);
    }
  };
  const assign = huifangShell.button(line.handler ? "改派…" : "分派…", "small",
    (event) => open(event.target, assignForm));
  cell.appendChild(assign);
  if (line.handler) {
    cell.appendChild(huifangShell.button("结案…", "small", (event) => open(event.target, async (l) => resolveForm(l))));
  }
}

async function showCases(from = shownFrom) {
  const params = ui.query(document.getElementById("filters"));
  setExportLinks("export-ledger", "/api/review/ledger/export", params);
  ui.showError("cases-error", null);
  params.set("limit", PAGE_SIZE + 1);
  params.set("offset", from);
  let lines;
  try {
    lines = await huifangApi.request("GET", `/api/review/cases?${params}`);
  } catch (err) {
    ui.showError("cases-error", err);
    return;
  }
  shownFrom = from;
  hasMore = lines.length > PAGE_SIZE;
  lines = lines.slice(0, PAGE_SIZE);
  document.getElementById("cases-page").textContent = lines.length
    ? `第 ${from + 1}–${from + lines.length} 件${hasMore ? "，后面还有" : ""}` : "";
  document.getElementById("cases-prev").disabled = from === 0;
  document.getElementById("cases-next").disabled = !hasMore;
  const rows = document.getElementById("case-rows");
  rows.replaceChildren();
  for (const line of lines) {
    const row = document.createElement("tr");
    row.dataset.case = line.case_id;
    if (line.overdue) row.className = "overdue";
    else if (line.reminder_due) row.className = "due";
    ui.cell(row, line.case_id, "num");
    const policy = ui.cell(row, `${line.policy_no} `);
    if (line.call_id) policy.appendChild(ui.link(`review_call.html?call=${line.call_id}`, `通话#${line.call_id}`));
    ui.cell(row, line.holder_name);
    ui.cell(row, line.phone);
    ui.cell(row, line.salesperson);
    ui.cell(row, line.classification || "未分类");
    ui.cell(row, line.evidence, "evidence");
    ui.cell(row, ui.localTime(line.opened_at));
    ui.cell(row, line.handler || "未分派");
    ui.cell(row, line.deadline);
    ui.cell(row, line.working_days_left);
    const state = line.overdue ? "逾期" : line.reminder_due ? "临近期限" : ui.label("caseStatus", line.status);
    ui.cell(row, state, "state");
    const work = ui.cell(row, "");
    if (line.status === "closed") {
      work.textContent = `${line.resolution}（${line.resolved_by}，${ui.localTime(line.closed_at)}）`;
    } else {
      workCell(work, line);
    }
    rows.appendChild(row);
  }
}

async function showSummary() {
  const params = ui.query(document.getElementById("summary-form"));
  setExportLinks("export-summary", "/api/review/summary/export", params);
  const rows = document.getElementById("summary-rows");
  rows.replaceChildren();
  for (const line of await huifangApi.request("GET", `/api/review/summary?${params}`)) {
    const row = document.createElement("tr");
    for (const key of ["branch", "team", "salesperson", "flags_raised", "flags_confirmed",
                       "flags_dismissed", "cases_opened", "cases_closed", "cases_open",
                       "cases_overdue"]) {
      ui.cell(row, line[key]);
    }
    rows.appendChild(row);
  }
}

async function start() {
  await huifangConsole.start();
  document.getElementById("filters").addEventListener("submit", (event) => {
    event.preventDefault();
    showCases(0);
  });
  document.getElementById("cases-prev").addEventListener("click", () => showCases(Math.max(0, shownFrom - PAGE_SIZE)));
  document.getElementById("cases-next").addEventListener("click", () => showCases(shownFrom + PAGE_SIZE));
  huifangShell.keys.add({ key: "ArrowRight", shown: "→", label: "下一页", run: () => showCases(shownFrom + PAGE_SIZE), when: () => hasMore });
  huifangShell.keys.add({ key: "ArrowLeft", shown: "←", label: "上一页", run: () => showCases(Math.max(0, shownFrom - PAGE_SIZE)), when: () => shownFrom > 0 });
  const summary = document.getElementById("summary-form");
  summary.day.value = new Date().toLocaleDateString("sv-SE");  // YYYY-MM-DD, local day
  summary.addEventListener("submit", (event) => {
    event.preventDefault();
    showSummary().catch((err) => ui.showError("cases-error", err));
  });
  await showCases();
  await showSummary();
}

start();
