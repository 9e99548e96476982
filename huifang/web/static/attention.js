// The special-attention list (特别关注): every reviewer reads it; supervisors and admins
// report a salesperson, team or branch, move an entry to observation, or revoke it.
"use strict";

const ui = huifangConsole;
const STATUS = (value) => ui.label("attentionStatus", value);
// The moves each status allows, as the server enforces them (forward only).
const MOVES = {
  reported: [["observe", "转为观察"], ["revoke", "撤销"]],
  under_observation: [["revoke", "撤销"]],
  revoked: [],
};
let canChange = false;
let shown = null;  // the entry whose history is open

function field(name, placeholder, type) {
  const input = ui.text("input", "");
  input.name = name;
  input.placeholder = placeholder;
  if (type) input.type = type;
  return input;
}

// One move's form: a reason (required), the day it takes effect (default today).
function moveForm(line, action, label) {
  const form = ui.text("form", "", action);
  const reason = field("reason", "理由（必填）");
  reason.required = true;
  const day = field("effective_on", "", "date");
  form.append(reason, day, ui.text("button", label), ui.text("span", "", "error"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { reason: reason.value };
    if (day.value) body.effective_on = day.value;
    try {
      await huifangApi.request("POST", `/api/review/attention/${line.id}/${action}`, body);
      await showList();
      await showDetail(line.id);
    } catch (err) {
      form.querySelector(".error").textContent = err.message;
    }
  });
  return form;
}

async function showList() {
  const params = ui.query(document.getElementById("filters"));
  ui.showError("attention-error", null);
  let lines;
  try {
    lines = await huifangApi.request("GET", `/api/review/attention?${params}`);
  } catch (err) {
    ui.showError("attention-error", err);
    return;
  }
  const rows = document.getElementById("attention-rows");
  rows.replaceChildren();
  for (const line of lines) {
    const row = document.createElement("tr");
    row.dataset.entry = line.id;
    ui.cell(row, line.id);
    ui.cell(row, ui.label("attentionSubject", line.subject));
    ui.cell(row, line.name);
    ui.cell(row, line.within_branch);
    ui.cell(row, STATUS(line.status), `state ${line.status}`);
    ui.cell(row, line.effective_from);
    ui.cell(row, line.revoked_on);
    ui.cell(row, line.reason);
    ui.cell(row, line.flagged_policies);
    const work = ui.cell(row, "");
    const open = ui.text("button", "详情", "show");
    open.type = "button";
    open.addEventListener("click", () => showDetail(line.id).catch((err) => ui.showError("attention-error", err)));
    work.appendChild(open);
    if (canChange) {
      for (const [action, label] of MOVES[line.status] || []) work.appendChild(moveForm(line, action, label));
    }
    rows.appendChild(row);
  }
}

async function showDetail(entryId) {
  const entry = await huifangApi.request("GET", `/api/review/attention/${entryId}`);
  shown = entry.id;
  document.getElementById("detail").hidden = false;
  document.getElementById("detail-title").textContent =
    `#${entry.id} ${entry.label}：${STATUS(entry.status)}`;
  const history = document.getElementById("history-rows");
  history.replaceChildren();
  for (const change of entry.history) {
    const row = document.createElement("tr");
    ui.cell(row, change.from_status ? STATUS(change.from_status) : "—");
    ui.cell(row, STATUS(change.to_status));
    ui.cell(row, change.effective_on);
    ui.cell(row, change.reason);
    ui.cell(row, change.changed_by);
    ui.cell(row, ui.localTime(change.changed_at));
    history.appendChild(row);
  }
  const policies = document.getElementById("policy-rows");
  policies.replaceChildren();
  for (const policy of entry.policies) {
    const row = document.createElement("tr");
    for (const key of ["policy_no", "holder_name", "product_name", "sign_date", "salesperson",
                       "team", "branch"]) {
      ui.cell(row, policy[key]);
    }
    ui.cell(row, ui.localTime(policy.raised_at));
    policies.appendChild(row);
  }
}

async function addEntry(event) {
  event.preventDefault();
  const form = event.target;
  const error = form.querySelector(".error");
  error.textContent = "";
  const value = (name) => form.querySelector(`[name=${name}]`).value;
  const body = { subject: value("subject"), name: value("name"),
                 within_branch: value("within_branch").trim(), reason: value("reason") };
  if (value("effective_on")) body.effective_on = value("effective_on");
  try {
    const entry = await huifangApi.request("POST", "/api/review/attention", body);
    form.reset();
    await showList();
    await showDetail(entry.id);
  } catch (err) {
    error.textContent = err.message;
  }
}

async function start() {
  const me = await huifangConsole.start();
  canChange = ["supervisor", "admin"].includes(me.role);
  document.getElementById("add-section").hidden = !canChange;
  document.getElementById("add-form").addEventListener("submit", addEntry);
  document.getElementById("filters").addEventListener("submit", (event) => {
    event.preventDefault();
    showList();
  });
  await showList();
  const wanted = new URLSearchParams(location.search).get("entry");
  if (wanted && shown === null) await showDetail(wanted).catch((err) => ui.showError("attention-error", err));
}

start();
