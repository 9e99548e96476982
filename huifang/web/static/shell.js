// What every page shares: the top bar with the menu for the user's role, the one mapping of
// coded values to Chinese (LABELS, from labels.js), keyboard shortcuts with their help (?),
// and small DOM helpers that only ever set text (nothing is parsed as HTML).
"use strict";

const CONSOLE_ROLES = ["reviewer", "supervisor", "admin"];
const OVERSEER_ROLES = ["supervisor", "admin"];

const huifangShell = {
  // The menu, in one place: every page shows the entries its user's role may open.
  PAGES: [
    { href: "index.html", page: "calls", label: "通话记录", key: "h", roles: null },
    { href: "agent.html", page: "agent", label: "坐席台", key: "a", roles: ["agent"] },
    { href: "review.html", page: "review", label: "质检队列", key: "q", roles: CONSOLE_ROLES },
    { href: "cases.html", page: "cases", label: "问题件台账", key: "c", roles: CONSOLE_ROLES },
    { href: "qa.html", page: "qa", label: "抽检", key: "s", roles: CONSOLE_ROLES },
    { href: "followups.html", page: "followups", label: "投诉与承诺", key: "f", roles: CONSOLE_ROLES },
    { href: "letters.html", page: "letters", label: "信函与上门", key: "l", roles: CONSOLE_ROLES },
    { href: "sales.html", page: "sales", label: "销售反馈", key: "x", roles: CONSOLE_ROLES },
    { href: "attention.html", page: "attention", label: "特别关注", key: "t", roles: CONSOLE_ROLES },
    { href: "kpis.html", page: "kpis", label: "回访指标", key: "k", roles: CONSOLE_ROLES },
    { href: "campaign.html", page: "campaign", label: "预回访外呼", key: "o", roles: CONSOLE_ROLES },
    { href: "audit.html", page: "audit", label: "审计记录", key: "u", roles: OVERSEER_ROLES },
  ],
  me: null,

  // The Chinese word for a coded value (LABELS.<vocabulary>); unknown values show as they are.
  label(vocabulary, value) {
    if (value === null || value === undefined || value === "") return "";
    const words = LABELS[vocabulary];
    return (words && words[value]) || String(value);
  },

  text(tag, content, className) {
    const element = document.createElement(tag);
    element.textContent = content === null || content === undefined ? "" : String(content);
    if (className) element.className = className;
    return element;
  },

  button(label, className, onClick, title) {
    const b = huifangShell.text("button", label, className);
    b.type = "button";
    if (title) b.title = title;
    if (onClick) b.addEventListener("click", onClick);
    return b;
  },

  // "1:05" for 65 s; "1:02:05" past an hour.
  clock(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    const two = (n) => String(n).padStart(2, "0");
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    return h ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`;
  },

  // "2024-11-06 09:01": a moment where a table has little room.
  shortTime(iso) {
    if (!iso) return "";
    const d = new Date(iso), two = (n) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
  },

  localTime(iso) {
    return iso ? new Date(iso).toLocaleString("zh-CN", { hour12: false }) : "";
  },

  // Whole years between an ISO birth date and today.
  age(isoDate) {
    if (!isoDate) return null;
    const born = new Date(`${isoDate}T00:00:00`), now = new Date();
    let years = now.getFullYear() - born.getFullYear();
    if (now < new Date(now.getFullYear(), born.getMonth(), born.getDate())) years -= 1;
    return years;
  },

  // The top bar: brand, the menu for this role, who is signed in, help and sign-out.
  showBar(me) {
    huifangShell.me = me;
    let bar = document.querySelector("header.app-bar");
    if (!bar) {
      bar = document.createElement("header");
      bar.className = "app-bar";
      document.body.prepend(bar);
    }
    const brand = huifangShell.text("a", "回访", "brand");
    brand.href = "index.html";
    const nav = document.createElement("nav");
    nav.className = "app-nav";
    nav.setAttribute("aria-label", "主菜单");
    const current = document.body.dataset.page;
    for (const entry of huifangShell.PAGES) {
      if (me && entry.roles && !entry.roles.includes(me.role)) continue;
      if (!me && entry.page !== "calls") continue;
      const link = huifangShell.text("a", entry.label);
      link.href = entry.href;
      link.title = `快捷键 g ${entry.key}`;
      if (entry.page === current) link.setAttribute("aria-current", "page");
      nav.appendChild(link);
    }
    const user = document.createElement("div");
    user.className = "app-user";
    const who = huifangShell.text("span", me ? `${me.username}（${huifangShell.label("role", me.role)}）` : "");
    who.id = "who";
    user.appendChild(who);
    user.appendChild(huifangShell.button("快捷键 ?", "quiet", () => huifangShell.keys.help()));
    if (me) user.appendChild(huifangShell.button("退出", "quiet", huifangShell.signOut));
    bar.replaceChildren(brand, nav, user);
  },

  async signOut() {
    try {
      await huifangApi.request("POST", "/api/logout");
    } finally {
      location.href = "/app/";
    }
  },

  // Signs the page in from its session and draws the bar; strangers go to the sign-in page.
  async signedIn() {
    let me;
    try {
      me = await huifangApi.me();
    } catch (err) {
      location.href = "/app/";
      throw err;
    }
    huifangShell.showBar(me);
    return me;
  },
};

// Keyboard shortcuts: pages add theirs with a label; "?" lists every one that applies.
huifangShell.keys = {
  bindings: [],
  pendingG: false,

  // spec: { key: "j" | "ArrowDown" | "Shift+Enter", label, run, section, inInputs }
  add(spec) {
    huifangShell.keys.bindings.push({ section: "本页", ...spec });
  },

  typing(target) {
    return target instanceof HTMLElement &&
      (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
  },

  name(event) {
    const parts = [];
    if (event.ctrlKey) parts.push("Ctrl");
    if (event.altKey) parts.push("Alt");
    // Shift is part of a printable key already ("?" or "J"); named keys spell it out.
    if (event.shiftKey && event.key.length > 1) parts.push("Shift");
    parts.push(event.key === " " ? "Space" : event.key);
    return parts.join("+");
  },

  handle(event) {
    if (event.metaKey || event.isComposing) return;
    const keys = huifangShell.keys;
    const typing = keys.typing(event.target);
    const name = keys.name(event);
    if (keys.pendingG && !typing) {
      keys.pendingG = false;
      const entry = huifangShell.PAGES.find((p) => p.key === event.key);
      const allowed = entry && (!entry.roles || (huifangShell.me && entry.roles.includes(huifangShell.me.role)));
      if (allowed) {
        event.preventDefault();
        location.href = entry.href;
        return;
      }
    }
    // A page's own binding (added later) goes before the shared one for the same key.
    for (const binding of [...keys.bindings].reverse()) {
      if (binding.key !== name || !binding.run) continue;  // a label-only entry documents a range
      if (typing && !binding.inInputs) continue;
      if (document.querySelector("dialog[open]") && !binding.inInputs) continue;  // not behind a dialog
      if (binding.when && !binding.when()) continue;
      event.preventDefault();
      binding.run(event);
      return;
    }
    if (!typing && name === "g") keys.pendingG = true;
  },

  help() {
    let dialog = document.getElementById("shortcut-help");
    if (!dialog) {
      dialog = document.createElement("dialog");
      dialog.id = "shortcut-help";
      dialog.className = "help";
      document.body.appendChild(dialog);
    }
    const t = huifangShell.text;
    const sections = new Map();
    for (const binding of huifangShell.keys.bindings) {
      if (!binding.label) continue;
      if (!sections.has(binding.section)) sections.set(binding.section, []);
      sections.get(binding.section).push([binding.shown || binding.key, binding.label]);
    }
    const menu = huifangShell.PAGES.filter((p) => !p.roles || (huifangShell.me && p.roles.includes(huifangShell.me.role)));
    sections.set("跳转", menu.map((p) => [`g ${p.key}`, p.label]));
    const body = [t("h2", "键盘快捷键")];
    for (const [section, rows] of sections) {
      body.push(t("h3", section));
      const list = document.createElement("dl");
      for (const [key, label] of rows) {
        const term = document.createElement("dt");
        for (const part of key.split(" ")) term.appendChild(t("kbd", part));
        list.append(term, t("dd", label));
      }
      body.push(list);
    }
    body.push(t("p", "在输入框中时快捷键不生效（Esc 离开输入框）。", "note"));
    const close = huifangShell.button("关闭", "", () => dialog.close());
    body.push(close);
    dialog.replaceChildren(...body);
    dialog.showModal();
    close.focus();
  },
};

huifangShell.keys.add({ key: "?", label: "显示快捷键", section: "全局", run: () => huifangShell.keys.help() });
huifangShell.keys.add({
  key: "/", label: "到筛选栏", section: "全局",
  run: () => document.querySelector("form.toolbar input:not([type=hidden]), form.toolbar select")?.focus(),
  when: () => Boolean(document.querySelector("form.toolbar")),
});
huifangShell.keys.add({
  key: "Escape", label: "离开输入框", section: "全局", inInputs: true,
  run: (event) => { if (event.target instanceof HTMLElement) event.target.blur(); },
  when: () => huifangShell.keys.typing(document.activeElement),
});
document.addEventListener("keydown", (event) => huifangShell.keys.handle(event));

// Selects marked data-vocabulary="…" list that vocabulary's values in Chinese (after any
// options written in the page, such as 全部); data-default picks the first choice.
for (const select of document.querySelectorAll("select[data-vocabulary]")) {
  for (const [value, word] of Object.entries(LABELS[select.dataset.vocabulary] || {})) {
    const option = huifangShell.text("option", word);
    option.value = value;
    select.appendChild(option);
  }
  if (select.dataset.default) select.value = select.dataset.default;
}
