// 专人回访: the callbacks a special-attention listing gave this agent; one fills the call form.
"use strict";

async function showAssignments() {
  const form = document.getElementById("start-callback");
  const panel = document.getElementById("start-panel");
  if (!form || !panel || panel.hidden) return;
  const lines = await huifangApi.request("GET", "/api/my/assignments");
  const section = document.getElementById("assignments");
  section.hidden = lines.length === 0;
  const rows = document.getElementById("assignment-rows");
  rows.replaceChildren();
  for (const line of lines) {
    const row = document.createElement("tr");
    row.dataset.policy = line.policy_no;
    for (const value of [line.policy_no, line.holder_name, line.salesperson, line.deadline]) {
      row.appendChild(huifangShell.text("td", value));
    }
    const work = huifangShell.text("td", "");
    work.appendChild(huifangShell.button("填入呼叫", "fill small", () => { form.policy_no.value = line.policy_no; }));
    work.appendChild(huifangShell.button("已完成", "done small", async () => {
      await huifangApi.request("POST", `/api/my/assignments/${line.id}/done`, {});
      await showAssignments();
    }));
    row.appendChild(work);
    rows.appendChild(row);
  }
}

// The call form is shown once agent.js has signed in and found no call: list them then.
const startPanel = document.getElementById("start-panel");
if (startPanel) {
  new MutationObserver(() => showAssignments().catch(() => {}))
    .observe(startPanel, { attributes: true, attributeFilter: ["hidden"] });
}
