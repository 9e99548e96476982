// The agent screen: start a callback, then the call's policy card, script with item states,
// both legs' transcripts, hints with evidence; live events come from /ws/calls/{id}.
"use strict";

const callId = new URLSearchParams(location.search).get("call");
const itemRows = {};  // step_id -> its row in the script table

function line(listId, text, className) {
  const item = document.createElement("li");
  item.textContent = text;
  if (className) item.className = className;
  document.getElementById(listId).appendChild(item);
  return item;
}

function showPolicy(policy) {
  const list = document.getElementById("policy");
  list.replaceChildren();
  const shown = { policy_no: "保单号", product_name: "产品", holder_name: "投保人",
                  phone: "电话", holder_id_last4: "证件号", salesperson: "销售人员" };
  for (const [key, label] of Object.entries(shown)) {
    const term = document.createElement("dt");
    term.textContent = label;
    const value = document.createElement("dd");
    value.textContent = policy[key] ?? "";
    list.append(term, value);
  }
}

function setItemState(stepId, state) {
  const row = itemRows[stepId];
  if (!row) return;
  const cell = row.querySelector(".state");
  cell.textContent = huifangShell.label("itemState", state);
  row.dataset.state = state;
  row.className = `item ${state}`;
}

async function act(path, body) {
  const error = document.getElementById("action-error");
  error.textContent = "";
  try {
    return await huifangApi.request("POST", `/api/calls/${encodeURIComponent(callId)}/${path}`, body);
  } catch (err) {
    error.textContent = err.message;
    return null;
  }
}

function button(label, className, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = label;
  b.className = className;
  b.addEventListener("click", onClick);
  return b;
}

function showScript(script) {
  const body = document.getElementById("items");
  body.replaceChildren();
  for (const step of script.steps) {
    const row = document.createElement("tr");
    row.dataset.step = step.step_id;
    const item = document.createElement("td");
    item.textContent = step.item ? `${step.item}` : "附";
    const topic = document.createElement("td");
    topic.textContent = step.topic;
    topic.title = step.prompt;
    const state = document.createElement("td");
    state.className = "state";
    const marks = document.createElement("td");
    for (const [value, label] of Object.entries(LABELS.itemState)) {
      marks.appendChild(button(label, `mark ${value}`,
        () => act("marks", { step_id: step.step_id, state: value })));
    }
    marks.appendChild(button("问题件", "case",
      () => act("problem-cases", { step_id: step.step_id, note: "" })));
    row.append(item, topic, state, marks);
    body.appendChild(row);
    itemRows[step.step_id] = row;
    if (step.state) setItemState(step.step_id, step.state);
  }
}

function showHint(e) {
  const item = line("hints", e.message, `hint ${e.flag.severity}`);
  item.dataset.rule = e.flag.rule_id;
  // The evidence: who said it and the words, the matched part highlighted (whole-call
  // flags have no single utterance).
  if (e.flag.text) showEvidence(e.flag);
  if (e.suggested_wording) line("hints", `建议话术: ${e.suggested_wording}`, "wording");
}

function showEvidence(flag) {
  const evidence = line("hints", "", `evidence ${flag.leg}`);
  const [from, to] = flag.span;
  const said = flag.text;
  const mark = document.createElement("mark");
  mark.textContent = said.slice(from, to);
  evidence.append(`${flag.leg === "agent" ? "坐席" : "客户"} ${flag.start.toFixed(1)}s: `,
                  said.slice(0, from), mark, said.slice(to));
}

const partialLines = {};  // leg -> the transcript line still being recognised

// One handler per event type; types the screen does not show are ignored.
const onEvent = {
  subscribed() { document.getElementById("status").textContent = "实时"; },
  Hint: showHint,
  VoiceCue(e) { line("hints", e.message, `cue ${e.severity}`); },
  Transcript(e) {
    // A leg's partial is one line rewritten as recognition goes on; its final settles it.
    const leg = e.leg || "customer";
    const item = partialLines[leg] || line("transcript", "", `partial ${leg}`);
    item.textContent = `[${leg}] ${e.text}`;
    if (e.kind === "final") {
      item.className = `final ${leg}`;
      delete partialLines[leg];
    } else {
      partialLines[leg] = item;
    }
  },
  Prompt(e) {  // the robot asked an item: asked, unless it already has an outcome
    if (e.purpose === "ask" && e.step_id && !itemRows[e.step_id]?.dataset.state) {
      setItemState(e.step_id, "asked");
    }
  },
  ItemConfirmed(e) { setItemState(e.step_id, "confirmed"); },
  ProblemItem(e) { setItemState(e.step_id, "problem"); },
  ItemMarked(e) { setItemState(e.step_id, e.state); },
  AgentNote(e) { line("notes", `${e.by}: ${e.text}`, "note"); },
  ProblemCaseRaised(e) {
    line("notes", `问题件 #${e.case_id}${e.step_id ? ` (${e.step_id})` : ""} ${e.note}`, "case");
  },
  TransferToHuman(e) { line("hints", `转人工: ${e.reason || ""}`, "hint medium"); },
  CallStatus(e) {
    document.getElementById("stage").textContent = huifangShell.label("callStage", e.stage);
    document.getElementById("stage").dataset.stage = e.stage;
  },
};

function listen() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/ws/calls/${encodeURIComponent(callId)}`);
  socket.onmessage = (message) => {
    const data = JSON.parse(message.data);
    const handler = onEvent[data.type];
    if (handler) handler(data.event || data);
  };
  socket.onclose = () => { document.getElementById("status").textContent = "已断开"; };
}

function wireActions() {
  const form = document.getElementById("note-form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (await act("notes", { text: form.text.value })) form.text.value = "";
  });
  document.getElementById("raise-case").addEventListener("click", async () => {
    if (await act("problem-cases", { note: form.text.value })) form.text.value = "";
  });
}

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
  const form = document.getElementById("start-callback");
  form.hidden = false;
  document.getElementById("status").textContent = "";
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
}

async function start() {
  try {
    await huifangShell.signedIn();
  } catch (err) {
    document.getElementById("status").textContent = err.message;
    return;
  }
  if (!callId) { showStartForm(); return; }
  document.getElementById("call-id").textContent = `#${callId}`;
  try {
    const call = await huifangApi.request("GET", `/api/calls/${encodeURIComponent(callId)}`);
    if (call.policy) showPolicy(call.policy);
    document.getElementById("live").hidden = false;
    if (call.policy) showScript(await huifangApi.request("GET", `/api/calls/${encodeURIComponent(callId)}/script`));
    for (const action of await huifangApi.request("GET", `/api/calls/${encodeURIComponent(callId)}/actions`)) {
      if (action.kind === "note") onEvent.AgentNote({ by: action.by, text: action.text });
      if (action.kind === "problem_case") onEvent.ProblemCaseRaised({ case_id: action.problem_case_id, step_id: action.step_id, note: action.text });
    }
  } catch (err) {
    document.getElementById("status").textContent = err.message;
    return;
  }
  wireActions();
  listen();
}

start();
