// The agent screen: the call's policy card, then its live events from /ws/calls/{id}.
"use strict";

const callId = new URLSearchParams(location.search).get("call");

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

const partialLines = {};  // leg -> the transcript line still being recognised

// One handler per event type; types the screen does not show yet are ignored.
const onEvent = {
  subscribed() { document.getElementById("status").textContent = "实时"; },
  Hint(e) {
    const item = line("hints", e.message, `hint ${e.flag.severity}`);
    item.dataset.rule = e.flag.rule_id;
    if (e.suggested_wording) line("hints", `建议话术: ${e.suggested_wording}`, "wording");
  },
  Flag(e) { line("hints", `${e.category}: ${e.explanation}`, `flag ${e.severity}`); },
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
  ItemConfirmed(e) { line("items", `${e.step_id}: 已确认`, "confirmed"); },
  ProblemItem(e) { line("items", `${e.step_id}: 问题 (${e.reason})`, "problem"); },
};

async function start() {
  document.getElementById("call-id").textContent = `#${callId}`;
  try {
    await huifangApi.me();
    const call = await huifangApi.request("GET", `/api/calls/${encodeURIComponent(callId)}`);
    if (call.policy) showPolicy(call.policy);
  } catch (err) {
    document.getElementById("status").textContent = err.message;
    return;
  }
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/ws/calls/${encodeURIComponent(callId)}`);
  socket.onmessage = (message) => {
    const data = JSON.parse(message.data);
    const handler = onEvent[data.type];
    if (handler) handler(data.event || data);
  };
  socket.onclose = () => { document.getElementById("status").textContent = "已断开"; };
}

start();
