// One flagged call: recording with the flagged spans on its timeline, the transcript with
// the evidence marked, each flag with its cues and linked policies, and the disposition forms.
"use strict";

const callId = new URLSearchParams(location.search).get("call");
const ui = huifangConsole;
let durationMs = 0;

function seek(ms) {
  const player = document.getElementById("player");
  if (!player.src) return;
  player.currentTime = ms / 1000;
}

function showPolicy(policy) {
  const list = document.getElementById("policy");
  list.replaceChildren();
  const shown = { policy_no: "保单号", product_name: "产品", holder_name: "投保人",
                  holder_gender: "性别", holder_birth_date: "出生日期", phone: "电话",
                  salesperson: "销售人员", team: "团队", branch: "分支机构" };
  for (const [key, label] of Object.entries(shown)) {
    const value = key === "holder_gender" ? ui.label("gender", policy[key]) : policy[key];
    list.append(ui.text("dt", label), ui.text("dd", value));
  }
}

function showTimeline(call) {
  const timeline = document.getElementById("timeline");
  for (const old of timeline.querySelectorAll(".span-mark")) old.remove();
  if (!durationMs) return;
  for (const flag of call.flags) {
    if (flag.start_ms === null) continue;
    const mark = ui.text("button", "", `span-mark severity ${flag.severity}`);
    mark.type = "button";
    mark.dataset.flag = flag.id;
    mark.title = `${flag.subcategory || flag.category} ${(flag.start_ms / 1000).toFixed(1)}s`;
    mark.style.left = `${Math.min(100, (100 * flag.start_ms) / durationMs)}%`;
    const width = (100 * Math.max(200, (flag.end_ms || flag.start_ms) - flag.start_ms)) / durationMs;
    mark.style.width = `${Math.min(100, width)}%`;
    mark.addEventListener("click", () => seek(flag.start_ms));
    timeline.appendChild(mark);
  }
}

function showTranscript(lines) {
  const list = document.getElementById("transcript");
  list.replaceChildren();
  for (const line of lines) {
    const item = ui.text("li", "", `line ${line.leg}`);
    item.appendChild(ui.text("span", `[${line.leg} ${(line.start_ms / 1000).toFixed(1)}s] `, "when"));
    // Marked characters become <mark>; everything stays text, nothing is parsed as HTML.
    const marks = [...line.marks].sort((a, b) => a.start - b.start);
    let at = 0;
    for (const mark of marks) {
      if (mark.start < at) continue;
      item.appendChild(document.createTextNode(line.text.slice(at, mark.start)));
      const marked = ui.text("mark", line.text.slice(mark.start, mark.end));
      marked.dataset.flag = mark.flag_id;
      item.appendChild(marked);
      at = mark.end;
    }
    item.appendChild(document.createTextNode(line.text.slice(at)));
    item.addEventListener("click", () => seek(line.start_ms));
    list.appendChild(item);
  }
}

function linkedPolicies(flag) {
  const list = ui.text("ul", "", "linked");
  for (const policy of flag.policies) {
    const score = policy.score === null ? "" : ` 相似度 ${policy.score.toFixed(2)}`;
    const who = policy.holder_name ? ` ${policy.holder_name}（${policy.salesperson}）` : "（本中心无此保单）";
    const item = ui.text("li", `${policy.policy_no}${who}${score} `);
    for (const id of policy.call_ids) {
      item.appendChild(ui.link(`review_call.html?call=${encodeURIComponent(id)}`, `通话#${id}`));
      item.append(" ");
    }
    list.appendChild(item);
  }
  return list;
}

function decidedLine(decided) {
  const what = decided.decision === "confirmed"
    ? `已确认为问题件 #${decided.problem_case_id}（${decided.classification}）`
    : `已排除：${decided.reason}`;
  return ui.text("p", `${what} · ${decided.decided_by} · ${ui.localTime(decided.decided_at)}`, "decided");
}

function confirmForm(flag, handlers) {
  const form = ui.text("form", "", "confirm");
  const classes = ui.text("select", "");
  classes.name = "classification";
  for (const name of CASE_CLASSES) classes.appendChild(ui.text("option", name));
  const handler = ui.text("select", "");
  handler.name = "handler_id";
  for (const person of handlers) {
    const option = ui.text("option", `${person.username}（${ui.label("role", person.role)}）`);
    option.value = person.id;
    handler.appendChild(option);
  }
  const note = ui.text("input", "");
  note.name = "note";
  note.placeholder = "备注";
  const label = (text, field) => { const l = ui.text("label", `${text} `); l.appendChild(field); return l; };
  form.append(label("分类", classes), label("处理人", handler), note,
              ui.text("button", "确认为问题件"));
  form.addEventListener("submit", (event) => decide(event, flag, "confirm", {
    classification: classes.value, handler_id: Number(handler.value), note: note.value,
  }));
  return form;
}

function dismissForm(flag) {
  const form = ui.text("form", "", "dismiss");
  const reason = ui.text("input", "");
  reason.name = "reason";
  reason.required = true;
  reason.placeholder = "排除理由（必填）";
  form.append(reason, ui.text("button", "排除"));
  form.addEventListener("submit", (event) => decide(event, flag, "dismiss", { reason: reason.value }));
  return form;
}

async function decide(event, flag, action, body) {
  event.preventDefault();
  const error = event.target.parentElement.querySelector(".error");
  try {
    await huifangApi.request("POST", `/api/review/flags/${flag.id}/${action}`, body);
    await showCall();
  } catch (err) {
    error.textContent = err.message;
  }
}

function showFlags(call, handlers) {
  const box = document.getElementById("flags");
  box.replaceChildren();
  for (const flag of call.flags) {
    const card = ui.text("article", "", `flag severity ${flag.severity}`);
    card.dataset.flag = flag.id;
    const when = flag.start_ms === null ? "" : ` @ ${(flag.start_ms / 1000).toFixed(1)}s`;
    card.appendChild(ui.text("h3", `${ui.label("flagKind", flag.kind)} · ${flag.category}` +
      `${flag.subcategory ? " / " + flag.subcategory : ""} · ${ui.label("severity", flag.severity)}${when}`));
    card.appendChild(ui.text("p", flag.explanation, "explanation"));
    if (flag.matched) card.appendChild(ui.text("p", `命中：“${flag.matched}”`, "matched"));
    if (flag.reasons.length) card.appendChild(ui.text("p", flag.reasons.join("；"), "reasons"));
    if (flag.policies.length) card.appendChild(linkedPolicies(flag));
    if (flag.disposition) {
      card.appendChild(decidedLine(flag.disposition));
    } else {
      card.append(confirmForm(flag, handlers), dismissForm(flag));
    }
    card.appendChild(ui.text("p", "", "error"));
    box.appendChild(card);
  }
}

async function showCall() {
  const call = await huifangApi.request("GET", `/api/review/calls/${encodeURIComponent(callId)}`);
  const handlers = await huifangApi.request("GET", `/api/review/calls/${encodeURIComponent(callId)}/handlers`);
  if (call.policy) showPolicy(call.policy);
  durationMs = durationMs || call.duration_ms || 0;
  const player = document.getElementById("player");
  if (call.has_recording && !player.src) {
    player.src = `/api/review/calls/${encodeURIComponent(callId)}/recording`;
  }
  document.getElementById("no-recording").hidden = call.has_recording;
  showTimeline(call);
  showTranscript(call.transcript);
  showFlags(call, handlers);
  window.reviewCall = call;
}

async function start() {
  document.getElementById("call-id").textContent = `#${callId}`;
  await huifangConsole.start();
  const player = document.getElementById("player");
  player.addEventListener("loadedmetadata", () => {
    if (Number.isFinite(player.duration) && player.duration > 0) {
      durationMs = player.duration * 1000;
      if (window.reviewCall) showTimeline(window.reviewCall);
    }
  });
  player.addEventListener("timeupdate", () => {
    if (durationMs) {
      document.getElementById("playhead").style.left = `${(100 * player.currentTime * 1000) / durationMs}%`;
    }
  });
  try {
    await showCall();
  } catch (err) {
    huifangConsole.showError("call-error", err);
  }
}

start();
