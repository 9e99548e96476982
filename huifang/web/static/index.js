// The sign-in form, then the calls the user may see, each linking to its agent screen.
"use strict";

function cell(row, text) {
  const td = document.createElement("td");
  td.textContent = text === null || text === undefined ? "" : String(text);
  row.appendChild(td);
  return td;
}

async function showCalls(me) {
  document.getElementById("sign-in").hidden = true;
  document.getElementById("calls").hidden = false;
  document.getElementById("who").textContent = `${me.username} (${me.role})`;
  document.getElementById("console-link").hidden = me.role === "agent";
  const rows = document.getElementById("call-rows");
  rows.replaceChildren();
  for (const call of await huifangApi.request("GET", "/api/calls")) {
    const row = document.createElement("tr");
    const link = document.createElement("a");
    link.href = `agent.html?call=${encodeURIComponent(call.id)}`;
    link.textContent = `#${call.id}`;
    cell(row, "").appendChild(link);
    cell(row, call.policy_no);
    cell(row, call.holder_name);
    cell(row, call.started_at);
    cell(row, call.dialogue_outcome || call.outcome);
    rows.appendChild(row);
  }
}

document.getElementById("sign-in").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const error = document.getElementById("sign-in-error");
  try {
    error.textContent = "";
    await showCalls(await huifangApi.signIn(form.username.value, form.password.value));
  } catch (err) {
    error.textContent = err.message;
  }
});

huifangApi.me().then(showCalls).catch(() => {});  // not signed in yet: the form stays
