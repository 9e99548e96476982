// The campaign page: counts per state and outcome, the deadlines at risk (soonest first, those
// within a day marked), the letter-or-visit list and the customers who asked for an agent.
// Refreshes itself every 30 s.
"use strict";

const campaignUi = huifangConsole;
const REFRESH_MS = 30000;

function showCounts(status) {
  const rows = document.getElementById("count-rows");
  rows.replaceChildren();
  const groups = [["保单", status.policies, "campaignState"], ["结果", status.final_outcomes, "attemptOutcome"],
                  ["外呼", status.attempts, "attemptOutcome"]];
  for (const [name, counts, vocabulary] of groups) {
    const row = document.createElement("tr");
    row.appendChild(campaignUi.text("th", name));
    const keys = Object.keys(counts).sort();
    campaignUi.cell(row, keys.length ? keys.map((k) => `${campaignUi.label(vocabulary, k)} ${counts[k]}`).join("，") : "无");
    rows.appendChild(row);
  }
  const running = document.createElement("tr");
  running.appendChild(campaignUi.text("th", "正在通话"));
  campaignUi.cell(running, status.attempts_running, "running");
  rows.appendChild(running);
}

function policyRows(id, lines, columns) {
  const rows = document.getElementById(id);
  rows.replaceChildren();
  for (const line of lines) {
    const row = document.createElement("tr");
    row.dataset.policy = line.policy_no;
    if (line.days_left <= 1) row.classList.add("urgent");
    for (const column of columns) campaignUi.cell(row, column(line));
    rows.appendChild(row);
  }
}

function showStatus(status) {
  showCounts(status);
  document.getElementById("at-risk-count").textContent = `（${status.at_risk.length}）`;
  document.getElementById("letter-count").textContent = `（${status.letter_or_visit.length}）`;
  document.getElementById("human-count").textContent = `（${status.wants_human.length}）`;
  policyRows("at-risk-rows", status.at_risk, [
    (l) => l.policy_no, (l) => l.holder_name, (l) => l.phone, (l) => l.branch, (l) => l.product,
    (l) => l.deadline, (l) => l.days_left, (l) => l.attempts]);
  policyRows("letter-rows", status.letter_or_visit, [
    (l) => l.policy_no, (l) => l.holder_name, (l) => l.phone, (l) => l.branch, (l) => l.deadline,
    (l) => l.attempts, (l) => (l.reason || "").replaceAll("\n", "；")]);
  policyRows("human-rows", status.wants_human, [
    (l) => l.policy_no, (l) => l.holder_name, (l) => l.phone, (l) => l.branch, (l) => l.deadline,
    (l) => l.days_left]);
  document.getElementById("refreshed").textContent = `更新于 ${new Date().toLocaleTimeString("zh-CN", { hour12: false })}`;
}

async function refresh() {
  const form = document.getElementById("campaign-form");
  try {
    showStatus(await huifangApi.request("GET", `/api/campaign?${campaignUi.query(form)}`));
    campaignUi.showError("campaign-error", null);
  } catch (err) {
    campaignUi.showError("campaign-error", err);
  }
}

(async () => {
  await campaignUi.start();
  document.getElementById("campaign-form").addEventListener("submit", (event) => {
    event.preventDefault();
    refresh();
  });
  await refresh();
  setInterval(refresh, REFRESH_MS);
})();
