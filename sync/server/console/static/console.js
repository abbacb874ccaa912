// The console's shared script: live countdowns, and the CSRF header on script requests.
"use strict";
(function () {
  const body = document.body;
  const lang = body.dataset.lang || "zh";
  // Every element with data-due (a UTC time) counts down to it, once a second.
  function fmt(seconds) {
    const late = seconds < 0;
    let s = Math.abs(seconds);
    const h = Math.floor(s / 3600); s -= h * 3600;
    const m = Math.floor(s / 60); s -= m * 60;
    const pad = (n) => String(n).padStart(2, "0");
    const text = (h > 99 ? Math.floor(h / 24) + (lang === "en" ? "d " : "天 ") + pad(h % 24) : pad(h)) + ":" + pad(m) + ":" + pad(s);
    return (late ? (lang === "en" ? "late " : "超时 ") : "") + text;
  }
  function tick() {
    const now = Date.now();
    document.querySelectorAll("[data-due]").forEach((el) => {
      const seconds = Math.round((Date.parse(el.dataset.due) - now) / 1000);
      el.textContent = fmt(seconds);
      el.classList.toggle("late", seconds < 0);
    });
  }
  tick();
  setInterval(tick, 1000);
  // A fetch to the console's API with the session's CSRF token.
  window.kesuFetch = function (url, options) {
    const opts = Object.assign({ credentials: "same-origin" }, options || {});
    opts.headers = Object.assign({ "X-CSRF-Token": body.dataset.csrf || "" }, opts.headers || {});
    return fetch(url, opts);
  };
  // Buttons with data-confirm ask first (revoking a desk, publishing a policy).
  document.addEventListener("submit", (ev) => {
    const btn = ev.submitter;
    if (btn && btn.dataset.confirm && !window.confirm(btn.dataset.confirm)) ev.preventDefault();
  });
})();
