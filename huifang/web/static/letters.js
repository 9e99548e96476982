// Letters and visits: print the letter, mark it sent, send someone, record the result.
"use strict";

const lv = huifangConsole;
const RESULTS = Object.entries(LABELS.letterVisitResult);
const STATE = (status) => huifangShell.label("letterVisitStatus", status);
let people = [];

function choice(name, pairs) {
  const select = lv.text("select", "");
  select.name = name;
  for (const [value, text] of pairs) {
    const option = lv.text("option", text);
    option.value = value;
    select.appendChild(option);
  }
  return select;
}

async function post(event, path, body) {
  event.preventDefault();
  try {
    await huifangApi.request("POST", path, body);
    await showLetters();
  } catch (err) {
    event.target.querySelector(".error").textContent = err.message;
  }
}

function letterCell(line) {
  const cell = lv.text("div", "");
  const print = lv.link(`/api/letters/${line.id}/letter.pdf`, line.printed ? "再次打印" : "打印回访函");
  print.className = "print";
  print.target = "_blank";
  const sent = lv.text("form", "", "send");
  sent.append(lv.text("button", "已寄出"), lv.text("span", "", "error"));
  sent.addEventListener("submit", (event) => post(event, `/api/letters/${line.id}/send`));
  cell.append(print, sent);
  return cell;
}

function visitForm(line) {
  const form = lv.text("form", "", "visit");
  const person = choice("assignee_id", people.map((p) => [String(p.id), p.username]));
  const day = lv.text("input", "");
  day.name = "visit_on";
  day.type = "date";
  day.required = true;
  form.append(person, day, lv.text("button", "指派上门"), lv.text("span", "", "error"));
  form.addEventListener("submit", (event) => post(event, `/api/letters/${line.id}/visit`,
    { assignee_id: Number(person.value), visit_on: day.value }));
  return form;
}

function resultForm(line) {
  const form = lv.text("form", "", "result");
  const result = choice("result", RESULTS);
  const note = lv.text("input", "");
  note.name = "note";
  note.required = true;
  note.placeholder = "回执/上门情况";
  form.append(result, note, lv.text("button", "录入结果"), lv.text("span", "", "error"));
  form.addEventListener("submit", (event) => post(event, `/api/letters/${line.id}/result`,
    { result: result.value, note: note.value }));
  return form;
}

async function showLetters() {
  const rows = document.getElementById("letter-rows");
  try {
    const lines = await huifangApi.request("GET", "/api/letters");
    rows.replaceChildren();
    for (const line of lines) {
      const row = document.createElement("tr");
      row.dataset.policy = line.policy_no;
      for (const value of [line.id, line.policy_no, line.holder_name, line.salesperson, line.deadline,
        huifangShell.label("contactMethod", line.method)]) lv.cell(row, value);
      const state = line.assignee ? `${STATE(line.status)}（${line.assignee} ${line.visit_on}）` : STATE(line.status);
      lv.cell(row, state, "state");
      lv.cell(row, line.reason, "reason");
      lv.cell(row, "").appendChild(letterCell(line));
      lv.cell(row, "").appendChild(visitForm(line));
      lv.cell(row, "").appendChild(resultForm(line));
      rows.appendChild(row);
    }
  } catch (err) {
    lv.showError("letters-error", err);
  }
}

lv.start().then(async () => {
  people = await huifangApi.request("GET", "/api/letters/people");
  await showLetters();
});
