// The agent desk's checklist: the call's script items with their states, one selected.
// Keys: 1–9 select an item, j/k move, Y confirms (and moves to the next open item), N marks a
// problem, A marks it asked. Marks go to the server; the screen shows them when accepted.
"use strict";

const checklist = {
  steps: [],
  selected: 0,
  post: null,  // (path, body) => the server's answer, or null after showing the error

  show(script, post) {
    checklist.steps = script.steps;
    checklist.post = post;
    const list = document.getElementById("items");
    list.replaceChildren(...script.steps.map((step, index) => checklist.row(step, index)));
    for (const step of script.steps) if (step.state) checklist.setState(step.step_id, step.state);
    const open = script.steps.findIndex((step) => step.state !== "confirmed");
    checklist.select(open >= 0 ? open : 0);
    checklist.progress();
  },

  row(step, index) {
    const t = huifangShell.text;
    const item = t("li", "", "item");
    item.dataset.step = step.step_id;
    item.title = step.prompt;
    item.appendChild(t("kbd", index < 9 ? String(index + 1) : "", "key"));
    const topic = t("span", step.topic, "topic");
    topic.appendChild(t("small", step.item ? `第${step.item}项` : "附加项"));
    item.append(topic, t("span", "", "state badge"));
    const marks = t("span", "", "marks");
    for (const [state, label, key] of [["confirmed", "确认", "Y"], ["problem", "问题", "N"], ["asked", "已问", "A"]]) {
      const button = huifangShell.button(`${label} ${key}`, `small mark ${state}`, (event) => {
        event.stopPropagation();
        checklist.select(index);
        checklist.mark(state);
      });
      marks.appendChild(button);
    }
    item.appendChild(marks);
    item.addEventListener("click", () => checklist.select(index));
    return item;
  },

  rows() { return [...document.querySelectorAll("#items li.item")]; },

  select(index) {
    const rows = checklist.rows();
    if (!rows.length) return;
    checklist.selected = Math.max(0, Math.min(rows.length - 1, index));
    rows.forEach((row, i) => row.classList.toggle("selected", i === checklist.selected));
    rows[checklist.selected].scrollIntoView({ block: "nearest" });
  },

  setState(stepId, state) {
    const row = document.querySelector(`#items li[data-step='${CSS.escape(stepId)}']`);
    if (!row) return;
    row.dataset.state = state;
    row.classList.remove("asked", "confirmed", "problem");
    row.classList.add(state);
    const badge = row.querySelector(".state");
    badge.textContent = huifangShell.label("itemState", state);
    badge.className = `state badge ${state}`;
    checklist.progress();
  },

  // The robot asked an item: asked, unless it already has an outcome.
  asked(stepId) {
    const row = document.querySelector(`#items li[data-step='${CSS.escape(stepId)}']`);
    if (row && !row.dataset.state) checklist.setState(stepId, "asked");
  },

  // Marks the selected item; a confirmation moves on at once (typing Y Y Y runs down the
  // list), and back to the item if the server refuses.
  async mark(state) {
    const index = checklist.selected;
    const step = checklist.steps[index];
    const row = checklist.rows()[index];
    if (!step || !row) return;
    row.dataset.pending = state;
    if (state === "confirmed") checklist.nextOpen(index);
    const done = await checklist.post("marks", { step_id: step.step_id, state });
    delete row.dataset.pending;
    if (!done) {
      checklist.select(index);
      return;
    }
    checklist.setState(step.step_id, state);
  },

  // The next item after `from` not confirmed (nor being confirmed).
  nextOpen(from) {
    const rows = checklist.rows();
    for (let i = 1; i < rows.length; i += 1) {
      const at = (from + i) % rows.length;
      const row = rows[at];
      if (row.dataset.state !== "confirmed" && row.dataset.pending !== "confirmed") {
        checklist.select(at);
        return;
      }
    }
  },

  progress() {
    const rows = checklist.rows();
    const count = (state) => rows.filter((row) => row.dataset.state === state).length;
    const problems = count("problem");
    document.getElementById("progress").textContent =
      `已确认 ${count("confirmed")}/${rows.length}${problems ? ` · 问题 ${problems}` : ""}`;
  },

  selectedStep() { return checklist.steps[checklist.selected] || null; },

  wireKeys() {
    const add = huifangShell.keys.add;
    for (let n = 1; n <= 9; n += 1) add({ key: String(n), run: () => checklist.select(n - 1) });
    add({ key: "1", shown: "1–9", label: "选择第几个话术项" });
    add({ key: "j", shown: "j ↓", label: "下一个话术项", run: () => checklist.select(checklist.selected + 1) });
    add({ key: "ArrowDown", run: () => checklist.select(checklist.selected + 1) });
    add({ key: "k", shown: "k ↑", label: "上一个话术项", run: () => checklist.select(checklist.selected - 1) });
    add({ key: "ArrowUp", run: () => checklist.select(checklist.selected - 1) });
    for (const [keys, state, label] of [[["y", "Y"], "confirmed", "标记为已确认（并跳到下一项）"],
                                        [["n", "N"], "problem", "标记为问题"],
                                        [["a", "A"], "asked", "标记为已问"]]) {
      add({ key: keys[0], shown: keys[1], label, run: () => checklist.mark(state) });
      add({ key: keys[1], run: () => checklist.mark(state) });
    }
  },
};
