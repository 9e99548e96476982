// What the review console's pages share: the signed-in check, the menu, table cells.
"use strict";

const huifangConsole = {
  // Signs the page in from its session; sends agents and strangers back to the sign-in page.
  async start() {
    let me;
    try {
      me = await huifangApi.me();
    } catch (err) {
      location.href = "/app/";
      throw err;
    }
    const who = document.getElementById("who");
    if (who) who.textContent = `${me.username} (${me.role})`;
    if (me.role === "agent") {
      document.body.replaceChildren(huifangConsole.text("p", "质检台仅供质检、主管和管理员使用", "error"));
      throw new Error("agents do not use the review console");
    }
    const audit = document.getElementById("nav-audit");
    if (audit) audit.hidden = !["supervisor", "admin"].includes(me.role);
    return me;
  },

  text(tag, content, className) {
    const element = document.createElement(tag);
    element.textContent = content === null || content === undefined ? "" : String(content);
    if (className) element.className = className;
    return element;
  },

  cell(row, content, className) {
    const td = huifangConsole.text("td", content, className);
    row.appendChild(td);
    return td;
  },

  link(href, content) {
    const a = huifangConsole.text("a", content);
    a.href = href;
    return a;
  },

  // The form's non-empty fields as a query string (for the API and the export links).
  query(form) {
    const params = new URLSearchParams();
    for (const [key, value] of new FormData(form)) {
      if (String(value).trim() !== "") params.set(key, String(value).trim());
    }
    return params;
  },

  localTime(iso) {
    return iso ? new Date(iso).toLocaleString("zh-CN", { hour12: false }) : "";
  },

  showError(id, err) {
    document.getElementById(id).textContent = err ? err.message : "";
  },
};

const CASE_CLASSES = ["口头误导-故意", "口头误导-无意", "书面误导", "流程违规", "身份存疑"];
const FLAG_KINDS = {
  misleading_sale: "销售误导", whole_call: "整通规则", voice_cue: "声音核实",
  duplicate_voice: "同声多单", phone_cue: "号码线索", special_attention: "特别关注",
};
const SEVERITIES = { high: "高", medium: "中", low: "低" };
