// Complaints, policy-service requests and the robot's promises: each a work queue with its
// clocks, and forms for the next step.
"use strict";

const fu = huifangConsole;
const CLOCKS = (name) => fu.label("complaintClock", name);
const STAGES = ["受理", "分类", "调查", "处理", "反馈", "复核", "归档"];
const CATEGORIES = ["销售误导", "退保纠纷", "服务质量", "回访扰民", "信息安全", "理赔", "其他"];
const SERVICE_ACTIONS = {
  material: "告知补材料", material_received: "材料已收", accept: "受理", complete: "办结",
  withdraw: "客户撤回",
};

function field(tag, name, extra) {
  const element = fu.text(tag, "");
  element.name = name;
  Object.assign(element, extra || {});
  return element;
}

function select(name, options) {
  const element = field("select", name);
  for (const [value, text] of options) {
    const option = fu.text("option", text);
    option.value = value;
    element.appendChild(option);
  }
  return element;
}

async function post(event, path, body) {
  event.preventDefault();
  const error = event.target.querySelector(".error");
  try {
    await huifangApi.request("POST", path, body);
    await showAll();
  } catch (err) {
    error.textContent = err.message;
  }
}

function nextStage(stage) {
  const index = STAGES.indexOf(stage);
  return index + 1 < STAGES.length ? STAGES[index + 1] : null;
}

async function complaintForm(line) {
  const form = fu.text("form", "", "complaint-step");
  const next = nextStage(line.stage);
  const actions = [["advance", next ? `转入${next}` : "—"], ["acknowledge", "受理确认"], ["respond", "答复方案"]];
  const action = select("action", next ? actions : actions.slice(1));
  const note = field("input", "note", { required: true, maxLength: 2000, size: 16, placeholder: "做了什么" });
  form.append(action, note);
  let category = null;
  let handler = null;
  if (next === "分类") {
    category = select("category", CATEGORIES.map((c) => [c, c]));
    const people = await huifangApi.request("GET", `/api/followups/complaints/${line.id}/handlers`);
    handler = select("handler_id", people.map((p) => [String(p.id), p.username]));
    form.append(category, handler);
  }
  form.append(fu.text("button", "提交"), fu.text("span", "", "error"));
  form.addEventListener("submit", (event) => post(event, `/api/followups/complaints/${line.id}`, {
    action: action.value, note: note.value, stage: action.value === "advance" ? next : null,
    category: category ? category.value : null, handler_id: handler ? Number(handler.value) : null,
  }));
  return form;
}

function clockList(line) {
  const list = fu.text("ul", "", "clocks");
  for (const clock of line.clocks) {
    const due = clock.due ? fu.localTime(clock.due) : "—";
    const item = fu.text("li", `${CLOCKS(clock.name)}：${fu.label("clockState", clock.state)}（${due}）`, `clock ${clock.state}`);
    item.dataset.clock = clock.name;
    list.appendChild(item);
  }
  return list;
}

async function showComplaints() {
  const rows = document.getElementById("complaint-rows");
  const lines = await huifangApi.request("GET", "/api/followups/complaints");
  rows.replaceChildren();
  for (const line of lines) {
    const row = document.createElement("tr");
    row.dataset.id = line.id;
    for (const value of [line.id, line.policy_no, line.salesperson, fu.label("complaintKind", line.kind), line.category, line.summary]) {
      fu.cell(row, value);
    }
    fu.cell(row, line.stage, "stage");
    fu.cell(row, line.handler);
    fu.cell(row, "").appendChild(clockList(line));
    const marks = [...line.reminded.map((c) => `已提醒${CLOCKS(c)}`), ...line.escalated.map((c) => `已升级${CLOCKS(c)}`)];
    fu.cell(row, marks.join("，"), "marks");
    fu.cell(row, "").appendChild(await complaintForm(line));
    rows.appendChild(row);
  }
}

function serviceForm(line) {
  const form = fu.text("form", "", "service-step");
  const action = select("action", Object.entries(SERVICE_ACTIONS));
  const note = field("input", "note", { required: true, maxLength: 2000, size: 16, placeholder: "说明" });
  form.append(action, note, fu.text("button", "提交"), fu.text("span", "", "error"));
  form.addEventListener("submit", (event) => post(event, `/api/followups/service/${line.id}`,
    { action: action.value, note: note.value }));
  return form;
}

async function showService() {
  const rows = document.getElementById("service-rows");
  const lines = await huifangApi.request("GET", "/api/followups/service");
  rows.replaceChildren();
  for (const line of lines) {
    const row = document.createElement("tr");
    row.dataset.id = line.id;
    fu.cell(row, line.id);
    fu.cell(row, line.policy_no);
    fu.cell(row, line.in_cooling_off ? "是（全额退费）" : "否");
    fu.cell(row, line.text);
    fu.cell(row, fu.label("serviceStatus", line.status) + (line.overdue ? "（逾期）" : ""), "status");
    fu.cell(row, line.accept_due);
    fu.cell(row, line.material_requested ? "已告知" : line.material_due);
    fu.cell(row, line.note, "note");
    fu.cell(row, "").appendChild(serviceForm(line));
    rows.appendChild(row);
  }
}

async function showPromises() {
  const rows = document.getElementById("promise-rows");
  const lines = await huifangApi.request("GET", "/api/followups/promises");
  rows.replaceChildren();
  for (const line of lines) {
    const row = document.createElement("tr");
    row.dataset.id = line.id;
    for (const value of [line.id, line.policy_no, line.call_id, line.promise, fu.localTime(line.due_at)]) {
      fu.cell(row, value);
    }
    fu.cell(row, line.overdue ? "已逾期" : "待办", line.overdue ? "status overdue" : "status");
    const form = fu.text("form", "", "keep");
    const note = field("input", "note", { required: true, maxLength: 2000, size: 16, placeholder: "如何兑现" });
    form.append(note, fu.text("button", "已兑现"), fu.text("span", "", "error"));
    form.addEventListener("submit", (event) => post(event, `/api/followups/promises/${line.id}/keep`,
      { note: note.value }));
    fu.cell(row, "").appendChild(form);
    rows.appendChild(row);
  }
}

async function showAll() {
  try {
    fu.showError("followups-error", null);
    await Promise.all([showComplaints(), showService(), showPromises()]);
  } catch (err) {
    fu.showError("followups-error", err);
  }
}

document.getElementById("complaint-form").addEventListener("submit", (event) => {
  const form = event.target;
  const body = Object.fromEntries(new FormData(form));
  if (!body.policy_no) body.policy_no = null;
  post(event, "/api/followups/complaints", body);
});

fu.start().then(showAll);
