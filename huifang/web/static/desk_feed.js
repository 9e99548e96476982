// The agent desk's feed: the rolling two-leg transcript (a leg's partial rewritten in place
// until its final) and the hints, newest on top of a fixed panel, each with its evidence line
// and the wording to use, announced by a short sound the agent can switch off. Live events
// and a stored call's events go through the same functions.
"use strict";

const feed = {
  partial: {},         // leg -> the line still being recognised
  lines: new Map(),    // "leg|start" -> a final line (stored or live: shown once)
  hints: new Set(),    // "rule|leg|start" or "cue|kind|leg": shown once
  following: true,
  sound: localStorage.getItem("huifang.hintSound") !== "off",
  audio: null,

  key(leg, start) { return `${leg}|${Number(start).toFixed(1)}`; },

  whoAndWhen(leg, seconds) {
    return `${huifangShell.label("leg", leg)} ${huifangShell.clock(seconds)}`;
  },

  // A Transcript event: a leg's partial rewrites its line, the final settles it.
  transcript(e) {
    const leg = e.leg || "customer";
    if (e.kind === "final" && feed.lines.has(feed.key(leg, e.start))) {
      if (feed.partial[leg]) { feed.partial[leg].remove(); delete feed.partial[leg]; }
      return;
    }
    const item = feed.partial[leg] || feed.newLine(leg);
    item.querySelector(".who").textContent = feed.whoAndWhen(leg, e.start);
    item.querySelector(".said").textContent = e.text;
    if (e.kind === "final") {
      item.className = `final ${leg}`;
      item.dataset.start = e.start;
      feed.lines.set(feed.key(leg, e.start), item);
      delete feed.partial[leg];
    } else {
      item.className = `partial ${leg}`;
      feed.partial[leg] = item;
    }
    feed.scrolled();
  },

  // A stored line (the transcript API), with the flagged words marked.
  storedLine(line) {
    const key = feed.key(line.leg, line.start_ms / 1000);
    if (feed.lines.has(key)) return;
    const item = feed.newLine(line.leg);
    item.className = `final ${line.leg}${line.marks.length ? " flagged" : ""}`;
    item.dataset.start = line.start_ms / 1000;
    item.querySelector(".who").textContent = feed.whoAndWhen(line.leg, line.start_ms / 1000);
    feed.marked(item.querySelector(".said"), line.text, line.marks.map((m) => [m.start, m.end]));
    feed.lines.set(key, item);
  },

  newLine(leg) {
    const list = document.getElementById("transcript");
    const empty = list.querySelector(".empty");
    if (empty) empty.remove();
    const item = huifangShell.text("li", "", leg);
    item.append(huifangShell.text("span", "", "who"), huifangShell.text("span", "", "said"));
    list.appendChild(item);
    return item;
  },

  marked(box, text, spans) {
    box.replaceChildren();
    let at = 0;
    for (const [from, to] of [...spans].sort((a, b) => a[0] - b[0])) {
      if (from < at) continue;
      box.append(text.slice(at, from), huifangShell.text("mark", text.slice(from, to)));
      at = to;
    }
    box.append(text.slice(at));
  },

  // Keep the newest line in view unless the agent scrolled up to read.
  scrolled() {
    const list = document.getElementById("transcript");
    if (feed.following) list.scrollTop = list.scrollHeight;
    else document.getElementById("follow").hidden = false;
  },

  wireScrolling() {
    const list = document.getElementById("transcript");
    list.addEventListener("scroll", () => {
      feed.following = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
      if (feed.following) document.getElementById("follow").hidden = true;
    });
    document.getElementById("follow").addEventListener("click", () => feed.toLatest());
    // A smaller panel (zoom, a resized window, the hints moving above it) keeps the newest line
    // in view too: no scroll event comes when only the box shrinks.
    new ResizeObserver(() => { if (feed.following) list.scrollTop = list.scrollHeight; }).observe(list);
  },

  toLatest() {
    const list = document.getElementById("transcript");
    feed.following = true;
    list.scrollTop = list.scrollHeight;
    document.getElementById("follow").hidden = true;
  },

  // --- hints ---------------------------------------------------------------------------------

  card(severity, kindLabel, seconds) {
    const t = huifangShell.text;
    const card = t("li", "", `hint-card ${severity}`);
    const head = t("div", "", "head");
    head.append(t("span", huifangShell.label("severity", severity), `badge ${severity}`), t("span", kindLabel));
    if (seconds !== null && seconds !== undefined) head.appendChild(t("span", huifangShell.clock(seconds), "at"));
    card.appendChild(head);
    return card;
  },

  // A Hint event: what was heard, which misleading-sale kind, what to say; evidence under it.
  hint(e, fresh) {
    const flag = e.flag;
    const key = `${flag.rule_id}|${flag.leg}|${Number(flag.start).toFixed(1)}`;
    if (feed.hints.has(key)) return;
    feed.hints.add(key);
    const card = feed.card(flag.severity, `${flag.category} · ${flag.subcategory}`, flag.start);
    card.classList.add("hint");
    card.dataset.rule = flag.rule_id;
    card.appendChild(huifangShell.text("p", e.message, "message"));
    if (flag.text) {
      const evidence = huifangShell.text("p", "", `evidence ${flag.leg}`);
      evidence.appendChild(huifangShell.text("span", `${feed.whoAndWhen(flag.leg, flag.start)}：`, "who"));
      const said = document.createElement("span");
      feed.marked(said, flag.text, [flag.span]);
      evidence.appendChild(said);
      card.appendChild(evidence);
      feed.markLine(flag);
    }
    if (e.suggested_wording) card.appendChild(huifangShell.text("p", e.suggested_wording, "wording"));
    feed.add(card, flag.severity, fresh);
  },

  // A VoiceCue event: who the voice does not fit, with the measurements behind it.
  cue(e, fresh) {
    const key = `cue|${e.kind}|${e.leg}`;
    if (feed.hints.has(key)) return;
    feed.hints.add(key);
    const card = feed.card(e.severity, `声音核实 · ${huifangShell.label("cueKind", e.kind)}`, null);
    card.classList.add("cue");
    card.appendChild(huifangShell.text("p", e.message, "message"));
    if (e.reasons && e.reasons.length) {
      const reasons = huifangShell.text("ul", "", "reasons");
      for (const reason of e.reasons) reasons.appendChild(huifangShell.text("li", reason));
      card.appendChild(reasons);
    }
    feed.add(card, e.severity, fresh);
  },

  notice(text, severity) {
    const card = feed.card(severity, "通知", null);
    card.appendChild(huifangShell.text("p", text, "message"));
    feed.add(card, severity, true);
  },

  add(card, severity, fresh) {
    const list = document.getElementById("hints");
    const empty = list.querySelector(".empty");
    if (empty) empty.remove();
    if (fresh) {
      list.prepend(card);  // the newest where the eye already is
      card.classList.add("fresh");
      feed.chime(severity);
    } else {
      list.appendChild(card);
    }
    const count = list.querySelectorAll(".hint-card").length;
    document.getElementById("hint-count").textContent = `${count} 条`;
  },

  // The transcript line the flag quotes gets its words marked.
  markLine(flag) {
    const line = feed.lines.get(feed.key(flag.leg, flag.start));
    if (!line) return;
    line.classList.add("flagged");
    const said = line.querySelector(".said");
    if (said.textContent === flag.text) feed.marked(said, flag.text, [flag.span]);
  },

  // A short sound on a new hint: two falling tones when severe, one otherwise.
  chime(severity) {
    if (!feed.sound) return;
    try {
      feed.audio = feed.audio || new AudioContext();
      const tones = severity === "high" ? [880, 660] : [660];
      tones.forEach((hz, i) => {
        const osc = feed.audio.createOscillator();
        const gain = feed.audio.createGain();
        const at = feed.audio.currentTime + i * 0.14;
        osc.frequency.value = hz;
        gain.gain.setValueAtTime(0.0001, at);
        gain.gain.exponentialRampToValueAtTime(0.25, at + 0.01);
        gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.12);
        osc.connect(gain).connect(feed.audio.destination);
        osc.start(at);
        osc.stop(at + 0.13);
      });
      feed.chimes = (feed.chimes || 0) + 1;
    } catch (err) {
      // No audio device: the card still flashes.
    }
  },

  toggleSound() {
    feed.sound = !feed.sound;
    localStorage.setItem("huifang.hintSound", feed.sound ? "on" : "off");
    feed.showSound();
  },

  showSound() {
    const button = document.getElementById("sound-toggle");
    button.textContent = feed.sound ? "提示音 开" : "提示音 关";
    button.setAttribute("aria-pressed", String(feed.sound));
  },

  empty(listId, text) {
    const list = document.getElementById(listId);
    if (!list.children.length) list.appendChild(huifangShell.text("li", text, "empty"));
  },
};
