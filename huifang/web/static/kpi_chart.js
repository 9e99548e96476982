// A small line chart in inline SVG: one line per group over the periods, sharp changes ringed,
// the target a dashed line and the points that miss it red.
"use strict";

const kpiChart = {
  COLOURS: ["#1f4e99", "#b5651d", "#1b7f3b", "#7b1fa2", "#00838f", "#c2185b", "#5d4037", "#455a64"],
  NS: "http://www.w3.org/2000/svg",

  element(tag, attributes, text) {
    const node = document.createElementNS(kpiChart.NS, tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  },

  // periods: labels; series: [{name, points: [{value|null, sharp, title}]}]; unit: "%" or 工作日;
  // options: { target: number|null, higherIsBetter, legend: false to leave the legend out }.
  draw(svg, periods, series, unit, options = {}) {
    svg.replaceChildren();
    const width = Number(svg.getAttribute("width"));
    const height = Number(svg.getAttribute("height"));
    const legend = options.legend !== false;
    const left = 44, right = legend ? 150 : 30, top = 12, bottom = 30;
    const plotWidth = width - left - right, plotHeight = height - top - bottom;
    const values = series.flatMap((s) => s.points.map((p) => p.value)).filter((v) => v !== null);
    const target = options.target === null || options.target === undefined ? null : options.target;
    const top100 = unit === "%" ? 100 : Math.max(1, ...values, target || 0) * 1.1;
    const x = (i) => left + (periods.length === 1 ? plotWidth / 2 : (i * plotWidth) / (periods.length - 1));
    const y = (v) => top + plotHeight - (v / top100) * plotHeight;
    const add = (node) => svg.appendChild(node);

    for (let step = 0; step <= 4; step += 1) {
      const v = (top100 * step) / 4;
      add(kpiChart.element("line", { x1: left, x2: left + plotWidth, y1: y(v), y2: y(v), class: "grid" }));
      add(kpiChart.element("text", { x: left - 4, y: y(v) + 4, "text-anchor": "end", class: "axis" },
        unit === "%" ? `${Math.round(v)}%` : v.toFixed(1)));
    }
    const every = Math.max(1, Math.ceil(periods.length / 10));
    periods.forEach((label, i) => {
      if (i % every === 0) {
        add(kpiChart.element("text", { x: x(i), y: height - bottom + 16, "text-anchor": "middle", class: "axis" }, label));
      }
    });
    if (target !== null) {
      add(kpiChart.element("line", { x1: left, x2: left + plotWidth, y1: y(target), y2: y(target), class: "target" }));
      add(kpiChart.element("text", { x: left + plotWidth - 2, y: y(target) - 3, "text-anchor": "end", class: "target-label" },
        `目标 ${options.higherIsBetter ? "≥" : "≤"}${target}${unit === "%" ? "%" : ""}`));
    }
    const misses = (value) => target !== null && (options.higherIsBetter ? value < target : value > target);
    if (values.length === 0) {
      add(kpiChart.element("text", { x: left + plotWidth / 2, y: top + plotHeight / 2, "text-anchor": "middle", class: "axis" }, "无数据"));
    }
    series.forEach((one, n) => {
      const colour = kpiChart.COLOURS[n % kpiChart.COLOURS.length];
      kpiChart.drawLine(svg, one, colour, x, y, misses);
      if (!legend) return;
      add(kpiChart.element("rect", { x: left + plotWidth + 12, y: top + n * 18, width: 10, height: 10, fill: colour }));
      add(kpiChart.element("text", { x: left + plotWidth + 26, y: top + n * 18 + 9, class: "legend" }, one.name));
    });
  },

  // Segments join neighbouring periods that both have a value; a gap stays a gap.
  drawLine(svg, one, colour, x, y, misses) {
    let path = "";
    let joined = false;
    one.points.forEach((point, i) => {
      if (point.value === null) { joined = false; return; }
      path += `${joined ? "L" : "M"}${x(i).toFixed(1)},${y(point.value).toFixed(1)} `;
      joined = true;
    });
    if (path) svg.appendChild(kpiChart.element("path", { d: path, stroke: colour, fill: "none", "stroke-width": 2 }));
    one.points.forEach((point, i) => {
      if (point.value === null) return;
      const missed = misses(point.value);
      const dot = kpiChart.element("circle", {
        cx: x(i), cy: y(point.value), r: point.sharp ? 6 : missed ? 4 : 3,
        class: `point${point.sharp ? " sharp" : ""}${missed ? " missed" : ""}`,
        fill: point.sharp ? "#fff" : missed ? "#c0261f" : colour,
        stroke: point.sharp || missed ? "#c0261f" : colour, "stroke-width": point.sharp ? 3 : 1,
      });
      dot.appendChild(kpiChart.element("title", {}, point.title));
      svg.appendChild(dot);
    });
  },
};
