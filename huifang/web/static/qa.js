// Random QA samples: listen to the call, then say it is clean or report what the rules missed.
"use strict";

const qa = huifangConsole;
const CATEGORIES = ["欺骗", "隐瞒", "诱导", "违规操作", "身份存疑", "其他"];

async function showCounts() {
  const c = await huifangApi.request("GET", "/api/review/qa/counts");
  const rate = c.miss_rate === null ? "—" : `${c.miss_rate}%`;
  document.getElementById("qa-counts").textContent =
    `${c.date_from} 至 ${c.date_to}：抽检 ${c.sampled} 通，已复核 ${c.reviewed} 通，漏检 ${c.misses} 通（漏检率 ${rate}）`;
}

function findingForm(sample) {
  const form = qa.text("form", "", "finding");
  const verdict = qa.text("select", "");
  verdict.name = "verdict";
  for (const [value, text] of Object.entries(LABELS.qaVerdict)) {
    const option = qa.text("option", text);
    option.value = value;
    verdict.appendChild(option);
  }
  const category = qa.text("select", "");
  category.name = "miss_category";
  for (const name of ["", ...CATEGORIES]) category.appendChild(qa.text("option", name));
  const note = qa.text("input", "");
  note.name = "note";
  note.placeholder = "漏检了什么";
  form.append(verdict, category, note, qa.text("button", "提交"), qa.text("span", "", "error"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await huifangApi.request("POST", `/api/review/qa/samples/${sample.id}`,
        { verdict: verdict.value, miss_category: category.value, note: note.value });
      await showAll();
    } catch (err) {
      form.querySelector(".error").textContent = err.message;
    }
  });
  return form;
}

async function showAll() {
  try {
    await showCounts();
    const rows = document.getElementById("sample-rows");
    const found = await huifangApi.request("GET", "/api/review/qa/samples");
    rows.replaceChildren();
    for (const sample of found) {
      const row = document.createElement("tr");
      row.dataset.call = sample.call_id;
      qa.cell(row, sample.id);
      qa.cell(row, sample.sample_day);
      qa.cell(row, "").appendChild(qa.link(`review_call.html?call=${sample.call_id}`, `#${sample.call_id}`));
      qa.cell(row, sample.policy_no);
      qa.cell(row, sample.salesperson);
      qa.cell(row, "").appendChild(findingForm(sample));
      rows.appendChild(row);
    }
  } catch (err) {
    qa.showError("qa-error", err);
  }
}

qa.start().then((me) => {
  const draw = document.getElementById("draw");
  draw.hidden = !["supervisor", "admin"].includes(me.role);
  draw.addEventListener("click", async () => {
    await huifangApi.request("POST", "/api/review/qa/sample");
    await showAll();
  });
  return showAll();
});
