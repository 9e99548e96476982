// The KPI page: figures per period and group with their definitions, a chart of one figure,
// sharp changes marked, and the table's CSV/XLSX export.
"use strict";

const kpiUi = huifangConsole;
const CHART_GROUPS = 8;  // more lines than this are unreadable: the largest groups are drawn
let lastReport = null;
let mayPropose = false;  // supervisors and admins may propose a subject for 特别关注
const PROPOSABLE = { team: "team", branch: "branch" };  // salespeople are listed for violations

function formatValue(value, definition) {
  if (value === null || value === undefined) return "—";
  return definition.unit === "percent" ? `${value.toFixed(1)}%` : `${value.toFixed(1)} 工作日`;
}

function formatChange(change, definition) {
  const sign = change > 0 ? "+" : "";
  return definition.unit === "percent" ? `${sign}${change.toFixed(1)} 个百分点` : `${sign}${change.toFixed(1)} 个工作日`;
}

function targetText(definition) {
  if (definition.target === null || definition.target === undefined) return "未设目标";
  const unit = definition.unit === "percent" ? "%" : " 个工作日";
  return `${definition.higher_is_better ? "≥" : "≤"} ${definition.target}${unit}`;
}

function definitionText(definition) {
  return `分子：${definition.numerator}\n分母：${definition.denominator}\n口径：${definition.counts}\n分期：${definition.bucketed_by}\n目标：${targetText(definition)}`;
}

function figureCell(row, figure, definition) {
  const td = kpiUi.cell(row, "", "figure");
  td.dataset.kpi = figure.key;
  td.appendChild(kpiUi.text("span", formatValue(figure.value, definition), "value"));
  td.appendChild(kpiUi.text("small", ` ${figure.numerator}/${figure.denominator}`, "counts"));
  if (figure.sharp) {
    const up = figure.change > 0;
    const mark = kpiUi.text("span", up ? " ▲" : " ▼", "sharp-mark");
    mark.title = `突变：比上期 ${formatChange(figure.change, definition)}`;
    td.classList.add("sharp", up === definition.higher_is_better ? "better" : "worse");
    td.appendChild(mark);
  }
  if (figure.below_target) {
    td.classList.add("below-target");
    td.appendChild(kpiUi.text("span", " 不达标", "target-mark"));
  }
  const worse = figure.sharp && (figure.change > 0) !== definition.higher_is_better;
  const subject = PROPOSABLE[lastReport && lastReport.grouping];
  if (mayPropose && subject && row.dataset.group !== "未关联保单" && (figure.below_target || worse)) {
    td.appendChild(proposeButton(subject, row.dataset.group, row.dataset.period, figure, definition));
  }
  td.title = `${definition.name}：${figure.numerator} / ${figure.denominator}` +
    (figure.change === null ? "" : `，比上期 ${formatChange(figure.change, definition)}`);
}

// 不达标 or a sharp worsening can open a special-attention proposal for the team or branch.
function proposeButton(subject, group, period, figure, definition) {
  const button = kpiUi.text("button", "提议特别关注", "propose");
  button.type = "button";
  button.addEventListener("click", async () => {
    const ground = figure.below_target ? "kpi_below_target" : "kpi_sharp_change";
    const evidence = `${definition.name} ${period}：${formatValue(figure.value, definition)}` +
      (figure.below_target ? `，目标 ${targetText(definition)}` : `，比上期 ${formatChange(figure.change, definition)}`);
    try {
      await huifangApi.request("POST", "/api/review/attention/proposals", { subject, name: group, ground, evidence });
      button.replaceWith(kpiUi.text("span", " 已提议", "proposed"));
    } catch (err) {
      button.replaceWith(kpiUi.text("span", ` ${err.message}`, "error"));
    }
  });
  return button;
}

function showTable(report) {
  const head = document.getElementById("kpi-head");
  head.replaceChildren(kpiUi.text("th", "期间"), kpiUi.text("th", "分组"));
  for (const definition of report.definitions) {
    const th = kpiUi.text("th", `${definition.name}（${definition.unit_label}）`);
    th.title = definitionText(definition);
    th.dataset.kpi = definition.key;
    head.appendChild(th);
  }
  const byKey = Object.fromEntries(report.definitions.map((d) => [d.key, d]));
  const rows = document.getElementById("kpi-rows");
  rows.replaceChildren();
  for (const line of report.rows) {
    const row = document.createElement("tr");
    row.dataset.period = line.period;
    row.dataset.group = line.group;
    kpiUi.cell(row, line.period);
    kpiUi.cell(row, line.group);
    for (const figure of line.figures) figureCell(row, figure, byKey[figure.key]);
    rows.appendChild(row);
  }
}

function showDefinitions(report) {
  const list = document.getElementById("definitions");
  list.replaceChildren();
  for (const definition of report.definitions) {
    const term = kpiUi.text("dt", `${definition.name}（${definition.unit_label}）`);
    term.dataset.kpi = definition.key;
    list.appendChild(term);
    for (const [label, text] of [["分子", definition.numerator], ["分母", definition.denominator],
      ["口径", definition.counts], ["分期", definition.bucketed_by],
      ["目标", targetText(definition)]]) {
      list.appendChild(kpiUi.text("dd", `${label}：${text}`));
    }
  }
  const rule = report.sharp_rule;
  document.getElementById("sharp-rule").textContent =
    `▲▼ 突变：比上期变化达 ${rule.percent_points} 个百分点（处理时效 ${rule.working_days} 个工作日）` +
    `且两期分母均不少于 ${rule.min_denominator}。悬停表头看定义。`;
}

function chartSeries(report, key) {
  const totals = new Map();
  for (const line of report.rows) {
    const figure = line.figures.find((f) => f.key === key);
    totals.set(line.group, (totals.get(line.group) || 0) + figure.denominator);
  }
  const groups = [...report.groups].sort((a, b) => totals.get(b) - totals.get(a)).slice(0, CHART_GROUPS);
  return groups.map((group) => ({
    name: group,
    points: report.periods.map((period) => {
      const line = report.rows.find((r) => r.period === period && r.group === group);
      const figure = line.figures.find((f) => f.key === key);
      return { value: figure.value, sharp: figure.sharp,
               title: `${group} ${period}: ${figure.value === null ? "—" : figure.value} (${figure.numerator}/${figure.denominator})` };
    }),
  }));
}

// Every KPI at once, small: each with its target, the same groups in the same colours.
function showAllCharts(report) {
  const box = document.getElementById("kpi-charts");
  box.replaceChildren();
  for (const definition of report.definitions) {
    const figure = kpiUi.text("figure", "", "kpi-mini");
    figure.dataset.kpi = definition.key;
    const caption = kpiUi.text("figcaption", definition.name);
    caption.appendChild(kpiUi.text("small", ` ${targetText(definition)}`));
    const svg = document.createElementNS(kpiChart.NS, "svg");
    svg.setAttribute("width", "340");
    svg.setAttribute("height", "150");
    svg.setAttribute("viewBox", "0 0 340 150");  // scales with its column
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", `${definition.name}走势`);
    figure.append(caption, svg);
    box.appendChild(figure);
    kpiChart.draw(svg, report.periods, chartSeries(report, definition.key), definition.unit_label,
      { target: definition.target, higherIsBetter: definition.higher_is_better, legend: false });
  }
  const legend = document.getElementById("mini-legend");
  legend.replaceChildren(...chartSeries(report, report.definitions[0].key).map((one, n) => {
    const item = kpiUi.text("span", one.name);
    item.style.borderColor = kpiChart.COLOURS[n % kpiChart.COLOURS.length];
    return item;
  }));
}

function showChart(report) {
  const select = document.getElementById("chart-kpi");
  if (select.options.length === 0) {
    for (const definition of report.definitions) {
      const option = kpiUi.text("option", definition.name);
      option.value = definition.key;
      select.appendChild(option);
    }
  }
  const definition = report.definitions.find((d) => d.key === select.value);
  document.getElementById("chart-definition").textContent = definitionText(definition);
  const note = report.groups.length > CHART_GROUPS ? `（图中只画分母最大的 ${CHART_GROUPS} 组）` : "";
  document.getElementById("chart-definition").textContent += note;
  kpiChart.draw(document.getElementById("kpi-chart"), report.periods,
    chartSeries(report, definition.key), definition.unit_label,
    { target: definition.target, higherIsBetter: definition.higher_is_better });
}

async function showKpis() {
  const params = kpiUi.query(document.getElementById("kpi-form"));
  for (const format of ["csv", "xlsx"]) {
    const exportParams = new URLSearchParams(params);
    exportParams.set("format", format);
    document.getElementById(`export-kpi-${format}`).href = `/api/kpis/export?${exportParams}`;
  }
  try {
    kpiUi.showError("kpi-error", null);
    lastReport = await huifangApi.request("GET", `/api/kpis?${params}`);
    showTable(lastReport);
    showDefinitions(lastReport);
    showAllCharts(lastReport);
    showChart(lastReport);
  } catch (err) {
    kpiUi.showError("kpi-error", err);
  }
}

document.getElementById("kpi-form").addEventListener("submit", (event) => {
  event.preventDefault();
  showKpis();
});
document.getElementById("chart-kpi").addEventListener("change", () => {
  if (lastReport) showChart(lastReport);
});

kpiUi.start().then((me) => {
  mayPropose = ["supervisor", "admin"].includes(me.role);
  // A link may carry the form's fields (kpis.html?period=month&by=team).
  const form = document.getElementById("kpi-form");
  for (const [key, value] of new URLSearchParams(location.search)) {
    if (form.elements[key]) form.elements[key].value = value;
  }
  return showKpis();
});
