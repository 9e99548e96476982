// The agent desk (坐席台): start a callback or take a robot's 转人工; then one screen for the
// call — state and policy on top, the checklist beside the rolling two-leg transcript, hints in
// their fixed panel. Live events come from /ws/calls/{id} (the documented event JSON); a call
// that has ended shows its stored transcript and hints through the same code.
"use strict";

const callId = new URLSearchParams(location.search).get("call");
const desk = { call: null, ended: false, timer: null, subscribed: false, buffered: [] };

function setStatus(text) { document.getElementById("status").textContent = text; }

async function post(path, body) {
  const error = document.getElementById("action-error");
  error.textContent = "";
  try {
    return await huifangApi.request("POST", `/api/calls/${encodeURIComponent(callId)}/${path}`, body);
  } catch (err) {
    error.textContent = err.message;
    return null;
  }
}

// --- the call bar ------------------------------------------------------------------------------

function showPolicy(policy) {
  const t = huifangShell.text;
  const box = document.getElementById("policy");
  const age = huifangShell.age(policy.holder_birth_date);
  const field = (label, value) => {
    const span = t("span", "");
    span.append(t("b", label), String(value ?? "—"));
    return span;
  };
  const daysLeft = policy.cooling_off_deadline
    ? Math.ceil((new Date(`${policy.cooling_off_deadline}T23:59:59`) - new Date()) / 86400000) : null;
  const coolingOff = policy.cooling_off_deadline
    ? `${policy.cooling_off_deadline}${daysLeft !== null && daysLeft >= 0 ? `（剩 ${daysLeft} 天）` : "（已过）"}` : "—";
  box.replaceChildren(
    t("span", `${policy.holder_name} ${huifangShell.label("gender", policy.holder_gender)}${age === null ? "" : ` ${age}岁`}`, "holder"),
    field("保单号", policy.policy_no), field("产品", productText(policy)),
    field("电话", policy.phone), field("证件号", policy.holder_id_last4),
    field("缴费", policy.payment_years ? `${policy.payment_frequency || ""} ${policy.payment_years} 年 · ${policy.premium_yuan} 元` : "趸交"),
    field("业务员", `${policy.salesperson}（${policy.team}）`), field("犹豫期至", coolingOff));
}

// The product, with its family (分红型 …) unless its name already says it.
function productText(policy) {
  const family = huifangShell.label("family", policy.family);
  const core = family.replace(/型$/, "").split("/")[0];
  return policy.product_name.includes(core) ? policy.product_name : `${policy.product_name}（${family}）`;
}

function showStage(stage) {
  const element = document.getElementById("stage");
  element.textContent = huifangShell.label("callStage", stage);
  element.dataset.stage = stage;
  if (stage === "ended") callEnded();
}

function runTimer(startedAt) {
  const started = new Date(startedAt).getTime();
  const show = () => {
    const until = desk.ended && desk.call.ended_at ? new Date(desk.call.ended_at).getTime() : Date.now();
    document.getElementById("timer").textContent = huifangShell.clock((until - started) / 1000);
  };
  show();
  desk.timer = setInterval(show, 1000);
}

function callEnded() {
  if (desk.ended) return;
  desk.ended = true;
  document.getElementById("live-dot").classList.remove("live");
  setStatus("");  // the stage says 已结束; the stored call opens as 存档回看 from now on
  clearInterval(desk.timer);
}

// --- events --------------------------------------------------------------------------------------

// One handler per event type of /ws/calls/{id}; types the desk does not show are ignored.
const onEvent = {
  subscribed() {
    desk.subscribed = true;
    setStatus("实时");
    document.getElementById("live-dot").classList.add("live");
  },
  Transcript(e) { feed.transcript(e); },
  Hint(e, stored) { feed.hint(e, !stored); },
  VoiceCue(e, stored) { feed.cue(e, !stored); },
  Prompt(e) { if (e.purpose === "ask" && e.step_id) checklist.asked(e.step_id); },
  ItemConfirmed(e) { checklist.setState(e.step_id, "confirmed"); },
  ProblemItem(e) { checklist.setState(e.step_id, "problem"); },
  ItemMarked(e) { checklist.setState(e.step_id, e.state); },
  AgentNote(e) { agentNote(e, "live"); },
  ProblemCaseRaised(e) { caseNote(e); },
  TransferToHuman(e) { feed.notice(`客户要求转人工${e.reason ? `：${e.reason}` : ""}`, "medium"); },
  CallStatus(e) { showStage(e.stage); },
};

function note(text, className) {
  const list = document.getElementById("notes");
  list.prepend(huifangShell.text("li", text, className));
}

// A note written as the call ends is both echoed here and published live: shown once (an echo
// and a live note of the same text pair up; notes carry no id).
function agentNote(e, source) {
  const text = `${e.by}: ${e.text}`;
  const other = source === "echo" ? "live" : "echo";
  const twin = [...document.querySelectorAll("#notes li.note")].find((li) =>
    li.dataset.source === other && !li.dataset.paired && li.textContent === text);
  if (twin) { twin.dataset.paired = "1"; return; }
  note(text, "note");
  document.getElementById("notes").firstElementChild.dataset.source = source;
}

// A case raised as the call ends is both echoed here and published live: shown once, by its id.
function caseNote(e) {
  const list = document.getElementById("notes");
  if ([...list.querySelectorAll("li.case")].some((li) => li.dataset.caseId === String(e.case_id))) return;
  note(caseText(e.case_id, e.step_id, e.note), "case");
  list.firstElementChild.dataset.caseId = String(e.case_id);
}

function caseText(caseId, stepId, text) {
  const step = checklist.steps.find((s) => s.step_id === stepId);
  return `问题件 #${caseId}${step ? `（${step.topic}）` : "（整通）"} ${text || ""}`;
}

function listen() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/ws/calls/${encodeURIComponent(callId)}`);
  socket.onmessage = (message) => {
    const data = JSON.parse(message.data);
    const handler = onEvent[data.type];
    if (handler) handler(data.event || data);
  };
  socket.onclose = () => {
    document.getElementById("live-dot").classList.remove("live");
    if (!desk.ended) setStatus("已断开");
  };
}

// What is stored of the call: its transcript and hints (all of them once it has ended; so far,
// after a reload mid-call). Shown through the live handlers, each line and hint once.
async function showStored() {
  const base = `/api/calls/${encodeURIComponent(callId)}`;
  const [transcript, hints] = await Promise.all([
    huifangApi.request("GET", `${base}/transcript`), huifangApi.request("GET", `${base}/hints`)]);
  for (const line of transcript.lines) feed.storedLine(line);
  for (const event of hints) onEvent[event.type]?.(event.event, true);
  feed.toLatest();
  return transcript;
}

// --- actions -------------------------------------------------------------------------------------

function wireActions() {
  const form = document.getElementById("note-form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const done = await post("notes", { text: form.text.value });
    if (done) {
      if (desk.ended) agentNote({ by: done.by, text: done.text }, "echo");  // maybe no live one
      form.text.value = "";
    }
  });
  document.getElementById("raise-case").addEventListener("click", openCaseDialog);
  document.getElementById("sound-toggle").addEventListener("click", () => feed.toggleSound());
  const dialog = document.getElementById("case-dialog");
  const caseForm = document.getElementById("case-form");
  document.getElementById("case-cancel").addEventListener("click", () => dialog.close());
  caseForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const stepId = caseForm.step_id.value || null;
    const done = await huifangApi.request("POST", `/api/calls/${encodeURIComponent(callId)}/problem-cases`,
      { step_id: stepId, note: caseForm.note.value }).catch((err) => {
      caseForm.querySelector(".error").textContent = err.message;
      return null;
    });
    if (!done) return;
    if (desk.ended) onEvent.ProblemCaseRaised({ case_id: done.problem_case_id, step_id: stepId, note: caseForm.note.value });
    dialog.close();
  });
  caseForm.note.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) caseForm.requestSubmit();
  });
  wireRequestDialog();
}

// A complaint or surrender request the customer made: into the complaint workflow (its clocks
// start now) or to policy service; shown to every screen on the call as a note.
function wireRequestDialog() {
  const dialog = document.getElementById("request-dialog");
  const form = document.getElementById("request-form");
  document.getElementById("register-request").addEventListener("click", openRequestDialog);
  document.getElementById("request-cancel").addEventListener("click", () => dialog.close());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const done = await huifangApi.request("POST", `/api/calls/${encodeURIComponent(callId)}/requests`,
      { kind: form.kind.value, text: form.text.value }).catch((err) => {
      form.querySelector(".error").textContent = err.message;
      return null;
    });
    if (!done) return;
    if (desk.ended) {  // no live echo once the call has ended
      const what = done.complaint_id ? `投诉 #${done.complaint_id}` : `退保申请 #${done.service_request_id}`;
      onEvent.AgentNote({ by: done.by, text: `已登记${what}：${done.text}` });
    }
    dialog.close();
  });
}

function openRequestDialog() {
  const form = document.getElementById("request-form");
  form.text.value = document.querySelector("#note-form input[name=text]").value;
  form.querySelector(".error").textContent = "";
  document.getElementById("request-dialog").showModal();
  form.kind.focus();
}

function openCaseDialog() {
  const form = document.getElementById("case-form");
  const select = form.step_id;
  select.replaceChildren(huifangShell.text("option", "整通（不针对某一项）"));
  select.options[0].value = "";
  for (const step of checklist.steps) {
    const option = huifangShell.text("option", `${step.item ? `第${step.item}项 ` : ""}${step.topic}`);
    option.value = step.step_id;
    select.appendChild(option);
  }
  const selected = checklist.selectedStep();
  if (selected) select.value = selected.step_id;
  form.note.value = document.querySelector("#note-form input[name=text]").value;
  form.querySelector(".error").textContent = "";
  document.getElementById("case-dialog").showModal();
  form.note.focus();
}

function wireKeys() {
  checklist.wireKeys();
  const add = huifangShell.keys.add;
  add({ key: "q", shown: "Q", label: "提交问题件（当前项）", run: openCaseDialog });
  add({ key: "Q", run: openCaseDialog });
  add({ key: "r", shown: "R", label: "登记投诉/退保申请", run: openRequestDialog });
  add({ key: "e", shown: "E", label: "写备注", run: () => document.querySelector("#note-form input[name=text]").focus() });
  add({ key: "m", shown: "M", label: "提示音 开/关", run: () => feed.toggleSound() });
  add({ key: "f", shown: "F", label: "转写回到最新", run: () => feed.toLatest() });
}

// --- starting a call -----------------------------------------------------------------------------

async function waitForHandover(form) {
  // Free for robot callbacks' 转人工: the handed-over call appears on this agent's list.
  const agentUri = form.agent_uri.value.trim();
  const known = new Set((await huifangApi.request("GET", "/api/calls")).map((c) => c.id));
  await huifangApi.request("PUT", "/api/live/availability", { agent_uri: agentUri });
  localStorage.setItem("huifang.agentUri", agentUri);
  document.getElementById("waiting").textContent = "等待转接…";
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const fresh = (await huifangApi.request("GET", "/api/calls")).find((c) => !known.has(c.id));
    if (fresh) { location.search = `?call=${encodeURIComponent(fresh.id)}`; return; }
  }
}

function showStartForm() {
  document.body.classList.remove("desk");
  document.getElementById("start-panel").hidden = false;
  const form = document.getElementById("start-callback");
  form.agent_uri.value = localStorage.getItem("huifang.agentUri") || "";
  document.getElementById("take-handover").addEventListener("click", () => {
    if (!form.agent_uri.reportValidity()) return;
    waitForHandover(form).catch((err) => {
      document.getElementById("start-error").textContent = err.message;
    });
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { policy_no: form.policy_no.value.trim(), agent_uri: form.agent_uri.value.trim() };
    if (form.customer_uri.value.trim()) body.customer_uri = form.customer_uri.value.trim();
    try {
      const started = await huifangApi.request("POST", "/api/live/callbacks", body);
      localStorage.setItem("huifang.agentUri", body.agent_uri);
      location.search = `?call=${encodeURIComponent(started.call_id)}`;
    } catch (err) {
      document.getElementById("start-error").textContent = err.message;
    }
  });
  form.policy_no.focus();
}

// --- the call --------------------------------------------------------------------------------------

async function showCall() {
  const base = `/api/calls/${encodeURIComponent(callId)}`;
  const call = await huifangApi.request("GET", base);
  desk.call = call;
  document.getElementById("live").hidden = false;
  document.getElementById("call-id").textContent = `通话 #${call.id}`;
  if (call.policy) {
    showPolicy(call.policy);
    checklist.show(await huifangApi.request("GET", `${base}/script`), post);
  }
  for (const action of await huifangApi.request("GET", `${base}/actions`)) {
    if (action.kind === "note") onEvent.AgentNote({ by: action.by, text: action.text });
    if (action.kind === "problem_case") onEvent.ProblemCaseRaised({ case_id: action.problem_case_id, step_id: action.step_id, note: action.text });
  }
  wireActions();
  wireKeys();
  feed.wireScrolling();
  feed.showSound();
  if (call.ended_at) {
    desk.ended = true;
    showStage("ended");
    const transcript = await showStored();
    setStatus(transcript.transcript_pass ? `存档回看 · ${huifangShell.label("transcriptPass", transcript.transcript_pass)}` : "存档回看");
    runTimer(call.started_at);
  } else {
    runTimer(call.started_at);
    await showStored();
    listen();
  }
  feed.empty("transcript", desk.ended ? "本通话没有存档的转写" : "等待双方说话…");
  feed.empty("hints", desk.ended ? "本通话没有提示" : "有误导或身份疑点时，提示会出现在这里");
}

async function start() {
  try {
    await huifangShell.signedIn();
  } catch (err) {
    return;
  }
  if (!callId) { showStartForm(); return; }
  try {
    await showCall();
  } catch (err) {
    document.getElementById("live").hidden = false;
    setStatus(err.message);
  }
}

start();
