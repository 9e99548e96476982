// The review workbench: one flagged call — the recording with an energy lane per leg and the
// flagged spans, the transcript in two lanes following the audio, each flag with its evidence
// and disposition form beside it; clicking a flag or a line plays that span; the previous and
// next call of the queue (as filtered and sorted there) without going back to it.
"use strict";

const ui = huifangConsole;
const params = new URLSearchParams(location.search);
const callId = params.get("call");
const queueParams = new URLSearchParams(params);
queueParams.delete("call");
const state = { call: null, handlers: [], selected: null, around: null, lineStarts: [], playing: -1 };
const FLAG_PAD_MS = 1500;  // a flag without an end: play this much

const ms = (value) => huifangShell.clock(value / 1000);

function spanOf(flag) {
  return [flag.start_ms, flag.end_ms && flag.end_ms > flag.start_ms ? flag.end_ms : flag.start_ms + FLAG_PAD_MS];
}

// --- the call's summary --------------------------------------------------------------------

function showSummary(call) {
  const box = document.getElementById("call-summary");
  const policy = call.policy || {};
  const age = huifangShell.age(policy.holder_birth_date);
  const item = (label, value, className) => {
    const span = ui.text("span", "", className);
    span.append(ui.text("b", label), String(value ?? "—"));
    return span;
  };
  const holder = ui.text("span", `${policy.holder_name || "—"} ${ui.label("gender", policy.holder_gender)}` +
    `${age === null ? "" : ` ${age}岁`}`, "holder");
  box.replaceChildren(holder, item("保单", policy.policy_no), item("产品", policy.product_name),
    item("电话", policy.phone), item("销售", [policy.salesperson, policy.team, policy.branch].filter(Boolean).join(" / ")),
    item("通话", `${ui.localTime(call.started_at)}${call.duration_ms ? ` · ${ms(call.duration_ms)}` : ""}`),
    item("坐席", call.agent || "机器人"),
    item("结果", call.dialogue_outcome ? ui.label("dialogueOutcome", call.dialogue_outcome) : ui.label("callOutcome", call.outcome)));
}

// --- transcript in two lanes ------------------------------------------------------------------

function markedText(line) {
  const box = document.createElement("span");
  const marks = [...line.marks].sort((a, b) => a.start - b.start);
  let at = 0;
  for (const mark of marks) {
    if (mark.start < at) continue;
    box.append(line.text.slice(at, mark.start));
    const marked = ui.text("mark", line.text.slice(mark.start, mark.end));
    marked.dataset.flag = mark.flag_id;
    box.appendChild(marked);
    at = mark.end;
  }
  box.append(line.text.slice(at));
  if (line.origin === "flag") box.appendChild(ui.text("small", "（标记原文）", "muted"));
  return box;
}

function showTranscript(call) {
  const body = document.getElementById("transcript");
  const pass = call.transcript_pass;
  document.getElementById("transcript-pass").textContent =
    pass ? ui.label("transcriptPass", pass) : "无转写存档：仅问答与标记片段";
  document.getElementById("transcript-pass").className = `badge ${pass === "after_call" ? "ok" : ""}`;
  body.replaceChildren();
  state.lineStarts = [];
  for (const line of call.transcript) {
    const row = document.createElement("tr");
    row.className = `line ${line.leg}`;
    row.dataset.start = line.start_ms;
    row.title = "点击播放这一句";
    row.appendChild(ui.text("td", ms(line.start_ms), "when"));
    const agent = ui.text("td", "", "agent");
    const customer = ui.text("td", "", "customer");
    (line.leg === "agent" ? agent : customer).appendChild(markedText(line));
    row.append(agent, customer);
    row.addEventListener("click", () => recording.playSpan(line.start_ms, line.end_ms));
    body.appendChild(row);
    state.lineStarts.push([line.start_ms, line.end_ms]);
  }
  if (!call.transcript.length) {
    const row = document.createElement("tr");
    const cell = ui.text("td", "本通话没有转写", "muted");
    cell.colSpan = 3;
    row.appendChild(cell);
    body.appendChild(row);
  }
}

// The line being heard is lit; with 跟随播放 the transcript scrolls to keep it in view.
function followAudio(atMs, playing) {
  let current = -1;
  state.lineStarts.forEach(([start, end], i) => { if (start <= atMs && atMs <= Math.max(end, start + 500)) current = i; });
  if (current === state.playing) return;
  const rows = document.querySelectorAll("#transcript tr.line");
  if (state.playing >= 0 && rows[state.playing]) rows[state.playing].classList.remove("playing");
  state.playing = current;
  if (current >= 0 && rows[current]) {
    rows[current].classList.add("playing");
    if (playing && document.getElementById("follow").checked) rows[current].scrollIntoView({ block: "nearest" });
  }
}

// --- flags and their disposition ----------------------------------------------------------------

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
    ? `${ui.label("decision", decided.decision)} #${decided.problem_case_id}（${decided.classification}）`
    : `${ui.label("decision", decided.decision)}：${decided.reason}`;
  return ui.text("p", `${what} · ${decided.decided_by} · ${ui.localTime(decided.decided_at)}`, "decided");
}

function labelled(text, field) {
  const label = ui.text("label", `${text} `);
  label.appendChild(field);
  return label;
}

function confirmForm(flag) {
  const form = ui.text("form", "", "confirm");
  const classes = ui.text("select", "");
  classes.name = "classification";
  for (const name of CASE_CLASSES) classes.appendChild(ui.text("option", name));
  const handler = ui.text("select", "");
  handler.name = "handler_id";
  for (const person of state.handlers) {
    const option = ui.text("option", `${person.username}（${ui.label("role", person.role)}）`);
    option.value = person.id;
    handler.appendChild(option);
  }
  const note = ui.text("input", "");
  note.name = "note";
  note.placeholder = "备注";
  note.maxLength = 2000;
  form.append(labelled("分类", classes), labelled("处理人", handler), note,
              ui.text("button", "确认为问题件", "danger"));
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
  reason.maxLength = 2000;
  reason.placeholder = "排除理由（必填）";
  form.append(reason, ui.text("button", "排除"));
  form.addEventListener("submit", (event) => decide(event, flag, "dismiss", { reason: reason.value }));
  return form;
}

async function decide(event, flag, action, body) {
  event.preventDefault();
  const error = event.target.closest("article").querySelector(".error");
  error.textContent = "";
  try {
    await huifangApi.request("POST", `/api/review/flags/${flag.id}/${action}`, body);
    await showCall();
  } catch (err) {
    error.textContent = err.message;
  }
}

function flagTitle(flag) {
  const category = ui.label("flagCategory", flag.category);
  return `${ui.label("flagKind", flag.kind)} · ${category}${flag.subcategory ? ` / ${flag.subcategory}` : ""}`;
}

function flagCard(flag) {
  const card = ui.text("article", "", `flag ${flag.severity}`);
  card.dataset.flag = flag.id;
  const head = ui.text("h3", "");
  head.append(ui.text("span", ui.label("severity", flag.severity), `badge ${flag.severity}`), flagTitle(flag));
  if (flag.start_ms !== null) {
    const [start, end] = spanOf(flag);
    const play = huifangShell.button(`▶ ${ms(start)}–${ms(end)}`, "small at play-span",
      (event) => { event.stopPropagation(); pick(flag.id, true); }, "播放这段录音");
    head.appendChild(play);
  }
  card.appendChild(head);
  if (flag.leg) card.appendChild(ui.text("p", `${ui.label("leg", flag.leg)}所说`, "matched"));
  if (flag.utterance) {
    const quote = ui.text("p", "", "quote");
    const [from, to] = flag.span || [0, 0];
    quote.append(flag.utterance.slice(0, from), ui.text("mark", flag.utterance.slice(from, to)), flag.utterance.slice(to));
    card.appendChild(quote);
  }
  card.appendChild(ui.text("p", flag.explanation, "explanation"));
  if (flag.reasons.length) card.appendChild(ui.text("p", flag.reasons.join("；"), "reasons"));
  if (flag.policies.length) card.appendChild(linkedPolicies(flag));
  if (flag.disposition) card.appendChild(decidedLine(flag.disposition));
  else card.append(ui.text("p", "待处理 · 点击选中后确认或排除", "pending-note"), confirmForm(flag), dismissForm(flag));
  card.appendChild(ui.text("p", "", "error"));
  card.addEventListener("click", (event) => {
    if (!event.target.closest("form, a, button")) pick(flag.id, true);
  });
  return card;
}

function showFlags(call) {
  const box = document.getElementById("flags");
  box.replaceChildren(...call.flags.map(flagCard));
  const open = call.flags.filter((flag) => !flag.disposition).length;
  document.getElementById("flag-count").textContent = `${call.flags.length} 个，待处理 ${open}`;
  document.getElementById("all-decided").hidden = open > 0 || !state.around || !state.around.next;
  recording.setSpans(call.flags.filter((flag) => flag.start_ms !== null).map((flag) => {
    const [start, end] = spanOf(flag);
    return { id: flag.id, startMs: start, endMs: end, severity: flag.severity,
             title: `${flagTitle(flag)} ${ms(start)}`, onPick: () => pick(flag.id, true) };
  }));
  // The first flag still to decide is selected on arrival (its form open), without playing.
  const first = call.flags.find((flag) => !flag.disposition) || call.flags[0];
  const keep = call.flags.some((flag) => flag.id === state.selected);
  if (keep || first) pick(keep ? state.selected : first.id, false);
}

// Select a flag: its card, span and words lit; with play, its span plays.
function pick(flagId, play) {
  const flag = state.call.flags.find((f) => f.id === Number(flagId));
  if (!flag) return;
  state.selected = flag.id;
  for (const card of document.querySelectorAll("#flags article")) {
    card.classList.toggle("selected", card.dataset.flag === String(flag.id));
  }
  recording.selectSpan(flag.id);
  const card = document.querySelector(`#flags article[data-flag='${flag.id}']`);
  card.scrollIntoView({ block: "nearest" });
  const words = document.querySelector(`#transcript mark[data-flag='${flag.id}']`);
  if (words) words.closest("tr").scrollIntoView({ block: "nearest" });
  if (play && flag.start_ms !== null) recording.playSpan(...spanOf(flag));
}

function stepFlag(step) {
  const flags = state.call ? state.call.flags : [];
  if (!flags.length) return;
  const at = flags.findIndex((f) => f.id === state.selected);
  pick(flags[(at + step + flags.length) % flags.length].id, true);
}

function focusForm(kind) {
  const card = document.querySelector(`#flags article[data-flag='${state.selected}']`) ||
    document.querySelector("#flags article");
  const field = card && card.querySelector(kind === "confirm" ? "select[name=classification]" : "input[name=reason]");
  if (field) { pick(card.dataset.flag, false); field.focus(); }
}

// --- the queue around this call -------------------------------------------------------------------

function callHref(id) {
  const next = new URLSearchParams(queueParams);
  next.set("call", id);
  return `review_call.html?${next}`;
}

async function showQueuePosition() {
  const queue = queueParams.toString();
  document.getElementById("back-to-queue").href = `review.html${queue ? `?${queue}` : ""}`;
  try {
    state.around = await huifangApi.request("GET", `/api/review/queue/around/${encodeURIComponent(callId)}?${queue}`);
  } catch (err) {
    return;
  }
  const around = state.around;
  document.getElementById("queue-position").textContent = around.position
    ? `第 ${around.position} / ${around.total} 通` : `不在当前队列中（共 ${around.total} 通）`;
  document.getElementById("prev-call").disabled = !around.previous;
  document.getElementById("next-call").disabled = !around.next;
}

function goTo(which) {
  const id = state.around && state.around[which];
  if (id) location.href = callHref(id);
}

// --- loading ----------------------------------------------------------------------------------------

async function showCall() {
  const path = `/api/review/calls/${encodeURIComponent(callId)}`;
  const call = await huifangApi.request("GET", path);
  state.call = call;
  if (!state.handlers.length) state.handlers = await huifangApi.request("GET", `${path}/handlers`);
  showSummary(call);
  document.getElementById("no-recording").hidden = call.has_recording;
  if (call.has_recording) recording.setSource(`${path}/recording`);
  recording.setDuration(call.duration_ms || 0);
  showTranscript(call);
  showFlags(call);
  // The duplicate-voice search did not run on this call: voiceprints are off here (PIPL).
  document.getElementById("checks-skipped").hidden =
    !(call.checks_skipped || []).includes("duplicate_voice");
  window.reviewCall = call;
}

async function showEnergy() {
  if (!state.call || !state.call.has_recording) return;
  const points = Math.min(4000, Math.max(200, Math.round(document.getElementById("lanes").clientWidth)));
  recording.energy = await huifangApi.request("GET", `/api/review/calls/${encodeURIComponent(callId)}/energy?points=${points}`);
  recording.setDuration(recording.energy.duration_ms);
  recording.draw();
}

function wireKeys() {
  const add = huifangShell.keys.add;
  add({ key: "Space", shown: "空格", label: "播放 / 暂停", run: () => recording.toggle() });
  add({ key: "ArrowLeft", shown: "←", label: "后退 5 秒", run: () => recording.seekBy(-5) });
  add({ key: "ArrowRight", shown: "→", label: "前进 5 秒", run: () => recording.seekBy(5) });
  add({ key: "n", label: "下一个标记（并播放）", run: () => stepFlag(1) });
  add({ key: "p", label: "上一个标记（并播放）", run: () => stepFlag(-1) });
  add({ key: "r", label: "重播所选标记", run: () => pick(state.selected || state.call?.flags[0]?.id, true) });
  add({ key: "c", label: "确认为问题件（填写表单）", run: () => focusForm("confirm") });
  add({ key: "x", label: "排除（填写理由）", run: () => focusForm("dismiss") });
  add({ key: "j", label: "队列中的下一通", run: () => goTo("next") });
  add({ key: "k", label: "队列中的上一通", run: () => goTo("previous") });
  add({ key: "u", label: "返回队列", run: () => { location.href = document.getElementById("back-to-queue").href; } });
}

async function start() {
  document.getElementById("call-id").textContent = `#${callId}`;
  await huifangConsole.start();
  recording.init();
  recording.listeners.push(followAudio);
  document.getElementById("prev-call").addEventListener("click", () => goTo("previous"));
  document.getElementById("next-call").addEventListener("click", () => goTo("next"));
  document.getElementById("go-next").addEventListener("click", () => goTo("next"));
  wireKeys();
  try {
    await showQueuePosition();
    await showCall();
    await showEnergy();
  } catch (err) {
    huifangConsole.showError("call-error", err);
  }
}

start();
