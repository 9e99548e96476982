// The review queue (质检队列): filtered, sorted and paged by the server, the state in the
// address (so a link or the back button restores it), saved filters, keyboard driven.
// Each call opens the workbench, which steps through this same queue.
"use strict";

const ui = huifangConsole;
const FILTER_FIELDS = ["kind", "severity", "salesperson", "team", "branch", "product",
                       "date_from", "date_to", "undecided"];
const view = { sort: "flagged_at", order: "desc", offset: 0, limit: 50, total: 0, selected: 0 };
// Each queue request is numbered: a reply overtaken by a later request (a sort clicked, then
// the page size changed before the first answer came) is dropped, never drawn over the newer.
let queueRequest = 0;

// The filter, sort and order as a query string: what the workbench needs to step through.
function queueQuery() {
  const params = ui.query(document.getElementById("filters"));
  if (view.sort !== "flagged_at" || view.order !== "desc") {
    params.set("sort", view.sort);
    params.set("order", view.order);
  }
  return params;
}

function fromAddress() {
  const params = new URLSearchParams(location.search);
  const form = document.getElementById("filters");
  for (const name of FILTER_FIELDS) {
    const field = form.elements[name];
    if (field.type === "checkbox") field.checked = params.get(name) === "true";
    else field.value = params.get(name) || "";
  }
  view.sort = params.get("sort") || "flagged_at";
  view.order = params.get("order") || "desc";
  view.offset = Number(params.get("offset")) || 0;
  view.limit = [25, 50, 100].includes(Number(params.get("limit"))) ? Number(params.get("limit")) : 50;
  document.getElementById("page-size").value = String(view.limit);
}

function toAddress() {
  const params = queueQuery();
  if (view.offset) params.set("offset", view.offset);
  if (view.limit !== 50) params.set("limit", view.limit);
  const search = params.toString();
  history.replaceState(null, "", search ? `?${search}` : location.pathname);
}

function showSortHeaders() {
  for (const th of document.querySelectorAll("#queue th[data-sort]")) {
    th.setAttribute("aria-sort", th.dataset.sort === view.sort ? (view.order === "asc" ? "ascending" : "descending") : "none");
  }
}

function queueRow(call, query) {
  const row = document.createElement("tr");
  row.dataset.call = call.id;
  const link = ui.link(`review_call.html?call=${encodeURIComponent(call.id)}${query ? `&${query}` : ""}`, `#${call.id}`);
  ui.cell(row, "").appendChild(link);
  ui.cell(row, huifangShell.shortTime(call.started_at));
  ui.cell(row, huifangShell.shortTime(call.flagged_at));
  ui.cell(row, call.policy_no);
  ui.cell(row, call.holder_name);
  ui.cell(row, call.salesperson);
  ui.cell(row, call.team);
  ui.cell(row, call.branch);
  ui.cell(row, call.product_name, "product");
  ui.cell(row, call.kinds.map((kind) => ui.label("flagKind", kind)).join("、"));
  ui.cell(row, "").appendChild(ui.text("span", ui.label("severity", call.top_severity), `badge ${call.top_severity}`));
  ui.cell(row, `${call.undecided}/${call.flags}`, call.undecided ? "num pending" : "num");
  row.addEventListener("click", (event) => { if (event.target.tagName !== "A") select(row); });
  row.addEventListener("dblclick", () => { location.href = link.href; });
  return row;
}

async function showQueue() {
  huifangConsole.showError("queue-error", null);
  toAddress();
  showSortHeaders();
  const params = queueQuery();
  params.set("limit", view.limit);
  params.set("offset", view.offset);
  const request = ++queueRequest;
  let reply;
  try {
    reply = await huifangApi.page(`/api/review/queue?${params}`);
  } catch (err) {
    if (request === queueRequest) huifangConsole.showError("queue-error", err);
    return;
  }
  if (request !== queueRequest) return;
  const calls = reply.items;
  view.total = reply.total;
  const query = queueQuery().toString();
  document.getElementById("queue-rows").replaceChildren(...calls.map((call) => queueRow(call, query)));
  document.getElementById("queue-total").textContent = `共 ${view.total} 通`;
  const last = Math.min(view.offset + calls.length, view.total);
  document.getElementById("page-info").textContent = view.total
    ? `第 ${view.offset + 1}–${last} 通，共 ${view.total} 通` : "没有符合条件的通话";
  document.getElementById("page-prev").disabled = view.offset === 0;
  document.getElementById("page-next").disabled = last >= view.total;
  view.selected = 0;
  if (calls.length) select(rows()[0], false);
}

function rows() { return [...document.querySelectorAll("#queue-rows tr")]; }

function select(row, scroll = true) {
  for (const other of rows()) other.removeAttribute("aria-selected");
  if (!row) return;
  row.setAttribute("aria-selected", "true");
  view.selected = rows().indexOf(row);
  if (scroll) row.scrollIntoView({ block: "nearest" });
}

function move(step) {
  const all = rows();
  if (all.length) select(all[Math.max(0, Math.min(all.length - 1, view.selected + step))]);
}

function page(step) {
  const offset = view.offset + step * view.limit;
  if (offset < 0 || offset >= view.total) return;
  view.offset = offset;
  showQueue();
}

function sortBy(key) {
  view.order = view.sort === key && view.order === "desc" ? "asc" : "desc";
  view.sort = key;
  view.offset = 0;
  showQueue();
}

// --- saved filters ---------------------------------------------------------------------------

async function showSaved() {
  const box = document.getElementById("saved-filters");
  const saved = await huifangApi.request("GET", "/api/me/filters?page=review");
  box.replaceChildren(...saved.map((entry) => {
    const chip = ui.text("span", "", "chip");
    chip.dataset.filter = entry.id;
    const apply = huifangShell.button(entry.name, "small", () => {
      history.replaceState(null, "", `?${entry.query}`);
      fromAddress();
      view.offset = 0;
      showQueue();
    }, entry.query);
    const remove = huifangShell.button("×", "small quiet", async () => {
      await huifangApi.request("DELETE", `/api/me/filters/${entry.id}`);
      showSaved();
    }, "删除这个筛选");
    remove.setAttribute("aria-label", `删除筛选 ${entry.name}`);
    chip.append(apply, remove);
    return chip;
  }));
  if (saved.length) box.prepend(ui.text("span", "已保存：", "muted"));
}

function wireSaving() {
  const dialog = document.getElementById("save-dialog");
  const form = document.getElementById("save-form");
  document.getElementById("save-filter").addEventListener("click", () => {
    form.querySelector(".error").textContent = "";
    dialog.showModal();
  });
  document.getElementById("save-cancel").addEventListener("click", () => dialog.close());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await huifangApi.request("PUT", "/api/me/filters",
        { page: "review", name: form.elements.name.value.trim(), query: queueQuery().toString() });
      dialog.close();
      form.reset();
      await showSaved();
    } catch (err) {
      form.querySelector(".error").textContent = err.message;
    }
  });
}

function wireKeys() {
  const keys = huifangShell.keys;
  const openSelected = () => { const link = rows()[view.selected]?.querySelector("a"); if (link) location.href = link.href; };
  keys.add({ key: "j", shown: "j ↓", label: "下一行", run: () => move(1) });
  keys.add({ key: "ArrowDown", run: () => move(1) });
  keys.add({ key: "k", shown: "k ↑", label: "上一行", run: () => move(-1) });
  keys.add({ key: "ArrowUp", run: () => move(-1) });
  keys.add({ key: "Enter", shown: "Enter o", label: "打开所选通话", run: openSelected });
  keys.add({ key: "o", run: openSelected });
  keys.add({ key: "ArrowRight", shown: "→", label: "下一页", run: () => page(1) });
  keys.add({ key: "ArrowLeft", shown: "←", label: "上一页", run: () => page(-1) });
  keys.add({ key: "/", label: "筛选：销售人员", run: () => document.querySelector("input[name=salesperson]").focus() });
  keys.add({ key: "s", label: "保存当前筛选", run: () => document.getElementById("save-filter").click() });
}

// Phone cues stored on import: the flagged policies, and their 集中 per seller and outlet.
async function showPhoneCues() {
  const form = document.getElementById("cue-filters");
  const query = huifangConsole.query(form);
  huifangConsole.showError("cue-error", null);
  let cues, bySeller, byOutlet;
  try {
    const filters = new URLSearchParams(query);
    filters.delete("salesperson");
    filters.delete("outlet");
    [cues, bySeller, byOutlet] = await Promise.all([
      huifangApi.request("GET", `/api/review/phone-cues?${query}`),
      huifangApi.request("GET", `/api/review/phone-cues/concentration?by=salesperson&${filters}`),
      huifangApi.request("GET", `/api/review/phone-cues/concentration?by=outlet&${filters}`),
    ]);
  } catch (err) {
    huifangConsole.showError("cue-error", err);
    return;
  }
  const rows = document.getElementById("cue-rows");
  rows.replaceChildren();
  for (const cue of cues) {
    const row = document.createElement("tr");
    row.dataset.policy = cue.policy_no;
    huifangConsole.cell(row, cue.policy_no);
    huifangConsole.cell(row, huifangConsole.label("phoneCue", cue.cue));
    huifangConsole.cell(row, huifangConsole.label("severity", cue.severity), `severity ${cue.severity}`);
    huifangConsole.cell(row, cue.reason);
    huifangConsole.cell(row, cue.linked_policies.join("、"));
    huifangConsole.cell(row, cue.salesperson);
    huifangConsole.cell(row, cue.outlet);
    huifangConsole.cell(row, cue.branch);
    huifangConsole.cell(row, huifangConsole.localTime(cue.raised_at));
    rows.appendChild(row);
  }
  for (const [id, groups] of [["by-salesperson", bySeller], ["by-outlet", byOutlet]]) {
    const body = document.getElementById(id);
    body.replaceChildren();
    for (const group of groups) {
      const row = document.createElement("tr");
      huifangConsole.cell(row, group.name);
      huifangConsole.cell(row, group.branch);
      huifangConsole.cell(row, String(group.policies));
      huifangConsole.cell(row, Object.entries(group.cues)
        .map(([cue, count]) => `${huifangConsole.label("phoneCue", cue)} ${count}`).join("、"));
      body.appendChild(row);
    }
  }
}


async function start() {
  await huifangConsole.start();
  fromAddress();
  const form = document.getElementById("filters");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    view.offset = 0;
    showQueue();
  });
  document.getElementById("clear-filters").addEventListener("click", () => {
    form.reset();
    view.offset = 0;
    showQueue();
  });
  for (const th of document.querySelectorAll("#queue th[data-sort]")) {
    const label = th.textContent;
    th.replaceChildren(huifangShell.button(label, "sort", () => sortBy(th.dataset.sort), "点击排序"));
  }
  document.getElementById("page-prev").addEventListener("click", () => page(-1));
  document.getElementById("page-next").addEventListener("click", () => page(1));
  document.getElementById("page-size").addEventListener("change", (event) => {
    view.limit = Number(event.target.value);
    view.offset = 0;
    showQueue();
  });
  wireSaving();
  wireKeys();
  document.getElementById("cue-filters").addEventListener("submit", (event) => {
    event.preventDefault();
    showPhoneCues();
  });
  await showQueue();
  await showSaved();
  await showPhoneCues();
}

start();
