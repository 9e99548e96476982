// What the review console's pages share: the role check, table cells, filter query strings.
"use strict";

const huifangConsole = {
  // Signs the page in and draws the bar; agents and strangers are turned away.
  async start() {
    const me = await huifangShell.signedIn();
    if (!CONSOLE_ROLES.includes(me.role)) {
      const main = document.querySelector("main") || document.body;
      main.replaceChildren(huifangShell.text("p", "质检台仅供质检、主管和管理员使用", "error"));
      throw new Error("agents do not use the review console");
    }
    return me;
  },

  text: huifangShell.text,
  label: huifangShell.label,
  localTime: huifangShell.localTime,

  cell(row, content, className) {
    const td = huifangShell.text("td", content, className);
    row.appendChild(td);
    return td;
  },

  link(href, content) {
    const a = huifangShell.text("a", content);
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

  showError(id, err) {
    document.getElementById(id).textContent = err ? err.message : "";
  },
};

const CASE_CLASSES = ["口头误导-故意", "口头误导-无意", "书面误导", "流程违规", "身份存疑"];
