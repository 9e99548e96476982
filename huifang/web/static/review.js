// The review queue: calls with flags, filtered; each opens its review page.
"use strict";

async function showQueue() {
  const form = document.getElementById("filters");
  const rows = document.getElementById("queue-rows");
  huifangConsole.showError("queue-error", null);
  let calls;
  try {
    calls = await huifangApi.request("GET", `/api/review/queue?${huifangConsole.query(form)}`);
  } catch (err) {
    huifangConsole.showError("queue-error", err);
    return;
  }
  rows.replaceChildren();
  for (const call of calls) {
    const row = document.createElement("tr");
    row.dataset.call = call.id;
    huifangConsole.cell(row, "").appendChild(
      huifangConsole.link(`review_call.html?call=${encodeURIComponent(call.id)}`, `#${call.id}`));
    huifangConsole.cell(row, huifangConsole.localTime(call.started_at));
    huifangConsole.cell(row, call.policy_no);
    huifangConsole.cell(row, call.holder_name);
    huifangConsole.cell(row, call.salesperson);
    huifangConsole.cell(row, call.team);
    huifangConsole.cell(row, call.branch);
    huifangConsole.cell(row, call.product_name);
    huifangConsole.cell(row, call.kinds.map((kind) => huifangConsole.label("flagKind", kind)).join("、"));
    huifangConsole.cell(row, huifangConsole.label("severity", call.top_severity), `severity ${call.top_severity}`);
    huifangConsole.cell(row, `${call.undecided}/${call.flags}`, call.undecided ? "pending" : "");
    rows.appendChild(row);
  }
}

async function start() {
  await huifangConsole.start();
  document.getElementById("filters").addEventListener("submit", (event) => {
    event.preventDefault();
    showQueue();
  });
  await showQueue();
}

start();
