// The recording on the workbench: a player without the browser's own controls, one energy lane
// per leg (canvas), the flagged spans over them, a playhead and a time axis. Playing a span
// stops at its end; listeners hear the time as it plays (the transcript follows it).
"use strict";

const recording = {
  player: null,
  durationMs: 0,
  energy: null,       // { duration_ms, legs: { agent: [...], customer: [...] } | { mix: [...] } }
  stopAt: null,       // seconds: where a played span ends
  listeners: [],
  spans: [],          // [{ id, startMs, endMs, severity, title, onPick }]
  selected: null,     // the flag whose span is outlined

  init() {
    const player = document.getElementById("player");
    recording.player = player;
    document.getElementById("play").addEventListener("click", () => recording.toggle());
    document.getElementById("back-5").addEventListener("click", () => recording.seekBy(-5));
    document.getElementById("ahead-5").addEventListener("click", () => recording.seekBy(5));
    document.getElementById("rate").addEventListener("change", (event) => {
      player.playbackRate = Number(event.target.value);
    });
    player.addEventListener("loadedmetadata", () => {
      if (Number.isFinite(player.duration) && player.duration > 0) recording.setDuration(player.duration * 1000);
    });
    player.addEventListener("play", () => recording.tick());
    player.addEventListener("pause", () => recording.showTime());
    player.addEventListener("ended", () => recording.showTime());
    player.addEventListener("timeupdate", () => recording.showTime());
    document.getElementById("lanes").addEventListener("click", (event) => {
      if (event.target.closest(".span-mark") || !recording.durationMs) return;
      const canvas = document.querySelector("#lanes canvas");
      const box = canvas.getBoundingClientRect();
      const fraction = (event.clientX - box.left) / box.width;
      if (fraction >= 0 && fraction <= 1) recording.playFrom(fraction * recording.durationMs);
    });
    new ResizeObserver(() => recording.draw()).observe(document.getElementById("lanes"));
  },

  setSource(url) {
    if (recording.player.getAttribute("src") !== url) recording.player.src = url;
  },

  setDuration(ms) {
    if (!ms || Math.abs(ms - recording.durationMs) < 1) return;
    recording.durationMs = ms;
    recording.draw();
  },

  hasAudio() { return Boolean(recording.player.getAttribute("src")); },

  playFrom(ms) {
    recording.stopAt = null;
    recording.seek(ms);
    recording.play();
  },

  // Play one span; the player stops at its end (a flag's evidence, a transcript line).
  playSpan(startMs, endMs) {
    recording.seek(startMs);
    recording.stopAt = endMs ? endMs / 1000 : null;
    recording.play();
  },

  seek(ms) {
    if (!recording.hasAudio()) return;
    recording.player.currentTime = Math.max(0, ms / 1000);
    recording.showTime();
  },

  seekBy(seconds) {
    if (recording.hasAudio()) recording.seek((recording.player.currentTime + seconds) * 1000);
  },

  play() {
    if (recording.hasAudio()) recording.player.play().catch(() => {});  // no audio device: seek only
  },

  toggle() {
    if (!recording.hasAudio()) return;
    if (recording.player.paused) { recording.stopAt = null; recording.play(); } else recording.player.pause();
  },

  // While playing: the playhead follows frame by frame, a span stops at its end.
  tick() {
    recording.showTime();
    if (!recording.player.paused) requestAnimationFrame(() => recording.tick());
  },

  showTime() {
    const player = recording.player;
    if (recording.stopAt !== null && player.currentTime >= recording.stopAt) {
      player.pause();
      recording.stopAt = null;
    }
    const ms = player.currentTime * 1000;
    const clock = huifangShell.clock;
    document.getElementById("time").textContent = `${clock(player.currentTime)} / ${clock(recording.durationMs / 1000)}`;
    document.getElementById("play").textContent = player.paused ? "播放" : "暂停";
    if (recording.durationMs) {
      document.getElementById("playhead").style.left = `${Math.min(100, (100 * ms) / recording.durationMs)}%`;
    }
    for (const listener of recording.listeners) listener(ms, !player.paused);
  },

  // The lanes: bars of each leg's level; a mono recording fills both lanes with its mix.
  draw() {
    for (const canvas of document.querySelectorAll("#lanes canvas")) {
      const ratio = window.devicePixelRatio || 1;
      canvas.width = Math.max(1, Math.round(canvas.clientWidth * ratio));
      canvas.height = Math.max(1, Math.round(canvas.clientHeight * ratio));
      const context = canvas.getContext("2d");
      context.clearRect(0, 0, canvas.width, canvas.height);
      const legs = recording.energy ? recording.energy.legs : null;
      const values = legs ? legs[canvas.dataset.leg] || legs.mix : null;
      if (!values) continue;
      context.fillStyle = canvas.dataset.leg === "agent" ? "#3d6fb8" : "#1d8a78";
      const width = canvas.width / values.length;
      values.forEach((value, i) => {
        const height = Math.max(ratio, value * canvas.height * 0.92);
        context.fillRect(i * width, (canvas.height - height) / 2, Math.max(1, width - 0.5), height);
      });
    }
    recording.drawSpans();
    recording.drawAxis();
  },

  drawAxis() {
    const axis = document.getElementById("axis");
    const seconds = recording.durationMs / 1000;
    const ticks = [];
    for (let i = 0; i <= 4 && seconds; i += 1) ticks.push(huifangShell.text("span", huifangShell.clock((seconds * i) / 4)));
    axis.replaceChildren(...ticks);
  },

  // spans: [{ id, startMs, endMs, severity, title, onPick }]
  setSpans(spans) {
    recording.spans = spans;
    recording.drawSpans();
  },

  drawSpans() {
    const layer = document.getElementById("timeline");
    layer.replaceChildren();
    if (!recording.durationMs) return;
    for (const span of recording.spans) {
      const mark = huifangShell.button("", `span-mark ${span.severity}`, () => span.onPick(), span.title);
      mark.dataset.flag = span.id;
      if (span.id === recording.selected) mark.classList.add("selected");
      mark.setAttribute("aria-label", span.title);
      mark.style.left = `${Math.min(100, (100 * span.startMs) / recording.durationMs)}%`;
      const width = (100 * Math.max(300, span.endMs - span.startMs)) / recording.durationMs;
      mark.style.width = `${Math.min(100, width)}%`;
      layer.appendChild(mark);
    }
  },

  selectSpan(flagId) {
    recording.selected = flagId;
    for (const mark of document.querySelectorAll("#timeline .span-mark")) {
      mark.classList.toggle("selected", mark.dataset.flag === String(flagId));
    }
  },
};
