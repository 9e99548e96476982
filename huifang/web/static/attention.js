// The special-attention list (特别关注): every reviewer reads it; supervisors and admins
// report a salesperson, team or branch, move an entry to observation, or revoke it.
"use strict";

const ui = huifangConsole;
const STATUS = (value) => ui.label("attentionStatus", value);
const BASES = Object.entries(LABELS.revocationBasis);
let agents = [];
// The moves each status allows, as the server enforces them (forward only).
const MOVES = {
  reported: [["rectify", "转入整改"], ["revoke", "撤销"]],
  rectifying: [["observe", "转为观察"], ["revoke", "撤销"]],
  under_observation: [["revoke", "撤销"], ["rectify", "再犯，回到整改"]],
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
  form.append(reason, day);
  const basis = options("basis", BASES);
  if (action === "revoke") form.append(basis);
  form.append(ui.text("button", label), ui.text("span", "", "error"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { reason: reason.value };
    if (day.value) body.effective_on = day.value;
    if (action === "revoke") body.basis = basis.value;
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
    ui.cell(row, line.ground ? ui.label("attentionGround", line.ground) : "（未分类）", "ground");
    ui.cell(row, ui.label("attentionSeverity", line.severity) || "—", "severity");
    const measures = line.measures.map((m) => ui.label("attentionMeasure", m)).join("、");
    ui.cell(row, line.dedicated_agent ? `${measures}（${line.dedicated_agent}）` : measures, "measures");
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
                 within_branch: value("within_branch").trim(), reason: value("reason"),
                 ground: value("ground"), severity: value("severity"),
                 restricted_products: value("restricted_products").trim() };
  if (value("dedicated_agent_id")) body.dedicated_agent_id = Number(value("dedicated_agent_id"));
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

function option(value, text) {
  const element = ui.text("option", text);
  element.value = value;
  return element;
}

function options(name, pairs) {
  const select = ui.text("select", "");
  select.name = name;
  for (const [value, text] of pairs) select.appendChild(option(value, text));
  return select;
}

function proposalForms(proposal) {
  const cell = ui.text("div", "");
  const accept = ui.text("form", "", "accept");
  const severity = options("severity", Object.entries(LABELS.attentionSeverity));
  const agent = options("dedicated_agent_id", [["", "—"], ...agents.map((a) => [String(a.id), a.username])]);
  const reason = field("reason", "确认理由（必填）");
  reason.required = true;
  accept.append(severity, agent, reason, ui.text("button", "采纳，列入名单"), ui.text("span", "", "error"));
  accept.addEventListener("submit", (event) => decide(event, proposal, "accept", {
    reason: reason.value, severity: severity.value,
    dedicated_agent_id: agent.value ? Number(agent.value) : null,
  }));
  const dismiss = ui.text("form", "", "dismiss");
  const why = field("reason", "驳回理由（必填）");
  why.required = true;
  dismiss.append(why, ui.text("button", "驳回"), ui.text("span", "", "error"));
  dismiss.addEventListener("submit", (event) => decide(event, proposal, "dismiss", { reason: why.value }));
  cell.append(accept, dismiss);
  return cell;
}

async function decide(event, proposal, action, body) {
  event.preventDefault();
  try {
    await huifangApi.request("POST", `/api/review/attention/proposals/${proposal.id}/${action}`, body);
    await Promise.all([showList(), showProposals()]);
  } catch (err) {
    event.target.querySelector(".error").textContent = err.message;
  }
}

async function showProposals() {
  const rows = document.getElementById("proposal-rows");
  const proposals = await huifangApi.request("GET", "/api/review/attention/proposals");
  rows.replaceChildren();
  for (const proposal of proposals) {
    const row = document.createElement("tr");
    row.dataset.proposal = proposal.id;
    for (const value of [proposal.id, ui.label("attentionSubject", proposal.subject), proposal.name,
      ui.label("attentionGround", proposal.ground), proposal.evidence]) ui.cell(row, value);
    const work = ui.cell(row, "");
    if (canChange) work.appendChild(proposalForms(proposal));
    rows.appendChild(row);
  }
}

async function start() {
  const me = await huifangConsole.start();
  canChange = ["supervisor", "admin"].includes(me.role);
  document.getElementById("add-section").hidden = !canChange;
  agents = await huifangApi.request("GET", "/api/review/attention/agents");
  const agentSelect = document.querySelector("#add-form select[name=dedicated_agent_id]");
  for (const agent of agents) agentSelect.appendChild(option(String(agent.id), agent.username));
  const run = document.getElementById("run-proposals");
  run.hidden = !canChange;
  run.addEventListener("click", async () => {
    try {
      await huifangApi.request("POST", "/api/review/attention/proposals/run");
      await showProposals();
    } catch (err) {
      ui.showError("attention-error", err);
    }
  });
  await showProposals();
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
