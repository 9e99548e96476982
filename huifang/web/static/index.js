// The sign-in form, then the calls the user may see (newest first, paged), each opening its
// agent screen: live while the call runs, its stored transcript and hints once it has ended.
"use strict";

const PAGE_SIZE = 50;
let shownFrom = 0;
let hasMore = false;

// The call's result in words: the dialogue's verdict when there was one, else how it ended.
function outcomeText(call) {
  if (call.dialogue_outcome) return huifangShell.label("dialogueOutcome", call.dialogue_outcome);
  if (call.outcome) return huifangShell.label("callOutcome", call.outcome);
  return call.ended_at ? "" : "进行中";
}

async function showCalls(from) {
  const t = huifangShell.text;
  const calls = await huifangApi.request("GET", `/api/calls?limit=${PAGE_SIZE + 1}&offset=${from}`);
  shownFrom = from;
  hasMore = calls.length > PAGE_SIZE;
  const rows = document.getElementById("call-rows");
  rows.replaceChildren();
  for (const call of calls.slice(0, PAGE_SIZE)) {
    const row = document.createElement("tr");
    row.dataset.call = call.id;
    const link = t("a", `#${call.id}`);
    link.href = `agent.html?call=${encodeURIComponent(call.id)}`;
    const first = t("td", "");
    first.appendChild(link);
    if (CONSOLE_ROLES.includes(huifangShell.me.role)) {
      const review = t("a", "质检");
      review.href = `review_call.html?call=${encodeURIComponent(call.id)}`;
      review.className = "muted";
      first.append(" ", review);
    }
    row.append(first, t("td", huifangShell.localTime(call.started_at), "nowrap"),
      t("td", huifangShell.label("direction", call.direction)), t("td", call.policy_no),
      t("td", call.holder_name), t("td", call.agent), t("td", outcomeText(call)));
    rows.appendChild(row);
  }
  const pager = document.getElementById("calls-pager");
  pager.replaceChildren(t("span", calls.length ? `第 ${from + 1}–${from + Math.min(calls.length, PAGE_SIZE)} 条` : "没有通话"));
  if (from > 0) pager.appendChild(huifangShell.button("上一页", "small", () => showCalls(Math.max(0, from - PAGE_SIZE))));
  if (calls.length > PAGE_SIZE) pager.appendChild(huifangShell.button("下一页", "small", () => showCalls(from + PAGE_SIZE)));
}

async function signedIn(me) {
  huifangShell.showBar(me);
  document.getElementById("sign-in").hidden = true;
  document.getElementById("calls").hidden = false;
  document.getElementById("agent-start").hidden = me.role !== "agent";
  document.getElementById("calls-note").textContent = me.role === "agent" ? "我的通话" : "全部通话";
  await showCalls(0);
}

document.getElementById("sign-in").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const error = document.getElementById("sign-in-error");
  try {
    error.textContent = "";
    await signedIn(await huifangApi.signIn(form.username.value, form.password.value));
  } catch (err) {
    error.textContent = err.message;
  }
});

huifangShell.keys.add({ key: "ArrowRight", label: "下一页", run: () => showCalls(shownFrom + PAGE_SIZE),
  when: () => !document.getElementById("calls").hidden && hasMore });
huifangShell.keys.add({ key: "ArrowLeft", label: "上一页", run: () => showCalls(Math.max(0, shownFrom - PAGE_SIZE)),
  when: () => !document.getElementById("calls").hidden && shownFrom > 0 });

huifangApi.me().then(signedIn).catch(() => {});  // not signed in yet: the form stays
