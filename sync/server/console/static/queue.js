// The queue's live countdowns: each [data-due-utc] shows the time left to its response
// target, or how long it is overdue, in the page's words (the table's data-left and
// data-overdue templates), updated once a second.
"use strict";
(function () {
  const lang = document.body.dataset.lang || "zh";
  function fmt(seconds) {
    let s = Math.abs(seconds);
    const d = Math.floor(s / 86400); s -= d * 86400;
    const h = Math.floor(s / 3600); s -= h * 3600;
    const m = Math.floor(s / 60); s -= m * 60;
    const pad = (n) => String(n).padStart(2, "0");
    return (d ? d + (lang === "en" ? "d " : "天 ") : "") + pad(h) + ":" + pad(m) + ":" + pad(s);
  }
  function tick() {
    const now = Date.now();
    document.querySelectorAll("[data-due-utc]").forEach((el) => {
      const holder = el.closest("[data-left]");
      if (!holder) return;
      const seconds = Math.round((Date.parse(el.dataset.dueUtc) - now) / 1000);
      const template = seconds < 0 ? holder.dataset.overdue : holder.dataset.left;
      el.textContent = template.replace("{t}", fmt(seconds));
      el.classList.toggle("late", seconds < 0);
    });
  }
  tick();
  setInterval(tick, 1000);
})();
